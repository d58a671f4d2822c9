#include "camt/camt_xml.h"

#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace bankrec::formats::camt {
namespace {

constexpr const char* kTagNames[] = {"",
#define BANKREC_CAMT_NAME(name) #name,
                                     BANKREC_CAMT_TAGS(BANKREC_CAMT_NAME)
#undef BANKREC_CAMT_NAME
};

// Repeating elements always show their index in a locator; others only from the second one.
bool is_list_tag(Tag tag) {
  switch (tag) {
    case Tag::Stmt:
    case Tag::Rpt:
    case Tag::Ntfctn:
    case Tag::Bal:
    case Tag::Ntry:
    case Tag::NtryDtls:
    case Tag::TxDtls:
      return true;
    default:
      return false;
  }
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Fibonacci hashing of the dictionary pointer: interned names sit close together in memory.
std::size_t slot_of(const unsigned char* p, std::size_t size) {
  const auto v = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p));
  return static_cast<std::size_t>((v * 0x9E3779B97F4A7C15ULL) >> 40) & (size - 1);
}

std::string_view view(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

// Scanner state for find_element(): skips markup that cannot contain elements.
std::size_t skip_past(std::string_view in, std::size_t i, std::string_view end) {
  const std::size_t at = in.find(end, i);
  return at == std::string_view::npos ? in.size() : at + end.size();
}

std::size_t skip_tag(std::string_view in, std::size_t i) {
  char quote = 0;
  for (; i < in.size(); ++i) {
    const char c = in[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i;
    }
  }
  return in.size();
}

}  // namespace

// libxml2 reports some problems (encoding conversion, I/O) through its per-thread global
// handlers rather than the reader's. While a parse runs they are routed to the same capture,
// so nothing ever reaches stderr; the previous handlers are restored when the cursor goes.
struct XmlCursor::ThreadHandlers {
  ThreadHandlers(void* context, xmlStructuredErrorFunc handler)
      : structured(xmlStructuredError),
        structured_context(xmlStructuredErrorContext),
        generic(xmlGenericError),
        generic_context(xmlGenericErrorContext) {
    xmlSetStructuredErrorFunc(context, handler);
    xmlSetGenericErrorFunc(nullptr, &ThreadHandlers::ignore);
  }
  ~ThreadHandlers() {
    xmlSetStructuredErrorFunc(structured_context, structured);
    xmlSetGenericErrorFunc(generic_context, generic);
  }
  ThreadHandlers(const ThreadHandlers&) = delete;
  ThreadHandlers& operator=(const ThreadHandlers&) = delete;

  static void ignore(void*, const char*, ...) {}
  xmlStructuredErrorFunc structured;
  void* structured_context;
  xmlGenericErrorFunc generic;
  void* generic_context;
};

const char* tag_name(Tag tag) { return kTagNames[static_cast<std::size_t>(tag)]; }

std::optional<std::uint64_t> find_element(std::string_view in, std::span<const PathStep> path) {
  if (path.empty()) return std::nullopt;
  std::size_t depth = 0;    // open elements at the scan position
  std::size_t matched = 0;  // leading path steps matched by open elements 0..matched-1
  std::uint32_t seen = 0;   // children named path[matched].name seen in the last matched element
  for (std::size_t i = in.find('<'); i < in.size(); i = in.find('<', i)) {
    const std::size_t start = i;
    std::string_view rest = in.substr(i);
    if (rest.starts_with("<!--")) {
      i = skip_past(in, i, "-->");
    } else if (rest.starts_with("<![CDATA[")) {
      i = skip_past(in, i, "]]>");
    } else if (rest.starts_with("<?")) {
      i = skip_past(in, i, "?>");
    } else if (rest.starts_with("<!")) {
      i = skip_tag(in, i + 2) + 1;
    } else if (rest.starts_with("</")) {
      i = skip_tag(in, i + 2) + 1;
      if (depth == 0) return std::nullopt;
      --depth;
      if (depth + 1 == matched) return std::nullopt;  // the last matched element ended first
    } else {
      std::size_t n = i + 1;
      while (n < in.size() && !is_blank(in[n]) && in[n] != '>' && in[n] != '/') ++n;
      std::string_view name = in.substr(i + 1, n - i - 1);
      if (const auto colon = name.find(':'); colon != std::string_view::npos) name.remove_prefix(colon + 1);
      const std::size_t end = skip_tag(in, n);
      const bool self_closing = end < in.size() && end > 0 && in[end - 1] == '/';
      i = end + 1;
      if (depth == matched && name == path[matched].name && ++seen == path[matched].index) {
        if (++matched == path.size()) return start;
        seen = 0;
      }
      if (!self_closing) ++depth;
      if (self_closing && depth + 1 == matched) return std::nullopt;
    }
  }
  return std::nullopt;
}

