#include <array>
#include <cstdint>

#include "bankrec/base/text.h"

namespace bankrec::text {
namespace {

// Windows-1252 0x80..0x9F; the five undefined bytes map to the C1 control of the same value.
constexpr std::array<std::uint16_t, 32> kCp1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

// ISO-8859-15 differs from ISO-8859-1 in eight positions.
std::uint32_t latin9(unsigned char c) {
  switch (c) {
    case 0xA4: return 0x20AC;
    case 0xA6: return 0x0160;
    case 0xA8: return 0x0161;
    case 0xB4: return 0x017D;
    case 0xB8: return 0x017E;
    case 0xBC: return 0x0152;
    case 0xBD: return 0x0153;
    case 0xBE: return 0x0178;
    default: return c;
  }
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool equals_any(std::string_view name, std::initializer_list<std::string_view> options) {
  for (auto o : options)
    if (iequals_ascii(name, o)) return true;
  return false;
}

}  // namespace

std::string_view charset_name(Charset charset) {
  switch (charset) {
    case Charset::utf8: return "utf-8";
    case Charset::iso8859_1: return "iso-8859-1";
    case Charset::iso8859_15: return "iso-8859-15";
    case Charset::windows1252: return "windows-1252";
  }
  return "utf-8";
}

Result<Charset> parse_charset(std::string_view name) {
  const std::string_view n = trim(name);
  if (equals_any(n, {"utf-8", "utf8", "unicode-1-1-utf-8"})) return Charset::utf8;
  if (equals_any(n, {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso88591"}))
    return Charset::iso8859_1;
  if (equals_any(n, {"iso-8859-15", "iso8859-15", "iso_8859-15", "latin9", "latin-9", "iso885915"}))
    return Charset::iso8859_15;
  if (equals_any(n, {"windows-1252", "cp1252", "win1252", "windows1252", "ansi", "x-cp1252"}))
    return Charset::windows1252;
  return fail(Errc::invalid_input, "unsupported charset '" + std::string(name) + "'");
}

Charset detect_charset(std::string_view bytes) {
  return is_valid_utf8(bytes) ? Charset::utf8 : Charset::windows1252;
}

Result<std::string> to_utf8(std::string_view bytes, Charset from) {
  if (from == Charset::utf8) {
    const std::size_t bad = find_invalid_utf8(bytes);
    if (bad != std::string_view::npos)
      return fail(Errc::invalid_input, "invalid utf-8 at byte " + std::to_string(bad));
    return std::string(bytes);
  }
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
      continue;
    }
    std::uint32_t cp = c;
    if (from == Charset::windows1252 && c < 0xA0) cp = kCp1252High[c - 0x80];
    if (from == Charset::iso8859_15) cp = latin9(c);
    append_utf8(out, cp);
  }
  return out;
}

}  // namespace bankrec::text
