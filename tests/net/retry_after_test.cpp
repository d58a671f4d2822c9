#include "bankrec/testing/testing.h"
#include "bankrec/net/http_client.h"

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

}  // namespace
}  // namespace bankrec::net
