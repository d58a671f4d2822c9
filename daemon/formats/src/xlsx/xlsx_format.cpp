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
  return parse_error(options, {}, "the xlsx reader is not built yet");
}

}  // namespace

FormatSpec xlsx_format() { return {"xlsx", "Excel workbook (XLSX), mapped by a bank profile", &sniff, &parse}; }

}  // namespace bankrec::formats
