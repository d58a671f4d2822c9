#pragma once

#include <chrono>

#include "bankrec/base/clock.h"

namespace bankrec::net::testing {

/// 2026-11-22 09:00:00 UTC, standing still (the steady clock too), unless advanced.
class FixedClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return now_; }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point(now_.time_since_epoch());
  }
  void advance(std::chrono::system_clock::duration d) { now_ += d; }

 private:
  std::chrono::system_clock::time_point now_ =
      std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + std::chrono::hours{9};
};

}  // namespace bankrec::net::testing
