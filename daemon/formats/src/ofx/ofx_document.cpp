#include "ofx/ofx_document.h"

#include <algorithm>

namespace bankrec::formats::ofx {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || c == ':';
}
std::string hex_byte(char c) {
  constexpr std::string_view kHex = "0123456789abcdef";
  const auto b = static_cast<unsigned char>(c);
  return std::string("0x") + kHex[b >> 4] + kHex[b & 15];
}
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }
std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = upper(c);
  return out;
}
bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && text::iequals_ascii(s.substr(0, prefix.size()), prefix);
}

/// Appends the UTF-8 form of a code point (invalid ones become U+FFFD).
void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

/// Decodes the five XML entities, &nbsp; and numeric references once; unknown ones stay as written.
std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const std::size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += '&';
      continue;
    }
    const std::string_view name = s.substr(i + 1, semi - i - 1);
    std::uint32_t cp = 0;
    bool known = true;
    if (name == "amp")
      cp = '&';
    else if (name == "lt")
      cp = '<';
    else if (name == "gt")
      cp = '>';
    else if (name == "quot")
      cp = '"';
    else if (name == "apos")
      cp = '\'';
    else if (name == "nbsp")
      cp = 0xA0;
    else if (name.size() >= 2 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      known = !digits.empty();
      for (char c : digits) {
        int d = c >= '0' && c <= '9'          ? c - '0'
                : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                              : -1;
        if (d < 0 || cp > 0x10FFFF) known = false;
        if (!known) break;
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      }
    } else {
      known = false;
    }
    if (!known) {
      out += '&';
      continue;
    }
    append_utf8(out, cp);
    i = semi;
  }
  return out;
}

/// Some exporters (Intuit QFX) escape twice ("&amp;lt;"); what is left after one pass is read as a
/// person would read it. Only the five named XML entities are decoded in this second pass.
std::string decode_value(std::string_view raw) {
  std::string once = decode_entities(raw);
  if (raw.find("&amp;") == std::string_view::npos) return once;
  for (std::string_view e : {"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"})
    if (once.find(e) != std::string::npos) return decode_entities(once);
  return once;
}

class Reader {
 public:
  Reader(std::string_view input, const ParseOptions& options, Document& doc)
      : in_(input), options_(options), doc_(doc) {}

  Unexpected error_at(std::uint64_t byte, std::string locator, std::string message) const {
    return parse_error(options_, locate(in_, byte, std::move(locator)), std::move(message));
  }

  Result<void> read_header();
  Result<void> read_body();

 private:
  Result<void> read_sgml_header();
  Result<void> read_xml_header();
  Result<void> choose_charset(std::string_view declared, std::uint64_t at);
  Result<void> open_element(std::size_t lt);
  Result<void> close_element(std::size_t lt);
  Result<std::string> read_value(std::size_t& pos, std::uint64_t& raw_offset);
  Result<void> skip_markup(std::size_t& pos);
  std::uint32_t add_node(std::string name, std::uint64_t offset);
  void pop_implicit();
  Result<void> finish();
  std::string_view name_at(std::size_t pos) const {
    std::size_t end = pos;
    while (end < in_.size() && is_name_char(in_[end])) ++end;
    return in_.substr(pos, end - pos);
  }

  std::string_view in_;
  const ParseOptions& options_;
  Document& doc_;
  std::size_t pos_ = 0;
  std::vector<std::uint32_t> stack_;
  std::string declared_charset_, declared_encoding_;
  std::uint64_t charset_at_ = 0;
  bool done_ = false;
};

Result<void> Reader::read_header() {
  std::string_view s = in_;
  if (s.starts_with("\xEF\xBB\xBF")) pos_ = 3;
  while (pos_ < in_.size() && (is_space(in_[pos_]) || in_[pos_] == '\0')) ++pos_;
  s = in_.substr(pos_);
  if (starts_with_ci(s, "OFXHEADER")) return read_sgml_header();
  if (s.starts_with("<?")) return read_xml_header();
  return choose_charset("", pos_);  // headerless: the content decides
}

