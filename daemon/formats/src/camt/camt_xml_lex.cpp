#include "camt/camt_xml_lex.h"

#include <array>

namespace bankrec::formats::camt::lex {
namespace {

// Byte classes for character data and attribute values.
enum Class : std::uint8_t {
  kPlain = 0,  // a character that needs nothing
  kLess,       // '<'
  kAmp,        // '&'
  kCr,         // '\r' (line ends are normalised)
  kGreater,    // '>' (checked for "]]>")
  kBad,        // a control character that XML does not allow
  kMulti,      // the lead byte of a multi-byte UTF-8 character (checked)
  kQuote,      // '"' or '\'' (ends an attribute value)
  kBlankCtl,   // '\t' or '\n' (plain in text, normalised in attribute values)
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = kBad;
  t['\t'] = kBlankCtl;
  t['\n'] = kBlankCtl;
  t['\r'] = kCr;
  t['<'] = kLess;
  t['&'] = kAmp;
  t['>'] = kGreater;
  t['"'] = kQuote;
  t['\''] = kQuote;
  for (int c = 0x80; c < 0x100; ++c) t[c] = kMulti;
  return t;
}
constexpr auto kClasses = make_classes();

// For character data: tabs, newlines and quotes are ordinary there, which keeps runs long.
constexpr std::array<std::uint8_t, 256> make_text_classes() {
  std::array<std::uint8_t, 256> t = make_classes();
  t['\t'] = kPlain;
  t['\n'] = kPlain;
  t['"'] = kPlain;
  t['\''] = kPlain;
  return t;
}
constexpr auto kTextClasses = make_text_classes();

constexpr std::array<bool, 128> make_name_chars(bool start) {
  std::array<bool, 128> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  t['_'] = true;
  t[':'] = true;
  if (!start) {
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    t['-'] = true;
    t['.'] = true;
  }
  return t;
}
constexpr auto kNameStart = make_name_chars(true);
constexpr auto kNameChar = make_name_chars(false);

std::uint8_t byte_at(std::string_view doc, std::size_t i) { return static_cast<std::uint8_t>(doc[i]); }

std::uint32_t decode_utf8(std::string_view doc, std::size_t i, std::size_t n) {
  const std::uint8_t lead = byte_at(doc, i);
  std::uint32_t cp = n == 2 ? (lead & 0x1Fu) : n == 3 ? (lead & 0x0Fu) : (lead & 0x07u);
  for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (byte_at(doc, i + k) & 0x3Fu);
  return cp;
}

// XML 1.0 fifth edition, productions NameStartChar and NameChar, above ASCII.
bool is_name_start(std::uint32_t c) {
  return (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) ||
         (c >= 0x370 && c <= 0x37D) || (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D) ||
         (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) || (c >= 0x3001 && c <= 0xD7FF) ||
         (c >= 0xF900 && c <= 0xFDCF) || (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}
bool is_name_char(std::uint32_t c) {
  return is_name_start(c) || c == 0xB7 || (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}

bool is_xml_char(std::uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

void append_utf8(std::uint32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string hex_byte(std::uint8_t b) {
  constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("0x") + kHex[b >> 4] + kHex[b & 0xF];
}

std::size_t bad_char(std::string_view doc, std::size_t i, Fault& fault) {
  const std::uint8_t b = byte_at(doc, i);
  fault.at = i;
  fault.message = b < 0x80 ? "invalid character value " + std::to_string(b)
                           : "input is not proper UTF-8 (bytes " + hex_byte(b) + ")";
  return kNone;
}

// A reference at doc[i] == '&': its end (past ';') and, when out is given, its value appended.
std::size_t reference(std::string_view doc, std::size_t i, std::string* out, Fault& fault) {
  std::size_t j = i + 1;
  if (j < doc.size() && doc[j] == '#') {
    const bool hex = j + 1 < doc.size() && doc[j + 1] == 'x';
    j += hex ? 2 : 1;
    std::uint32_t value = 0;
    const std::size_t digits = j;
    for (; j < doc.size() && j - digits < 16; ++j) {
      const char c = doc[j];
      std::uint32_t d;
      if (c >= '0' && c <= '9')
        d = static_cast<std::uint32_t>(c - '0');
      else if (hex && c >= 'a' && c <= 'f')
        d = static_cast<std::uint32_t>(c - 'a' + 10);
      else if (hex && c >= 'A' && c <= 'F')
        d = static_cast<std::uint32_t>(c - 'A' + 10);
      else
        break;
      value = value * (hex ? 16 : 10) + d;
      if (value > 0x10FFFF) value = 0x110000;  // stays invalid, never overflows
    }
    if (j == digits || j >= doc.size() || doc[j] != ';' || !is_xml_char(value)) {
      fault.at = i;
      fault.message = "invalid character reference";
      return kNone;
    }
    if (out != nullptr) append_utf8(value, *out);
    return j + 1;
  }
  std::uint32_t hash = 0;
  std::size_t colon = kNone;
  const std::size_t end = scan_name(doc, j, hash, colon);
  if (end == j) {
    fault.at = i;
    fault.message = "entity reference without a name ('&' must be written &amp;)";
    return kNone;
  }
  if (end >= doc.size() || doc[end] != ';') {
    fault.at = end;
    fault.message = "entity reference: expecting ';'";
    return kNone;
  }
  const std::string_view name = doc.substr(j, end - j);
  char value = 0;
  if (name == "lt") value = '<';
  if (name == "gt") value = '>';
  if (name == "amp") value = '&';
  if (name == "apos") value = '\'';
  if (name == "quot") value = '"';
  if (value == 0) {
    fault.at = i;
    fault.message = "entity '" + std::string(name) + "' not defined";
    return kNone;
  }
  if (out != nullptr) *out += value;
  return end + 1;
}

}  // namespace

std::size_t skip_blanks(std::string_view doc, std::size_t i) {
  while (i < doc.size() && is_blank(doc[i])) ++i;
  return i;
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::size_t char_length(std::string_view doc, std::size_t i) {
  const std::uint8_t b = byte_at(doc, i);
  if (b < 0x80) return (b >= 0x20 || b == '\t' || b == '\n' || b == '\r') ? 1 : 0;
  const std::size_t left = doc.size() - i;
  auto cont = [&](std::size_t k) { return k < left && (byte_at(doc, i + k) & 0xC0) == 0x80; };
  if (b >= 0xC2 && b <= 0xDF) return cont(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    const std::uint8_t b1 = byte_at(doc, i + 1);
    if (b == 0xE0 && b1 < 0xA0) return 0;                                  // overlong
    if (b == 0xED && b1 > 0x9F) return 0;                                  // surrogates
    if (b == 0xEF && b1 == 0xBF && byte_at(doc, i + 2) >= 0xBE) return 0;  // U+FFFE, U+FFFF
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const std::uint8_t b1 = byte_at(doc, i + 1);
    if (b == 0xF0 && b1 < 0x90) return 0;
    if (b == 0xF4 && b1 > 0x8F) return 0;
    return 4;
  }
  return 0;
}

std::uint32_t hash_name(std::string_view name) {
  std::uint32_t h = 2166136261u;
  for (char c : name) h = (h ^ static_cast<std::uint8_t>(c)) * 16777619u;
  return h;
}

std::size_t scan_name(std::string_view doc, std::size_t i, std::uint32_t& hash, std::size_t& colon) {
  // Locals only inside the loops: the bytes are read through an unsigned char pointer, which may
  // alias anything, so writing through `hash` or `colon` there would make every step reload.
  const std::size_t size = doc.size();
  const auto* p = reinterpret_cast<const std::uint8_t*>(doc.data());
  std::uint32_t h = 2166136261u;
  std::size_t first_colon = kNone;
  std::size_t j = i;
  // The first character: an ASCII NameStartChar is the common case.
  if (j < size && p[j] < 0x80) {
    if (!kNameStart[p[j]]) {
      hash = h;
      colon = kNone;
      return j;
    }
    if (p[j] == ':') first_colon = j;
    h = (h ^ p[j]) * 16777619u;
    ++j;
  }
  for (;;) {
    // A run of ASCII name characters.
    for (; j < size; ++j) {
      const std::uint8_t b = p[j];
      if (b >= 0x80 || !kNameChar[b]) break;
      if (b == ':' && first_colon == kNone) first_colon = j;
      h = (h ^ b) * 16777619u;
    }
    if (j >= size || p[j] < 0x80) break;
    const std::size_t n = char_length(doc, j);
    if (n < 2) break;
    const std::uint32_t cp = decode_utf8(doc, j, n);
    if (!(j == i ? is_name_start(cp) : is_name_char(cp))) break;
    for (std::size_t k = 0; k < n; ++k) h = (h ^ p[j + k]) * 16777619u;
    j += n;
  }
  hash = h;
  colon = first_colon;
  return j;
}

std::size_t scan_char_data(std::string_view doc, std::size_t i, bool& plain, Fault& fault) {
  const std::size_t size = doc.size();
  const char* data = doc.data();
  while (i < size) {
    i = plain_run(doc, i);
    // The common case: a run of ordinary characters (indentation, values).
    while (i + 4 <= size && (kTextClasses[static_cast<std::uint8_t>(data[i])] |
                             kTextClasses[static_cast<std::uint8_t>(data[i + 1])] |
                             kTextClasses[static_cast<std::uint8_t>(data[i + 2])] |
                             kTextClasses[static_cast<std::uint8_t>(data[i + 3])]) == kPlain)
      i += 4;
    if (i >= size) break;
    switch (kTextClasses[static_cast<std::uint8_t>(data[i])]) {
      case kPlain:
      case kQuote:
      case kBlankCtl:
        ++i;
        break;
      case kLess:
        return i;
      case kAmp:
        plain = false;
        i = reference(doc, i, nullptr, fault);
        if (i == kNone) return kNone;
        break;
      case kCr:
        plain = false;
        ++i;
        break;
      case kGreater:
        if (i >= 2 && data[i - 1] == ']' && data[i - 2] == ']') {
          fault.at = i - 2;
          fault.message = "sequence ']]>' not allowed in content";
          return kNone;
        }
        ++i;
        break;
      case kMulti: {
        const std::size_t n = char_length(doc, i);
        if (n == 0) return bad_char(doc, i, fault);
        i += n;
        break;
      }
      default:
        return bad_char(doc, i, fault);
    }
  }
  return size;
}

std::size_t scan_attribute_value(std::string_view doc, std::size_t i, bool& plain, Fault& fault) {
  const char quote = doc[i];
  ++i;
  while (i < doc.size()) {
    const char c = doc[i];
    switch (kClasses[static_cast<std::uint8_t>(c)]) {
      case kPlain:
      case kGreater:
        ++i;
        break;
      case kQuote:
        if (c == quote) return i + 1;
        ++i;
        break;
      case kLess:
        fault.at = i;
        fault.message = "unescaped '<' not allowed in attribute values";
        return kNone;
      case kAmp:
        plain = false;
        i = reference(doc, i, nullptr, fault);
        if (i == kNone) return kNone;
        break;
      case kCr:
      case kBlankCtl:
        plain = false;
        ++i;
        break;
      case kMulti: {
        const std::size_t n = char_length(doc, i);
        if (n == 0) return bad_char(doc, i, fault);
        i += n;
        break;
      }
      default:
        return bad_char(doc, i, fault);
    }
  }
  fault.at = doc.size();
  fault.message = "attribute value without its closing quote";
  return kNone;
}

std::size_t scan_section(std::string_view doc, std::size_t i, std::string_view terminator, bool comment,
                         Fault& fault) {
  while (i < doc.size()) {
    const char c = doc[i];
    if (c == terminator[0] && doc.substr(i, terminator.size()) == terminator) return i;
    if (comment && c == '-' && i + 1 < doc.size() && doc[i + 1] == '-') {
      fault.at = i;
      fault.message = "double hyphen within comment";
      return kNone;
    }
    const std::size_t n = char_length(doc, i);
    if (n == 0) return bad_char(doc, i, fault);
    i += n;
  }
  return kNone;
}

void append_decoded(std::string_view raw, std::string& out, bool attribute) {
  Fault ignored;
  for (std::size_t i = 0; i < raw.size();) {
    const char c = raw[i];
    if (c == '&') {
      i = reference(raw, i, &out, ignored);
      if (i == kNone) return;  // cannot happen: the data was checked
      continue;
    }
    if (c == '\r') {
      out += attribute ? ' ' : '\n';
      i += (i + 1 < raw.size() && raw[i + 1] == '\n') ? 2 : 1;
      continue;
    }
    out += (attribute && (c == '\t' || c == '\n')) ? ' ' : c;
    ++i;
  }
}

void append_cdata(std::string_view raw, std::string& out) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\r') {
      out += raw[i];
      continue;
    }
    out += '\n';
    if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
  }
}

void line_and_column(std::string_view doc, std::size_t byte, std::uint32_t& line, std::uint32_t& column) {
  line = 1;
  std::size_t line_start = 0;
  if (byte > doc.size()) byte = doc.size();
  for (std::size_t i = 0; i < byte; ++i) {
    if (doc[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  column = 1;
  for (std::size_t i = line_start; i < byte; ++i)
    if ((byte_at(doc, i) & 0xC0) != 0x80) ++column;
}

}  // namespace bankrec::formats::camt::lex
