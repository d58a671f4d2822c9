#include "bankrec/base/check.h"

#include <cstdio>
#include <cstdlib>

#include "bankrec/base/result.h"

void bankrec::detail::check_failed(const char* file, int line, const char* condition, const char* why) noexcept {
  std::fprintf(stderr, "bankrec: internal check failed at %s:%d: %s (%s)\n", file, line, condition, why);
  std::abort();
}

const char* bankrec::errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_input: return "invalid_input";
    case Errc::not_found: return "not_found";
    case Errc::conflict: return "conflict";
    case Errc::permission_denied: return "permission_denied";
    case Errc::unavailable: return "unavailable";
    case Errc::internal: return "internal";
  }
  return "internal";
}
