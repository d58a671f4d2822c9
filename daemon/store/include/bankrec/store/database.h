#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/store/secret_key.h"

/// A thin, exception-free wrapper over one SQLCipher connection. sqlite3.h stays in store/src.
namespace bankrec::store {

struct QueryHandle;  // defined in src/: the prepared statement and its connection
struct DatabaseHandle;

/// A prepared statement. Bind 1-based parameters, then step() or run().
class Query {
 public:
  Query(Query&&) noexcept;
  Query& operator=(Query&&) noexcept;
  ~Query();

  Query& bind(int index, std::int64_t value);
  Query& bind(int index, std::string_view text);
  Query& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Query& bind(int index, const std::optional<std::string>& text);
  Query& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Query& bind_null(int index);
  /// Text or bytes bound without a copy: the caller keeps them alive until the next step(),
  /// run() or reset(). For hot loops that reuse their buffers.
  Query& bind_static(int index, std::string_view text);
  Query& bind_blob_static(int index, std::string_view bytes);

  /// true when a row is available, false when done. Errors name the SQL.
  Result<bool> step();
  /// Steps until done and resets the statement, for INSERT/UPDATE/DELETE.
  Result<void> run();
  /// Back to the start with the bindings cleared.
  void reset();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  /// The text without a copy; valid until the next step(), reset() or column call on this column.
  std::string_view column_text_view(int index) const;
  bool column_is_null(int index) const;
  /// A BLOB column's bytes without a copy; valid like column_text_view().
  std::string_view column_blob_view(int index) const;

 private:
  friend class Database;
  explicit Query(std::unique_ptr<QueryHandle> handle);
  std::unique_ptr<QueryHandle> handle_;
};

struct OpenOptions {
  bool create = false;           //!< create the file when missing (only `init` does)
  int busy_timeout_ms = 10'000;  //!< how long a writer waits for another writer
};

/// One connection. Not thread-safe: one connection per thread (one writer, many readers via WAL).
class Database {
 public:
  /// Opens and keys the database (raw 256-bit key, cipher_page_size 4096), then proves the key by
  /// reading sqlite_master: a wrong key or a plaintext file is refused with invalid_input and the
  /// connection closed. Then WAL, foreign_keys=ON, synchronous=FULL and the busy timeout.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path, const SecretKey& key,
                                                const OpenOptions& options = {});
  /// An unencrypted database: only for the plaintext benchmark comparison and tests.
  static Result<std::unique_ptr<Database>> open_plaintext(const std::filesystem::path& path,
                                                          const OpenOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs one or more SQL statements that return no rows.
  Result<void> exec(std::string_view sql);
  Result<Query> prepare(std::string_view sql);
  /// The first column of the first row as an integer; not_found when there is no row.
  Result<std::int64_t> query_int(std::string_view sql);
  /// All rows of a one-column query, as text.
  Result<std::vector<std::string>> query_texts(std::string_view sql);

  std::int64_t last_insert_rowid() const;
  /// Rows changed by the last INSERT/UPDATE/DELETE.
  std::int64_t changes() const;
  bool in_transaction() const;
  /// WAL checkpoints after a commit: on (the default, every 1000 pages) or off. A large import
  /// turns them off for its own COMMIT so that copying its pages into the database file happens
  /// after it, on the next commit, checkpoint() or close, instead of inside the import.
  void set_auto_checkpoint(bool on);
  /// A PASSIVE checkpoint: copies what the WAL holds into the database file without waiting
  /// for readers.
  Result<void> checkpoint();
  const std::filesystem::path& path() const { return path_; }
  /// The SQLCipher connection (defined in src/sqlite.h), for store code that registers SQL functions.
  DatabaseHandle& handle() { return *handle_; }
  /// Incremental BLOB I/O: copies up to `out.size()` bytes from `offset` of the BLOB in `column` of
  /// row `rowid` of `table` (main schema), reading only the pages that hold them; returns how many (0
  /// at or past the end). not_found when the row is gone. For values too large to load whole.
  Result<std::size_t> read_blob(const char* table, const char* column, std::int64_t rowid, std::uint64_t offset,
                                std::span<char> out);

  /// Attaches `dest` keyed with `key` and copies everything into it with sqlcipher_export (never the
  /// backup API, which writes plaintext with SQLCipher 3.4.1), then detaches.
  Result<void> export_to(const std::filesystem::path& dest, const SecretKey& key);
  /// PRAGMA rekey: re-encrypts every page with `key` in one transaction (journal_mode switched to
  /// DELETE for the duration so a crash rolls back to the old key).
  Result<void> rekey(const SecretKey& key);

 private:
  Database(std::unique_ptr<DatabaseHandle> handle, std::filesystem::path path);
  std::unique_ptr<DatabaseHandle> handle_;
  std::filesystem::path path_;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Result<void> commit();
  void rollback();

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;
};

}  // namespace bankrec::store
