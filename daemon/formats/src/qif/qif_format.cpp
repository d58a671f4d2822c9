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
  return parse_error(options, {}, "the qif reader is not built yet");
}

}  // namespace

FormatSpec qif_format() { return {"qif", "Quicken Interchange Format (QIF)", &sniff, &parse}; }

}  // namespace bankrec::formats
