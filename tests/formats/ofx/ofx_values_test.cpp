// OFX value syntax: decimals (either separator, sub-cent digits, conversions) and date-times with zones.
// The value parsers are private to the formats module; this test reaches them by path.
#include "../../../daemon/formats/src/ofx/ofx_values.h"

#include "bankrec/testing/testing.h"

namespace bankrec::formats::ofx {
namespace {

TEST(OfxValues, decimals_take_either_separator_and_refuse_everything_else) {
  struct Case {
    const char* text;
    std::optional<std::int64_t> cents;
  } const cases[] = {
      {"-10.00", -1000},
      {"+12.34", 1234},
      {"-250,50", -25050},
      {"0", 0},
      {"-00000000001500.0000", -150000},
      {".5", 50},
      {"$120", {}},
      {"1,234.56", {}},
      {"", {}},
      {"-", {}},
      {"12.345", {}},
      {"1e5", {}},
      {" 7.1 ", 710},
      {"123456789012345678", {}},
  };
  for (const auto& c : cases) {
    const auto d = parse_decimal(c.text);
    const auto minor = d ? to_minor(*d, 2) : std::nullopt;
    EXPECT_EQ(minor, c.cents) << "'" << c.text << "'";
  }
}

TEST(OfxValues, significant_scale_ignores_trailing_zeros) {
  EXPECT_EQ(parse_decimal("115.8331")->significant_scale(), 4);
  EXPECT_EQ(parse_decimal("1500.0000")->significant_scale(), 0);
  EXPECT_EQ(parse_decimal("1.10")->significant_scale(), 1);
}

TEST(OfxValues, conversions_round_half_away_from_zero) {
  const Decimal inr = *parse_decimal("-99.99"), rate = *parse_decimal("0.011");
  EXPECT_EQ(multiply_to_minor(inr, rate, 2), -110);  // -1.09989 EUR
  EXPECT_EQ(divide_to_minor(*parse_decimal("1000.00"), *parse_decimal("0.9"), 2), 111111);
  EXPECT_EQ(divide_to_minor(*parse_decimal("1"), *parse_decimal("0"), 2), std::nullopt);
  EXPECT_EQ(multiply_to_minor(*parse_decimal("0.005"), *parse_decimal("1"), 2), 1);
}

TEST(OfxValues, datetimes_keep_local_date_and_write_the_offset) {
  struct Case {
    const char* text;
    const char* iso;
    bool time_ok;
  } const cases[] = {
      {"20230509120000.000[-5:EST]", "2023-05-09T12:00:00.000-05:00", true},
      {"20190124212851.000[0:UTC]", "2019-01-24T21:28:51.000+00:00", true},
      {"20240110093000[+5.30:IST]", "2024-01-10T09:30:00+05:30", true},
      {"20240215120000.123[-3.5:NST]", "2024-02-15T12:00:00.123-03:30", true},
      {"20180507", "2018-05-07", true},
      {"20131215", "2013-12-15", true},
      {"20180804093914:014", "2018-08-04T09:39:14", false},
  };
  for (const auto& c : cases) {
    std::string why;
    const auto dt = parse_datetime(c.text, why);
    ASSERT_TRUE(dt) << c.text << ": " << why;
    EXPECT_EQ(dt->iso, c.iso) << c.text;
    EXPECT_EQ(dt->time_ok, c.time_ok) << c.text;
  }
}

TEST(OfxValues, impossible_days_are_clamped_and_impossible_months_refused) {
  std::string why;
  const auto feb = parse_datetime("20120231", why);
  ASSERT_TRUE(feb);
  EXPECT_TRUE(feb->clamped);
  EXPECT_EQ(feb->date.iso(), "2012-02-29");
  EXPECT_FALSE(parse_datetime("201120000000", why));
  EXPECT_EQ(why, "month 20");
  EXPECT_FALSE(parse_datetime("2024-01-01", why));
  EXPECT_FALSE(parse_datetime("", why));
}

}  // namespace
}  // namespace bankrec::formats::ofx
