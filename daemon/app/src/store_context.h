#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/store/store.h"
#include "commands.h"

namespace bankrec::app {

/// Where the database and its keys are for one command (contracts/cli.md, "Where data lives").
struct StorePaths {
  std::filesystem::path data_dir;
  std::filesystem::path db;          //!< DATA_DIR/bankrec.db
  store::KeyLocations db_key_where;  //!< $CREDENTIALS_DIRECTORY/db.key, BANKREC_DB_KEY_FILE, DATA_DIR/db.key
  store::KeyLocations audit_key_where;  //!< the same places, audit.key, BANKREC_AUDIT_KEY_FILE
};
StorePaths store_paths(const GlobalOptions& global);

/// Checkpoints go to journald with structured fields (BANKREC_AUDIT_SEQ, _HASH, _SIGNATURE) so that
/// an outside record exists even if the database is rolled back; without a journal (not under
/// systemd, containers) they go to stderr instead of being lost.
class JournaldCheckpointSink final : public store::CheckpointSink {
 public:
  void publish(const store::Checkpoint& checkpoint) override;

 private:
  store::StderrCheckpointSink fallback_;
};

/// An opened store with everything it borrows (clock, signing key, checkpoint sink).
struct StoreContext {
  StorePaths paths;
  std::filesystem::path db_key_file;
  SystemClock clock;
  JournaldCheckpointSink checkpoints;
  std::optional<store::SigningKey> signing_key;
  std::unique_ptr<store::Store> store;
};

/// `bankrec init`: creates the data dir, both keys, the database and the first audit entry;
/// idempotent (keys and database are kept). bankrecd calls it on an empty data dir too.
Result<void> run_init(const GlobalOptions& global);

/// Loads both keys and opens the existing database (finishing an interrupted rekey).
Result<std::unique_ptr<StoreContext>> open_store_context(const GlobalOptions& global);

/// "cli:<login>" for the audit log.
std::string cli_actor();

/// Prints the error as contracts/cli.md says and returns its exit code.
int report_error(const Error& error);

}  // namespace bankrec::app

namespace bankrec::app {
void add_audit_commands(CLI::App& cli, CommandTable& table);  // audit_commands.cpp
void add_db_commands(CLI::App& cli, CommandTable& table);     // db_commands.cpp
}  // namespace bankrec::app