std::uint64_t offset_of(std::string_view input, std::uint32_t line, std::uint32_t column) {
  std::size_t pos = 0;
  for (std::uint32_t l = 1; l < line && pos < input.size(); ++l) {
    const std::size_t nl = input.find('\n', pos);
    if (nl == std::string_view::npos) return input.size();
    pos = nl + 1;
  }
  const std::size_t eol = std::min(input.find('\n', pos), input.size());
  return std::min<std::uint64_t>(pos + (column > 0 ? column - 1 : 0), eol);
}

XmlCursor::XmlCursor(std::string_view input, const ParseOptions& options)
    : input_(input), options_(options) {}

XmlCursor::~XmlCursor() {
  if (reader_ != nullptr) xmlFreeTextReader(reader_);
  thread_handlers_.reset();
}

Result<std::unique_ptr<XmlCursor>> XmlCursor::open(std::string_view input, const ParseOptions& options) {
  if (input.size() > static_cast<std::size_t>(INT_MAX))
    return parse_error(options, locate(input, 0),
                       "file of " + std::to_string(input.size()) + " bytes is too large for the XML reader");
  xmlInitParser();
  std::unique_ptr<XmlCursor> cursor(new XmlCursor(input, options));
  // No XML_PARSE_NOENT (entities stay unexpanded), no XML_PARSE_DTDLOAD/DTDATTR (no external
  // subset), XML_PARSE_NONET (nothing is fetched); a DOCTYPE is refused outright in advance().
  // XML_PARSE_NOBLANKS drops the indentation between elements early (a third of the nodes of a
  // pretty-printed file); CAMT has no mixed content, and values are trimmed anyway.
  const int flags =
      XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT | XML_PARSE_BIG_LINES | XML_PARSE_NOBLANKS;
  const std::string encoding(options.encoding);
  if (!encoding.empty()) {  // libxml2 would silently fall back to the declared encoding
    xmlCharEncodingHandlerPtr handler = xmlFindCharEncodingHandler(encoding.c_str());
    if (handler == nullptr)
      return parse_error(options, locate(input, 0), "unknown encoding '" + encoding + "'");
    xmlCharEncCloseFunc(handler);
  }
  cursor->thread_handlers_ = std::make_unique<ThreadHandlers>(cursor.get(), &XmlCursor::on_error);
  cursor->reader_ = xmlReaderForMemory(input.data(), static_cast<int>(input.size()), nullptr,
                                       encoding.empty() ? nullptr : encoding.c_str(), flags);
  if (cursor->reader_ == nullptr) {
    if (cursor->captured_.set) return cursor->xml_error();
    return parse_error(options, locate(input, 0),
                       "cannot read the file as XML (encoding '" + encoding + "'?)");
  }
  xmlTextReaderSetStructuredErrorHandler(cursor->reader_, &XmlCursor::on_error, cursor.get());
  for (std::size_t i = 1; i < std::size(kTagNames); ++i) {
    const xmlChar* key =
        xmlTextReaderConstString(cursor->reader_, reinterpret_cast<const xmlChar*>(kTagNames[i]));
    if (key == nullptr) continue;
    std::size_t slot = slot_of(key, kTableSize);
    while (cursor->table_keys_[slot] != nullptr) slot = (slot + 1) & (kTableSize - 1);
    cursor->table_keys_[slot] = key;
    cursor->table_tags_[slot] = static_cast<Tag>(i);
  }
  // libxml2 itself stops at 256 levels; the clamp keeps a huge option from sizing the tables.
  cursor->max_depth_ = std::min<std::uint32_t>(options.max_depth, 1024);
  cursor->siblings_.resize(static_cast<std::size_t>(cursor->max_depth_) + 2);
  cursor->stack_.reserve(static_cast<std::size_t>(cursor->max_depth_) + 1);
  return cursor;
}

