#include "bankrec/domain/money.h"

#include <limits>

namespace bankrec::domain {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

Unexpected bad_amount(std::string_view text, std::string_view why) {
  return fail(Errc::invalid_input, "invalid amount '" + std::string(text) + "' (" + std::string(why) + ")");
}

}  // namespace

std::string format_minor(std::int64_t minor, int exponent) {
  // Work on the unsigned magnitude so that INT64_MIN formats correctly.
  const bool negative = minor < 0;
  std::uint64_t magnitude = negative ? (~static_cast<std::uint64_t>(minor) + 1) : static_cast<std::uint64_t>(minor);
  char buf[48];
  int pos = sizeof(buf);
  int digits = 0;
  do {
    if (exponent > 0 && digits == exponent) buf[--pos] = '.';
    buf[--pos] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
    ++digits;
  } while (magnitude != 0 || digits <= exponent);
  if (negative) buf[--pos] = '-';
  return std::string(buf + pos, sizeof(buf) - pos);
}

Result<std::int64_t> parse_decimal(std::string_view text, char decimal_sep, int exponent) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::uint64_t value = 0;
  std::size_t int_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++int_digits) {
    if (value > (static_cast<std::uint64_t>(kMax) - 9) / 10) return bad_amount(text, "too large");
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  int frac_digits = 0;
  bool has_sep = false;
  if (i < text.size() && text[i] == decimal_sep) {
    has_sep = true;
    ++i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (frac_digits >= exponent) {
        if (text[i] != '0') return bad_amount(text, "more than " + std::to_string(exponent) + " decimals");
        continue;
      }
      if (value > (static_cast<std::uint64_t>(kMax) - 9) / 10) return bad_amount(text, "too large");
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      ++frac_digits;
    }
  }
  if (i != text.size()) return bad_amount(text, "unexpected character");
  if (int_digits == 0 && !(has_sep && (frac_digits > 0 || i > 1))) return bad_amount(text, "no digits");
  for (; frac_digits < exponent; ++frac_digits) {
    if (value > static_cast<std::uint64_t>(kMax) / 10) return bad_amount(text, "too large");
    value *= 10;
  }
  const auto v = static_cast<std::int64_t>(value);
  return negative ? -v : v;
}

std::string Money::to_string() const { return format_minor(minor_, currency_.exponent); }

Result<Money> Money::add(const Money& other) const {
  if (currency_ != other.currency_)
    return fail(Errc::invalid_input, "currency mismatch: " + std::string(currency_.str()) + " and " +
                                         std::string(other.currency_.str()));
  std::int64_t sum = 0;
  if (__builtin_add_overflow(minor_, other.minor_, &sum)) return fail(Errc::invalid_input, "amount overflow");
  return Money(sum, currency_);
}

Result<Money> Money::subtract(const Money& other) const {
  const Money negated = BANKREC_TRY(other.negate());
  return add(negated);
}

Result<Money> Money::negate() const {
  if (minor_ == std::numeric_limits<std::int64_t>::min()) return fail(Errc::invalid_input, "amount overflow");
  return Money(-minor_, currency_);
}

}  // namespace bankrec::domain
