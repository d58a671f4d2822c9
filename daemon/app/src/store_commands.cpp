#include <CLI/CLI.hpp>

#include "commands.h"

namespace bankrec::app {

// The store commands register here (contracts/cli.md); they arrive with their issue.
void add_store_commands(CLI::App& cli, CommandTable& table) {
  (void)cli;
  (void)table;
}

}  // namespace bankrec::app