void XmlCursor::on_error(void* self, ::_xmlError* error) {
  auto* cursor = static_cast<XmlCursor*>(self);
  if (error == nullptr || cursor->captured_.set) return;
  if (error->level < XML_ERR_ERROR) return;
  // An undeclared prefix (<ns2:Document> without xmlns:ns2) is a namespace error, not a
  // well-formedness error: the element still has its name and is read by its local part.
  if (error->domain == XML_FROM_NAMESPACE) return;
  cursor->captured_.set = true;
  std::string message = error->message != nullptr ? error->message : "unknown XML error";
  while (!message.empty() && is_blank(message.back())) message.pop_back();
  if (!message.empty() && message[0] >= 'A' && message[0] <= 'Z' && (message.size() < 2 || message[1] > 'Z'))
    message[0] = static_cast<char>(message[0] - 'A' + 'a');
  cursor->captured_.message = std::move(message);
  cursor->captured_.line = error->line > 0 ? static_cast<std::uint32_t>(error->line) : 0;
  cursor->captured_.column = error->int2 > 0 ? static_cast<std::uint32_t>(error->int2) : 0;
}

Unexpected XmlCursor::xml_error() const {
  if (!captured_.set) return error("malformed xml");
  SourcePos pos = captured_.line > 0 ? locate(input_, offset_of(input_, captured_.line, captured_.column))
                                     : locate(input_, input_.size());
  pos.locator = locator();
  last_error_pos_ = pos;
  // In push mode libxml2 reports a cut-off file as "extra content at the end of the document";
  // an open element at the very end says what really happened.
  if (pos.byte >= input_.size() && !stack_.empty() && !pop_pending_)
    return parse_error(
        options_, pos,
        "malformed xml: the file ends inside element " + std::string(local_name()) + " (truncated?)");
  return parse_error(options_, pos, "malformed xml: " + captured_.message);
}

Tag XmlCursor::lookup(const unsigned char* name) const {
  for (std::size_t slot = slot_of(name, kTableSize);; slot = (slot + 1) & (kTableSize - 1)) {
    if (table_keys_[slot] == name) return table_tags_[slot];
    if (table_keys_[slot] == nullptr) break;
  }
  // "ns2:Stmt" when the prefix is undeclared: compare the local part by content.
  const char* colon = std::strchr(reinterpret_cast<const char*>(name), ':');
  if (colon == nullptr) return Tag::other;
  for (std::size_t i = 1; i < std::size(kTagNames); ++i)
    if (std::strcmp(colon + 1, kTagNames[i]) == 0) return static_cast<Tag>(i);
  return Tag::other;
}

Result<void> XmlCursor::push() {
  const int depth = node_depth_;
  if (depth < 0 || static_cast<std::size_t>(depth) != stack_.size())
    return error("malformed xml: inconsistent nesting");
  if (static_cast<std::uint32_t>(depth) >= max_depth_) {
    return error("elements nested deeper than " + std::to_string(max_depth_) + " levels");
  }
  const xmlChar* name = xmlTextReaderConstLocalName(reader_);
  if (name == nullptr) return error("malformed xml: element without a name");
  Siblings& level = siblings_[static_cast<std::size_t>(depth)];
  std::uint32_t index = 0;
  for (std::size_t i = level.size; i-- > 0;) {
    if (level.names[i] == name) {
      index = ++level.counts[i];
      break;
    }
  }
  if (index == 0 && level.size < Siblings::kSlots) {
    level.names[level.size] = name;
    level.counts[level.size] = 1;
    ++level.size;
    index = 1;
  }
  stack_.push_back({name, lookup(name), index});
  siblings_[static_cast<std::size_t>(depth) + 1].size = 0;
  empty_element_ = xmlTextReaderIsEmptyElement(reader_) == 1;
  if (empty_element_) pop_pending_ = true;
  return ok();
}

