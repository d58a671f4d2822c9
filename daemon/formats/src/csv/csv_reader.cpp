#include "csv/csv_reader.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

namespace bankrec::formats::csv {
namespace {

constexpr std::array<char, 4> kDelimiters = {';', ',', '\t', '|'};

bool has_high_bytes(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

std::uint32_t count_line_ends(const char* begin, const char* end) {
  std::uint32_t n = 0;
  for (const char* p = begin; p < end; ++p)
    if (*p == '\n' || (*p == '\r' && (p + 1 == end || p[1] != '\n'))) ++n;
  return n;
}

/// One row of the input; `p` moves past it (and past its line end).
class RowReader {
 public:
  RowReader(std::string_view input, const Dialect& dialect) : input_(input), dialect_(dialect) {
    special_.fill(false);
    special_[static_cast<unsigned char>(dialect.delimiter)] = true;
    special_[static_cast<unsigned char>('\n')] = true;
    special_[static_cast<unsigned char>('\r')] = true;
    special_[static_cast<unsigned char>('"')] = true;
  }

  /// Reads the row at `p`; returns the number of line ends it spans.
  std::uint32_t read(const char*& p, std::vector<std::string>& cells, std::vector<std::string>& warnings) {
    const char* end = input_.data() + input_.size();
    std::uint32_t lines = 0;
    bool quoted_row = false, stray_quote = false;
    std::size_t stray_cell = 0;
    if (p < end && (*p == '\n' || *p == '\r')) return skip_line_end(p);
    for (;;) {
      if (p < end && *p == '"') {
        quoted_row = true;
        lines += read_quoted(p, cells, warnings);
      } else {
        const char* start = p;
        while (p < end && !special_[static_cast<unsigned char>(*p)]) ++p;
        if (p < end && *p == '"') {  // a quote inside an unquoted field is text
          if (!stray_quote) stray_cell = cells.size();
          stray_quote = true;
          while (p < end && *p != dialect_.delimiter && *p != '\n' && *p != '\r') ++p;
        }
        cells.push_back(make_cell(start, p));
      }
      if (p < end && *p == dialect_.delimiter) {
        ++p;
        if (p == end) cells.emplace_back();
        continue;
      }
      break;
    }
    if (stray_quote && quoted_row)  // DKB: "Mustermann, Max";Firma";...
      warnings.push_back("broken quote in cell " + std::to_string(stray_cell + 1) + ", read as written: '" +
                         cells[stray_cell] + "'");
    return lines + skip_line_end(p);
  }

 private:
  std::uint32_t skip_line_end(const char*& p) const {
    const char* end = input_.data() + input_.size();
    if (p < end && *p == '\r') {
      ++p;
      if (p < end && *p == '\n') ++p;
      return 1;
    }
    if (p < end && *p == '\n') {
      ++p;
      return 1;
    }
    return 0;
  }

  bool at_cell_end(const char* p) const {
    const char* end = input_.data() + input_.size();
    return p == end || *p == dialect_.delimiter || *p == '\n' || *p == '\r';
  }

  /// A field starting with a quote. Text after the closing quote, or a quote never closed,
  /// is read as written (quote included) up to the next delimiter, with a warning.
  std::uint32_t read_quoted(const char*& p, std::vector<std::string>& cells, std::vector<std::string>& warnings) {
    const char* end = input_.data() + input_.size();
    const char* open = p;
    buf_.clear();
    const char* q = p + 1;
    for (;;) {
      const char* r = static_cast<const char*>(std::memchr(q, '"', static_cast<std::size_t>(end - q)));
      if (r == nullptr) break;  // never closed
      if (r + 1 < end && r[1] == '"') {
        buf_.append(q, r);
        buf_ += '"';
        q = r + 2;
        continue;
      }
      const bool direct = q == open + 1;  // no doubled quote so far: buf_ is empty
      if (!direct) buf_.append(q, r);
      const bool spans_lines = std::memchr(open, '\n', static_cast<std::size_t>(r - open)) != nullptr ||
                               std::memchr(open, '\r', static_cast<std::size_t>(r - open)) != nullptr;
      if (at_cell_end(r + 1)) {
        p = r + 1;
        // Most fields have no doubled quote: one string made straight from the input.
        cells.push_back(direct ? make_cell(q, r) : make_converted(std::string(buf_)));
        return spans_lines ? count_line_ends(open, r) : 0;
      }
      if (spans_lines) break;  // a stray opening quote: do not swallow the following lines
      // Text after the closing quote ("Max "Firma" GmbH"): keep it, quotes included.
      p = r + 1;
      if (direct) buf_.append(q, r);
      buf_ += '"';
      const char* start = p;
      while (p < end && *p != dialect_.delimiter && *p != '\n' && *p != '\r') ++p;
      buf_.append(start, p);
      cells.push_back(make_converted(std::move(buf_)));
      warnings.push_back("broken quote in cell " + std::to_string(cells.size()) + ", read as written: '" +
                         cells.back() + "'");
      return 0;
    }
    // A quote that opens a field but never closes it on the same line: it is text.
    p = open;
    while (p < end && *p != dialect_.delimiter && *p != '\n' && *p != '\r') ++p;
    cells.push_back(make_cell(open, p));
    warnings.push_back("unclosed quote in cell " + std::to_string(cells.size()) + ", read as written: '" +
                       cells.back() + "'");
    return 0;
  }

  std::string make_cell(const char* begin, const char* end) const {
    const std::string_view raw(begin, static_cast<std::size_t>(end - begin));
    if (dialect_.charset == text::Charset::utf8 || !has_high_bytes(raw)) return std::string(raw);
    return text::to_utf8(raw, dialect_.charset).value_or(std::string(raw));
  }
  std::string make_converted(std::string&& s) const {
    if (dialect_.charset == text::Charset::utf8 || !has_high_bytes(s)) return std::move(s);
    return text::to_utf8(s, dialect_.charset).value_or(s);
  }

  std::string_view input_;
  const Dialect& dialect_;
  std::array<bool, 256> special_{};
  std::string buf_;
};

/// Per line of the sample: how often `delim` occurs outside quotes.
std::vector<int> counts_per_line(std::string_view sample, char delim) {
  std::vector<int> counts;
  int n = 0;
  bool quoted = false, blank = true;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const char c = sample[i];
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '\n' || c == '\r')) {
      if (!blank) counts.push_back(n);
      n = 0;
      blank = true;
      continue;
    }
    if (c != ' ') blank = false;
    if (!quoted && c == delim) ++n;
  }
  if (!blank) counts.push_back(n);
  return counts;
}

