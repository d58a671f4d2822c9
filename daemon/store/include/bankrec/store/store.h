#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bankrec/base/bytes.h"
#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/store/audit_log.h"
#include "bankrec/store/database.h"
#include "bankrec/store/secret_key.h"

namespace bankrec::store {

/// The schema version this binary writes (PRAGMA user_version).
int latest_schema_version();

struct StoreOptions {
  OpenOptions open;
  AuditOptions audit;
};

/// The opened, migrated database with its audit log: what every command and the daemon work on.
class Store {
 public:
  /// Opens (creating only with options.open.create), applies pending migrations in one transaction
  /// and records them in the audit log. A database newer than this binary is refused.
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& path, const SecretKey& key,
                                             const SigningKey& signing_key, const Clock& clock,
                                             CheckpointSink* checkpoints, const StoreOptions& options = {});
  /// Unencrypted, for the plaintext benchmark comparison only.
  static Result<std::unique_ptr<Store>> open_plaintext(const std::filesystem::path& path,
                                                       const SigningKey& signing_key, const Clock& clock,
                                                       const StoreOptions& options = {});

  Database& db() { return *db_; }
  AuditLog& audit() { return *audit_; }
  const Clock& clock() const { return clock_; }
  int schema_version() const { return schema_version_; }

  /// Runs `fn` inside BEGIN IMMEDIATE ... COMMIT; checkpoints signed inside are published after
  /// the commit, or dropped when `fn` fails and everything rolls back.
  Result<void> write(const std::function<Result<void>()>& fn);
  /// Commits `transaction` and publishes the checkpoints made inside it.
  Result<void> commit(Transaction& transaction);

  /// PRAGMA integrity_check, cipher_integrity_check (when the library has it) and foreign_key_check;
  /// an empty list means the database is sound.
  Result<std::vector<std::string>> check();
  /// Consistent encrypted copy at `dest` (must not exist), written to a temporary name, fsynced and
  /// renamed; reopened with `key` to prove it. Recorded in the audit log.
  Result<void> backup(const std::filesystem::path& dest, const SecretKey& key, std::string_view actor);

 private:
  Store(std::unique_ptr<Database> db, const SigningKey& signing_key, const Clock& clock, CheckpointSink* sink,
        const StoreOptions& options);
  Result<void> migrate();

  std::unique_ptr<Database> db_;
  std::unique_ptr<AuditLog> audit_;
  const Clock& clock_;
  int schema_version_ = 0;
};

/// Opens the store with the key in `key_file`, completing an interrupted `db rekey`: when that key
/// fails and `key_file`.new opens the database, the new key file replaces the old one; when the old
/// key still works, a stale `.new` (the rekey never committed) is removed.
Result<std::unique_ptr<Store>> open_with_key_file(const std::filesystem::path& db_path,
                                                  const std::filesystem::path& key_file,
                                                  const SigningKey& signing_key, const Clock& clock,
                                                  CheckpointSink* checkpoints,
                                                  const StoreOptions& options = {});

/// Rotates the database key: a new random key is written to `key_file`.new (0600, fsynced), the
/// database re-encrypted with PRAGMA rekey, then `.new` renamed over `key_file`. A crash at any point
/// leaves a database that open_with_key_file() opens. Recorded in the audit log.
Result<void> rotate_key(Store& store, const std::filesystem::path& key_file, std::string_view actor);

/// Lower-case hex SHA-256 of the bytes (the file identity for idempotent imports).
std::string sha256_hex(Bytes bytes);

}  // namespace bankrec::store