Result<bool> XmlCursor::advance() {
  if (pop_pending_) {
    stack_.pop_back();
    pop_pending_ = false;
  }
  const int rc = xmlTextReaderRead(reader_);
  if (captured_.set || rc < 0) return xml_error();
  if (rc == 0) {
    node_type_ = 0;
    return false;
  }
  node_type_ = xmlTextReaderNodeType(reader_);
  node_depth_ = xmlTextReaderDepth(reader_);
  switch (node_type_) {
    case XML_READER_TYPE_ELEMENT:
      BANKREC_TRY(push());
      break;
    case XML_READER_TYPE_END_ELEMENT:
      pop_pending_ = true;
      break;
    case XML_READER_TYPE_DOCUMENT_TYPE:
      return error("a DOCTYPE is not allowed in a CAMT file (DTDs and entities are refused)");
    case XML_READER_TYPE_ENTITY_REFERENCE:
    case XML_READER_TYPE_ENTITY:
      return error("entity references are not allowed in a CAMT file");
    default:
      break;
  }
  return true;
}

Result<void> XmlCursor::to_root() {
  while (BANKREC_TRY(advance())) {
    if (node_type_ == XML_READER_TYPE_ELEMENT) return ok();
  }
  return parse_error(options_, locate(input_, input_.size()), "no root element: the file is not XML");
}

Result<bool> XmlCursor::next_child(int parent_depth) {
  if (node_type_ == XML_READER_TYPE_ELEMENT && node_depth_ == parent_depth && empty_element_) return false;
  while (BANKREC_TRY(advance())) {
    if (node_type_ == XML_READER_TYPE_ELEMENT) {
      if (node_depth_ == parent_depth + 1) return true;
    } else if (node_type_ == XML_READER_TYPE_END_ELEMENT && node_depth_ <= parent_depth) {
      return false;
    }
  }
  return false;
}

Result<void> XmlCursor::finish() {
  while (BANKREC_TRY(advance())) {
  }
  return ok();
}

std::string_view XmlCursor::local_name() const {
  return stack_.empty() ? std::string_view() : view(stack_.back().name);
}

std::string_view XmlCursor::namespace_uri() const { return view(xmlTextReaderConstNamespaceUri(reader_)); }

Result<std::string_view> XmlCursor::text() {
  text_.clear();
  if (node_type_ != XML_READER_TYPE_ELEMENT || empty_element_) return std::string_view();
  const int depth = node_depth_;
  while (BANKREC_TRY(advance())) {
    if (node_type_ == XML_READER_TYPE_END_ELEMENT && node_depth_ == depth) {
      return trim(text_);  // the element stays on the stack until the next move, for error positions
    }
    if (node_type_ == XML_READER_TYPE_TEXT || node_type_ == XML_READER_TYPE_CDATA ||
        node_type_ == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
      const std::string_view part = view(xmlTextReaderConstValue(reader_));
      if (text_.size() + part.size() > kMaxTextBytes)
        return error("text longer than " + std::to_string(kMaxTextBytes) + " bytes");
      text_.append(part);
    }
  }
  return error("malformed xml: unexpected end of the document");
}

std::optional<std::string_view> XmlCursor::attribute(const char* name) {
  if (node_type_ != XML_READER_TYPE_ELEMENT) return std::nullopt;
  if (xmlTextReaderMoveToAttribute(reader_, reinterpret_cast<const xmlChar*>(name)) != 1) return std::nullopt;
  attribute_.assign(view(xmlTextReaderConstValue(reader_)));
  xmlTextReaderMoveToElement(reader_);
  return trim(attribute_);
}

std::string XmlCursor::locator() const {
  std::size_t first = 0;
  if (stack_.size() > 2 && stack_[0].tag == Tag::Document)
    first = 2;
  else if (stack_.size() > 1)
    first = 1;
  std::string out;
  for (std::size_t i = first; i < stack_.size(); ++i) {
    if (!out.empty()) out += '/';
    out += view(stack_[i].name);
    if (is_list_tag(stack_[i].tag) || stack_[i].index != 1)
      out += "[" + std::to_string(stack_[i].index) + "]";
  }
  return out;
}

Unexpected XmlCursor::error(std::string message) const {
  std::vector<PathStep> path;
  path.reserve(stack_.size());
  for (const auto& open : stack_) {
    std::string_view name = view(open.name);
    if (const auto colon = name.find(':'); colon != std::string_view::npos) name.remove_prefix(colon + 1);
    path.push_back({name, open.index});
  }
  const auto byte = find_element(input_, path);
  last_error_pos_ = locate(input_, byte.value_or(0), locator());
  return parse_error(options_, last_error_pos_, std::move(message));
}

}  // namespace bankrec::formats::camt
