#pragma once

// Helpers shared by the MT940 unit tests: parse a string through the registered format.
#include <string>
#include <string_view>

#include "bankrec/formats/format_registry.h"
#include "bankrec/testing/testing.h"

namespace bankrec::formats::mt940_test {

inline const FormatSpec& spec(std::string_view id = "mt940") {
  static const FormatRegistry registry = [] {
    FormatRegistry r;
    register_builtin_formats(r);
    return r;
  }();
  const FormatSpec* s = registry.find(id);
  if (s == nullptr) std::abort();
  return *s;
}

inline Result<ParseOutput> parse(std::string_view text, ParseOptions options = {},
                                 std::string_view id = "mt940") {
  if (options.file_name.empty()) options.file_name = "t.sta";
  return parse_collect(spec(id), as_bytes(text), options);
}

/// One statement around the given :61:/:86: lines, CRLF line ends.
inline std::string statement(std::string_view body, std::string_view opening = ":60F:C240130EUR100,00",
                             std::string_view closing = "") {
  std::string text = ":20:STARTUMSE\r\n:25:DE89370400440532013000\r\n:28C:1/1\r\n";
  text += opening;
  text += "\r\n";
  text += body;
  if (!closing.empty()) {
    text += closing;
    text += "\r\n";
  }
  text += "-\r\n";
  return text;
}

/// The first entry of the first statement (the test fails when there is none).
inline const domain::Entry& first_entry(const ParseOutput& out) {
  static const domain::Entry kNone;
  if (out.statements.empty() || out.statements[0].entries.empty()) {
    ADD_FAILURE() << "no entry";
    return kNone;
  }
  return out.statements[0].entries[0];
}

}  // namespace bankrec::formats::mt940_test
