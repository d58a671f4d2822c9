#pragma once

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bankrec/base/text.h"
#include "bankrec/formats/format.h"

// A pull reader over an XML input for the generic XML format (private to src/xml/).
namespace bankrec::formats::xml {

inline std::string_view view(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

// libxml2's reader over the input with its errors captured (nothing reaches stderr), refusing
// DTDs and entities. skip() moves past the current subtree; the next advance() then stays put.
class Doc {
 public:
  static Result<std::unique_ptr<Doc>> open(std::string_view input, const ParseOptions& options) {
    if (input.size() > static_cast<std::size_t>(INT_MAX))
      return parse_error(options, locate(input, 0), "file is too large for the xml reader");
    xmlInitParser();
    std::unique_ptr<Doc> doc(new Doc(input, options));
    doc->saved_structured_ = xmlStructuredError;
    doc->saved_structured_context_ = xmlStructuredErrorContext;
    doc->saved_generic_ = xmlGenericError;
    doc->saved_generic_context_ = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(doc.get(), &Doc::on_error);
    xmlSetGenericErrorFunc(nullptr, &Doc::ignore);
    doc->reader_ =
        xmlReaderForMemory(input.data(), static_cast<int>(input.size()), nullptr, nullptr,
                           XML_PARSE_NONET | XML_PARSE_COMPACT | XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
    if (doc->reader_ == nullptr) return parse_error(options, locate(input, 0), "cannot read the file as xml");
    xmlTextReaderSetStructuredErrorHandler(doc->reader_, &Doc::on_error, doc.get());
    return doc;
  }
  ~Doc() {
    if (reader_ != nullptr) xmlFreeTextReader(reader_);
    xmlSetStructuredErrorFunc(saved_structured_context_, saved_structured_);
    xmlSetGenericErrorFunc(saved_generic_context_, saved_generic_);
  }
  Doc(const Doc&) = delete;
  Doc& operator=(const Doc&) = delete;

  Result<bool> advance() {
    int rc = 0;
    if (held_) {
      held_ = false;
      rc = held_rc_;
    } else {
      rc = xmlTextReaderRead(reader_);
    }
    return settle(rc);
  }
  void skip() {
    held_rc_ = xmlTextReaderNext(reader_);
    held_ = true;
  }
  int type() const { return type_; }
  int depth() const { return depth_; }
  bool is_empty() const { return empty_; }
  std::string_view name() const { return view(xmlTextReaderConstLocalName(reader_)); }
  std::string_view namespace_uri() const { return view(xmlTextReaderConstNamespaceUri(reader_)); }
  std::optional<std::string> attribute(std::string_view local) const {
    std::optional<std::string> out;
    for (int rc = xmlTextReaderMoveToFirstAttribute(reader_); rc == 1;
         rc = xmlTextReaderMoveToNextAttribute(reader_))
      if (view(xmlTextReaderConstLocalName(reader_)) == local) {
        out = std::string(text::trim(view(xmlTextReaderConstValue(reader_))));
        break;
      }
    xmlTextReaderMoveToElement(reader_);
    return out;
  }
  Result<xmlNode*> expand(const std::string& locator) {
    xmlNode* node = xmlTextReaderExpand(reader_);
    if (captured_ || node == nullptr) return xml_error();
    const int limit = static_cast<int>(std::min<std::uint32_t>(options_.max_depth, 256));
    if (depth_ + subtree_depth(node) >= limit)
      return error(0, locator,
                   "elements nested deeper than " + std::to_string(options_.max_depth) + " levels");
    return node;
  }
  /// An error at a line of the input (0: the reader's position), with a locator.
  Unexpected error(std::uint32_t line, std::string locator, std::string message) const {
    if (line == 0) line = static_cast<std::uint32_t>(std::max(1, xmlTextReaderGetParserLineNumber(reader_)));
    std::uint64_t byte = line_offset(line);
    while (byte < input_.size() && (input_[byte] == ' ' || input_[byte] == '\t')) ++byte;  // to the element
    SourcePos pos = locate(input_, byte, std::move(locator));
    return parse_error(options_, pos, std::move(message));
  }

 private:
  Doc(std::string_view input, const ParseOptions& options) : input_(input), options_(options) {}

  // Levels of elements below `node` (libxml2 bounds the recursion at 256 levels).
  static int subtree_depth(xmlNode* node) {
    int deepest = 0;
    for (xmlNode* c = node->children; c != nullptr; c = c->next)
      if (c->type == XML_ELEMENT_NODE) deepest = std::max(deepest, 1 + subtree_depth(c));
    return deepest;
  }

  Result<bool> settle(int rc) {
    if (captured_ || rc < 0) return xml_error();
    if (rc == 0) return false;
    type_ = xmlTextReaderNodeType(reader_);
    depth_ = xmlTextReaderDepth(reader_);
    empty_ = type_ == XML_READER_TYPE_ELEMENT && xmlTextReaderIsEmptyElement(reader_) == 1;
    if (depth_ >= static_cast<int>(std::min<std::uint32_t>(options_.max_depth, 256)))
      return error(0, {}, "elements nested deeper than " + std::to_string(options_.max_depth) + " levels");
    if (type_ == XML_READER_TYPE_DOCUMENT_TYPE)
      return error(0, {}, "a DOCTYPE is not allowed in an xml statement (DTDs and entities are refused)");
    if (type_ == XML_READER_TYPE_ENTITY_REFERENCE || type_ == XML_READER_TYPE_ENTITY)
      return error(0, {}, "entity references are not allowed in an xml statement");
    return true;
  }
  std::uint64_t line_offset(std::uint32_t line) const {
    std::size_t pos = 0;
    for (std::uint32_t l = 1; l < line && pos < input_.size(); ++l) {
      const std::size_t nl = input_.find('\n', pos);
      if (nl == std::string_view::npos) return input_.size();
      pos = nl + 1;
    }
    return pos;
  }
  Unexpected xml_error() const {
    if (!captured_) return error(0, {}, "malformed xml");
    SourcePos pos = locate(input_, line_offset(std::max(1, line_)));
    if (column_ > 0)
      pos = locate(
          input_, std::min<std::uint64_t>(pos.byte + static_cast<std::uint64_t>(column_ - 1), input_.size()));
    const bool at_end = pos.byte + 2 >= input_.size();
    return parse_error(options_, pos,
                       "malformed xml: " + message_ + (at_end ? " (the file ends early: truncated?)" : ""));
  }
  static void ignore(void*, const char*, ...) {}
  static void on_error(void* self, xmlErrorPtr e) {
    auto* doc = static_cast<Doc*>(self);
    if (e == nullptr || doc->captured_ || e->level < XML_ERR_ERROR || e->domain == XML_FROM_NAMESPACE) return;
    doc->captured_ = true;
    std::string m = e->message != nullptr ? e->message : "unknown xml error";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    if (!m.empty() && m[0] >= 'A' && m[0] <= 'Z' && (m.size() < 2 || m[1] > 'Z'))
      m[0] = static_cast<char>(m[0] - 'A' + 'a');
    doc->message_ = m;
    doc->line_ = e->line;
    doc->column_ = e->int2;
  }

  std::string_view input_;
  const ParseOptions& options_;
  xmlTextReaderPtr reader_ = nullptr;
  xmlStructuredErrorFunc saved_structured_ = nullptr;
  void* saved_structured_context_ = nullptr;
  xmlGenericErrorFunc saved_generic_ = nullptr;
  void* saved_generic_context_ = nullptr;
  bool held_ = false;
  int held_rc_ = 0;
  int type_ = 0;
  int depth_ = 0;
  bool empty_ = false;
  bool captured_ = false;
  std::string message_;
  int line_ = 0;
  int column_ = 0;
};

}  // namespace bankrec::formats::xml
