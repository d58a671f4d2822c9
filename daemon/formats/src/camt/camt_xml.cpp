#include "camt/camt_xml.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>

#include "camt/camt_xml_encoding.h"
#include "camt/camt_xml_lex.h"

namespace bankrec::formats::camt {
namespace {

using lex::kNone;

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

// The tag of an element name; an undeclared prefix ("ns2:Stmt") is compared by its local part.
Tag tag_of(std::string_view name) {
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 1; i < std::size(kTagNames); ++i)
      if (name == kTagNames[i]) return static_cast<Tag>(i);
    const std::size_t colon = name.find(':');
    if (colon == std::string_view::npos) break;
    name.remove_prefix(colon + 1);
  }
  return Tag::other;
}

// Names are short: word compares (overlapping at the end) beat a call to memcmp.
[[gnu::always_inline]] inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  if (n >= 8) {
    std::uint64_t x = 0, y = 0;
    for (std::size_t k = 0; k + 8 < n; k += 8) {
      std::memcpy(&x, a + k, 8);
      std::memcpy(&y, b + k, 8);
      if (x != y) return false;
    }
    std::memcpy(&x, a + n - 8, 8);
    std::memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    std::uint32_t x = 0, y = 0, u = 0, v = 0;
    std::memcpy(&x, a, 4);
    std::memcpy(&y, b, 4);
    std::memcpy(&u, a + n - 4, 4);
    std::memcpy(&v, b + n - 4, 4);
    return x == y && u == v;
  }
  for (std::size_t k = 0; k < n; ++k)
    if (a[k] != b[k]) return false;
  return true;
}

/// Byte offset of a 1-based line and column, clamped to the line.
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

}  // namespace

const char* tag_name(Tag tag) { return kTagNames[static_cast<std::size_t>(tag)]; }

XmlCursor::XmlCursor(std::string_view input, const ParseOptions& options)
    : input_(input), doc_(input), options_(options) {}

XmlCursor::~XmlCursor() = default;

Result<std::unique_ptr<XmlCursor>> XmlCursor::open(std::string_view input, const ParseOptions& options) {
  if (input.size() > static_cast<std::size_t>(INT_MAX))
    return parse_error(options, locate(input, 0),
                       "file of " + std::to_string(input.size()) + " bytes is too large for the XML reader");
  std::unique_ptr<XmlCursor> cursor(new XmlCursor(input, options));
  BANKREC_TRY(cursor->prepare());
  // The clamp keeps a huge option from sizing the tables.
  cursor->max_depth_ = std::min<std::uint32_t>(options.max_depth, 1024);
  cursor->siblings_.resize(static_cast<std::size_t>(cursor->max_depth_) + 2);
  cursor->stack_.reserve(static_cast<std::size_t>(cursor->max_depth_) + 1);
  cursor->slots_.assign(256, 0);
  cursor->short_names_.resize(std::size_t{1} << kShortNameBits);
  return cursor;
}

// Picks the encoding, converts to UTF-8 when needed and reads the XML declaration.
Result<void> XmlCursor::prepare() {
  const std::string forced(options_.encoding);
  std::string charset;
  std::size_t skip = 0;
  if (!forced.empty()) {
    if (!is_known_encoding(forced))
      return parse_error(options_, locate(input_, 0), "unknown encoding '" + forced + "'");
    skip = bom_length(input_, forced);
    if (!is_utf8_name(forced)) charset = forced;
  } else {
    charset = detect_encoding(input_, skip);
  }
  if (!charset.empty()) {
    if (!is_known_encoding(charset))
      return parse_error(options_, locate(input_, 0), "malformed xml: unsupported encoding " + charset);
    std::size_t failed_at = 0;
    if (!convert_to_utf8(input_.substr(skip), charset, converted_, failed_at)) {
      last_error_pos_ = locate(input_, skip + failed_at);
      broken_ = true;
      return parse_error(
          options_, last_error_pos_,
          "malformed xml: input conversion failed due to input error (encoding " + charset + ")");
    }
    doc_ = converted_;
    is_converted_ = true;
    skip = 0;
  }
  pos_ = skip;
  if (!starts_declaration(doc_, pos_)) return ok();
  std::string_view declared;
  lex::Fault f;
  const std::size_t end = parse_declaration(doc_, pos_, declared, f);
  if (end == kNone) return fault(f.at, std::move(f.message));
  pos_ = end;
  return ok();
}

