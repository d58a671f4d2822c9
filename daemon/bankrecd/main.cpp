#include "bankrec/app/cli.h"

int main(int argc, char** argv) { return bankrec::app::run_daemon(argc, argv); }
