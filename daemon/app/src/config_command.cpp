#include <CLI/CLI.hpp>
#include <iostream>

#include "bankrec/app/exit_code.h"
#include "commands.h"
#include "config.h"

namespace bankrec::app {

void add_config_commands(CLI::App& cli, CommandTable& table) {
  auto* config = cli.add_subcommand("config", "inspect the configuration");
  auto* check = config->add_subcommand("check", "validate the config file and print it with secrets redacted");
  table.push_back({check, [](const GlobalOptions& global) {
                     auto cfg = load_config(global.config, /*required=*/global.config_given);
                     if (!cfg) {
                       std::cerr << format_cli_error(cfg.error()) << '\n';
                       return exit_code_for(cfg.error());
                     }
                     std::cout << "# " << cfg->source << ": valid\n" << redacted_dump(*cfg);
                     return static_cast<int>(kExitOk);
                   }});
}

}  // namespace bankrec::app
