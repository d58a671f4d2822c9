#include <array>
#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>

#include "bankrec/base/text.h"
#include "bankrec/net/http_client.h"
#include "bankrec/net/http_date.h"

namespace bankrec::net {
namespace {

using namespace std::chrono;

constexpr seconds kMaxRetryAfter = hours{24 * 30};

std::optional<int> parse_int(std::string_view s, std::size_t min_digits, std::size_t max_digits) {
  if (s.size() < min_digits || s.size() > max_digits) return std::nullopt;
  int v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<unsigned> parse_month(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < kMonths.size(); ++i)
    if (text::iequals_ascii(s, kMonths[i])) return i + 1;
  return std::nullopt;
}

/// "HH:MM:SS"
std::optional<seconds> parse_time_of_day(std::string_view s) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  const auto h = parse_int(s.substr(0, 2), 2, 2), m = parse_int(s.substr(3, 2), 2, 2),
             sec = parse_int(s.substr(6, 2), 2, 2);
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  return hours{*h} + minutes{*m} + seconds{*sec};
}

std::optional<system_clock::time_point> make_time(int y, unsigned mon, int d, seconds tod) {
  const year_month_day ymd{year{y}, month{mon}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd} + tod;
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < s.size() && parts.size() < 8) {
    while (i < s.size() && s[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) parts.push_back(s.substr(start, i - start));
  }
  return parts;
}

}  // namespace

std::optional<system_clock::time_point> parse_http_date(std::string_view s) {
  const auto parts = split_spaces(s);
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (parts.size() == 6 && parts[0].size() == 4 && parts[0].back() == ',' && parts[5] == "GMT") {
    const auto d = parse_int(parts[1], 2, 2);
    const auto mon = parse_month(parts[2]);
    const auto y = parse_int(parts[3], 4, 4);
    const auto tod = parse_time_of_day(parts[4]);
    if (!d || !mon || !y || !tod) return std::nullopt;
    return make_time(*y, *mon, *d, *tod);
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
  if (parts.size() == 4 && parts[0].back() == ',' && parts[3] == "GMT" && parts[1].size() == 9 &&
      parts[1][2] == '-' && parts[1][6] == '-') {
    const auto d = parse_int(parts[1].substr(0, 2), 2, 2);
    const auto mon = parse_month(parts[1].substr(3, 3));
    const auto yy = parse_int(parts[1].substr(7, 2), 2, 2);
    const auto tod = parse_time_of_day(parts[2]);
    if (!d || !mon || !yy || !tod) return std::nullopt;
    return make_time(*yy < 70 ? 2000 + *yy : 1900 + *yy, *mon, *d, *tod);  // RFC 9110 §5.6.7
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (parts.size() == 5 && parts[0].size() == 3) {
    const auto mon = parse_month(parts[1]);
    const auto d = parse_int(parts[2], 1, 2);
    const auto tod = parse_time_of_day(parts[3]);
    const auto y = parse_int(parts[4], 4, 4);
    if (!d || !mon || !y || !tod) return std::nullopt;
    return make_time(*y, *mon, *d, *tod);
  }
  return std::nullopt;
}

std::optional<seconds> parse_retry_after(std::string_view value, system_clock::time_point now) {
  value = text::trim(value);
  if (value.empty() || value.size() > 64) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    if (value.size() > 10) return std::nullopt;
    long long v = 0;
    std::from_chars(value.data(), value.data() + value.size(), v);
    if (seconds{v} > kMaxRetryAfter) return std::nullopt;
    return seconds{v};
  }
  const auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  if (*when <= now) return seconds{0};
  const auto delta = ceil<seconds>(*when - now);
  if (delta > kMaxRetryAfter) return std::nullopt;
  return delta;
}

}  // namespace bankrec::net
