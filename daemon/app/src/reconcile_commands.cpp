#include <CLI/CLI.hpp>

#include "commands.h"

namespace bankrec::app {

// The reconcile commands register here (contracts/cli.md); they arrive with their issue.
void add_reconcile_commands(CLI::App& cli, CommandTable& table) {
  (void)cli;
  (void)table;
}

}  // namespace bankrec::app
