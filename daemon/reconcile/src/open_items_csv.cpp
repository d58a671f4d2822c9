#include <array>
#include <optional>
#include <unordered_map>

#include "bankrec/base/text.h"
#include "bankrec/domain/iban.h"
#include "bankrec/reconcile/open_items.h"
#include "open_item_fields.h"

namespace bankrec::reconcile {
namespace {

struct Field {
  std::string value;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

/// One RFC 4180 record starting at `pos`; advances `pos` and `line` past it.
Result<std::vector<Field>> read_record(std::string_view in, std::size_t& pos, std::uint32_t& line,
                                       std::size_t& line_start, std::string_view file) {
  std::vector<Field> fields;
  while (true) {
    Field f{{}, line, static_cast<std::uint32_t>(pos - line_start + 1)};
    if (pos < in.size() && in[pos] == '"') {
      ++pos;
      while (true) {
        if (pos >= in.size())
          return open_item_error(file, f.line, f.column, "", "unterminated quoted field");
        const char c = in[pos++];
        if (c == '"') {
          if (pos < in.size() && in[pos] == '"') {
            f.value.push_back('"');
            ++pos;
            continue;
          }
          break;
        }
        if (c == '\n') {
          ++line;
          line_start = pos;
        }
        f.value.push_back(c);
      }
      if (pos < in.size() && in[pos] != ',' && in[pos] != '\n' && in[pos] != '\r')
        return open_item_error(file, line, static_cast<std::uint32_t>(pos - line_start + 1), "",
                               "unexpected character after closing quote (double a quote inside a quoted field)");
    } else {
      while (pos < in.size() && in[pos] != ',' && in[pos] != '\n' && in[pos] != '\r') f.value.push_back(in[pos++]);
    }
    fields.push_back(std::move(f));
    if (pos < in.size() && in[pos] == ',') {
      ++pos;
      continue;
    }
    if (pos < in.size() && in[pos] == '\r') ++pos;
    if (pos < in.size() && in[pos] == '\n') ++pos;
    ++line;
    line_start = pos;
    return fields;
  }
}

bool is_blank(const std::vector<Field>& record) {
  return record.size() == 1 && text::trim(record[0].value).empty();
}

Result<std::array<int, kFieldCount>> map_header(const std::vector<Field>& header, std::string_view file) {
  std::array<int, kFieldCount> index;
  index.fill(-1);
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto name = text::to_lower_ascii(text::trim(header[i].value));
    const auto field = find_open_item_field(name);
    if (!field) continue;
    if (index[*field] >= 0)
      return open_item_error(file, header[i].line, header[i].column, name, "duplicate column '" + name + "'");
    index[*field] = static_cast<int>(i);
  }
  for (std::size_t f = 0; f < kFieldCount; ++f)
    if (index[f] < 0 && open_item_field_required(f))
      return open_item_error(file, 1, 1, "", std::string("missing required column '") + open_item_field_name(f) +
                                                 "' in the header row");
  return index;
}

Result<domain::OpenItem> read_item(const std::vector<Field>& record, const std::array<int, kFieldCount>& index,
                                   std::string_view file) {
  RawOpenItem raw;
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    if (index[f] < 0) continue;
    const auto i = static_cast<std::size_t>(index[f]);
    if (i >= record.size()) {
      const Field& last = record.back();
      return open_item_error(file, last.line, last.column + static_cast<std::uint32_t>(last.value.size()),
                             open_item_field_name(f),
                             "row has " + std::to_string(record.size()) + " fields, the header " +
                                 std::to_string(i + 1) + " or more");
    }
    raw.values[f] = {record[i].value, record[i].line, record[i].column};
  }
  return build_open_item(raw, file);
}

}  // namespace

Result<std::vector<domain::OpenItem>> parse_open_items_csv(std::string_view bytes, std::string_view file_name) {
  const std::string_view in = text::strip_bom(bytes);
  if (const auto bad = text::find_invalid_utf8(in); bad != std::string_view::npos)
    return fail(Errc::invalid_input, "not valid UTF-8 at byte " + std::to_string(bad) + " (save the file as UTF-8)",
                std::string(file_name));
  std::size_t pos = 0;
  std::size_t line_start = 0;
  std::uint32_t line = 1;
  if (in.empty()) return open_item_error(file_name, 1, 1, "", "empty file (expected a header row)");
  const auto header = BANKREC_TRY(read_record(in, pos, line, line_start, file_name));
  const auto index = BANKREC_TRY(map_header(header, file_name));
  std::vector<domain::OpenItem> items;
  DuplicateIds seen;
  while (pos < in.size()) {
    const std::uint32_t record_line = line;
    const auto record = BANKREC_TRY(read_record(in, pos, line, line_start, file_name));
    if (is_blank(record)) continue;
    auto item = BANKREC_TRY(read_item(record, index, file_name));
    BANKREC_TRY(seen.add(item.id, record_line, file_name));
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace bankrec::reconcile
