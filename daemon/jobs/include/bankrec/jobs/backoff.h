#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>

#include "bankrec/base/result.h"

/// Retry timing for failed jobs: exponential backoff with full jitter, then the dead-letter queue.
namespace bankrec::jobs {

/// retry.* in bankrec.yaml.
struct RetryPolicy {
  std::chrono::seconds base{30};
  std::uint32_t factor = 2;
  std::chrono::seconds cap{3600};
  std::uint32_t max_attempts = 8;  //!< attempts in all, the first included
};

/// A server's Retry-After hint is honoured up to this long (a broken server must not park a job for years).
inline constexpr std::chrono::seconds kMaxRetryAfter{7 * 24 * 3600};

/// "Full jitter" (Brooker, AWS Architecture Blog, "Exponential Backoff And Jitter", 2015): the delay
/// after failed attempt n is uniform in [0, min(cap, base * factor^(n-1))], which spreads retries of
/// many jobs that failed together. Thread-safe; the random source is seeded by the caller (tests fix it).
class Backoff {
 public:
  Backoff(RetryPolicy policy, std::uint64_t seed) : policy_(policy), rng_(seed) {}

  /// The upper bound of the delay after failed attempt `attempt` (1-based).
  std::chrono::milliseconds ceiling(std::int64_t attempt) const;
  /// A random delay in [0, ceiling(attempt)], at least `retry_after` (capped at kMaxRetryAfter).
  std::chrono::milliseconds delay(std::int64_t attempt, std::optional<std::chrono::seconds> retry_after = {});
  const RetryPolicy& policy() const { return policy_; }

 private:
  RetryPolicy policy_;
  std::mutex mutex_;
  std::mt19937_64 rng_;
};

/// An HTTP Retry-After value (RFC 9110 §10.2.3): delta-seconds ("120") or an HTTP-date
/// ("Wed, 21 Oct 2015 07:28:00 GMT", relative to `now`; a date in the past is 0 s).
Result<std::chrono::seconds> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace bankrec::jobs
