#include "bankrec/domain/money.h"

#include "bankrec/testing/testing.h"

namespace bankrec::domain {
namespace {

using ::testing::HasSubstr;

TEST(Currency, knows_the_iso_4217_exponents) {
  EXPECT_EQ(Currency::find("EUR")->exponent, 2);
  EXPECT_EQ(Currency::find("JPY")->exponent, 0);
  EXPECT_EQ(Currency::find("KWD")->exponent, 3);
  EXPECT_EQ(Currency::find("CLF")->exponent, 4);
  EXPECT_FALSE(Currency::find("EURO"));
  EXPECT_FALSE(Currency::find("eur"));
  EXPECT_ERR(Currency::parse("ABC"), Errc::invalid_input, HasSubstr("unknown currency 'ABC'"));
}

TEST(Money, formats_with_the_currency_exponent) {
  EXPECT_EQ(format_minor(-1250, 2), "-12.50");
  EXPECT_EQ(format_minor(5, 2), "0.05");
  EXPECT_EQ(format_minor(-5, 3), "-0.005");
  EXPECT_EQ(format_minor(1200, 0), "1200");
  EXPECT_EQ(format_minor(0, 2), "0.00");
  EXPECT_EQ(format_minor(INT64_MIN, 2), "-92233720368547758.08");
  EXPECT_EQ(Money(119000, kEur).to_string(), "1190.00");
}

TEST(Money, parses_strict_decimals) {
  EXPECT_EQ(*parse_decimal("1234,56", ',', 2), 123456);
  EXPECT_EQ(*parse_decimal("1234,5", ',', 2), 123450);
  EXPECT_EQ(*parse_decimal("1234,", ',', 2), 123400);
  EXPECT_EQ(*parse_decimal("-0.01", '.', 2), -1);
  EXPECT_EQ(*parse_decimal("+12", '.', 2), 1200);
  EXPECT_EQ(*parse_decimal("8.850", '.', 2), 885);
  EXPECT_EQ(*parse_decimal("1200", '.', 0), 1200);
  EXPECT_EQ(*parse_decimal(",5", ',', 2), 50);
  EXPECT_ERR(parse_decimal("8.855", '.', 2), Errc::invalid_input, HasSubstr("more than 2 decimals"));
  EXPECT_ERR(parse_decimal("12x0", '.', 2), Errc::invalid_input, HasSubstr("invalid amount '12x0'"));
  EXPECT_ERR(parse_decimal("", '.', 2), Errc::invalid_input, HasSubstr("no digits"));
  EXPECT_ERR(parse_decimal(",", ',', 2), Errc::invalid_input, HasSubstr("no digits"));
  EXPECT_ERR(parse_decimal("99999999999999999999", '.', 2), Errc::invalid_input, HasSubstr("too large"));
}

TEST(Money, round_trips_format_and_parse) {
  for (std::int64_t v : {0LL, 1LL, -1LL, 99LL, 100LL, -123456789LL, 922337203685477580LL}) {
    for (int exp : {0, 2, 3}) {
      EXPECT_EQ(*parse_decimal(format_minor(v, exp), '.', exp), v) << v << " exp " << exp;
    }
  }
}

TEST(Money, checked_arithmetic) {
  const Money a(1000, kEur), b(250, kEur);
  EXPECT_EQ(a.add(b)->minor(), 1250);
  EXPECT_EQ(a.subtract(b)->minor(), 750);
  EXPECT_ERR(a.add(Money(1, *Currency::find("USD"))), Errc::invalid_input, HasSubstr("currency mismatch"));
  EXPECT_ERR(Money(INT64_MAX, kEur).add(Money(1, kEur)), Errc::invalid_input, HasSubstr("overflow"));
  EXPECT_FALSE(Money(INT64_MIN, kEur).negate());
}

}  // namespace
}  // namespace bankrec::domain
