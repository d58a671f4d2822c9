#include "ofx/ofx_values.h"

#include "bankrec/base/text.h"

namespace bankrec::formats::ofx {
namespace {

__extension__ typedef __int128 Wide;  // products of two 17-digit decimals

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::optional<Wide> pow10(int n) {
  if (n < 0 || n > 36) return std::nullopt;
  Wide p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

std::optional<std::int64_t> narrow(Wide v) {
  if (v > INT64_MAX || v < INT64_MIN) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

/// round(n / d), half away from zero.
std::optional<std::int64_t> round_div(Wide n, Wide d) {
  if (d == 0) return std::nullopt;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  const bool negative = n < 0;
  const Wide a = negative ? -n : n;
  Wide q = a / d;
  if ((a % d) * 2 >= d) ++q;
  return narrow(negative ? -q : q);
}

std::optional<Wide> mul(Wide a, Wide b) {
  Wide r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

unsigned two(std::string_view s) { return static_cast<unsigned>((s[0] - '0') * 10 + (s[1] - '0')); }

bool all_digits(std::string_view s) {
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

/// "[-5:EST]", "[0:GMT]", "[+5.30:IST]" (hours, optionally with a fraction) → "-05:00".
std::optional<std::string> parse_offset(std::string_view s) {
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  s = s.substr(0, s.find(':'));
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const std::size_t dot = s.find('.');
  const std::string_view hours = s.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (hours.empty() || hours.size() > 2 || !all_digits(hours) || frac.size() > 2 || !all_digits(frac))
    return std::nullopt;
  const unsigned h = static_cast<unsigned>(std::stoi(std::string(hours)));
  // "5.30" (hours and minutes) and "5.5" (decimal hours) both occur; a fraction below 60 with two
  // digits is read as minutes.
  unsigned m = 0;
  if (frac.size() == 2) m = two(frac) < 60 ? two(frac) : 0;
  if (frac.size() == 1) m = static_cast<unsigned>(frac[0] - '0') * 6;
  if (h > 14 || m >= 60) return std::nullopt;
  std::string out(1, negative ? '-' : '+');
  out += static_cast<char>('0' + h / 10);
  out += static_cast<char>('0' + h % 10);
  out += ':';
  out += static_cast<char>('0' + m / 10);
  out += static_cast<char>('0' + m % 10);
  return out;
}

}  // namespace

int Decimal::significant_scale() const {
  int s = scale;
  std::int64_t m = mantissa;
  while (s > 0 && m % 10 == 0) {
    m /= 10;
    --s;
  }
  return s;
}

std::optional<Decimal> parse_decimal(std::string_view text) {
  std::string_view s = text::trim(text);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  Decimal d;
  int digits = 0;
  bool separator = false;
  for (char c : s) {
    if (c == '.' || c == ',') {
      if (separator) return std::nullopt;
      separator = true;
      continue;
    }
    if (!is_digit(c)) return std::nullopt;
    if (digits > 0 || c != '0') ++digits;
    if (digits > 17) return std::nullopt;
    d.mantissa = d.mantissa * 10 + (c - '0');
    if (separator) ++d.scale;
    if (d.scale > 30) return std::nullopt;
  }
  const bool has_digit = s.find_first_of("0123456789") != std::string_view::npos;
  if (!has_digit) return std::nullopt;
  if (negative) d.mantissa = -d.mantissa;
  return d;
}

std::optional<std::int64_t> to_minor(const Decimal& d, int exponent) {
  if (d.significant_scale() > exponent) return std::nullopt;
  if (d.scale >= exponent) {
    const auto p = pow10(d.scale - exponent);
    return p ? narrow(Wide{d.mantissa} / *p) : std::nullopt;
  }
  const auto p = pow10(exponent - d.scale);
  if (!p) return std::nullopt;
  const auto v = mul(d.mantissa, *p);
  return v ? narrow(*v) : std::nullopt;
}

std::optional<std::int64_t> multiply_to_minor(const Decimal& a, const Decimal& b, int exponent) {
  // a×b = ma×mb / 10^(sa+sb); in minor units × 10^exponent.
  const auto n = mul(Wide{a.mantissa}, Wide{b.mantissa});
  const auto scale_up = pow10(exponent);
  const auto d = pow10(a.scale + b.scale);
  if (!n || !scale_up || !d) return std::nullopt;
  const auto num = mul(*n, *scale_up);
  return num ? round_div(*num, *d) : std::nullopt;
}

std::optional<std::int64_t> divide_to_minor(const Decimal& a, const Decimal& b, int exponent) {
  // (ma/10^sa) / (mb/10^sb) × 10^e = ma × 10^(sb+e) / (mb × 10^sa)
  const auto up = pow10(b.scale + exponent);
  const auto down = pow10(a.scale);
  if (!up || !down || b.mantissa == 0) return std::nullopt;
  const auto num = mul(Wide{a.mantissa}, *up);
  const auto den = mul(Wide{b.mantissa}, *down);
  return num && den ? round_div(*num, *den) : std::nullopt;
}

std::optional<DateTime> parse_datetime(std::string_view text, std::string& why) {
  const std::string_view s = text::trim(text);
  if (s.size() < 8 || !all_digits(s.substr(0, 8))) {
    why = "expected YYYYMMDD";
    return std::nullopt;
  }
  const auto year = static_cast<std::int32_t>(std::stoi(std::string(s.substr(0, 4))));
  const unsigned month = two(s.substr(4)), day = two(s.substr(6));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31) {
    why = month < 1 || month > 12 ? "month " + std::to_string(month) : "day " + std::to_string(day);
    return std::nullopt;
  }
  DateTime dt;
  unsigned d = day;
  while (!domain::Date::is_valid(year, month, d)) --d;
  dt.clamped = d != day;
  dt.date = domain::Date{year, static_cast<std::uint8_t>(month), static_cast<std::uint8_t>(d)};
  dt.iso = dt.date.iso();

  std::string_view rest = s.substr(8);
  std::string time;
  if (rest.size() >= 6 && all_digits(rest.substr(0, 6))) {
    if (two(rest) > 23 || two(rest.substr(2)) > 59 || two(rest.substr(4)) > 60) dt.time_ok = false;
    time = "T" + std::string(rest.substr(0, 2)) + ":" + std::string(rest.substr(2, 2)) + ":" +
           std::string(rest.substr(4, 2));
    rest.remove_prefix(6);
    if (!rest.empty() && rest[0] == '.') {
      std::size_t n = 1;
      while (n < rest.size() && is_digit(rest[n])) ++n;
      if (n == 1 || n > 4) dt.time_ok = false;
      time += rest.substr(0, n);
      rest.remove_prefix(n);
    }
  }
  rest = text::trim(rest);
  std::string offset;
  if (!rest.empty()) {
    const auto parsed = parse_offset(rest);
    if (parsed)
      offset = *parsed;
    else
      dt.time_ok = false;
  }
  if (!time.empty()) dt.iso += time + offset;
  return dt;
}

}  // namespace bankrec::formats::ofx
