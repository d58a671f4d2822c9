#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bankrec/domain/date.h"

// OFX value syntax (OFX 2.2 spec, sections 3.2.8 and 3.2.9): amounts and date-times.
namespace bankrec::formats::ofx {

/// A decimal as written: mantissa × 10^-scale. "-00000000001500.0000" is {-15000000, 4}.
struct Decimal {
  std::int64_t mantissa = 0;
  int scale = 0;
  /// Fraction digits without trailing zeros: 4 for "115.8331", 0 for "1500.0000".
  int significant_scale() const;
};

/// Optional sign, digits, at most one '.' or ',' as decimal separator (the spec allows both),
/// at most 17 digits. nullopt for anything else ("$120", "1,234.56", "").
std::optional<Decimal> parse_decimal(std::string_view text);

/// The value in units of 10^-exponent, exactly; nullopt when that would drop non-zero digits or overflow.
std::optional<std::int64_t> to_minor(const Decimal& d, int exponent);

/// round(a × b) in units of 10^-exponent (half away from zero); nullopt on overflow.
std::optional<std::int64_t> multiply_to_minor(const Decimal& a, const Decimal& b, int exponent);
/// round(a / b) in units of 10^-exponent; nullopt on overflow or a zero divisor.
std::optional<std::int64_t> divide_to_minor(const Decimal& a, const Decimal& b, int exponent);

/// "YYYYMMDD[HHMMSS[.XXX]][[+-H[.M]:TZ]]". Only the date part decides whether a value is usable.
struct DateTime {
  domain::Date date;
  bool clamped = false;  ///< the day did not exist in its month (20120231) and was set to the last day
  std::string iso;       ///< "2023-05-09T12:00:00.000-05:00"; the date alone when no time is given
  bool time_ok = true;   ///< false when what follows the date is not valid OFX time syntax
};

/// nullopt with `why` set when the first 8 characters are not a date.
std::optional<DateTime> parse_datetime(std::string_view text, std::string& why);

}  // namespace bankrec::formats::ofx
