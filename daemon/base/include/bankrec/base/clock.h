#pragma once

#include <chrono>

namespace bankrec {

/// The only way code reads the time, so tests can fix it (no system_clock::now() elsewhere).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

/// The real clock.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
  std::chrono::steady_clock::time_point steady_now() const override;
};

}  // namespace bankrec
