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
  return parse_error(options, {}, "the ofx reader is not built yet");
}

}  // namespace

FormatSpec ofx_format() { return {"ofx", "OFX 1.x (SGML) and 2.x (XML) bank and credit-card statement", &sniff, &parse}; }

}  // namespace bankrec::formats
