#include "bankrec/jobs/backoff.h"

#include <date/date.h>

#include "bankrec/testing/testing.h"

namespace bankrec::jobs {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(Backoff, ceiling_grows_exponentially_up_to_the_cap) {
  const Backoff b({.base = 30s, .factor = 2, .cap = 3600s, .max_attempts = 8}, 1);
  EXPECT_EQ(b.ceiling(1), 30s);
  EXPECT_EQ(b.ceiling(2), 60s);
  EXPECT_EQ(b.ceiling(3), 120s);
  EXPECT_EQ(b.ceiling(7), 1920s);
  EXPECT_EQ(b.ceiling(8), 3600s);
  EXPECT_EQ(b.ceiling(1000), 3600s);  // no overflow
  const Backoff flat({.base = 10s, .factor = 1, .cap = 60s, .max_attempts = 3}, 1);
  EXPECT_EQ(flat.ceiling(50), 10s);
}

// Full jitter: every delay lies in [0, ceiling], and they spread over the whole range.
TEST(Backoff, full_jitter_stays_in_range_and_spreads) {
  Backoff b({.base = 30s, .factor = 2, .cap = 3600s, .max_attempts = 8}, 42);
  std::chrono::milliseconds lo = 1h, hi = 0ms;
  for (int i = 0; i < 2000; ++i) {
    const auto d = b.delay(3);
    ASSERT_GE(d, 0ms);
    ASSERT_LE(d, 120s);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, 10s);
  EXPECT_GT(hi, 110s);
}

TEST(Backoff, same_seed_same_delays) {
  Backoff a({}, 7), b({}, 7), c({}, 8);
  std::vector<std::int64_t> da, db, dc;
  for (int i = 1; i <= 5; ++i) {
    da.push_back(a.delay(i).count());
    db.push_back(b.delay(i).count());
    dc.push_back(c.delay(i).count());
  }
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
}

TEST(Backoff, retry_after_is_a_lower_bound_and_bounded) {
  Backoff b({.base = 1s, .factor = 2, .cap = 10s, .max_attempts = 3}, 3);
  for (int i = 0; i < 100; ++i) EXPECT_GE(b.delay(1, 120s), 120s);
  EXPECT_EQ(b.delay(1, std::chrono::seconds(100 * 24 * 3600)), kMaxRetryAfter);
}

TEST(ParseRetryAfter, seconds_and_http_dates) {
  const auto now = date::sys_days{date::year{2015} / 10 / 21} + 7h + 27min;
  EXPECT_EQ(*parse_retry_after("120", now), 120s);
  EXPECT_EQ(*parse_retry_after(" 0 ", now), 0s);
  EXPECT_EQ(*parse_retry_after("99999999999", now), kMaxRetryAfter);
  EXPECT_EQ(*parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), 60s);
  EXPECT_EQ(*parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), 0s);  // in the past
  EXPECT_EQ(*parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", now), 60s);  // net's HTTP-date reader
  EXPECT_ERR(parse_retry_after("soon", now), Errc::invalid_input, HasSubstr("invalid Retry-After value 'soon'"));
  EXPECT_ERR(parse_retry_after("-5", now), Errc::invalid_input, HasSubstr("invalid Retry-After"));
  EXPECT_ERR(parse_retry_after("", now), Errc::invalid_input, HasSubstr("empty"));
}

}  // namespace
}  // namespace bankrec::jobs