SourcePos XmlCursor::position_of(std::size_t doc_byte) const {
  if (!is_converted_) return locate(input_, doc_byte);
  std::uint32_t line = 0, column = 0;
  lex::line_and_column(doc_, doc_byte, line, column);
  return locate(input_, offset_of(input_, line, column));
}

Unexpected XmlCursor::fault(std::size_t at, std::string message) {
  broken_ = true;
  SourcePos pos = position_of(std::min(at, doc_.size()));
  pos.locator = locator();
  last_error_pos_ = pos;
  if (at >= doc_.size() && !stack_.empty())
    return parse_error(
        options_, pos,
        "malformed xml: the file ends inside element " + std::string(local_name()) + " (truncated?)");
  return parse_error(options_, pos, "malformed xml: " + message);
}

std::uint32_t XmlCursor::intern(std::string_view name, std::uint32_t hash) {
  std::size_t mask = slots_.size() - 1;
  std::size_t slot = hash & mask;
  for (; slots_[slot] != 0; slot = (slot + 1) & mask) {
    const Name& n = names_[slots_[slot] - 1];
    if (n.hash != hash || n.length != name.size()) continue;
    if (same_bytes(doc_.data() + n.offset, name.data(), name.size())) return slots_[slot] - 1;
  }
  const auto id = static_cast<std::uint32_t>(names_.size());
  names_.push_back({hash, static_cast<std::uint32_t>(name.data() - doc_.data()),
                    static_cast<std::uint32_t>(name.size()), tag_of(name)});
  slots_[slot] = id + 1;
  if (names_.size() * 2 > slots_.size()) {  // grow and re-seat every name
    slots_.assign(slots_.size() * 2, 0);
    mask = slots_.size() - 1;
    for (std::uint32_t i = 0; i < names_.size(); ++i) {
      std::size_t s = names_[i].hash & mask;
      while (slots_[s] != 0) s = (s + 1) & mask;
      slots_[s] = i + 1;
    }
  }
  return id;
}

inline std::uint32_t XmlCursor::intern_short(const char* name, std::size_t length) {
  std::uint64_t head = 0, tail = 0;
  std::memcpy(&head, name, 8);
  if (length <= 8) {
    // Only the name's own bytes: the first `length` in memory order.
    if (length < 8) {
      if constexpr (std::endian::native == std::endian::little)
        head &= (std::uint64_t{1} << (8 * length)) - 1;
      else
        head &= ~((std::uint64_t{1} << (8 * (8 - length))) - 1);
    }
  } else {
    std::memcpy(&tail, name + length - 8, 8);  // overlaps head when shorter than 16
  }
  const std::uint64_t mixed = (head ^ (tail * 0x9E3779B97F4A7C15ull) ^ length) * 0xFF51AFD7ED558CCDull;
  ShortName& slot = short_names_[mixed >> (64 - kShortNameBits)];
  if (slot.length == length && slot.head == head && slot.tail == tail) [[likely]]
    return slot.id;
  return intern_short_miss(slot, head, tail, name, length);
}

std::uint32_t XmlCursor::intern_short_miss(ShortName& slot, std::uint64_t head, std::uint64_t tail,
                                           const char* name, std::size_t length) {
  const std::string_view text(name, length);
  slot = {head, tail, static_cast<std::uint32_t>(length), intern(text, lex::hash_name(text))};
  return slot.id;
}

std::string_view XmlCursor::name_of(std::uint32_t id) const {
  return doc_.substr(names_[id].offset, names_[id].length);
}

const XmlCursor::Namespace* XmlCursor::find_namespace(std::string_view prefix) const {
  for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it)
    if (it->prefix == prefix) return &*it;
  return nullptr;
}

void XmlCursor::declare_namespaces() {
  for (const Attribute& a : attributes_) {
    const std::string_view name = doc_.substr(a.name, a.name_len);
    if (name != "xmlns" && !name.starts_with("xmlns:")) continue;
    Namespace ns{name.size() > 5 ? name.substr(6) : std::string_view(), {}};
    lex::append_decoded(doc_.substr(a.value, a.value_len), ns.uri, /*attribute=*/true);
    namespaces_.push_back(std::move(ns));
  }
}

bool XmlCursor::fail(Unexpected u) {
  pending_ = std::move(u.error);
  return false;
}

int XmlCursor::fail_node(Unexpected u) {
  pending_ = std::move(u.error);
  return -1;
}

// The error paths live out of line, so the hot functions carry no string building.
bool XmlCursor::fail_at(std::size_t at, const char* message) { return fail(fault(at, message)); }

