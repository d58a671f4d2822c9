#include "bankrec/app/cli.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "bankrec/app/exit_code.h"
#include "commands.h"
#include "sandbox/run.h"

namespace bankrec::app {

const char* version() { return BANKREC_VERSION; }

int run_cli(int argc, char** argv) {
  CLI::App cli{"bankrec: bank statement collection, parsing and reconciliation", "bankrec"};
  cli.set_version_flag("--version", std::string("bankrec ") + version());
  cli.require_subcommand(0, 1);
  cli.fallthrough();
  GlobalOptions global;
  cli.add_option("--data-dir", global.data_dir, "data directory (env BANKREC_DATA_DIR, default /var/lib/bankrec)")
      ->envname("BANKREC_DATA_DIR");
  auto* config_option = cli.add_option("--config", global.config, "config file (env BANKREC_CONFIG, default /etc/bankrec/bankrec.yaml)")
      ->envname("BANKREC_CONFIG");

  CommandTable commands;
  add_parse_commands(cli, commands);
  add_store_commands(cli, commands);
  add_reconcile_commands(cli, commands);
  add_config_commands(cli, commands);
  add_jobs_commands(cli, commands);
  add_connector_commands(cli, commands);
  add_user_commands(cli, commands);
  add_profile_commands(cli, commands);

  std::vector<std::string> help_topic;
  auto* help = cli.add_subcommand("help", "show help for bankrec or one of its commands");
  help->add_option("command", help_topic, "command to explain");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }

  if (*help) {
    if (help_topic.empty()) {
      // cli.help() would describe the selected subcommand ("help") instead of bankrec itself.
      std::cout << cli.get_formatter()->make_help(&cli, "bankrec", CLI::AppFormatMode::Normal);
      return kExitOk;
    }
    for (auto* sub : cli.get_subcommands({})) {
      if (sub->get_name() == help_topic.front()) {
        std::cout << sub->get_formatter()->make_help(sub, "bankrec " + sub->get_name(), CLI::AppFormatMode::Normal);
        return kExitOk;
      }
    }
    std::cerr << "bankrec: error: unknown command '" << help_topic.front() << "' (see 'bankrec help')\n";
    return kExitBadInput;
  }
  global.config_given = config_option->count() > 0 || std::getenv("BANKREC_CONFIG") != nullptr;
  for (const auto& command : commands)
    if (command.app->parsed()) return command.run(global);
  std::cout << cli.help();
  return kExitOk;
}

int run_sandbox(int argc, char** argv) { return sandbox::run(argc, argv); }

}  // namespace bankrec::app
