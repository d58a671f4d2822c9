#include "xlsx/cell_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "bankrec/domain/date.h"

namespace bankrec::formats::xlsx {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_ci(std::string_view s, std::size_t at, std::string_view prefix) {
  if (s.size() - at < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[at + i]) != prefix[i]) return false;
  return true;
}

// "[h]", "[mm]", "[ss]": elapsed-time tokens; every other bracket (colour, condition, locale) is noise.
bool is_elapsed_token(std::string_view inside) {
  if (inside.empty()) return false;
  const char c = lower(inside[0]);
  if (c != 'h' && c != 'm' && c != 's') return false;
  for (char x : inside)
    if (lower(x) != c) return false;
  return true;
}

// Digits and decimal exponent of a double written by to_chars in scientific form ("1.2345e+03").
void split_scientific(std::string_view s, std::string& digits, int& exponent) {
  digits.clear();
  const std::size_t e = s.find('e');
  for (char c : s.substr(0, e))
    if (c >= '0' && c <= '9') digits += c;
  exponent = 0;
  std::from_chars(s.data() + e + 1 + (s[e + 1] == '+' ? 1 : 0), s.data() + s.size(), exponent);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
}

std::string two(std::int64_t v) {
  std::string s = std::to_string(v);
  return s.size() < 2 ? "0" + s : s;
}

}  // namespace

ValueKind builtin_format_kind(std::uint32_t id) {
  if ((id >= 14 && id <= 17) || (id >= 27 && id <= 36) || (id >= 50 && id <= 58)) return ValueKind::date;
  if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47)) return ValueKind::time;
  if (id == 22) return ValueKind::date_time;
  return ValueKind::number;
}

ValueKind format_code_kind(std::string_view code) {
  if (starts_with_ci(code, 0, "general")) return ValueKind::number;
  bool date = false, time = false, month = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = lower(code[i]);
    if (c == ';') break;  // only the first section (positive numbers) decides
    if (c == '"') {
      const std::size_t end = code.find('"', i + 1);
      if (end == std::string_view::npos) break;
      i = end;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;  // escaped, spacing or fill character
    } else if (c == '[') {
      const std::size_t end = code.find(']', i + 1);
      if (end == std::string_view::npos) break;
      if (is_elapsed_token(code.substr(i + 1, end - i - 1))) time = true;
      i = end;
    } else if (starts_with_ci(code, i, "am/pm")) {
      time = true;
      i += 4;
    } else if (starts_with_ci(code, i, "a/p")) {
      time = true;
      i += 2;
    } else if (c == 'y' || c == 'd') {
      date = true;
    } else if (c == 'm') {
      month = true;
    } else if (c == 'h' || c == 's') {
      time = true;
    }
  }
  if (month && !time) date = true;  // "mmm yy"; with h or s, "m" is minutes
  if (date && time) return ValueKind::date_time;
  if (date) return ValueKind::date;
  if (time) return ValueKind::time;
  return ValueKind::number;
}

std::string render_number(double value) {
  if (value == 0 || !std::isfinite(value)) return "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string digits;
  int exponent = 0;
  split_scientific(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)), digits, exponent);
  if (digits.size() > 15) {  // beyond Excel's precision: binary noise such as 0.30000000000000004
    r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific, 14);
    split_scientific(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)), digits, exponent);
  }
  std::string out = value < 0 ? "-" : "";
  const long point = static_cast<long>(exponent) + 1;  // digits before the decimal point
  const long n = static_cast<long>(digits.size());
  if (point <= 0) {
    out += "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  } else if (point >= n) {
    out += digits + std::string(static_cast<std::size_t>(point - n), '0');
  } else {
    out += digits.substr(0, static_cast<std::size_t>(point)) + "." +
           digits.substr(static_cast<std::size_t>(point));
  }
  return out;
}

std::optional<std::string> render_serial(double serial, ValueKind kind, DateSystem system) {
  if (!std::isfinite(serial) || serial < 0 || serial >= 2958466.0) return std::nullopt;
  const auto total = static_cast<std::int64_t>(std::llround(serial * 86400.0));
  if (kind == ValueKind::time) {  // hours may pass 24 for elapsed formats ("[h]:mm:ss")
    return two(total / 3600) + ":" + two(total / 60 % 60) + ":" + two(total % 60);
  }
  const std::int64_t day = total / 86400;
  const std::int64_t seconds = total % 86400;
  std::string date;
  if (system == DateSystem::d1904) {
    date = domain::Date{1904, 1, 1}.add_days(day).iso();
  } else if (day == 0) {
    return std::nullopt;  // Excel shows "1900-01-00"
  } else if (day == 60) {
    date = "1900-02-29";  // the day Lotus 1-2-3 invented and Excel kept
  } else {
    date = domain::Date{1899, 12, static_cast<std::uint8_t>(day < 60 ? 31 : 30)}.add_days(day).iso();
  }
  if (date.size() != 10 || date > "9999-12-31") return std::nullopt;
  if (kind == ValueKind::date) return date;
  return date + "T" + two(seconds / 3600) + ":" + two(seconds / 60 % 60) + ":" + two(seconds % 60);
}

std::string column_name(std::uint32_t column) {
  std::string out;
  for (std::uint64_t n = static_cast<std::uint64_t>(column) + 1; n > 0; n = (n - 1) / 26)
    out.insert(out.begin(), static_cast<char>('A' + (n - 1) % 26));
  return out;
}

std::string sheet_prefix(std::string_view sheet) {
  bool plain = !sheet.empty() && !(sheet[0] >= '0' && sheet[0] <= '9');
  for (char c : sheet) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || static_cast<unsigned char>(c) >= 0x80;
    if (!word) plain = false;
  }
  if (plain) return std::string(sheet) + "!";
  std::string out = "'";
  for (char c : sheet) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'!";
}

std::string decode_xstring(std::string_view text) {
  if (text.find("_x") == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned code = 0;
    if (text[i] == '_' && i + 6 < text.size() && text[i + 1] == 'x' && text[i + 6] == '_') {
      const char* first = text.data() + i + 2;
      const auto r = std::from_chars(first, first + 4, code, 16);
      if (r.ec == std::errc() && r.ptr == first + 4) {
        i += 6;
        if (code < 0x80) {
          out += static_cast<char>(code);
        } else if (code < 0x800) {
          out += static_cast<char>(0xC0 | (code >> 6));
          out += static_cast<char>(0x80 | (code & 0x3F));
        } else if (code >= 0xD800 && code <= 0xDFFF) {
          out += "\xEF\xBF\xBD";  // a lone surrogate: U+FFFD
        } else {
          out += static_cast<char>(0xE0 | (code >> 12));
          out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (code & 0x3F));
        }
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

Unexpected sheet_error(const ParseOptions& options, std::string_view locator, std::string message) {
  std::string where(options.file_name.empty() ? "<input>" : options.file_name);
  if (!locator.empty()) where += " (" + std::string(locator) + ")";
  return fail(Errc::invalid_input, std::move(message), std::move(where));
}

}  // namespace bankrec::formats::xlsx