bool XmlCursor::too_deep() {
  return fail(error("elements nested deeper than " + std::to_string(max_depth_) + " levels"));
}

bool XmlCursor::too_many_names() {
  return fail(error("more than " + std::to_string(kMaxElementNames) + " distinct element names"));
}

// push(), start_tag() and end_tag() have one caller each (step()) and run for every element:
// inlined there, they share its frame.
[[gnu::always_inline]] inline bool XmlCursor::push(std::size_t start, std::size_t name_end, std::size_t colon,
                                                   std::uint32_t hash, std::uint32_t id) {
  const std::size_t depth = stack_.size();
  if (depth >= max_depth_) return too_deep();
  const auto ns_mark = static_cast<std::uint32_t>(namespaces_.size());
  if (has_namespaces_) declare_namespaces();
  if (id == kNoId) {
    // Like libxml2, an element whose prefix is not declared keeps the prefix in its name.
    std::string_view name = doc_.substr(start + 1, name_end - start - 1);
    if (colon != kNone) {
      const std::string_view prefix = doc_.substr(start + 1, colon - start - 1);
      if (prefix == "xml" || find_namespace(prefix) != nullptr) {
        name = doc_.substr(colon + 1, name_end - colon - 1);
        hash = lex::hash_name(name);
      }
    }
    id = intern(name, hash);
  }
  // A statement knows a few hundred names; a file of millions of made-up ones (whose hashes an
  // attacker could make collide) is refused before the name table grows without bound.
  if (names_.size() > kMaxElementNames) [[unlikely]]
    return too_many_names();
  Siblings& level = siblings_[depth];
  std::uint32_t index = 0;
  for (std::size_t i = level.size; i-- > 0;) {
    if (level.ids[i] == id) {
      index = ++level.counts[i];
      break;
    }
  }
  if (index == 0 && level.size < Siblings::kSlots) {
    level.ids[level.size] = id;
    level.counts[level.size] = 1;
    ++level.size;
    index = 1;
  }
  stack_.push_back({id, static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(name_end - start - 1),
                    index, ns_mark, names_[id].tag});
  siblings_[depth + 1].size = 0;
  root_seen_ = true;
  node_ = Node::element;
  node_depth_ = static_cast<int>(depth);
  if (empty_element_) pop_pending_ = true;
  return true;
}

[[gnu::always_inline]] inline bool XmlCursor::start_tag() {
  const std::size_t start = pos_;
  if (stack_.empty() && root_seen_) return fail_at(start, "extra content at the end of the document");
  // The common name (ASCII letters and digits, no prefix) is scanned here and, up to 16 bytes,
  // found through the short-name cache; a prefix, a character above ASCII or no name at all goes
  // through the general scan.
  const auto* p = reinterpret_cast<const std::uint8_t*>(doc_.data());
  const std::size_t size = doc_.size();
  std::size_t name_end = start + 1;
  std::uint32_t hash = 0;
  std::size_t colon = kNone;
  std::uint32_t id = kNoId;
  if (name_end < size && lex::is_simple_name_start(p[name_end])) {
    do ++name_end;
    while (name_end < size && lex::kSimpleNameChar[p[name_end]]);
  }
  if (name_end == start + 1 || (name_end < size && (p[name_end] == ':' || p[name_end] >= 0x80))) {
    name_end = lex::scan_name(doc_, start + 1, hash, colon);
    if (name_end == start + 1) return fail_at(start + 1, "start tag expected: invalid element name");
  } else if (name_end - start - 1 <= 16 && start + 9 <= size) {
    id = intern_short(doc_.data() + start + 1, name_end - start - 1);
  } else {
    hash = lex::hash_name(doc_.substr(start + 1, name_end - start - 1));
  }
  attributes_.clear();
  has_namespaces_ = false;
  if (name_end < size && p[name_end] == '>') {  // the common case: no attributes
    empty_element_ = false;
    pos_ = name_end + 1;
  } else if (!attributes(name_end)) {
    return false;
  }
  return push(start, name_end, colon, hash, id);
}

