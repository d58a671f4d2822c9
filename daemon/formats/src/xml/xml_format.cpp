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
  return parse_error(options, {}, "the xml reader is not built yet");
}

}  // namespace

FormatSpec xml_format() { return {"xml", "generic XML export, mapped by a bank profile", &sniff, &parse}; }

}  // namespace bankrec::formats
