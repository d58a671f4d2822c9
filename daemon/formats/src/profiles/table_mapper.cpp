#include "profiles/profile_set_impl.h"

namespace bankrec::formats {

// Minimal form until the table profile work lands.
Result<void> parse_tables(std::string_view format, const std::vector<Table>& tables, const ParseOptions& options,
                          StatementSink& sink) {
  (void)format;
  (void)tables;
  (void)sink;
  return parse_error(options, {}, "no bank profile matches this file");
}

}  // namespace bankrec::formats