/// Lines that agree on the most common non-zero count, times that count.
long consistency(std::string_view sample, char delim, int* lines_agreeing = nullptr) {
  std::map<int, int> freq;
  for (int n : counts_per_line(sample, delim))
    if (n > 0) ++freq[n];
  long best = 0;
  int agreeing = 0;
  for (const auto& [count, lines] : freq) {
    if (static_cast<long>(lines) * count > best) {
      best = static_cast<long>(lines) * count;
      agreeing = lines;
    }
  }
  if (lines_agreeing != nullptr) *lines_agreeing = agreeing;
  return best;
}

std::string_view sample_of(std::string_view text) {
  std::size_t lines = 0, i = 0;
  const std::size_t limit = std::min<std::size_t>(text.size(), 64 * 1024);
  for (; i < limit && lines < 64; ++i)
    if (text[i] == '\n') ++lines;
  return text.substr(0, i);
}

}  // namespace

char detect_delimiter(std::string_view text) {
  const std::string_view sample = sample_of(text);
  char best = ';';
  long best_score = 0;
  for (char d : kDelimiters) {
    const long score = consistency(sample, d);
    if (score > best_score) {
      best = d;
      best_score = score;
    }
  }
  return best;
}

Dialect detect_dialect(std::string_view input, std::optional<text::Charset> forced,
                       std::optional<text::Charset> fallback, char delimiter) {
  Dialect d;
  d.bom = text::strip_bom(input).size() == input.size() ? 0 : input.size() - text::strip_bom(input).size();
  if (forced) {
    d.charset = *forced;
  } else if (text::is_valid_utf8(input)) {
    d.charset = text::Charset::utf8;
  } else {
    d.charset = fallback && *fallback != text::Charset::utf8 ? *fallback : text::Charset::windows1252;
  }
  if (d.charset != text::Charset::utf8) d.bom = 0;
  d.delimiter = delimiter != 0 ? delimiter : detect_delimiter(input.substr(d.bom));
  return d;
}

CsvTable read_csv(std::string_view input, const Dialect& dialect, std::string name, std::size_t max_rows) {
  return read_csv_from(input, dialect, std::move(name), max_rows, dialect.bom, 1);
}

CsvTable read_csv_from(std::string_view input, const Dialect& dialect, std::string name, std::size_t max_rows,
                       std::uint64_t offset, std::uint32_t line) {
  CsvTable out;
  out.table.name = std::move(name);
  RowReader reader(input, dialect);
  const char* p = input.data() + std::min<std::uint64_t>(offset, input.size());
  const char* end = input.data() + input.size();
  std::size_t width = 0;
  std::vector<std::string> warnings;
  while (p < end) {
    if (out.table.rows.size() >= max_rows) {
      out.complete = false;
      break;
    }
    std::vector<std::string> cells;
    cells.reserve(width);
    out.row_offsets.push_back(static_cast<std::uint64_t>(p - input.data()));
    out.table.row_numbers.push_back(line);
    line += reader.read(p, cells, warnings);
    width = std::max(width, cells.size());
    for (auto& w : warnings) out.warnings.push_back({out.table.rows.size(), std::move(w)});
    warnings.clear();
    out.table.rows.push_back(std::move(cells));
  }
  out.end_offset = static_cast<std::uint64_t>(p - input.data());
  out.end_line = line;
  return out;
}

std::uint64_t cell_offset(std::string_view input, const Dialect& dialect, std::uint64_t row_offset, std::size_t cell) {
  std::size_t i = std::min<std::size_t>(row_offset, input.size());
  bool quoted = false;
  for (std::size_t k = 0; k < cell && i < input.size(); ++i) {
    const char c = input[i];
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '\n' || c == '\r')) break;
    if (!quoted && c == dialect.delimiter) ++k;
  }
  return i;
}

int sniff_table(std::string_view head) {
  const std::string_view body = text::strip_bom(head);
  if (body.empty() || std::memchr(body.data(), '\0', body.size()) != nullptr) return 0;
  const std::string_view t = text::trim(body.substr(0, 64));
  for (std::string_view sig : {"<", "{", "[", "%PDF", "OFXHEADER", "!Type", "!type", "!Account", "!Option", ":20:", "{1:"})
    if (t.starts_with(sig)) return 0;
  int control = 0;
  for (char c : body)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\r' && c != '\t') ++control;
  if (control * 100 > static_cast<int>(body.size())) return 0;
  const std::string_view sample = sample_of(body);
  int best_lines = 0;
  for (char d : kDelimiters) {
    int lines = 0;
    consistency(sample, d, &lines);
    best_lines = std::max(best_lines, lines);
  }
  return best_lines >= 2 ? 25 : 0;
}

}  // namespace bankrec::formats::csv
