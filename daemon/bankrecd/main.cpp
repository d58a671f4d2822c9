#include "bankrec/app/cli.h"
#include "bankrec/base/huge_pages.h"

int main(int argc, char** argv) {
  bankrec::base::use_malloc_huge_pages(argv);
  return bankrec::app::run_daemon(argc, argv);
}