/// OFX 1.x header: "KEY:VALUE" lines up to the first '<' (OFX 1.6 spec, section 2.2).
Result<void> Reader::read_sgml_header() {
  while (pos_ < in_.size() && in_[pos_] != '<') {
    std::size_t end = pos_;
    while (end < in_.size() && in_[end] != '\n' && in_[end] != '\r' && in_[end] != '<') ++end;
    const std::string_view line = text::trim(in_.substr(pos_, end - pos_));
    if (!line.empty()) {
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos)
        return error_at(pos_, "header",
                        "header line '" + std::string(line.substr(0, 40)) + "' is not KEY:VALUE");
      const std::string key = upper(text::trim(line.substr(0, colon)));
      const std::string_view value = text::trim(line.substr(colon + 1));
      if (key == "VERSION") doc_.version = std::string(value);
      if (key == "DATA" && !text::iequals_ascii(value, "OFXSGML"))
        return error_at(pos_, "header",
                        "DATA:" + std::string(value) + " is not supported (expected OFXSGML)");
      if (key == "COMPRESSION" && !value.empty() && !text::iequals_ascii(value, "NONE"))
        return error_at(pos_, "header",
                        "compressed OFX (COMPRESSION:" + std::string(value) + ") is not supported");
      if (key == "ENCODING") declared_encoding_ = upper(value);
      if (key == "CHARSET") {
        declared_charset_ = upper(value);
        charset_at_ = pos_;
      }
    }
    pos_ = end;
    while (pos_ < in_.size() && (in_[pos_] == '\n' || in_[pos_] == '\r')) ++pos_;
  }
  std::string declared;
  if (declared_encoding_ == "UTF-8" || declared_encoding_ == "UTF8" || declared_encoding_ == "UNICODE")
    declared = "utf-8";
  else if (declared_charset_ == "1252")
    declared = "windows-1252";
  else if (declared_charset_ == "8859-1" || declared_charset_ == "ISO-8859-1" ||
           declared_charset_ == "LATIN1")
    declared = "iso-8859-1";
  else if (!declared_charset_.empty() && declared_charset_ != "NONE")
    declared = declared_charset_;
  return choose_charset(declared, charset_at_);
}

/// OFX 2.x: <?xml version="1.0" encoding="..."?> and <?OFX OFXHEADER="200" VERSION="220" ...?>.
Result<void> Reader::read_xml_header() {
  std::string declared;
  while (in_.substr(pos_).starts_with("<?")) {
    const std::size_t end = in_.find("?>", pos_);
    if (end == std::string_view::npos)
      return error_at(pos_, "header", "processing instruction is not closed");
    const std::string_view pi = in_.substr(pos_, end - pos_);
    auto attribute = [&](std::string_view key) -> std::string {
      const std::size_t at = pi.find(key);
      if (at == std::string_view::npos) return {};
      std::size_t q = at + key.size();
      while (q < pi.size() && (is_space(pi[q]) || pi[q] == '=')) ++q;
      if (q >= pi.size() || (pi[q] != '"' && pi[q] != '\'')) return {};
      const std::size_t close = pi.find(pi[q], q + 1);
      return close == std::string_view::npos ? std::string() : std::string(pi.substr(q + 1, close - q - 1));
    };
    if (pi.starts_with("<?xml")) {
      declared = attribute("encoding");
      charset_at_ = pos_;
    } else if (starts_with_ci(pi, "<?OFX")) {
      doc_.xml = true;
      doc_.version = attribute("VERSION");
    }
    pos_ = end + 2;
    while (pos_ < in_.size() && is_space(in_[pos_])) ++pos_;
  }
  if (text::iequals_ascii(declared, "us-ascii") || text::iequals_ascii(declared, "ascii")) declared = "";
  return choose_charset(declared.empty() ? (doc_.xml ? "utf-8" : "") : declared, charset_at_);
}

