#pragma once

/// Bugs are not errors: these abort with file:line. Never use them on user or bank input.

namespace bankrec::detail {
[[noreturn]] void check_failed(const char* file, int line, const char* condition, const char* why) noexcept;
}  // namespace bankrec::detail

#define BANKREC_CHECK(cond, why)                                       \
  do {                                                                 \
    if (!(cond)) ::bankrec::detail::check_failed(__FILE__, __LINE__, #cond, why); \
  } while (false)

#ifdef NDEBUG
#define BANKREC_DCHECK(cond, why) \
  do {                            \
  } while (false)
#else
#define BANKREC_DCHECK(cond, why) BANKREC_CHECK(cond, why)
#endif

#define BANKREC_UNREACHABLE(why) ::bankrec::detail::check_failed(__FILE__, __LINE__, "unreachable", why)
