#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bankrec/base/result.h"

namespace bankrec::domain {

/// A civil (proleptic Gregorian) date without time zone.
struct Date {
  std::int32_t year = 1970;
  std::uint8_t month = 1;  ///< 1..12
  std::uint8_t day = 1;    ///< 1..31

  /// Days since 1970-01-01 (negative before).
  std::int64_t to_days() const;
  static Date from_days(std::int64_t days);
  /// True for a real calendar date (no 2024-02-30), year 1..9999.
  static bool is_valid(std::int32_t year, unsigned month, unsigned day);
  /// Fails for an impossible date, naming it.
  static Result<Date> make(std::int32_t year, unsigned month, unsigned day);

  /// "YYYY-MM-DD".
  std::string iso() const;
  Date add_days(std::int64_t n) const { return from_days(to_days() + n); }

  friend auto operator<=>(const Date&, const Date&) = default;
  friend bool operator==(const Date&, const Date&) = default;
};

/// Order of day, month and year in a numeric date with separators.
enum class DateOrder { dmy, mdy, ymd };

/// `YYYY-MM-DD`, also the date part of an ISO date-time (`2024-02-01T06:01:12+01:00`).
Result<Date> parse_iso_date(std::string_view text);
/// `YYMMDD` as SWIFT writes it; years 00..79 are 20xx, 80..99 are 19xx.
Result<Date> parse_yymmdd(std::string_view text);
/// `YYYYMMDD`.
Result<Date> parse_yyyymmdd(std::string_view text);
/// Numeric dates with separators `.`, `/`, `-` or `'` (QIF): `DD.MM.YYYY`, `DD.MM.YY`,
/// `MM/DD/YYYY`, `DD/MM/YYYY`, `1/ 2/24`, `01/02'24`, `YYYY-MM-DD`, in the given order for
/// the day/month ambiguity; a four-digit first field is always year-first.
/// Two-digit years: 00..79 → 20xx, 80..99 → 19xx.
Result<Date> parse_date(std::string_view text, DateOrder order);
/// Decides the order from a whole column of values: the order under which every value parses,
/// preferring dmy (German), then mdy, then ymd. nullopt when no order fits every value.
/// Blank values are skipped, so an empty column yields dmy.
std::optional<DateOrder> detect_date_order(std::span<const std::string_view> values);
/// Excel serial day (1900 date system, with Lotus' phantom 1900-02-29: serial 60) → date.
/// Serial 1 is 1900-01-01, 59 is 1900-02-28, 61 is 1900-03-01, 45292 is 2024-01-01. Serial 60
/// fails (that day does not exist, so no real cell holds it), as do serials below 1 and above
/// 2958465 (9999-12-31).
Result<Date> from_excel_serial(std::int64_t serial);

/// MT940 entry date (MMDD) next to a value date: the year is the value date's, moved by one
/// when that puts the two more than six months apart (entry 1231 for value 0102 is last year).
Result<Date> infer_entry_date(Date value_date, unsigned month, unsigned day);

}  // namespace bankrec::domain