// From the end of the element name to the end of the start tag: attributes, then '>' or "/>".
bool XmlCursor::attributes(std::size_t name_end) {
  for (std::size_t i = name_end;;) {
    const std::size_t at = lex::skip_blanks(doc_, i);
    if (at >= doc_.size()) return fail(fault(at, "couldn't find end of start tag"));
    if (doc_[at] == '>' || doc_[at] == '/') {
      empty_element_ = doc_[at] == '/';
      if (empty_element_ && (at + 1 >= doc_.size() || doc_[at + 1] != '>'))
        return fail(fault(at + 1, "couldn't find end of start tag"));
      pos_ = at + (empty_element_ ? 2 : 1);
      return true;
    }
    if (at == i) return fail(fault(at, "attributes construct error"));
    std::uint32_t hash = 0;
    std::size_t attribute_colon = kNone;
    const std::size_t attribute_end = lex::scan_name(doc_, at, hash, attribute_colon);
    if (attribute_end == at) return fail(fault(at, "attributes construct error"));
    const std::string_view name = doc_.substr(at, attribute_end - at);
    std::size_t j = lex::skip_blanks(doc_, attribute_end);
    if (j >= doc_.size() || doc_[j] != '=')
      return fail(fault(j, "specification mandates value for attribute " + std::string(name)));
    j = lex::skip_blanks(doc_, j + 1);
    if (j >= doc_.size() || (doc_[j] != '"' && doc_[j] != '\''))
      return fail(fault(j, "attribute value expected: \" or ' for attribute " + std::string(name)));
    bool plain = true;
    lex::Fault f;
    const std::size_t value_end = lex::scan_attribute_value(doc_, j, plain, f);
    if (value_end == kNone) return fail(fault(f.at, std::move(f.message)));
    if (attributes_.size() >= kMaxAttributes)
      return fail(fault(at, "more than " + std::to_string(kMaxAttributes) + " attributes on one element"));
    for (const Attribute& a : attributes_)
      if (doc_.substr(a.name, a.name_len) == name)
        return fail(fault(at, "attribute " + std::string(name) + " redefined"));
    attributes_.push_back({static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(name.size()),
                           static_cast<std::uint32_t>(j + 1), static_cast<std::uint32_t>(value_end - j - 2)});
    if (name.starts_with("xmlns")) has_namespaces_ = true;
    i = value_end;
  }
}

[[gnu::always_inline]] inline bool XmlCursor::end_tag() {
  const std::size_t start = pos_;
  if (stack_.empty()) return end_tag_mismatch(start);
  const Open& top = stack_.back();
  const std::size_t name_end = start + 2 + top.qname_len;
  // The name must be the open element's, and end there.
  const bool same = name_end < doc_.size() &&
                    same_bytes(doc_.data() + start + 2, doc_.data() + top.start + 1, top.qname_len) &&
                    (doc_[name_end] == '>' || lex::is_blank(doc_[name_end]));
  if (!same) return end_tag_mismatch(start);
  const std::size_t close = doc_[name_end] == '>' ? name_end : lex::skip_blanks(doc_, name_end);
  if (close >= doc_.size() || doc_[close] != '>') return fail_at(close, "expected '>' at the end of end tag");
  pos_ = close + 1;
  node_ = Node::end_element;
  node_depth_ = depth();
  pop_pending_ = true;
  return true;
}

// An end tag that does not close the open element (or comes when none is open).
bool XmlCursor::end_tag_mismatch(std::size_t start) {
  if (stack_.empty())
    return fail(fault(start, root_seen_ ? "extra content at the end of the document"
                                        : "start tag expected, '<' not found"));
  const Open& top = stack_.back();
  std::uint32_t hash = 0;
  std::size_t colon = kNone;
  const std::size_t found_end = lex::scan_name(doc_, start + 2, hash, colon);
  if (found_end >= doc_.size()) return fail(fault(doc_.size(), "premature end of data"));
  std::uint32_t line = 0, column = 0;
  lex::line_and_column(doc_, top.start, line, column);
  return fail(fault(
      start, "opening and ending tag mismatch: " + std::string(doc_.substr(top.start + 1, top.qname_len)) +
                 " line " + std::to_string(line) + " and " +
                 std::string(doc_.substr(start + 2, found_end - start - 2))));
}

