#include "bankrec/domain/date.h"

#include "bankrec/testing/testing.h"

namespace bankrec::domain {
namespace {

using ::testing::HasSubstr;

TEST(Date, converts_to_and_from_days) {
  EXPECT_EQ((Date{1970, 1, 1}.to_days()), 0);
  EXPECT_EQ((Date{2000, 3, 1}.to_days()), 11017);
  for (std::int64_t d = -800000; d < 3000000; d += 997) EXPECT_EQ(Date::from_days(d).to_days(), d);
  EXPECT_EQ((Date{2024, 2, 28}.add_days(1)), (Date{2024, 2, 29}));
  EXPECT_EQ((Date{2023, 12, 31}.add_days(1)), (Date{2024, 1, 1}));
}

TEST(Date, validates_calendar_dates) {
  EXPECT_TRUE(Date::is_valid(2024, 2, 29));
  EXPECT_FALSE(Date::is_valid(2023, 2, 29));
  EXPECT_FALSE(Date::is_valid(1900, 2, 29));
  EXPECT_TRUE(Date::is_valid(2000, 2, 29));
  EXPECT_FALSE(Date::is_valid(2024, 13, 1));
  EXPECT_ERR(Date::make(2024, 2, 30), Errc::invalid_input, HasSubstr("2024-02-30"));
}

TEST(Date, parses_machine_forms) {
  EXPECT_EQ(*parse_iso_date("2024-02-01"), (Date{2024, 2, 1}));
  EXPECT_EQ(*parse_iso_date("2024-02-01T06:01:12+01:00"), (Date{2024, 2, 1}));
  EXPECT_EQ(*parse_yymmdd("240201"), (Date{2024, 2, 1}));
  EXPECT_EQ(*parse_yymmdd("991231"), (Date{1999, 12, 31}));
  EXPECT_EQ(*parse_yyyymmdd("20240201"), (Date{2024, 2, 1}));
  EXPECT_ERR(parse_iso_date("2024-2-1"), Errc::invalid_input, HasSubstr("YYYY-MM-DD"));
  EXPECT_ERR(parse_yymmdd("240230"), Errc::invalid_input, HasSubstr("impossible date"));
  EXPECT_EQ((Date{2024, 2, 1}.iso()), "2024-02-01");
}

TEST(Date, infers_mt940_entry_year_across_year_end) {
  EXPECT_EQ(*infer_entry_date(Date{2024, 1, 2}, 12, 31), (Date{2023, 12, 31}));
  EXPECT_EQ(*infer_entry_date(Date{2023, 12, 31}, 1, 2), (Date{2024, 1, 2}));
  EXPECT_EQ(*infer_entry_date(Date{2024, 6, 15}, 6, 14), (Date{2024, 6, 14}));
  EXPECT_EQ(*infer_entry_date(Date{2023, 3, 1}, 2, 29), (Date{2024, 2, 29}));
  EXPECT_FALSE(infer_entry_date(Date{2024, 6, 15}, 2, 30));
}

}  // namespace
}  // namespace bankrec::domain
