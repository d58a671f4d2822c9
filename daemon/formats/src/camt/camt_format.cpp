#include "builtin_formats.h"

// Replaced by the real parser (issue 3); recognises nothing until then.
namespace bankrec::formats {
namespace {
int sniff_nothing(Bytes) { return 0; }
Result<void> parse_nothing(Bytes, const ParseOptions& o, StatementSink&) {
  return fail(Errc::invalid_input, "parser not built", std::string(o.file_name));
}
}  // namespace
FormatSpec camt052_format() { return {"camt.052", "camt.052", sniff_nothing, parse_nothing}; }
FormatSpec camt053_format() { return {"camt.053", "camt.053", sniff_nothing, parse_nothing}; }
FormatSpec camt054_format() { return {"camt.054", "camt.054", sniff_nothing, parse_nothing}; }
}  // namespace bankrec::formats
