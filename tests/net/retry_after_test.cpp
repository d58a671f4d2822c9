#include "bankrec/testing/testing.h"
#include "bankrec/net/http_client.h"
#include "bankrec/net/http_date.h"

namespace bankrec::net {
namespace {

using namespace std::chrono;

TEST(RetryAfter, parses_seconds_and_http_dates) {
  const auto now = sys_days{year{2026} / 11 / 22} + hours{9};
  struct Case {
    const char* description;
    const char* value;
    std::optional<seconds> expected;
  } cases[] = {
      {"delta seconds", "120", seconds{120}},
      {"zero", "0", seconds{0}},
      {"spaces", "  30 ", seconds{30}},
      {"imf-fixdate", "Sun, 22 Nov 2026 09:01:30 GMT", seconds{90}},
      {"rfc 850", "Sunday, 22-Nov-26 09:00:10 GMT", seconds{10}},
      {"asctime", "Sun Nov 22 09:00:05 2026", seconds{5}},
      {"date in the past", "Sat, 21 Nov 2026 09:00:00 GMT", seconds{0}},
      {"negative", "-5", std::nullopt},
      {"fraction", "1.5", std::nullopt},
      {"garbage", "soon", std::nullopt},
      {"absurd", "99999999999", std::nullopt},
      {"too far", "Sun, 22 Nov 2027 09:00:00 GMT", std::nullopt},
      {"bad day", "Sun, 31 Feb 2026 09:00:00 GMT", std::nullopt},
      {"bad time", "Sun, 22 Nov 2026 25:00:00 GMT", std::nullopt},
      {"empty", "", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_retry_after(c.value, now), c.expected) << c.description;
}

TEST(HttpDate, reads_the_three_forms_of_rfc_9110_and_refuses_the_rest) {
  const auto when = sys_days{year{1994} / 11 / 6} + hours{8} + minutes{49} + seconds{37};
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), when);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), when);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), when);
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), std::nullopt);
  EXPECT_EQ(parse_http_date("Sun, 30 Feb 1994 08:49:37 GMT"), std::nullopt);
  EXPECT_EQ(parse_http_date("120"), std::nullopt);
  EXPECT_EQ(parse_http_date(""), std::nullopt);
}

}  // namespace
}  // namespace bankrec::net
