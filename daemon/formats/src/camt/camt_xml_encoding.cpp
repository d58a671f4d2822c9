#include "camt/camt_xml_encoding.h"

#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <memory>

namespace bankrec::formats::camt {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

bool has_bytes(std::string_view input, std::string_view bytes) { return input.starts_with(bytes); }

// libxml2 reports conversion failures through its per-thread global handlers; while a conversion
// runs they go nowhere, so nothing reaches stderr. The previous handlers are restored after it.
class QuietErrors {
 public:
  QuietErrors()
      : structured_(xmlStructuredError),
        structured_context_(xmlStructuredErrorContext),
        generic_(xmlGenericError),
        generic_context_(xmlGenericErrorContext) {
    xmlSetStructuredErrorFunc(nullptr, &QuietErrors::ignore_structured);
    xmlSetGenericErrorFunc(nullptr, &QuietErrors::ignore);
  }
  ~QuietErrors() {
    xmlSetStructuredErrorFunc(structured_context_, structured_);
    xmlSetGenericErrorFunc(generic_context_, generic_);
  }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  static void ignore(void*, const char*, ...) {}
  static void ignore_structured(void*, xmlErrorPtr) {}
  xmlStructuredErrorFunc structured_;
  void* structured_context_;
  xmlGenericErrorFunc generic_;
  void* generic_context_;
};

struct HandlerCloser {
  void operator()(xmlCharEncodingHandler* h) const { xmlCharEncCloseFunc(h); }
};
struct BufferFree {
  void operator()(xmlBuffer* b) const { xmlBufferFree(b); }
};

// One pseudo-attribute of the XML declaration: blanks, name, '=', quoted value.
std::size_t pseudo_attribute(std::string_view doc, std::size_t i, std::string_view& name,
                             std::string_view& value) {
  const std::size_t start = lex::skip_blanks(doc, i);
  if (start == i) return lex::kNone;
  std::size_t j = start;
  while (j < doc.size() && doc[j] >= 'a' && doc[j] <= 'z') ++j;
  name = doc.substr(start, j - start);
  j = lex::skip_blanks(doc, j);
  if (name.empty() || j >= doc.size() || doc[j] != '=') return lex::kNone;
  j = lex::skip_blanks(doc, j + 1);
  if (j >= doc.size() || (doc[j] != '"' && doc[j] != '\'')) return lex::kNone;
  const std::size_t close = doc.find(doc[j], j + 1);
  if (close == std::string_view::npos) return lex::kNone;
  value = doc.substr(j + 1, close - j - 1);
  return close + 1;
}

}  // namespace

bool is_utf8_name(std::string_view name) {
  return equals_ignoring_case(name, "UTF-8") || equals_ignoring_case(name, "UTF8") ||
         equals_ignoring_case(name, "US-ASCII") || equals_ignoring_case(name, "ASCII");
}

bool is_known_encoding(const std::string& name) {
  xmlInitParser();
  QuietErrors quiet;
  std::unique_ptr<xmlCharEncodingHandler, HandlerCloser> handler(xmlFindCharEncodingHandler(name.c_str()));
  return handler != nullptr;
}

std::string detect_encoding(std::string_view input, std::size_t& skip) {
  skip = 0;
  if (has_bytes(input, "\xEF\xBB\xBF")) {
    skip = 3;
    return "";
  }
  if (has_bytes(input, "\xFF\xFE")) {
    skip = 2;
    return "UTF-16LE";
  }
  if (has_bytes(input, "\xFE\xFF")) {
    skip = 2;
    return "UTF-16BE";
  }
  if (has_bytes(input, std::string_view("<\0?\0", 4))) return "UTF-16LE";
  if (has_bytes(input, std::string_view("\0<\0?", 4))) return "UTF-16BE";
  if (!starts_declaration(input, 0)) return "";
  std::string_view encoding;
  lex::Fault ignored;
  if (parse_declaration(input, 0, encoding, ignored) == lex::kNone) return "";  // reported when parsed
  // A declared UTF-16 without UTF-16 bytes (seen above) is 8-bit text in fact.
  if (encoding.empty() || is_utf8_name(encoding) || equals_ignoring_case(encoding, "UTF-16")) return "";
  return std::string(encoding);
}

std::size_t bom_length(std::string_view input, std::string_view forced) {
  if (is_utf8_name(forced)) return has_bytes(input, "\xEF\xBB\xBF") ? 3 : 0;
  if (equals_ignoring_case(forced, "UTF-16") || equals_ignoring_case(forced, "UTF-16LE") ||
      equals_ignoring_case(forced, "UTF-16BE"))
    return has_bytes(input, "\xFF\xFE") || has_bytes(input, "\xFE\xFF") ? 2 : 0;
  return 0;
}

bool convert_to_utf8(std::string_view input, const std::string& charset, std::string& out,
                     std::size_t& failed_at) {
  xmlInitParser();
  QuietErrors quiet;
  failed_at = 0;
  std::unique_ptr<xmlCharEncodingHandler, HandlerCloser> handler(xmlFindCharEncodingHandler(charset.c_str()));
  std::unique_ptr<xmlBuffer, BufferFree> in(xmlBufferCreateSize(input.size() + 1));
  std::unique_ptr<xmlBuffer, BufferFree> converted(xmlBufferCreateSize(input.size() * 2 + 64));
  if (handler == nullptr || in == nullptr || converted == nullptr) return false;
  if (xmlBufferAdd(in.get(), reinterpret_cast<const xmlChar*>(input.data()),
                   static_cast<int>(input.size())) != 0)
    return false;
  // Each call converts what fits; a call that moves nothing is a conversion error or a
  // sequence cut at the end.
  while (xmlBufferLength(in.get()) > 0) {
    const int before = xmlBufferLength(in.get());
    const int rc = xmlCharEncInFunc(handler.get(), converted.get(), in.get());
    if (rc == -2 || xmlBufferLength(in.get()) == before) {
      failed_at = input.size() - static_cast<std::size_t>(xmlBufferLength(in.get()));
      return false;
    }
  }
  out.assign(reinterpret_cast<const char*>(xmlBufferContent(converted.get())),
             static_cast<std::size_t>(xmlBufferLength(converted.get())));
  return true;
}

bool starts_declaration(std::string_view doc, std::size_t i) {
  return doc.substr(i, 5) == "<?xml" && i + 5 < doc.size() && lex::is_blank(doc[i + 5]);
}

std::size_t parse_declaration(std::string_view doc, std::size_t i, std::string_view& encoding,
                              lex::Fault& fault) {
  encoding = {};
  fault.at = i;
  fault.message = "malformed XML declaration";
  std::size_t j = i + 5;
  std::string_view name, value;
  j = pseudo_attribute(doc, j, name, value);
  if (j == lex::kNone || name != "version" || value.size() < 3 || !value.starts_with("1.")) return lex::kNone;
  std::string_view next = "encoding";
  for (;;) {
    const std::size_t after = lex::skip_blanks(doc, j);
    if (doc.substr(after, 2) == "?>") return after + 2;
    j = pseudo_attribute(doc, j, name, value);
    if (j == lex::kNone) return lex::kNone;
    if (name == "encoding" && next == "encoding") {
      encoding = value;
      next = "standalone";
    } else if (name == "standalone" && next != "") {
      if (value != "yes" && value != "no") return lex::kNone;
      next = "";
    } else {
      return lex::kNone;
    }
  }
}

}  // namespace bankrec::formats::camt
