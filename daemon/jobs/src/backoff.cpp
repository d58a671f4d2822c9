#include "bankrec/jobs/backoff.h"

#include <algorithm>
#include <string>

#include "bankrec/base/text.h"
#include "bankrec/net/http_date.h"

namespace bankrec::jobs {

std::chrono::milliseconds Backoff::ceiling(std::int64_t attempt) const {
  using std::chrono::milliseconds;
  const milliseconds cap = policy_.cap;
  milliseconds bound = policy_.base;
  // Multiply step by step and stop at the cap: base * factor^(attempt-1) overflows quickly.
  for (std::int64_t i = 1; i < attempt && bound < cap; ++i) {
    if (policy_.factor <= 1) break;
    bound = bound * policy_.factor;
  }
  return std::min(bound, cap);
}

std::chrono::milliseconds Backoff::delay(std::int64_t attempt, std::optional<std::chrono::seconds> retry_after) {
  const auto bound = ceiling(std::max<std::int64_t>(attempt, 1));
  std::chrono::milliseconds chosen{0};
  {
    std::lock_guard lock(mutex_);
    std::uniform_int_distribution<std::int64_t> pick(0, bound.count());
    chosen = std::chrono::milliseconds(pick(rng_));
  }
  if (retry_after) {
    const std::chrono::milliseconds hint = std::clamp(*retry_after, std::chrono::seconds{0}, kMaxRetryAfter);
    chosen = std::max(chosen, hint);
  }
  return chosen;
}

// The HTTP-date is read by net's reader (the one behind net::parse_retry_after); unlike that one,
// this one caps instead of refusing, and says why a value is malformed.
Result<std::chrono::seconds> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  value = text::trim(value);
  if (value.empty() || value.size() > 64) return fail(Errc::invalid_input, "empty or overlong Retry-After value");
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return kMaxRetryAfter;  // more than ~31 years: bounded anyway
    return std::min(std::chrono::seconds(std::stoll(std::string(value))), kMaxRetryAfter);
  }
  const auto when = net::parse_http_date(value);
  if (!when)
    return fail(Errc::invalid_input, "invalid Retry-After value '" + std::string(value) +
                                         "' (expected seconds or an HTTP date such as 'Wed, 21 Oct 2015 07:28:00 GMT')");
  const auto delta = std::chrono::duration_cast<std::chrono::seconds>(*when - now);
  return std::clamp(delta, std::chrono::seconds{0}, kMaxRetryAfter);
}

}  // namespace bankrec::jobs
