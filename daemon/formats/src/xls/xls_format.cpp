#include "builtin_formats.h"

namespace bankrec::formats {

namespace {

int sniff(Bytes head) {
  (void)head;
  return 0;
}

Result<void> parse(Bytes input, const ParseOptions& options, StatementSink& sink) {
  (void)input;
  (void)sink;
  return parse_error(options, {}, "the xls reader is not built yet");
}

}  // namespace

FormatSpec xls_format() { return {"xls", "Excel 97-2003 workbook (XLS), mapped by a bank profile", &sniff, &parse}; }

}  // namespace bankrec::formats
