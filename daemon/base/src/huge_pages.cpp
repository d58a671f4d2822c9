#include "bankrec/base/huge_pages.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#if defined(__linux__)
#include <unistd.h>
#endif

namespace bankrec::base {
namespace {

constexpr const char* kTunables = "GLIBC_TUNABLES";
constexpr const char* kSwitch = "BANKREC_MALLOC_HUGE_PAGES";  // "off": never; "started": set by us
constexpr std::string_view kStarted = "started";

bool kernel_offers_huge_pages() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  if (!in || !std::getline(in, modes)) return false;
  return modes.find("[never]") == std::string::npos;
}

bool under_valgrind() {
  const char* preload = std::getenv("LD_PRELOAD");
  return preload != nullptr && (std::string_view(preload).find("vgpreload") != std::string_view::npos ||
                                std::string_view(preload).find("valgrind") != std::string_view::npos);
}

}  // namespace

void use_malloc_huge_pages(char** argv) {
#if defined(__linux__)
  if (const char* state = std::getenv(kSwitch)) {
    if (std::string_view(state) == kStarted) {  // the second start: glibc has read the tunable
      ::unsetenv(kTunables);
      ::unsetenv(kSwitch);
    }
    return;
  }
  if (argv == nullptr || argv[0] == nullptr || std::getenv(kTunables) != nullptr || under_valgrind() ||
      !kernel_offers_huge_pages())
    return;
  if (::setenv(kTunables, "glibc.malloc.hugetlb=1", 1) != 0) return;
  if (::setenv(kSwitch, kStarted.data(), 1) != 0) {
    ::unsetenv(kTunables);
    return;
  }
  ::execv("/proc/self/exe", argv);
  ::unsetenv(kTunables);  // the exec failed: go on as we are
  ::unsetenv(kSwitch);
#else
  (void)argv;
#endif
}

}  // namespace bankrec::base
