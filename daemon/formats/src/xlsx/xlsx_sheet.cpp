// One worksheet part (ECMA-376 Part 1, 18.3): <sheetData><row r="14"><c r="C14" s="3" t="s"><v>..</v>
// streamed into a Table. Cell types: s (shared string), inlineStr (<is>), str (formula text), b, e,
// d (ISO 8601 date), n or none (number; a date when its style's number format is a date format).
#include "xlsx/xlsx_sheet.h"

#include <charconv>
#include <cmath>

namespace bankrec::formats::xlsx {
namespace {

constexpr std::uint32_t kMaxRow = 1'048'576;
constexpr std::uint32_t kMaxColumn = 16'384;        // XFD
constexpr std::size_t kMaxCellTextBytes = 1 << 20;  // Excel itself stops at 32,767 characters

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::optional<std::uint32_t> to_uint(std::string_view text) {
  std::uint32_t v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

// "C14" → column 2 (0-based), row 14. False when malformed or beyond XFD1048576.
bool parse_reference(std::string_view ref, std::uint32_t& column, std::uint32_t& row) {
  std::size_t i = 0;
  std::uint64_t col = 0;
  while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z' && i < 3)
    col = col * 26 + static_cast<unsigned>(ref[i++] - 'A' + 1);
  if (i == 0 || col > kMaxColumn) return false;
  const auto r = to_uint(ref.substr(i));
  if (!r || *r == 0 || *r > kMaxRow) return false;
  column = static_cast<std::uint32_t>(col - 1);
  row = *r;
  return true;
}

struct Cell {
  std::uint32_t column = 0;
  std::string type;
  std::uint32_t style = 0;
  std::string value;        // <v>
  std::string inline_text;  // <is>
  bool in_v = false;
  bool in_t = false;
  int phonetic_depth = -1;
};

Result<std::string> render_cell(const Cell& cell, const WorkbookContext& context, const ParseOptions& options,
                                const std::string& locator) {
  const std::string_view v = trim(cell.value);
  const std::string& t = cell.type;
  if (t == "inlineStr" || (v.empty() && !cell.inline_text.empty())) return decode_xstring(cell.inline_text);
  if (t == "s") {
    if (v.empty()) return std::string();
    const auto index = to_uint(v);
    if (!index) return sheet_error(options, locator, "invalid shared string index '" + std::string(v) + "'");
    if (*index >= context.shared_strings.size())
      return sheet_error(options, locator,
                         "shared string " + std::to_string(*index) + " does not exist (the workbook has " +
                             std::to_string(context.shared_strings.size()) + ")");
    return context.shared_strings[*index];
  }
  if (t == "str") return decode_xstring(cell.value);
  if (t == "e") return std::string(v);
  if (t == "b") {
    if (v.empty()) return std::string();
    if (v == "1" || v == "true") return std::string("TRUE");
    if (v == "0" || v == "false") return std::string("FALSE");
    return sheet_error(options, locator, "invalid boolean '" + std::string(v) + "'");
  }
  if (t == "d") {  // ISO 8601; midnight is a plain date
    if (v.size() <= 10) return std::string(v);
    const std::string_view time = v.substr(11, 8);
    if (time == "00:00:00" || time == "00:00") return std::string(v.substr(0, 10));
    return std::string(v.substr(0, 19));
  }
  if (!t.empty() && t != "n") return sheet_error(options, locator, "unknown cell type '" + t + "'");
  if (v.empty()) return std::string();
  double number = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), number);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !std::isfinite(number))
    return sheet_error(options, locator, "invalid number '" + std::string(v) + "'");
  const ValueKind kind =
      cell.style < context.style_kinds.size() ? context.style_kinds[cell.style] : ValueKind::number;
  if (kind != ValueKind::number)
    if (auto date = render_serial(number, kind, context.date_system)) return *date;
  return render_number(number);
}

}  // namespace

