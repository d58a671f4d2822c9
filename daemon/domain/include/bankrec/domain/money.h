#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"

namespace bankrec::domain {

/// An ISO 4217 currency: its three-letter code and the number of minor digits (EUR 2, JPY 0, KWD 3).
struct Currency {
  std::array<char, 3> code{'X', 'X', 'X'};
  std::uint8_t exponent = 2;

  std::string_view str() const { return {code.data(), code.size()}; }
  friend bool operator==(const Currency&, const Currency&) = default;

  /// The current ISO 4217 table (active codes, including funds and precious-metal codes);
  /// nullopt for an unknown code. Lower-case input is not accepted.
  static std::optional<Currency> find(std::string_view code);
  /// find() that fails with "unknown currency 'XYZ'".
  static Result<Currency> parse(std::string_view code);
};

/// EUR, the default for German statements.
inline constexpr Currency kEur{{'E', 'U', 'R'}, 2};

/// Exact amount: signed integer count of minor units plus the currency. Never floating point.
class Money {
 public:
  Money() = default;
  Money(std::int64_t minor, Currency currency) : minor_(minor), currency_(currency) {}

  std::int64_t minor() const { return minor_; }
  const Currency& currency() const { return currency_; }
  bool is_zero() const { return minor_ == 0; }
  bool is_negative() const { return minor_ < 0; }

  /// "-12.50" (EUR), "1200" (JPY), "0.125" (KWD): the contract's decimal string.
  std::string to_string() const;

  /// Checked arithmetic: fails on a currency mismatch or int64 overflow.
  Result<Money> add(const Money& other) const;
  Result<Money> subtract(const Money& other) const;
  Result<Money> negate() const;

  friend bool operator==(const Money&, const Money&) = default;

 private:
  std::int64_t minor_ = 0;
  Currency currency_{};
};

/// Formats minor units with `exponent` decimals and '.' as separator: (-1250, 2) → "-12.50".
std::string format_minor(std::int64_t minor, int exponent);

/// Strict and fast, for machine formats: optional sign ('+'/'-'), digits, optional `decimal_sep`
/// and at most `exponent` fraction digits (extra digits are accepted only when they are zeros:
/// "8.850" EUR is 885). No thousands separators, no spaces. Fails with a message naming the text.
Result<std::int64_t> parse_decimal(std::string_view text, char decimal_sep, int exponent);

/// Every way statements write amounts, for human-made formats (CSV, XLS, PDF, QIF):
/// `1234.56`, `1.234,56`, `1,234.56`, `1 234,56` (also with U+00A0/U+202F), `-12,5`, `12,50-`
/// (trailing sign), `(12.50)`, `+12`, `EUR 12,50`, `12,50 EUR`, `12,50 €`, `€ 12.50`.
/// With `decimal_sep` 0 the separator is inferred (a lone ',' or '.' followed by 3 digits is
/// ambiguous; then ',' is taken as decimal separator, as German banks write). A currency code in
/// the text must equal `currency`. Thousands groups must be consistent ("1.23.4,5" fails), and
/// "12,-" is 12.00 (the German dash for no cents). `decimal_sep` is 0, '.' or ','.
Result<Money> parse_amount(std::string_view text, Currency currency, char decimal_sep = 0);

/// Splits `total` into parts proportional to `weights` (all >= 0, sum > 0) that add up exactly to
/// `total` (largest-remainder method; ties go to the earlier part). Fails on empty or zero weights.
Result<std::vector<std::int64_t>> allocate(std::int64_t total, std::span<const std::int64_t> weights);

}  // namespace bankrec::domain
