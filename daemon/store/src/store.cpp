#include "bankrec/store/store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <cstdio>

#include "bankrec/base/check.h"
#include "hex.h"
#include "schema.h"
#include "sodium_init.h"

namespace bankrec::store {
namespace {

void fsync_path(const std::filesystem::path& path, bool directory) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::filesystem::path parent_or_dot(const std::filesystem::path& p) {
  return p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
}

}  // namespace

int latest_schema_version() { return migrations().back().version; }

std::string sha256_hex(Bytes bytes) {
  // OpenSSL's SHA-256 uses the CPU's SHA extensions (SHA-NI/AVX2): about 8x libsodium's portable
  // code, which was 5 % of a 100 MB import. Same digest, so stored file hashes stay valid.
  std::array<unsigned char, 32> out{};
  unsigned int size = 0;
  const bool done = EVP_Digest(bytes.data(), bytes.size(), out.data(), &size, EVP_sha256(), nullptr) == 1;
  BANKREC_CHECK(done && size == out.size(), "SHA-256 failed (out of memory?)");
  return to_hex(out);
}

Store::Store(std::unique_ptr<Database> db, const SigningKey& signing_key, const Clock& clock,
             CheckpointSink* sink, const StoreOptions& options)
    : db_(std::move(db)), clock_(clock) {
  audit_ = std::make_unique<AuditLog>(*db_, clock, signing_key, sink, options.audit);
}

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& path, const SecretKey& key,
                                           const SigningKey& signing_key, const Clock& clock,
                                           CheckpointSink* checkpoints, const StoreOptions& options) {
  auto db = BANKREC_TRY(Database::open(path, key, options.open));
  std::unique_ptr<Store> store(new Store(std::move(db), signing_key, clock, checkpoints, options));
  BANKREC_TRY(store->migrate());
  return store;
}

Result<std::unique_ptr<Store>> Store::open_plaintext(const std::filesystem::path& path,
                                                     const SigningKey& signing_key, const Clock& clock,
                                                     const StoreOptions& options) {
  auto db = BANKREC_TRY(Database::open_plaintext(path, options.open));
  std::unique_ptr<Store> store(new Store(std::move(db), signing_key, clock, nullptr, options));
  BANKREC_TRY(store->migrate());
  return store;
}

Result<void> Store::migrate() {
  const int latest = latest_schema_version();
  const auto current = static_cast<int>(BANKREC_TRY(db_->query_int("PRAGMA user_version")));
  schema_version_ = current;
  if (current > latest)
    return fail(Errc::invalid_input,
                "database schema version " + std::to_string(current) +
                    " is newer than this bankrec supports (" + std::to_string(latest) +
                    "); use the bankrec version that wrote it or a newer one",
                db_->path().string());
  if (current == latest) return ok();
  BANKREC_TRY(write([&]() -> Result<void> {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    // One audit entry per run, listing every step applied (a new database gets them all at once).
    const auto now = static_cast<int>(BANKREC_TRY(db_->query_int("PRAGMA user_version")));
    std::string steps;
    for (const Migration& m : migrations()) {
      if (m.version <= now) continue;
      BANKREC_TRY(db_->exec(m.sql));
      BANKREC_TRY(db_->exec("PRAGMA user_version = " + std::to_string(m.version)));
      steps += std::string(steps.empty() ? "" : ",") + "{\"version\":" + std::to_string(m.version) +
               ",\"summary\":\"" + std::string(m.summary) + "\"}";
    }
    if (steps.empty()) return ok();
    BANKREC_TRY(audit_->append({"system", "schema.migrate", "database", "schema",
                                "{\"from\":" + std::to_string(now) + ",\"to\":" + std::to_string(latest) +
                                    ",\"steps\":[" + steps + "]}"}));
    return ok();
  }));
  schema_version_ = latest;
  return ok();
}

Result<void> Store::write(const std::function<Result<void>()>& fn) {
  auto transaction = BANKREC_TRY(Transaction::begin(*db_));
  auto done = fn();
  if (!done) {
    transaction.rollback();
    audit_->discard_pending();
    return done;
  }
  return commit(transaction);
}

Result<void> Store::commit(Transaction& transaction) {
  auto committed = transaction.commit();
  if (!committed) {
    audit_->discard_pending();
    return committed;
  }
  audit_->publish_pending();
  return ok();
}