/// The declared charset, or the content's when none is declared. A single-byte declaration over
/// content that is valid UTF-8 with non-ASCII letters is a common exporter bug: read as UTF-8.
Result<void> Reader::choose_charset(std::string_view declared, std::uint64_t at) {
  const std::string_view body = in_.substr(pos_);
  if (!options_.encoding.empty()) declared = options_.encoding;
  if (declared.empty()) {
    doc_.charset = text::detect_charset(body);
    return ok();
  }
  auto charset = text::parse_charset(declared);
  if (!charset) return error_at(at, "header", "unsupported charset '" + std::string(declared) + "'");
  doc_.charset = *charset;
  const bool ascii =
      std::all_of(body.begin(), body.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (doc_.charset == text::Charset::utf8) {
    const std::size_t bad = text::find_invalid_utf8(body);
    if (bad != std::string_view::npos)
      return error_at(pos_ + bad, "",
                      "invalid utf-8 byte " + hex_byte(body[bad]) + " (the file declares utf-8)");
  } else if (!ascii && text::is_valid_utf8(body)) {
    doc_.warnings.push_back("the header declares " + std::string(text::charset_name(doc_.charset)) +
                            " but the content is utf-8; read as utf-8");
    doc_.charset = text::Charset::utf8;
  }
  return ok();
}

std::uint32_t Reader::add_node(std::string name, std::uint64_t offset) {
  const auto id = static_cast<std::uint32_t>(doc_.nodes.size());
  Node n;
  n.name = std::move(name);
  n.offset = offset;
  n.parent = stack_.back();
  doc_.nodes.push_back(std::move(n));
  Node& parent = doc_.nodes[stack_.back()];
  if (parent.last_child == kNoNode)
    parent.first_child = id;
  else
    doc_.nodes[parent.last_child].next_sibling = id;
  parent.last_child = id;
  return id;
}

/// An element without an end tag that had no text was an empty SGML leaf ("<LANGUAGE>" followed by
/// "<DTPROFUP>..."): it becomes a leaf and what was read as its children moves up to its parent.
void Reader::pop_implicit() {
  const std::uint32_t id = stack_.back();
  stack_.pop_back();
  Node& n = doc_.nodes[id];
  n.leaf = true;
  if (n.first_child == kNoNode) return;
  for (std::uint32_t c = n.first_child; c != kNoNode; c = doc_.nodes[c].next_sibling)
    doc_.nodes[c].parent = n.parent;
  const std::uint32_t first = n.first_child, last = n.last_child;
  n.first_child = n.last_child = kNoNode;
  doc_.nodes[last].next_sibling = n.next_sibling;  // n is its parent's last child while open
  n.next_sibling = first;
  doc_.nodes[doc_.nodes[id].parent].last_child = last;
}

/// Skips comments, processing instructions and declarations; pos is at '<'.
Result<void> Reader::skip_markup(std::size_t& pos) {
  const std::string_view rest = in_.substr(pos);
  std::string_view close = ">";
  if (rest.starts_with("<!--"))
    close = "-->";
  else if (rest.starts_with("<?"))
    close = "?>";
  else if (rest.starts_with("<![CDATA["))
    close = "]]>";
  const std::size_t end = in_.find(close, pos + 2);
  if (end == std::string_view::npos)
    return error_at(pos, "", "markup '" + std::string(rest.substr(0, 9)) + "' is not closed");
  pos = end + close.size();
  return ok();
}

/// Text up to the next tag, CDATA sections included, decoded to UTF-8.
Result<std::string> Reader::read_value(std::size_t& pos, std::uint64_t& raw_offset) {
  std::string raw_text;
  std::string out;
  raw_offset = pos;
  auto flush = [&]() -> Result<void> {
    if (raw_text.empty()) return ok();
    out += decode_value(BANKREC_TRY(text::to_utf8(raw_text, doc_.charset)));
    raw_text.clear();
    return ok();
  };
  while (pos < in_.size()) {
    const std::size_t lt = in_.find('<', pos);
    const std::size_t end = lt == std::string_view::npos ? in_.size() : lt;
    // Entities shrink text at most tenfold ("&#x1F600;" is 4 bytes): longer raw text is too long anyway.
    if (raw_text.size() + (end - pos) > 10 * kMaxValueBytes)
      return error_at(raw_offset, "",
                      "element value longer than " + std::to_string(kMaxValueBytes) + " bytes");
    raw_text.append(in_.substr(pos, end - pos));
    pos = end;
    if (pos >= in_.size() || !in_.substr(pos).starts_with("<![CDATA[")) break;
    BANKREC_TRY(flush());
    const std::size_t close = in_.find("]]>", pos);
    if (close == std::string_view::npos) return error_at(pos, "", "CDATA section is not closed");
    out += BANKREC_TRY(text::to_utf8(in_.substr(pos + 9, close - pos - 9), doc_.charset));
    pos = close + 3;
    if (out.size() + raw_text.size() > kMaxValueBytes) break;
  }
  BANKREC_TRY(flush());
  if (out.size() > kMaxValueBytes)
    return error_at(raw_offset, "", "element value longer than " + std::to_string(kMaxValueBytes) + " bytes");
  return std::string(text::trim(out));
}

Result<void> Reader::open_element(std::size_t lt) {
  const std::string_view raw_name = name_at(lt + 1);
  if (raw_name.empty()) return error_at(lt, "", "expected an element name after '<'");
  if (raw_name.size() > kMaxNameBytes)
    return error_at(lt, "", "element name longer than " + std::to_string(kMaxNameBytes) + " characters");
  std::size_t gt = lt + 1 + raw_name.size();
  while (gt < in_.size() && in_[gt] != '>' && in_[gt] != '<') ++gt;  // attributes (none in OFX) skipped
  if (gt >= in_.size() || in_[gt] != '>')
    return error_at(lt, "<" + upper(raw_name) + ">", "start tag is not closed with '>'");
  if (stack_.size() > options_.max_depth)
    return error_at(lt, "<" + upper(raw_name) + ">",
                    "elements nested deeper than " + std::to_string(options_.max_depth) + " levels");
  const std::uint32_t id = add_node(upper(raw_name), lt);
  pos_ = gt + 1;
  if (in_[gt - 1] == '/') {  // <DTSTART /> (XML empty element)
    doc_.nodes[id].leaf = doc_.nodes[id].closed = true;
    return ok();
  }
  std::uint64_t value_at = 0;
  std::size_t after = pos_;
  std::string value = BANKREC_TRY(read_value(after, value_at));
  const std::string end_tag = "</" + doc_.nodes[id].name;
  const bool closes_here =
      after < in_.size() && starts_with_ci(in_.substr(after), end_tag) &&
      !is_name_char(after + end_tag.size() < in_.size() ? in_[after + end_tag.size()] : '>');
  if (value.empty() && !closes_here) {  // an aggregate, or an empty SGML leaf (decided at its parent's end)
    stack_.push_back(id);
    return ok();
  }
  Node& n = doc_.nodes[id];
  n.leaf = true;
  n.value = std::move(value);
  pos_ = after;
  if (closes_here) {
    std::size_t gt2 = after + end_tag.size();
    while (gt2 < in_.size() && is_space(in_[gt2])) ++gt2;
    if (gt2 >= in_.size() || in_[gt2] != '>')
      return error_at(gt2, "</" + n.name, "end tag is not closed with '>'");
    n.closed = true;
    pos_ = gt2 + 1;
  }
  return ok();
}

Result<void> Reader::close_element(std::size_t lt) {
  const std::string name = upper(name_at(lt + 2));
  std::size_t gt = lt + 2 + name.size();
  while (gt < in_.size() && is_space(in_[gt])) ++gt;
  if (name.empty()) return error_at(lt, "", "expected an element name after '</'");
  if (gt >= in_.size() || in_[gt] != '>') return error_at(gt, "</" + name, "end tag is not closed with '>'");
  pos_ = gt + 1;
  std::size_t depth = stack_.size();
  while (depth > 1 && doc_.nodes[stack_[depth - 1]].name != name) --depth;
  if (depth <= 1) {
    const std::string open = stack_.size() > 1 ? " (open: <" + doc_.nodes[stack_.back()].name + ">)" : "";
    return error_at(lt, "</" + name + ">", "end tag </" + name + "> matches no open element" + open);
  }
  while (stack_.size() > depth) pop_implicit();
  doc_.nodes[stack_.back()].closed = true;
  stack_.pop_back();
  if (name == "OFX" && stack_.size() == 1) done_ = true;  // what follows </OFX> is not OFX
  return ok();
}

Result<void> Reader::finish() {
  while (stack_.size() > 1 && doc_.nodes[stack_.back()].first_child == kNoNode) pop_implicit();
  if (stack_.size() > 1) {
    const Node& open = doc_.nodes[stack_.back()];
    return error_at(in_.size(), "<" + open.name + ">",
                    "end of input inside <" + open.name + "> opened at line " +
                        std::to_string(locate(in_, open.offset).line) + " (is the file truncated?)");
  }
  if (doc_.child(0, "OFX") == nullptr) return error_at(pos_, "", "no <OFX> element");
  return ok();
}

Result<void> Reader::read_body() {
  doc_.nodes.emplace_back();  // the synthetic root
  doc_.nodes[0].name = "#document";
  stack_.push_back(0);
  while (pos_ < in_.size() && !done_) {
    while (pos_ < in_.size() && (is_space(in_[pos_]) || in_[pos_] == '\0')) ++pos_;
    if (pos_ >= in_.size()) break;
    if (in_[pos_] != '<') {
      std::size_t end = pos_;
      while (end < in_.size() && in_[end] != '<' && end - pos_ < 20) ++end;
      return error_at(
          pos_, stack_.size() > 1 ? "<" + doc_.nodes[stack_.back()].name + ">" : "",
          "unexpected text '" + std::string(text::trim(in_.substr(pos_, end - pos_))) + "' between elements");
    }
    const std::string_view rest = in_.substr(pos_);
    if (rest.starts_with("<!") || rest.starts_with("<?")) {
      BANKREC_TRY(skip_markup(pos_));
    } else if (rest.starts_with("</")) {
      BANKREC_TRY(close_element(pos_));
    } else {
      BANKREC_TRY(open_element(pos_));
    }
  }
  return finish();
}

}  // namespace

