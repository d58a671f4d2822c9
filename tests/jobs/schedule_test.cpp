// Schedules in named zones, including both daylight-saving transitions (Europe/Berlin 2026:
// 29 March 02:00 CET -> 03:00 CEST, 25 October 03:00 CEST -> 02:00 CET).
#include <date/date.h>

#include "bankrec/jobs/scheduler.h"
#include "bankrec/testing/testing.h"

namespace bankrec::jobs {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TimePoint utc(int y, unsigned m, unsigned d, int hh, int mm, int ss = 0) {
  return date::sys_days{date::year{y} / m / d} + std::chrono::hours{hh} + std::chrono::minutes{mm} +
         std::chrono::seconds{ss};
}

std::string text(TimePoint t) { return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(t)); }

Schedule parse(std::string_view s) {
  auto r = Schedule::parse(s);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().describe());
  return r ? *r : *Schedule::parse("every 1m");
}

TEST(Schedule, every_is_aligned_to_the_period) {
  const Schedule s = parse("every 15m");
  EXPECT_EQ(text(*s.next_after(utc(2026, 11, 22, 9, 0))), "2026-11-22T09:15:00Z");
  EXPECT_EQ(text(*s.next_after(utc(2026, 11, 22, 9, 14, 59))), "2026-11-22T09:15:00Z");
  EXPECT_EQ(text(*parse("every 30s").next_after(utc(2026, 11, 22, 9, 0, 10))), "2026-11-22T09:00:30Z");
  EXPECT_EQ(text(*parse("every 2h").next_after(utc(2026, 11, 22, 9, 0))), "2026-11-22T10:00:00Z");
}

TEST(Schedule, daily_in_a_zone) {
  const Schedule s = parse("daily 06:00 Europe/Berlin");
  // Winter: CET = UTC+1.
  EXPECT_EQ(text(*s.next_after(utc(2026, 11, 22, 4, 0))), "2026-11-22T05:00:00Z");
  EXPECT_EQ(text(*s.next_after(utc(2026, 11, 22, 5, 0))), "2026-11-23T05:00:00Z");
  // Summer: CEST = UTC+2.
  EXPECT_EQ(text(*s.next_after(utc(2026, 7, 1, 12, 0))), "2026-07-02T04:00:00Z");
  EXPECT_EQ(text(*parse("daily 23:30").next_after(utc(2026, 11, 22, 23, 31))), "2026-11-23T23:30:00Z");
}

TEST(Schedule, daily_time_in_the_spring_forward_gap_runs_when_clocks_jump) {
  const Schedule s = parse("daily 02:30 Europe/Berlin");
  // 29 March 2026 has no 02:30 in Berlin: it runs at 03:00 CEST = 01:00 UTC, once.
  EXPECT_EQ(text(*s.next_after(utc(2026, 3, 28, 12, 0))), "2026-03-29T01:00:00Z");
  EXPECT_EQ(text(*s.next_after(utc(2026, 3, 29, 1, 0))), "2026-03-30T00:30:00Z");
}

TEST(Schedule, daily_time_in_the_fall_back_overlap_runs_once) {
  const Schedule s = parse("daily 02:30 Europe/Berlin");
  // 25 October 2026: 02:30 happens at 00:30 UTC (CEST) and 01:30 UTC (CET); only the first.
  EXPECT_EQ(text(*s.next_after(utc(2026, 10, 24, 12, 0))), "2026-10-25T00:30:00Z");
  EXPECT_EQ(text(*s.next_after(utc(2026, 10, 25, 0, 30))), "2026-10-26T01:30:00Z");
  EXPECT_EQ(text(*s.next_after(utc(2026, 10, 25, 1, 0))), "2026-10-26T01:30:00Z");  // inside the second 02:xx
}

