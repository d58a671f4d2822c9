#pragma once

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

/// Each `bankrec` command lives in its own src/*_command.cpp and registers itself through an
/// add_*_commands() function listed in cli.cpp.
namespace bankrec::app {

struct GlobalOptions {
  std::string data_dir = "/var/lib/bankrec";
  std::string config = "/etc/bankrec/bankrec.yaml";
  bool config_given = false;  ///< --config or BANKREC_CONFIG was set: the file must then exist
};

/// A registered (sub)command: when `app` was given on the command line, `run` is called.
struct CommandEntry {
  CLI::App* app = nullptr;
  std::function<int(const GlobalOptions&)> run;
};
using CommandTable = std::vector<CommandEntry>;

void add_parse_commands(CLI::App& cli, CommandTable& table);      // parse_command.cpp
void add_store_commands(CLI::App& cli, CommandTable& table);      // store_commands.cpp
void add_reconcile_commands(CLI::App& cli, CommandTable& table);  // reconcile_commands.cpp
void add_config_commands(CLI::App& cli, CommandTable& table);     // config_command.cpp
void add_jobs_commands(CLI::App& cli, CommandTable& table);     // jobs_commands.cpp
void add_connector_commands(CLI::App& cli, CommandTable& table);  // connector_commands.cpp
void add_user_commands(CLI::App& cli, CommandTable& table);     // user_commands.cpp
void add_profile_commands(CLI::App& cli, CommandTable& table);  // profile_commands.cpp

}  // namespace bankrec::app