// At "<!" or "<?": a comment or PI (0), a CDATA section (1: a node to report); -1 on error.
int XmlCursor::special_markup() {
  const std::string_view rest = doc_.substr(pos_, 9);
  lex::Fault f;
  if (rest.starts_with("<!--")) {
    const std::size_t end = lex::scan_section(doc_, pos_ + 4, "-->", /*comment=*/true, f);
    if (end == kNone)
      return fail_node(fault(f.message.empty() ? doc_.size() : f.at,
                             f.message.empty() ? "comment not terminated" : f.message));
    pos_ = end + 3;
    return 0;
  }
  if (rest.starts_with("<![CDATA[")) {
    if (stack_.empty()) return fail_node(fault(pos_, "CDATA section outside the root element"));
    const std::size_t end = lex::scan_section(doc_, pos_ + 9, "]]>", /*comment=*/false, f);
    if (end == kNone)
      return fail_node(fault(f.message.empty() ? doc_.size() : f.at,
                             f.message.empty() ? "CDATA section not terminated" : f.message));
    text_begin_ = pos_ + 9;
    text_end_ = end;
    pos_ = end + 3;
    node_ = Node::cdata;
    node_depth_ = depth() + 1;
    return 1;
  }
  if (rest.starts_with("<!")) {
    if (rest.starts_with("<!DOCTYPE") && stack_.empty() && !root_seen_)
      return fail_node(error("a DOCTYPE is not allowed in a CAMT file (DTDs and entities are refused)"));
    return fail_node(fault(pos_, "malformed markup: '<!' starts neither a comment nor a CDATA section"));
  }
  // "<?"
  std::uint32_t hash = 0;
  std::size_t colon = kNone;
  const std::size_t target_end = lex::scan_name(doc_, pos_ + 2, hash, colon);
  const std::string_view target = doc_.substr(pos_ + 2, target_end - pos_ - 2);
  if (target.empty()) return fail_node(fault(pos_ + 2, "processing instruction without a target name"));
  if (target.size() == 3 && (target[0] | 0x20) == 'x' && (target[1] | 0x20) == 'm' &&
      (target[2] | 0x20) == 'l')
    return fail_node(fault(pos_, "XML declaration allowed only at the start of the document"));
  if (target_end < doc_.size() && !lex::is_blank(doc_[target_end]) && doc_.substr(target_end, 2) != "?>")
    return fail_node(fault(target_end, "processing instruction: a blank must follow the target"));
  const std::size_t end = lex::scan_section(doc_, target_end, "?>", /*comment=*/false, f);
  if (end == kNone)
    return fail_node(fault(f.message.empty() ? doc_.size() : f.at,
                           f.message.empty() ? "processing instruction not terminated" : f.message));
  pos_ = end + 2;
  return 0;
}

// Character data that is not plain indentation before a tag, or any outside the root element:
// checked; 1 when it is a text node to report, 0 when it was skipped, -1 on error.
int XmlCursor::char_data(bool want_text) {
  bool plain = true;
  lex::Fault f;
  const std::size_t end = lex::scan_char_data(doc_, pos_, plain, f);
  if (end == kNone) return fail_node(fault(f.at, std::move(f.message)));
  if (stack_.empty()) {  // prolog or epilog: blanks only
    const std::size_t content = lex::skip_blanks(doc_, pos_);
    if (content < end)
      return fail_node(fault(content, root_seen_ ? "extra content at the end of the document"
                                                 : "start tag expected, '<' not found"));
    pos_ = end;
    return 0;
  }
  text_begin_ = pos_;
  text_end_ = end;
  text_plain_ = plain;
  pos_ = end;
  if (!want_text) return 0;
  node_ = Node::text;
  node_depth_ = depth() + 1;
  return 1;
}

int XmlCursor::step(bool want_text) {
  if (pop_pending_) {
    if (namespaces_.size() != stack_.back().ns_mark) namespaces_.resize(stack_.back().ns_mark);
    stack_.pop_back();
    pop_pending_ = false;
  }
  const std::size_t size = doc_.size();
  const char* data = doc_.data();
  for (;;) {
    if (pos_ >= size) {
      if (!stack_.empty()) return fail_node(fault(size, "premature end of data"));
      node_ = Node::none;
      return 0;
    }
    if (data[pos_] != '<') {
      // The common case between tags: indentation (spaces, tabs, LF) up to the next '<'.
      const std::size_t end = lex::skip_indentation(doc_, pos_);
      if (end < size && data[end] == '<' && !stack_.empty()) {
        text_begin_ = pos_;
        text_end_ = end;
        text_plain_ = true;
        pos_ = end;
        if (want_text) {
          node_ = Node::text;
          node_depth_ = depth() + 1;
          return 1;
        }
      } else {
        const int r = char_data(want_text);
        if (r != 0) return r;
        continue;
      }
    }
    const char next = pos_ + 1 < size ? data[pos_ + 1] : '\0';
    if (next == '/') return end_tag() ? 1 : -1;
    if (next != '!' && next != '?') return start_tag() ? 1 : -1;
    const int r = special_markup();
    if (r < 0) return -1;
    if (r == 0) continue;
    if (node_ == Node::cdata && !want_text) continue;
    return 1;
  }
}

