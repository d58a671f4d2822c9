#include "bankrec/base/clock.h"

std::chrono::system_clock::time_point bankrec::SystemClock::now() const {
  return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point bankrec::SystemClock::steady_now() const {
  return std::chrono::steady_clock::now();
}
