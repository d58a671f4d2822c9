#include "bankrec/formats/profile.h"
#include "builtin_formats.h"
#include "xls/xls_reader.h"

namespace bankrec::formats {

namespace {

// OLE2 compound file (also .doc, .msg, encrypted .xlsx): certain only when the directory, which
// small files have in the first 4 KiB, names a "Workbook" (BIFF8) or "Book" (BIFF5) stream.
int sniff(Bytes head) {
  const std::string_view text = as_text(head);
  if (!text.starts_with(std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))) return 0;
  if (text.find(std::string_view("W\0o\0r\0k\0b\0o\0o\0k\0", 16)) != std::string_view::npos) return 95;
  if (text.find(std::string_view("B\0o\0o\0k\0", 8)) != std::string_view::npos) return 90;
  if (text.find(std::string_view("W\0o\0r\0d\0D\0o\0c", 13)) != std::string_view::npos) return 0;
  return 60;  // the directory lies beyond the first 4 KiB: a compound file, most likely a workbook
}

Result<void> parse(Bytes input, const ParseOptions& options, StatementSink& sink) {
  const auto tables = BANKREC_TRY(xls::read_workbook(input, options));
  return parse_tables("xls", tables, options, sink);
}

}  // namespace

FormatSpec xls_format() {
  return {"xls", "Excel 97-2003 workbook (XLS), mapped by a bank profile", &sniff, &parse};
}

}  // namespace bankrec::formats