Result<Table> read_sheet(Package& package, const std::string& sheet_name, const std::string& part,
                         WorkbookContext& context) {
  const ParseOptions& options = package.options();
  Table table;
  table.name = sheet_name;
  table.cell_prefix = sheet_prefix(sheet_name);
  auto reader = BANKREC_TRY(PartReader::open(package, part));

  std::uint32_t row_number = 0;
  bool row_open = false;
  std::vector<std::string> row;
  std::uint32_t next_column = 0;
  Cell cell;
  bool cell_open = false;

  const auto locator = [&](std::uint32_t column) {
    return table.cell_prefix + column_name(column) + std::to_string(row_number);
  };
  const auto finish_cell = [&]() -> Result<void> {
    cell_open = false;
    next_column = cell.column + 1;
    std::string text = BANKREC_TRY(render_cell(cell, context, options, locator(cell.column)));
    if (text.empty()) return ok();
    if (row.size() <= cell.column) {
      context.cells += cell.column + 1 - row.size();
      if (context.cells > package.limits().max_cells)
        return sheet_error(
            options, locator(cell.column),
            "the workbook has more than " + std::to_string(package.limits().max_cells) + " cells");
      row.resize(cell.column + 1);
    }
    row[cell.column] = std::move(text);
    return ok();
  };
  const auto finish_row = [&]() {
    row_open = false;
    if (row.empty()) return;
    table.rows.push_back(std::move(row));
    table.row_numbers.push_back(row_number);
    row = {};
  };

  while (BANKREC_TRY(reader->next())) {
    const int type = reader->type();
    if (type == PartReader::element) {
      const std::string_view name = reader->name();
      if (name == "row") {
        if (row_open) finish_row();
        const auto r = reader->attribute("r");
        const auto number = r ? to_uint(*r) : std::optional<std::uint32_t>(row_number + 1);
        if (!number || *number == 0 || *number > kMaxRow)
          return sheet_error(options, reader->position(), "invalid row number '" + r.value_or("") + "'");
        row_number = *number;
        row_open = true;
        next_column = 0;
        if (reader->is_empty_element()) finish_row();
      } else if (name == "c") {
        if (!row_open) return sheet_error(options, reader->position(), "cell outside a row");
        cell = Cell{};
        cell.column = next_column;
        if (const auto r = reader->attribute("r")) {
          std::uint32_t ref_row = 0;
          if (!parse_reference(*r, cell.column, ref_row))
            return sheet_error(options, reader->position(), "invalid cell reference '" + *r + "'");
          if (ref_row != row_number)
            return sheet_error(options, table.cell_prefix + *r,
                               "cell " + *r + " is inside row " + std::to_string(row_number));
        } else if (cell.column >= kMaxColumn) {
          return sheet_error(options, reader->position(),
                             "more than " + std::to_string(kMaxColumn) + " columns");
        }
        cell.type = reader->attribute("t").value_or("");
        if (const auto s = reader->attribute("s")) cell.style = to_uint(*s).value_or(0);
        cell_open = true;
        if (reader->is_empty_element()) BANKREC_TRY(finish_cell());
      } else if (cell_open && !reader->is_empty_element()) {
        if (name == "v") cell.in_v = true;
        if (name == "rPh" && cell.phonetic_depth < 0) cell.phonetic_depth = reader->depth();
        if (name == "t" && cell.phonetic_depth < 0) cell.in_t = true;
      }
    } else if (type == PartReader::end) {
      const std::string_view name = reader->name();
      if (name == "v") cell.in_v = false;
      if (name == "t") cell.in_t = false;
      if (name == "rPh" && reader->depth() == cell.phonetic_depth) cell.phonetic_depth = -1;
      if (name == "c" && cell_open) BANKREC_TRY(finish_cell());
      if (name == "row" && row_open) finish_row();
    } else if (cell_open && (cell.in_v || cell.in_t)) {
      std::string& target = cell.in_v ? cell.value : cell.inline_text;
      target += reader->value();
      if (target.size() > kMaxCellTextBytes)
        return sheet_error(options, locator(cell.column),
                           "cell text longer than " + std::to_string(kMaxCellTextBytes) + " bytes");
    }
  }
  if (row_open) finish_row();
  return table;
}

}  // namespace bankrec::formats::xlsx
