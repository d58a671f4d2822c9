#include "bankrec/domain/date.h"

#include <cstdio>

namespace bankrec::domain {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(std::int32_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

Unexpected bad_date(std::string_view text, std::string_view expected) {
  return fail(Errc::invalid_input,
              "invalid date '" + std::string(text) + "' (expected " + std::string(expected) + ")");
}

}  // namespace

std::int64_t Date::to_days() const { return days_from_civil(year, month, day); }

Date Date::from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<std::int32_t>(y + (m <= 2)), static_cast<std::uint8_t>(m), static_cast<std::uint8_t>(d)};
}

bool Date::is_valid(std::int32_t year, unsigned month, unsigned day) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const unsigned max = kDays[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
  return day <= max;
}

Result<Date> Date::make(std::int32_t year, unsigned month, unsigned day) {
  if (!is_valid(year, month, day)) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", year, month, day);
    return fail(Errc::invalid_input, std::string("impossible date ") + buf);
  }
  return Date{year, static_cast<std::uint8_t>(month), static_cast<std::uint8_t>(day)};
}

std::string Date::iso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(year) % 10000, unsigned{month}, unsigned{day});
  return buf;
}

Result<Date> parse_iso_date(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() < 10 || !digits(text, 0, 4, y) || text[4] != '-' || !digits(text, 5, 2, m) || text[7] != '-' ||
      !digits(text, 8, 2, d) || (text.size() > 10 && text[10] != 'T' && text[10] != ' ' && text[10] != '+' &&
                                 text[10] != 'Z' && text[10] != '-'))
    return bad_date(text, "YYYY-MM-DD");
  return Date::make(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

Result<Date> parse_yymmdd(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 6 || !digits(text, 0, 2, y) || !digits(text, 2, 2, m) || !digits(text, 4, 2, d))
    return bad_date(text, "YYMMDD");
  return Date::make(y < 80 ? 2000 + y : 1900 + y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

Result<Date> parse_yyyymmdd(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 8 || !digits(text, 0, 4, y) || !digits(text, 4, 2, m) || !digits(text, 6, 2, d))
    return bad_date(text, "YYYYMMDD");
  return Date::make(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

Result<Date> infer_entry_date(Date value_date, unsigned month, unsigned day) {
  // Candidates in the value date's year and the years around it; take the closest real date.
  std::optional<Date> best;
  std::int64_t best_distance = 0;
  for (int dy : {0, -1, 1}) {
    const std::int32_t y = value_date.year + dy;
    if (!Date::is_valid(y, month, day)) continue;
    const Date candidate{y, static_cast<std::uint8_t>(month), static_cast<std::uint8_t>(day)};
    std::int64_t distance = candidate.to_days() - value_date.to_days();
    if (distance < 0) distance = -distance;
    if (!best || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (!best) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02u%02u", month, day);
    return fail(Errc::invalid_input, std::string("impossible entry date '") + buf + "'");
  }
  return *best;
}

}  // namespace bankrec::domain
