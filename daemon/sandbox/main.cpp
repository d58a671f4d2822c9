#include "bankrec/app/cli.h"

int main(int argc, char** argv) { return bankrec::app::run_sandbox(argc, argv); }
