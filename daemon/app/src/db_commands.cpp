#include <CLI/CLI.hpp>
#include <iostream>

#include "bankrec/app/exit_code.h"
#include "store_context.h"

namespace bankrec::app {
namespace {

int run_check(const GlobalOptions& global) {
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  auto problems = (*ctx)->store->check();
  if (!problems) return report_error(problems.error());
  if (!problems->empty()) {
    for (const auto& p : *problems) std::cout << p << '\n';
    std::cerr << "bankrec: " << (*ctx)->paths.db.string() << ": error: database integrity check failed ("
              << problems->size() << " problems)\n";
    return kExitIntegrity;
  }
  std::cout << "database ok: " << (*ctx)->paths.db.string() << " (schema version "
            << (*ctx)->store->schema_version() << ", integrity_check ok, foreign keys ok)\n";
  return kExitOk;
}

int run_rekey(const GlobalOptions& global) {
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  const auto& where = (*ctx)->paths.db_key_where;
  if (!where.credentials_directory.empty() &&
      (*ctx)->db_key_file.parent_path() == std::filesystem::path(where.credentials_directory))
    return report_error(Error{Errc::invalid_input,
                              "the database key is a systemd credential, which bankrec cannot rewrite; point "
                              "BANKREC_DB_KEY_FILE at a key file to rotate it",
                              (*ctx)->db_key_file.string()});
  auto done = store::rotate_key(*(*ctx)->store, (*ctx)->db_key_file, cli_actor());
  if (!done) return report_error(done.error());
  std::cout << "database key rotated; new key in " << (*ctx)->db_key_file.string() << '\n';
  return kExitOk;
}

int run_backup(const std::string& dest, const GlobalOptions& global) {
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  auto key = store::load_secret_key((*ctx)->db_key_file);
  if (!key) return report_error(key.error());
  auto done = (*ctx)->store->backup(dest, *key, cli_actor());
  if (!done) return report_error(done.error());
  std::cout << "backup written: " << dest << " (encrypted with the database key)\n";
  return kExitOk;
}

}  // namespace

void add_db_commands(CLI::App& cli, CommandTable& table) {
  auto* db = cli.add_subcommand("db", "check, rekey or back up the encrypted database");
  db->require_subcommand(1);
  auto* check = db->add_subcommand("check", "integrity check of the encrypted database (exit 3 on failure)");
  table.push_back({check, [](const GlobalOptions& g) { return run_check(g); }});
  auto* rekey = db->add_subcommand("rekey", "rotate the database key without losing data");
  rekey->footer(
      "The new key is written to KEYFILE.new first and replaces KEYFILE only after PRAGMA rekey "
      "committed; an interrupted rotation is finished (or undone) by the next command that opens the "
      "database.");
  table.push_back({rekey, [](const GlobalOptions& g) { return run_rekey(g); }});
  auto dest = std::make_shared<std::string>();
  auto* backup = db->add_subcommand("backup", "consistent online backup, encrypted with the same key");
  backup->add_option("DEST", *dest, "backup file to create (must not exist)")->required();
  table.push_back({backup, [dest](const GlobalOptions& g) { return run_backup(*dest, g); }});
  table.push_back({db, [](const GlobalOptions&) { return int(kExitBadInput); }});
}

}  // namespace bankrec::app
