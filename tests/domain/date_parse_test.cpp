#include <string_view>
#include <vector>

#include "bankrec/domain/date.h"
#include "bankrec/testing/testing.h"

namespace bankrec::domain {
namespace {

using ::testing::HasSubstr;

struct DateCase {
  const char* description;
  std::string_view text;
  DateOrder order;
  Date expected;
};

TEST(DateParse, reads_numeric_dates_in_every_form) {
  const DateCase cases[] = {
      {"german", "01.02.2024", DateOrder::dmy, {2024, 2, 1}},
      {"german two-digit year", "01.02.24", DateOrder::dmy, {2024, 2, 1}},
      {"german without padding", "1.2.2024", DateOrder::dmy, {2024, 2, 1}},
      {"two-digit year 79 is 2079", "31.12.79", DateOrder::dmy, {2079, 12, 31}},
      {"two-digit year 80 is 1980", "01.01.80", DateOrder::dmy, {1980, 1, 1}},
      {"two-digit year 00", "29.02.00", DateOrder::dmy, {2000, 2, 29}},
      {"us", "02/01/2024", DateOrder::mdy, {2024, 2, 1}},
      {"british", "01/02/2024", DateOrder::dmy, {2024, 2, 1}},
      {"dashes dmy", "01-02-2024", DateOrder::dmy, {2024, 2, 1}},
      {"iso", "2024-02-01", DateOrder::dmy, {2024, 2, 1}},
      {"iso whatever the order", "2024-02-01", DateOrder::mdy, {2024, 2, 1}},
      {"year first with slashes", "2024/02/01", DateOrder::dmy, {2024, 2, 1}},
      {"year first with dots", "2024.2.1", DateOrder::mdy, {2024, 2, 1}},
      {"two-digit ymd", "24-02-01", DateOrder::ymd, {2024, 2, 1}},
      {"qif padded", "1/ 2/24", DateOrder::mdy, {2024, 1, 2}},
      {"qif padded month too", " 1/ 2/24", DateOrder::mdy, {2024, 1, 2}},
      {"qif apostrophe year", "01/02'24", DateOrder::mdy, {2024, 1, 2}},
      {"qif apostrophe padded year", "1/ 2' 4", DateOrder::mdy, {2004, 1, 2}},
      {"qif apostrophe one-digit year", "12/31'9", DateOrder::mdy, {2009, 12, 31}},
      {"surrounding spaces", "  01.02.2024 ", DateOrder::dmy, {2024, 2, 1}},
      {"time after the date", "01.02.2024 13:45", DateOrder::dmy, {2024, 2, 1}},
      {"iso date-time", "2024-02-01T06:01:12+01:00", DateOrder::dmy, {2024, 2, 1}},
      {"leap day", "29.02.2024", DateOrder::dmy, {2024, 2, 29}},
      {"year 2000 leap day", "02/29/2000", DateOrder::mdy, {2000, 2, 29}},
  };
  for (const DateCase& c : cases) {
    const auto r = parse_date(c.text, c.order);
    ASSERT_TRUE(r.has_value()) << c.description << ": " << r.error().describe();
    EXPECT_EQ(*r, c.expected) << c.description << " got " << r->iso();
  }
}

struct BadDateCase {
  const char* description;
  std::string_view text;
  DateOrder order;
  std::string_view why;
};

TEST(DateParse, rejects_malformed_and_impossible_dates) {
  const BadDateCase cases[] = {
      {"empty", "", DateOrder::dmy, "expected day, month and year"},
      {"words", "yesterday", DateOrder::dmy, "expected day, month and year"},
      {"two fields", "01.02", DateOrder::dmy, "expected day, month and year"},
      {"four fields", "01.02.2024.5", DateOrder::dmy, "expected day, month and year"},
      {"compact digits", "20240201", DateOrder::dmy, "expected day, month and year"},
      {"five-digit year", "01.02.20245", DateOrder::dmy, "expected day, month and year"},
      {"trailing garbage", "01.02.2024x", DateOrder::dmy, "expected day, month and year"},
      {"mixed separators", "01.02/2024", DateOrder::dmy, "mixed separators"},
      {"apostrophe first", "01'02'24", DateOrder::dmy, "apostrophe only before the year"},
      {"three-digit year", "01.02.024", DateOrder::dmy, "year must have 2 or 4 digits"},
      {"one-digit year without apostrophe", "01.02.4", DateOrder::dmy, "year must have 2 or 4 digits"},
      {"three-digit day", "001.02.2024", DateOrder::dmy, "at most 2 digits"},
      {"month 13", "01.13.2024", DateOrder::dmy, "impossible date"},
      {"us reading of a german date", "13.01.2024", DateOrder::mdy, "impossible date"},
      {"february 30", "30.02.2024", DateOrder::dmy, "impossible date"},
      {"no leap day in 2023", "29.02.2023", DateOrder::dmy, "impossible date"},
      {"no leap day in 1900", "29.02.1900", DateOrder::dmy, "impossible date"},
      {"day zero", "00.01.2024", DateOrder::dmy, "impossible date"},
      {"year zero", "0000-01-01", DateOrder::ymd, "impossible date"},
      {"german date as ymd", "01.02.2024", DateOrder::ymd, "at most 2 digits"},
  };
  for (const BadDateCase& c : cases) {
    const auto r = parse_date(c.text, c.order);
    ASSERT_FALSE(r.has_value()) << c.description << " parsed as " << r->iso();
    EXPECT_EQ(r.error().code, Errc::invalid_input) << c.description;
    EXPECT_THAT(r.error().message, HasSubstr("'" + std::string(c.text) + "'")) << c.description;
    EXPECT_THAT(r.error().message, HasSubstr(std::string(c.why))) << c.description;
  }
}

struct OrderCase {
  const char* description;
  std::vector<std::string_view> values;
  std::optional<DateOrder> expected;
};

TEST(DateParse, detects_the_order_of_a_column) {
  const OrderCase cases[] = {
      {"german column", {"01.02.2024", "13.02.2024", "28.02.2024"}, DateOrder::dmy},
      {"ambiguous column prefers dmy", {"01/02/2024", "03/04/2024"}, DateOrder::dmy},
      {"us column", {"01/02/2024", "02/13/2024"}, DateOrder::mdy},
      {"year-first two-digit column", {"99-12-31", "00-01-15"}, DateOrder::ymd},
      {"iso column fits dmy first", {"2024-02-13", "2024-12-31"}, DateOrder::dmy},
      {"blank cells are ignored", {"", "02/13/2024", "  "}, DateOrder::mdy},
      {"no order fits", {"13/02/2024", "02/13/2024"}, std::nullopt},
      {"garbage fits nothing", {"01.02.2024", "soon"}, std::nullopt},
      {"no values fits the preferred order", {}, DateOrder::dmy},
  };
  for (const OrderCase& c : cases) EXPECT_EQ(detect_date_order(c.values), c.expected) << c.description;
}

struct SerialCase {
  const char* description;
  std::int64_t serial;
  Date expected;
};

TEST(DateParse, converts_excel_serials) {
  const SerialCase cases[] = {
      {"first day", 1, {1900, 1, 1}},
      {"end of january 1900", 31, {1900, 1, 31}},
      {"last real day before the phantom", 59, {1900, 2, 28}},
      {"first day after the phantom", 61, {1900, 3, 1}},
      {"unix epoch", 25569, {1970, 1, 1}},
      {"y2k", 36526, {2000, 1, 1}},
      {"2024 new year", 45292, {2024, 1, 1}},
      {"2024 leap day", 45351, {2024, 2, 29}},
      {"excel's last day", 2958465, {9999, 12, 31}},
  };
  for (const SerialCase& c : cases) {
    const auto r = from_excel_serial(c.serial);
    ASSERT_TRUE(r.has_value()) << c.description << ": " << r.error().describe();
    EXPECT_EQ(*r, c.expected) << c.description << " got " << r->iso();
  }
}

TEST(DateParse, rejects_the_phantom_leap_day_and_out_of_range_serials) {
  EXPECT_ERR(from_excel_serial(60), Errc::invalid_input, HasSubstr("1900-02-29"));
  EXPECT_ERR(from_excel_serial(0), Errc::invalid_input, HasSubstr("excel serial 0 out of range"));
  EXPECT_ERR(from_excel_serial(-5), Errc::invalid_input, HasSubstr("out of range"));
  EXPECT_ERR(from_excel_serial(2958466), Errc::invalid_input, HasSubstr("out of range"));
}

}  // namespace
}  // namespace bankrec::domain
