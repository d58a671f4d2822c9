// OFX (Open Financial Exchange) bank and credit-card statements: what the registry sees.
// The reader is in ofx_document.cpp, the mapping to statements in ofx_statement.cpp.
#include "builtin_formats.h"

#include <algorithm>

#include "bankrec/base/text.h"
#include "ofx/ofx_document.h"
#include "ofx/ofx_statement.h"

namespace bankrec::formats {
namespace {

bool contains_ci(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i)
    if (text::iequals_ascii(haystack.substr(i, needle.size()), needle)) return true;
  return false;
}

int sniff(Bytes head) {
  std::string_view s = text::strip_bom(as_text(head.first(std::min(head.size(), kSniffBytes))));
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n' ||
                        s.front() == '\0'))
    s.remove_prefix(1);
  if (s.size() >= 10 && text::iequals_ascii(s.substr(0, 10), "OFXHEADER:")) return 100;
  if (s.starts_with("<?xml") && (s.find("<?OFX") != std::string_view::npos || contains_ci(s, "OFXHEADER=")))
    return 100;
  // Headerless files and headers hidden in a comment: the root element decides.
  if (s.starts_with("<") && contains_ci(s, "<OFX>")) return 90;
  return 0;
}

Result<void> parse(Bytes input, const ParseOptions& options, StatementSink& sink) {
  const std::string_view text = as_text(input);
  const ofx::Document doc = BANKREC_TRY(ofx::read_document(text, options));
  return ofx::emit_statements(text, doc, options, sink);
}

}  // namespace

FormatSpec ofx_format() {
  return {"ofx", "OFX 1.x (SGML) and 2.x (XML) bank and credit-card statement", &sniff, &parse};
}

}  // namespace bankrec::formats
