// Started by huge_pages_test.cpp: calls use_malloc_huge_pages() as the executables do and prints
// what the process started with (/proc/self/environ) and what it passes on (getenv).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "bankrec/base/huge_pages.h"

int main(int, char** argv) {
  bankrec::base::use_malloc_huge_pages(argv);
  std::ifstream in("/proc/self/environ", std::ios::binary);
  const std::string environ_text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::string wanted = std::string("GLIBC_TUNABLES=glibc.malloc.hugetlb=1") + '\0';
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  std::printf("started_with_tunable=%d passes_on=%s switch=%s\n",
              environ_text.find(wanted) != std::string::npos ? 1 : 0, tunables ? tunables : "-",
              std::getenv("BANKREC_MALLOC_HUGE_PAGES") ? std::getenv("BANKREC_MALLOC_HUGE_PAGES") : "-");
  return 0;
}
