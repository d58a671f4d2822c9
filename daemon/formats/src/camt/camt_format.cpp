// ISO 20022 cash management: camt.052 (account report), camt.053 (statement) and camt.054
// (debit/credit notification), versions 001.01 to 001.13, read in one streaming pass.
#include "builtin_formats.h"
#include "camt/camt_parse.h"

namespace bankrec::formats {
namespace {

using camt::Tag;

enum class Kind { none, report, statement, notification };

constexpr std::string_view kNamespacePrefix = "urn:iso:std:iso:20022:tech:xsd:";

Kind kind_of_digit(char c) {
  switch (c) {
    case '2':
      return Kind::report;
    case '3':
      return Kind::statement;
    case '4':
      return Kind::notification;
    default:
      return Kind::none;
  }
}

std::string_view kind_id(Kind kind) {
  switch (kind) {
    case Kind::report:
      return "camt.052";
    case Kind::statement:
      return "camt.053";
    case Kind::notification:
      return "camt.054";
    case Kind::none:
      break;
  }
  return "camt";
}

Kind kind_of_tag(Tag tag) {
  switch (tag) {
    case Tag::BkToCstmrAcctRpt:
    case Tag::BkToCstmrAcctRptV01:
      return Kind::report;
    case Tag::BkToCstmrStmt:
    case Tag::BkToCstmrStmtV01:
      return Kind::statement;
    case Tag::BkToCstmrDbtCdtNtfctn:
    case Tag::BkToCstmrDbtCdtNtfctnV01:
      return Kind::notification;
    default:
      return Kind::none;
  }
}

Tag statement_tag(Kind kind) {
  switch (kind) {
    case Kind::report:
      return Tag::Rpt;
    case Kind::statement:
      return Tag::Stmt;
    default:
      return Tag::Ntfctn;
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// "camt.053.001.08" found in a namespace name, or "".
std::string_view version_in(std::string_view text) {
  for (std::size_t at = text.find("camt.05"); at != std::string_view::npos;
       at = text.find("camt.05", at + 1)) {
    const std::string_view v = text.substr(at, 15);
    if (v.size() == 15 && kind_of_digit(v[7]) != Kind::none && v.substr(8, 5) == ".001." && is_digit(v[13]) &&
        is_digit(v[14]))
      return v;
  }
  return {};
}

/// The message kind a root element name in `text` announces ("<BkToCstmrStmt", "<ns2:BkToCstmrStmt").
Kind kind_of_root_in(std::string_view text) {
  constexpr std::pair<std::string_view, Kind> kRoots[] = {{"BkToCstmrAcctRpt", Kind::report},
                                                          {"BkToCstmrStmt", Kind::statement},
                                                          {"BkToCstmrDbtCdtNtfctn", Kind::notification}};
  for (const auto& [name, kind] : kRoots) {
    for (std::size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
      if (at == 0 || (text[at - 1] != '<' && text[at - 1] != ':')) continue;
      const std::size_t end = at + name.size();
      if (end >= text.size()) continue;
      const char next = text[end];
      if (next == '>' || next == ' ' || next == '\t' || next == '\r' || next == '\n' || next == '/' ||
          next == 'V')
        return kind;
    }
  }
  return Kind::none;
}

// UTF-16 files: sniffing looks at the low bytes only, which is enough for ASCII markup.
std::string narrow_utf16(std::string_view text) {
  const bool little = static_cast<unsigned char>(text[0]) == 0xFF;
  std::string out;
  for (std::size_t i = 2; i + 1 < text.size(); i += 2) out += little ? text[i] : text[i + 1];
  return out;
}

int sniff_kind(Bytes head, Kind want) {
  std::string_view text = as_text(head.first(std::min(head.size(), kSniffBytes)));
  std::string narrowed;
  if (text.size() >= 2 &&
      ((static_cast<unsigned char>(text[0]) == 0xFF && static_cast<unsigned char>(text[1]) == 0xFE) ||
       (static_cast<unsigned char>(text[0]) == 0xFE && static_cast<unsigned char>(text[1]) == 0xFF))) {
    narrowed = narrow_utf16(text);
    text = narrowed;
  }
  if (text.find('<') == std::string_view::npos) return 0;
  const std::string_view version = version_in(text);
  if (!version.empty() && text.find(kNamespacePrefix) != std::string_view::npos)
    return kind_of_digit(version[7]) == want ? 100 : 0;
  if (kind_of_root_in(text) == want) return 90;
  if (!version.empty() && kind_of_digit(version[7]) == want) return 60;
  return 0;
}

// A DOCTYPE is refused before libxml2 sees it: no DTD, no entity declarations, no XXE.
std::optional<std::size_t> doctype_offset(std::string_view text) {
  std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    const std::string_view rest = text.substr(i);
    if (rest.starts_with("<!DOCTYPE")) return i;
    const std::string_view close = rest.starts_with("<?") ? "?>" : rest.starts_with("<!--") ? "-->" : "";
    const std::size_t end = close.empty() ? std::string_view::npos : text.find(close, i);
    if (end == std::string_view::npos) return std::nullopt;
    i = end + close.size();
  }
  return std::nullopt;
}

struct Message {
  Kind kind = Kind::none;
  std::string format;
};

// At the root: Document (any namespace or none) holding the message, or the message itself.
Result<Message> open_message(camt::XmlCursor& x) {
  const std::string namespace_uri(x.namespace_uri());
  if (x.tag() == Tag::Document) {
    while (BANKREC_TRY(x.next_child(0)))
      if (kind_of_tag(x.tag()) != Kind::none) break;
    if (kind_of_tag(x.tag()) == Kind::none)
      return x.error(
          "no CAMT message in Document (expected BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn)");
  }
  Message m;
  m.kind = kind_of_tag(x.tag());
  if (m.kind == Kind::none)
    return x.error("root element '" + std::string(x.local_name()) + "' is not a CAMT Document");
  const std::string_view version = version_in(namespace_uri);
  if (!version.empty() && kind_of_digit(version[7]) != m.kind)
    return x.error("namespace '" + namespace_uri + "' names " + std::string(version.substr(0, 8)) +
                   " but the message is " + std::string(x.local_name()) + " (" +
                   std::string(kind_id(m.kind)) + ")");
  if (!version.empty()) {
    m.format = std::string(version);
  } else if (x.local_name().ends_with("V01")) {
    m.format = std::string(kind_id(m.kind)) + ".001.01";  // only 001.01 names the root with a version
  } else {
    m.format = std::string(kind_id(m.kind));
  }
  return m;
}

Result<void> parse_camt(Bytes input, const ParseOptions& options, StatementSink& sink) {
  const std::string_view text = as_text(input);
  if (input.size() > options.max_input_bytes)
    return parse_error(options, locate(text, 0),
                       "file is " + std::to_string(input.size()) + " bytes, more than the limit of " +
                           std::to_string(options.max_input_bytes));
  if (const auto at = doctype_offset(text))
    return parse_error(options, locate(text, *at, "DOCTYPE"),
                       "a DOCTYPE is not allowed in a CAMT file (DTDs and entities are refused)");
  auto cursor = BANKREC_TRY(camt::XmlCursor::open(text, options));
  camt::XmlCursor& x = *cursor;
  BANKREC_TRY(x.to_root());
  const Message message = BANKREC_TRY(open_message(x));
  BANKREC_TRY(sink.set_format(message.format));
  const Tag wanted = statement_tag(message.kind);
  const int depth = x.depth();
  std::size_t statements = 0;
  while (BANKREC_TRY(x.next_child(depth))) {
    if (x.tag() != wanted) continue;
    BANKREC_TRY(camt::parse_statement(x, sink));
    ++statements;
  }
  if (statements == 0)
    return x.error("no " + std::string(camt::tag_name(wanted)) + " element in " +
                   std::string(x.local_name()) + ": the " + std::string(kind_id(message.kind)) +
                   " message holds no statement");
  return x.finish();
}

int sniff_052(Bytes head) { return sniff_kind(head, Kind::report); }
int sniff_053(Bytes head) { return sniff_kind(head, Kind::statement); }
int sniff_054(Bytes head) { return sniff_kind(head, Kind::notification); }

}  // namespace

FormatSpec camt052_format() {
  return {"camt.052", "ISO 20022 camt.052 bank-to-customer account report (intraday)", sniff_052, parse_camt};
}
FormatSpec camt053_format() {
  return {"camt.053", "ISO 20022 camt.053 bank-to-customer statement", sniff_053, parse_camt};
}
FormatSpec camt054_format() {
  return {"camt.054", "ISO 20022 camt.054 bank-to-customer debit/credit notification", sniff_054, parse_camt};
}

}  // namespace bankrec::formats
