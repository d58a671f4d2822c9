#include "builtin_formats.h"

// Replaced by the real parser (issue 3); recognises nothing until then.
namespace bankrec::formats {
namespace {
int sniff_nothing(Bytes) { return 0; }
Result<void> parse_nothing(Bytes, const ParseOptions& o, StatementSink&) {
  return fail(Errc::invalid_input, "parser not built", std::string(o.file_name));
}
}  // namespace
FormatSpec mt940_format() { return {"mt940", "mt940", sniff_nothing, parse_nothing}; }
FormatSpec mt942_format() { return {"mt942", "mt942", sniff_nothing, parse_nothing}; }
}  // namespace bankrec::formats