TEST(Schedule, cron_fields) {
  const Schedule weekdays = parse("0 6 * * 1-5 Europe/Berlin");
  // Friday 2026-11-20 06:00 CET has passed; the next is Monday the 23rd.
  EXPECT_EQ(text(*weekdays.next_after(utc(2026, 11, 20, 6, 0))), "2026-11-23T05:00:00Z");
  const Schedule quarter = parse("*/15 9-17 * * *");
  EXPECT_EQ(text(*quarter.next_after(utc(2026, 11, 22, 9, 7))), "2026-11-22T09:15:00Z");
  EXPECT_EQ(text(*quarter.next_after(utc(2026, 11, 22, 17, 45))), "2026-11-23T09:00:00Z");
  const Schedule list = parse("5,35 0 1 1,7 *");
  EXPECT_EQ(text(*list.next_after(utc(2026, 1, 1, 0, 5))), "2026-01-01T00:35:00Z");
  EXPECT_EQ(text(*list.next_after(utc(2026, 1, 1, 0, 35))), "2026-07-01T00:05:00Z");
  EXPECT_EQ(text(*parse("0 0 * * 7").next_after(utc(2026, 11, 22, 0, 0))), "2026-11-29T00:00:00Z");  // 7 = Sunday
  // Both day fields restricted: either matches (the 13th, or any Friday).
  const Schedule either = parse("0 12 13 * 5");
  EXPECT_EQ(text(*either.next_after(utc(2026, 11, 10, 0, 0))), "2026-11-13T12:00:00Z");
  EXPECT_EQ(text(*either.next_after(utc(2026, 11, 13, 12, 0))), "2026-11-20T12:00:00Z");
  // Leap day.
  EXPECT_EQ(text(*parse("0 0 29 2 *").next_after(utc(2026, 3, 1, 0, 0))), "2028-02-29T00:00:00Z");
  EXPECT_FALSE(parse("0 0 31 2 *").next_after(utc(2026, 3, 1, 0, 0)).has_value());
}

TEST(Schedule, cron_across_both_dst_transitions) {
  const Schedule hourly = parse("30 * * * * Europe/Berlin");
  // Spring: 01:30 CET (00:30Z), then 02:30 does not exist -> the jump (01:00Z), then 03:30 CEST (01:30Z).
  EXPECT_EQ(text(*hourly.next_after(utc(2026, 3, 29, 0, 0))), "2026-03-29T00:30:00Z");
  EXPECT_EQ(text(*hourly.next_after(utc(2026, 3, 29, 0, 30))), "2026-03-29T01:00:00Z");
  EXPECT_EQ(text(*hourly.next_after(utc(2026, 3, 29, 1, 0))), "2026-03-29T01:30:00Z");
  // Autumn: 02:30 CEST (00:30Z) runs; the repeated 02:30 CET (01:30Z) does not; 03:30 CET (02:30Z) does.
  EXPECT_EQ(text(*hourly.next_after(utc(2026, 10, 25, 0, 0))), "2026-10-25T00:30:00Z");
  EXPECT_EQ(text(*hourly.next_after(utc(2026, 10, 25, 0, 30))), "2026-10-25T02:30:00Z");
}

TEST(Schedule, rejects_bad_text_with_the_reason) {
  const struct {
    const char* text;
    const char* why;
  } cases[] = {
      {"", "empty"},
      {"every", "one period"},
      {"every 0m", "period must be"},
      {"every 15x", "period must be"},
      {"every 8d", "at most 7 days"},
      {"daily 6:00", "HH:MM"},
      {"daily 24:00", "HH:MM"},
      {"daily 06:00 Mars/Olympus", "unknown time zone 'Mars/Olympus'"},
      {"60 * * * *", "outside 0-59"},
      {"* * * *", "5 fields"},
      {"*/0 * * * *", "invalid step"},
      {"5-1 * * * *", "outside"},
      {"* * 0 * *", "outside 1-31"},
  };
  for (const auto& c : cases) {
    const auto r = Schedule::parse(c.text);
    ASSERT_FALSE(r.has_value()) << c.text;
    EXPECT_THAT(r.error().message, HasSubstr(c.why)) << c.text;
  }
}

}  // namespace
}  // namespace bankrec::jobs