std::vector<std::uint32_t> Document::children(std::uint32_t parent, std::string_view name) const {
  std::vector<std::uint32_t> out;
  for (std::uint32_t c = nodes[parent].first_child; c != kNoNode; c = nodes[c].next_sibling)
    if (nodes[c].name == name) out.push_back(c);
  return out;
}

const Node* Document::child(std::uint32_t parent, std::string_view name) const {
  for (std::uint32_t c = nodes[parent].first_child; c != kNoNode; c = nodes[c].next_sibling)
    if (nodes[c].name == name) return &nodes[c];
  return nullptr;
}

std::string_view Document::value(std::uint32_t parent, std::string_view name) const {
  const Node* n = child(parent, name);
  return n != nullptr && n->leaf ? std::string_view(n->value) : std::string_view();
}

std::string Document::path(std::uint32_t node) const {
  std::string out;
  for (std::uint32_t n = node; n != kNoNode && n != 0; n = nodes[n].parent) {
    std::string part = nodes[n].name;
    const std::uint32_t parent = nodes[n].parent;
    if (parent != kNoNode) {
      std::size_t index = 0, count = 0;
      for (std::uint32_t c = nodes[parent].first_child; c != kNoNode; c = nodes[c].next_sibling) {
        if (nodes[c].name != nodes[n].name) continue;
        ++count;
        if (c == n) index = count;
      }
      if (count > 1) part += "[" + std::to_string(index) + "]";
    }
    out = out.empty() ? part : part + "/" + out;
  }
  return out;
}

Result<Document> read_document(std::string_view input, const ParseOptions& options) {
  if (input.size() > options.max_input_bytes)
    return parse_error(options, {},
                       "file is " + std::to_string(input.size()) + " bytes, more than the limit of " +
                           std::to_string(options.max_input_bytes));
  Document doc;
  Reader reader(input, options, doc);
  BANKREC_TRY(reader.read_header());
  BANKREC_TRY(reader.read_body());
  return doc;
}

}  // namespace bankrec::formats::ofx
