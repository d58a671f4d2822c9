#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/text.h"
#include "bankrec/formats/profile.h"

/// The CSV/TSV reader: bytes → Table. Delimiters, quotes and line ends are ASCII in every charset
/// we read (UTF-8, Windows-1252, ISO-8859-1/15), so the reader works on the original bytes and
/// converts only cells holding non-ASCII bytes; positions therefore refer to the original input.
namespace bankrec::formats::csv {

struct Dialect {
  char delimiter = ';';
  text::Charset charset = text::Charset::utf8;
  std::size_t bom = 0;  ///< bytes of a UTF-8 byte order mark skipped at the start
};

/// A non-fatal finding about one row (a broken quote), kept for the statement's warnings.
struct RowWarning {
  std::size_t row = 0;  ///< index into Table::rows
  std::string message;
};

struct CsvTable {
  Table table;
  std::vector<std::uint64_t> row_offsets;  ///< per row: byte offset of its first cell in the input
  std::vector<RowWarning> warnings;
  bool complete = true;                    ///< false when stopped at `max_rows`
  std::uint64_t end_offset = 0;            ///< where reading stopped: resume there
  std::uint32_t end_line = 1;              ///< the line number at `end_offset`
};

/// The delimiter among ';', ',', tab and '|' that splits the first lines most consistently
/// (lines agreeing on a count × that count, so preamble lines do not decide); ';' when none.
char detect_delimiter(std::string_view text);

/// The charset: `forced` when given; UTF-8 when the bytes are valid UTF-8 (a BOM counts);
/// otherwise `fallback` (a profile's declared 8-bit charset), else Windows-1252.
Dialect detect_dialect(std::string_view input, std::optional<text::Charset> forced,
                       std::optional<text::Charset> fallback, char delimiter);

/// Reads rows until the end or `max_rows`. Tolerant of the quirks real bank exports have:
/// unquoted empty fields, a quote inside an unquoted field, text after a closing quote and a quote
/// never closed (each read as written, with a warning), CR, LF and CRLF line ends.
CsvTable read_csv(std::string_view input, const Dialect& dialect, std::string name,
                  std::size_t max_rows = std::numeric_limits<std::size_t>::max());
/// Continues at byte `offset` (a row start, as CsvTable::end_offset gives) with line number `line`.
CsvTable read_csv_from(std::string_view input, const Dialect& dialect, std::string name, std::size_t max_rows,
                       std::uint64_t offset, std::uint32_t line);

/// Byte offset of cell `cell` (0-based) of the row starting at `row_offset`, for error positions.
std::uint64_t cell_offset(std::string_view input, const Dialect& dialect, std::uint64_t row_offset, std::size_t cell);

/// 0..100: how much the first bytes look like a delimited text table.
int sniff_table(std::string_view head);

}  // namespace bankrec::formats::csv