Result<std::vector<std::string>> Store::check() {
  std::vector<std::string> problems;
  for (auto& row : BANKREC_TRY(db_->query_texts("PRAGMA integrity_check")))
    if (row != "ok") problems.push_back("integrity_check: " + row);
  // SQLCipher 4 verifies every page's HMAC here; 3.4.1 does not know the pragma and returns no rows.
  for (auto& row : BANKREC_TRY(db_->query_texts("PRAGMA cipher_integrity_check")))
    problems.push_back("cipher_integrity_check: " + row);
  for (auto& row : BANKREC_TRY(db_->query_texts("PRAGMA foreign_key_check")))
    problems.push_back("foreign_key_check: violation in table " + row);
  return problems;
}

Result<void> Store::backup(const std::filesystem::path& dest, const SecretKey& key, std::string_view actor) {
  std::error_code ec;
  if (std::filesystem::exists(dest, ec))
    return fail(Errc::invalid_input, "backup destination exists; refusing to overwrite it", dest.string());
  const std::filesystem::path partial = dest.string() + ".partial";
  std::filesystem::remove(partial, ec);
  // An empty file is a new database to SQLite; creating it here gives it mode 0600 and lets ATTACH
  // work on a connection opened without SQLITE_OPEN_CREATE.
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail(Errc::permission_denied, "cannot create the backup file", partial.string());
  ::close(fd);
  auto exported = db_->export_to(partial, key);
  if (!exported) {
    std::filesystem::remove(partial, ec);
    return exported;
  }
  {
    auto probe = Database::open(partial, key);
    if (!probe) {
      std::filesystem::remove(partial, ec);
      return fail(Errc::internal, "the backup does not open with the key: " + probe.error().message,
                  dest.string());
    }
  }
  fsync_path(partial, /*directory=*/false);
  std::filesystem::rename(partial, dest, ec);
  if (ec) return fail(Errc::internal, "cannot rename the backup into place: " + ec.message(), dest.string());
  fsync_path(parent_or_dot(dest), /*directory=*/true);
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(partial.string() + suffix, ec);
  return write([&]() -> Result<void> {
    BANKREC_TRY(audit_->append({std::string(actor), "db.backup", "database", "backup",
                                "{\"dest\":\"" + dest.filename().string() + "\"}"}));
    return ok();
  });
}

Result<std::unique_ptr<Store>> open_with_key_file(const std::filesystem::path& db_path,
                                                  const std::filesystem::path& key_file,
                                                  const SigningKey& signing_key, const Clock& clock,
                                                  CheckpointSink* checkpoints, const StoreOptions& options) {
  const std::filesystem::path pending = key_file.string() + ".new";
  std::error_code ec;
  const bool has_pending = std::filesystem::exists(pending, ec);
  auto key = BANKREC_TRY(load_secret_key(key_file));
  auto store = Store::open(db_path, key, signing_key, clock, checkpoints, options);
  if (store) {
    if (has_pending) std::filesystem::remove(pending, ec);  // the rekey never committed
    return store;
  }
  if (!has_pending || store.error().code != Errc::invalid_input) return store;
  auto new_key = BANKREC_TRY(load_secret_key(pending));
  auto retried = Store::open(db_path, new_key, signing_key, clock, checkpoints, options);
  if (!retried) return store;  // report the original failure
  // The rekey committed but the key file was not swapped yet: finish the rotation.
  if (::rename(pending.c_str(), key_file.c_str()) != 0)
    return fail(Errc::internal, "cannot finish the interrupted key rotation", key_file.string());
  fsync_path(parent_or_dot(key_file), /*directory=*/true);
  return retried;
}

Result<void> rotate_key(Store& store, const std::filesystem::path& key_file, std::string_view actor) {
  const std::filesystem::path pending = key_file.string() + ".new";
  const SecretKey new_key = SecretKey::generate();
  BANKREC_TRY(write_key_file(pending, new_key.bytes()));
  BANKREC_TRY(store.db().rekey(new_key));
  if (::rename(pending.c_str(), key_file.c_str()) != 0)
    return fail(Errc::internal,
                "database re-encrypted, but the key file was not replaced; the next open finishes it",
                key_file.string());
  fsync_path(parent_or_dot(key_file), /*directory=*/true);
  return store.write([&]() -> Result<void> {
    BANKREC_TRY(store.audit().append({std::string(actor), "db.rekey", "database", "key", "{}"}));
    return ok();
  });
}

}  // namespace bankrec::store
