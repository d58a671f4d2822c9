// `bankrec profiles list [--dir DIR]`: loads the bank profiles the way bankrecd does (profiles_dir of
// the config, default /etc/bankrec/profiles), which validates every file, and lists them.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "bankrec/app/exit_code.h"
#include "bankrec/formats/profile.h"
#include "commands.h"
#include "config.h"

namespace bankrec::app {
namespace {

struct ProfilesListCommand {
  std::string dir;  ///< overrides the config's profiles_dir
};

int run_profiles_list(const ProfilesListCommand& cmd, const GlobalOptions& global) {
  std::string dir = cmd.dir;
  if (dir.empty()) {
    const auto config = load_config(global.config, global.config_given);
    if (!config) {
      std::cerr << format_cli_error(config.error()) << '\n';
      return kExitBadInput;
    }
    dir = config->profiles_dir;
  }
  const auto set = formats::ProfileSet::load_directory(dir);
  if (!set) {
    std::cerr << format_cli_error(set.error()) << '\n';
    return kExitBadInput;
  }
  const auto profiles = set->list();
  if (profiles.empty()) {
    std::cout << "no bank profiles in " << dir << '\n';
    return kExitOk;
  }
  for (const auto& p : profiles)
    std::cout << p.name << '\t' << p.kind << '\t' << p.path << '\t' << p.description << '\n';
  return kExitOk;
}

}  // namespace

void add_profile_commands(CLI::App& cli, CommandTable& table) {
  auto* profiles = cli.add_subcommand("profiles", "bank profiles for CSV, XLS, XLSX, XML and PDF files");
  profiles->require_subcommand(1);
  auto cmd = std::make_shared<ProfilesListCommand>();
  auto* list = profiles->add_subcommand("list", "validate and list the bank profiles (name, kind, file, description)");
  list->add_option("--dir", cmd->dir, "profiles directory (default: profiles_dir of the config, /etc/bankrec/profiles)");
  table.push_back({list, [cmd](const GlobalOptions& global) { return run_profiles_list(*cmd, global); }});
}

}  // namespace bankrec::app
