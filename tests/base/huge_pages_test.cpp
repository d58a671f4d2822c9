// use_malloc_huge_pages(): the executables start again once with glibc's huge-page tunable, leave
// an admin's own GLIBC_TUNABLES alone, can be switched off, and pass nothing on to children.
#include "bankrec/base/huge_pages.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

bool kernel_offers_huge_pages() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  return in && std::getline(in, modes) && modes.find("[never]") == std::string::npos;
}

/// The probe's one line of output, started through `env -i` with only `vars` set.
std::string run_probe(const std::string& vars) {
  const std::string command = "env -i " + vars + " " + BANKREC_HUGE_PAGES_PROBE;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return "popen failed";
  std::array<char, 512> buffer{};
  std::string out;
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), p) != nullptr) out += buffer.data();
  const int status = ::pclose(p);
  if (status != 0) out += " exit=" + std::to_string(status);
  return out;
}

TEST(HugePages, the_process_starts_again_with_the_tunable_and_passes_nothing_on) {
  if (!kernel_offers_huge_pages()) GTEST_SKIP() << "transparent huge pages are off on this kernel";
  EXPECT_EQ(run_probe("PATH=/usr/bin:/bin"), "started_with_tunable=1 passes_on=- switch=-\n");
}

TEST(HugePages, an_admins_own_tunables_are_left_alone) {
  EXPECT_EQ(run_probe("GLIBC_TUNABLES=glibc.malloc.check=0"),
            "started_with_tunable=0 passes_on=glibc.malloc.check=0 switch=-\n");
}

TEST(HugePages, can_be_switched_off) {
  EXPECT_EQ(run_probe("BANKREC_MALLOC_HUGE_PAGES=off"), "started_with_tunable=0 passes_on=- switch=off\n");
}

}  // namespace
