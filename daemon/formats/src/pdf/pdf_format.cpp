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
  return parse_error(options, {}, "the pdf reader is not built yet");
}

}  // namespace

FormatSpec pdf_format() { return {"pdf", "PDF statement (text layer), mapped by a layout profile", &sniff, &parse}; }

}  // namespace bankrec::formats