Result<bool> XmlCursor::advance(bool want_text) {
  const int r = step(want_text);
  if (r < 0) return take_error();
  return r > 0;
}

Result<void> XmlCursor::to_root() {
  while (BANKREC_TRY(advance(false))) {
    if (node_ == Node::element) return ok();
  }
  return parse_error(options_, locate(input_, input_.size()), "no root element: the file is not XML");
}

Result<void> XmlCursor::finish() {
  while (BANKREC_TRY(advance(false))) {
  }
  return ok();
}

std::string_view XmlCursor::local_name() const {
  return stack_.empty() ? std::string_view() : name_of(stack_.back().id);
}

std::string_view XmlCursor::namespace_uri() const {
  if (stack_.empty()) return {};
  const Open& top = stack_.back();
  const std::string_view qname = doc_.substr(top.start + 1, top.qname_len);
  const std::size_t colon = qname.find(':');
  const Namespace* ns =
      find_namespace(colon == std::string_view::npos ? std::string_view() : qname.substr(0, colon));
  return ns == nullptr ? std::string_view() : std::string_view(ns->uri);
}

Result<std::string_view> XmlCursor::text() {
  text_.clear();
  if (node_ != Node::element || empty_element_) return std::string_view();
  const int depth = node_depth_;
  const Open& top = stack_.back();
  // The common case: plain text followed by the element's own end tag, returned in place.
  std::size_t end = lex::plain_run(doc_, pos_);
  bool plain = true;
  if (end >= doc_.size() || doc_[end] != '<') {  // anything else is checked in full
    lex::Fault f;
    end = lex::scan_char_data(doc_, pos_, plain, f);
    if (end == kNone) return fault(f.at, std::move(f.message));
  }
  const std::size_t close = end + 2 + top.qname_len;
  if (plain && close < doc_.size() && doc_[end + 1] == '/' && doc_[close] == '>' &&
      same_bytes(doc_.data() + end + 2, doc_.data() + top.start + 1, top.qname_len)) {
    if (end - pos_ > kMaxTextBytes)
      return error("text longer than " + std::to_string(kMaxTextBytes) + " bytes");
    const std::string_view value = doc_.substr(pos_, end - pos_);
    pos_ = close + 1;
    node_ = Node::end_element;
    node_depth_ = depth;
    pop_pending_ = true;
    return lex::trim(value);
  }
  return slow_text(depth);
}

Result<std::string_view> XmlCursor::slow_text(int depth) {
  for (;;) {
    const int r = step(true);
    if (r < 0) return take_error();
    if (r == 0) break;
    if (node_ == Node::end_element && node_depth_ == depth) {
      return lex::trim(text_);  // the element stays on the stack until the next move, for error positions
    }
    if (node_ != Node::text && node_ != Node::cdata) continue;
    const std::string_view raw = doc_.substr(text_begin_, text_end_ - text_begin_);
    if (text_.size() + raw.size() > kMaxTextBytes)
      return error("text longer than " + std::to_string(kMaxTextBytes) + " bytes");
    if (node_ == Node::cdata)
      lex::append_cdata(raw, text_);
    else if (text_plain_)
      text_.append(raw);
    else
      lex::append_decoded(raw, text_, /*attribute=*/false);
  }
  return error("malformed xml: unexpected end of the document");
}

std::optional<std::string_view> XmlCursor::attribute(const char* name) {
  if (node_ != Node::element) return std::nullopt;
  const std::string_view wanted(name);
  for (const Attribute& a : attributes_) {
    if (doc_.substr(a.name, a.name_len) != wanted) continue;
    attribute_.clear();
    lex::append_decoded(doc_.substr(a.value, a.value_len), attribute_, /*attribute=*/true);
    return lex::trim(attribute_);
  }
  return std::nullopt;
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
    out += name_of(stack_[i].id);
    if (is_list_tag(stack_[i].tag) || stack_[i].index != 1)
      out += "[" + std::to_string(stack_[i].index) + "]";
  }
  return out;
}

Unexpected XmlCursor::error(std::string message) const {
  last_error_pos_ = position_of(stack_.empty() ? 0 : stack_.back().start);
  last_error_pos_.locator = locator();
  return parse_error(options_, last_error_pos_, std::move(message));
}

}  // namespace bankrec::formats::camt
