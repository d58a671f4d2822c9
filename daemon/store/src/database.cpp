#include "bankrec/store/database.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "bankrec/base/check.h"
#include "hex.h"
#include "sqlite.h"

namespace bankrec::store {
namespace {

Unexpected sql_error(sqlite3* db, std::string_view what) {
  const int code = sqlite3_extended_errcode(db);
  const Errc errc = (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED ? Errc::unavailable
                    : (code & 0xff) == SQLITE_CONSTRAINT                           ? Errc::conflict
                                                                                   : Errc::internal;
  return fail(errc, std::string(sqlite3_errmsg(db)) + " (sqlite " + std::to_string(code) +
                        ") in: " + std::string(what.substr(0, 120)));
}

/// "x'<64 hex>'" in a locked buffer that the destructor wipes.
class RawKeyText {
 public:
  explicit RawKeyText(const SecretKey& key) {
    sodium_mlock(text_.data(), text_.size());
    const std::string hex = to_hex(key.bytes());
    text_[0] = 'x';
    text_[1] = '\'';
    std::memcpy(text_.data() + 2, hex.data(), hex.size());
    text_[66] = '\'';
    sodium_memzero(const_cast<char*>(hex.data()), hex.size());
  }
  ~RawKeyText() { sodium_munlock(text_.data(), text_.size()); }
  const char* data() const { return text_.data(); }
  int size() const { return 67; }
  std::string_view view() const { return {text_.data(), 67}; }

 private:
  std::array<char, 68> text_{};
};

Result<void> exec_raw(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return ok();
  std::string text = message != nullptr ? message : "unknown error";
  sqlite3_free(message);
  return fail(Errc::internal, text + " in: " + sql);
}

Result<std::string> pragma_text(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) return sql_error(db, sql);
  std::string value;
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sql_error(db, sql);
  return value;
}

/// Process-wide settings, before SQLite initialises: no memory statistics (they take a global mutex
/// on every sqlite3_malloc, a few percent of a bulk import). Connections are one per thread
/// (SQLITE_OPEN_NOMUTEX), so nothing else is shared.
void configure_library_once() {
  static const bool configured = [] {
    // SQLITE_MISUSE when SQLite was initialised already (by another user in the process): harmless.
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

Result<std::unique_ptr<DatabaseHandle>> open_handle(const std::filesystem::path& path,
                                                    const OpenOptions& options) {
  configure_library_once();
  std::error_code ec;
  if (!options.create && !std::filesystem::exists(path, ec))
    return fail(Errc::not_found, "database does not exist (run 'bankrec init' first)", path.string());
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (options.create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  auto handle = std::make_unique<DatabaseHandle>();
  handle->db = db;
  if (rc != SQLITE_OK)
    return fail(Errc::invalid_input, std::string("cannot open database: ") + sqlite3_errstr(rc),
                path.string());
  // Before the first read: the probe and the switch to WAL wait for a lock held by another process
  // (a closing connection checkpointing the WAL, say) instead of failing with "database is locked".
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  return handle;
}

/// Proves the key (or that a plaintext file is plaintext) before anything else touches the file.
Result<void> probe(sqlite3* db, const std::filesystem::path& path, bool encrypted) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc == SQLITE_ROW) return ok();
  if ((rc & 0xff) == SQLITE_NOTADB)
    return fail(Errc::invalid_input,
                encrypted ? "cannot decrypt the database: wrong key, or not an encrypted bankrec database"
                          : "not a plaintext SQLite database",
                path.string());
  return fail(Errc::invalid_input, std::string("cannot read the database: ") + sqlite3_errmsg(db),
              path.string());
}

Result<void> configure(sqlite3* db, const OpenOptions& options) {
  // WAL: readers never block the one writer. synchronous=FULL also fsyncs the WAL at every
  // commit, so a committed import survives power loss (NORMAL could lose the last commits).
  const std::string mode = BANKREC_TRY(pragma_text(db, "PRAGMA journal_mode = WAL"));
  if (mode != "wal")
    return fail(Errc::internal, "cannot switch the database to WAL mode (got '" + mode + "')");
  BANKREC_TRY(
      exec_raw(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536;"));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  return ok();
}

}  // namespace

// ---- Query ----

Query::Query(std::unique_ptr<QueryHandle> handle) : handle_(std::move(handle)) {}
Query::Query(Query&&) noexcept = default;
Query& Query::operator=(Query&&) noexcept = default;
Query::~Query() {
  if (handle_ != nullptr) sqlite3_finalize(handle_->stmt);
}

Query& Query::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(handle_->stmt, index, value);
  return *this;
}
Query& Query::bind(int index, std::string_view text) {
  sqlite3_bind_text(handle_->stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Query& Query::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}
Query& Query::bind_static(int index, std::string_view text) {
  sqlite3_bind_text(handle_->stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}
Query& Query::bind_blob_static(int index, std::string_view bytes) {
  sqlite3_bind_blob(handle_->stmt, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return *this;
}
Query& Query::bind_null(int index) {
  sqlite3_bind_null(handle_->stmt, index);
  return *this;
}

Result<bool> Query::step() {
  const int rc = sqlite3_step(handle_->stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  auto error = sql_error(handle_->db, sqlite3_sql(handle_->stmt));
  sqlite3_reset(handle_->stmt);
  return error;
}

Result<void> Query::run() {
  for (;;) {
    const bool row = BANKREC_TRY(step());
    if (!row) break;
  }
  reset();
  return ok();
}

void Query::reset() {
  sqlite3_reset(handle_->stmt);
  sqlite3_clear_bindings(handle_->stmt);
}

std::int64_t Query::column_int(int index) const { return sqlite3_column_int64(handle_->stmt, index); }
std::string Query::column_text(int index) const {
  const auto* text = sqlite3_column_text(handle_->stmt, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(handle_->stmt, index)));
}
std::string_view Query::column_text_view(int index) const {
  const auto* text = sqlite3_column_text(handle_->stmt, index);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(handle_->stmt, index))};
}
std::string_view Query::column_blob_view(int index) const {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(handle_->stmt, index));
  if (bytes == nullptr) return {};
  return {bytes, static_cast<std::size_t>(sqlite3_column_bytes(handle_->stmt, index))};
}
bool Query::column_is_null(int index) const {
  return sqlite3_column_type(handle_->stmt, index) == SQLITE_NULL;
}

// ---- Database ----

Database::Database(std::unique_ptr<DatabaseHandle> handle, std::filesystem::path path)
    : handle_(std::move(handle)), path_(std::move(path)) {}

Database::~Database() {
  if (handle_ != nullptr) sqlite3_close_v2(handle_->db);
}

DatabaseHandle::~DatabaseHandle() = default;

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& path, const SecretKey& key,
                                                 const OpenOptions& options) {
  auto handle = BANKREC_TRY(open_handle(path, options));
  std::unique_ptr<Database> db(new Database(std::move(handle), path));
  sqlite3* raw = db->handle_->db;
  {
    const RawKeyText text(key);
    if (sqlite3_key(raw, text.data(), text.size()) != SQLITE_OK)
      return fail(Errc::internal, "cannot set the database key", path.string());
  }
  // Must follow the key and precede the first read; 4096 matches the OS page and costs about
  // 1.7x the CPU of plaintext instead of 2.6x at SQLCipher 3's default of 1024.
  BANKREC_TRY(exec_raw(raw, "PRAGMA cipher_page_size = 4096"));
  BANKREC_TRY(probe(raw, path, /*encrypted=*/true));
  BANKREC_TRY(configure(raw, options));
  return db;
}

Result<std::unique_ptr<Database>> Database::open_plaintext(const std::filesystem::path& path,
                                                           const OpenOptions& options) {
  auto handle = BANKREC_TRY(open_handle(path, options));
  std::unique_ptr<Database> db(new Database(std::move(handle), path));
  BANKREC_TRY(exec_raw(db->handle_->db, "PRAGMA page_size = 4096"));
  BANKREC_TRY(probe(db->handle_->db, path, /*encrypted=*/false));
  BANKREC_TRY(configure(db->handle_->db, options));
  return db;
}

Result<void> Database::exec(std::string_view sql) {
  const std::string text(sql);
  return exec_raw(handle_->db, text.c_str());
}

Result<Query> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(handle_->db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
    return sql_error(handle_->db, sql);
  auto handle = std::make_unique<QueryHandle>();
  handle->stmt = stmt;
  handle->db = handle_->db;
  return Query(std::move(handle));
}

Result<std::int64_t> Database::query_int(std::string_view sql) {
  Query q = BANKREC_TRY(prepare(sql));
  const bool row = BANKREC_TRY(q.step());
  if (!row) return fail(Errc::not_found, "no row from: " + std::string(sql));
  return q.column_int(0);
}

Result<std::vector<std::string>> Database::query_texts(std::string_view sql) {
  Query q = BANKREC_TRY(prepare(sql));
  std::vector<std::string> rows;
  for (;;) {
    const bool row = BANKREC_TRY(q.step());
    if (!row) break;
    rows.push_back(q.column_text(0));
  }
  return rows;
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(handle_->db); }
std::int64_t Database::changes() const { return sqlite3_changes(handle_->db); }
bool Database::in_transaction() const { return sqlite3_get_autocommit(handle_->db) == 0; }
void Database::set_auto_checkpoint(bool on) { sqlite3_wal_autocheckpoint(handle_->db, on ? 1000 : 0); }
Result<void> Database::checkpoint() {
  const int rc = sqlite3_wal_checkpoint_v2(handle_->db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) return sql_error(handle_->db, "wal checkpoint");
  return ok();
}

Result<std::size_t> Database::read_blob(const char* table, const char* column, std::int64_t rowid,
                                        std::uint64_t offset, std::span<char> out) {
  sqlite3_blob* blob = nullptr;
  const int rc = sqlite3_blob_open(handle_->db, "main", table, column, rowid, /*flags=*/0, &blob);
  if (rc != SQLITE_OK) {
    sqlite3_blob_close(blob);  // a handle may be set on error; closing nullptr is a no-op
    if (rc == SQLITE_ERROR && std::strstr(sqlite3_errmsg(handle_->db), "no such rowid") != nullptr)
      return fail(Errc::not_found, std::string("no row ") + std::to_string(rowid) + " in " + table);
    return sql_error(handle_->db, std::string("blob open ") + table + "." + column);
  }
  const auto size = static_cast<std::uint64_t>(sqlite3_blob_bytes(blob));
  std::size_t n = 0;
  if (offset < size) {
    n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size - offset));
    if (sqlite3_blob_read(blob, out.data(), static_cast<int>(n), static_cast<int>(offset)) != SQLITE_OK) {
      auto error = sql_error(handle_->db, std::string("blob read ") + table + "." + column);
      sqlite3_blob_close(blob);
      return error;
    }
  }
  sqlite3_blob_close(blob);
  return n;
}

Result<void> Database::export_to(const std::filesystem::path& dest, const SecretKey& key) {
  const std::int64_t version = BANKREC_TRY(query_int("PRAGMA user_version"));
  {
    Query attach = BANKREC_TRY(prepare("ATTACH DATABASE ?1 AS backup KEY ?2"));
    const RawKeyText text(key);
    attach.bind(1, std::string_view(dest.string())).bind(2, text.view());
    auto attached = attach.run();
    attach.reset();
    BANKREC_TRY(attached);
  }
  auto copied = [&]() -> Result<void> {
    BANKREC_TRY(exec("PRAGMA backup.cipher_page_size = 4096"));
    // One read transaction around the export: the copy is a consistent snapshot while other
    // connections keep writing to the WAL.
    BANKREC_TRY(exec("BEGIN"));
    auto exported = query_int("SELECT sqlcipher_export('backup')");
    if (!exported && exported.error().code != Errc::not_found) {
      (void)exec("ROLLBACK");
      return Unexpected{exported.error()};
    }
    BANKREC_TRY(exec("PRAGMA backup.user_version = " + std::to_string(version)));
    return exec("COMMIT");
  }();
  auto detached = exec("DETACH DATABASE backup");
  BANKREC_TRY(copied);
  return detached;
}

Result<void> Database::rekey(const SecretKey& key) {
  // In WAL mode the re-encrypted pages would sit in the WAL beside old-key pages of the main file;
  // with a rollback journal a crash mid-rekey rolls back to the old key on the next open.
  const std::string mode = BANKREC_TRY(pragma_text(handle_->db, "PRAGMA journal_mode = DELETE"));
  if (mode != "delete")
    return fail(Errc::unavailable, "cannot leave WAL mode for the rekey (database busy?)");
  int rc = SQLITE_OK;
  {
    const RawKeyText text(key);
    rc = sqlite3_rekey(handle_->db, text.data(), text.size());
  }
  if (rc != SQLITE_OK) return sql_error(handle_->db, "PRAGMA rekey");
  BANKREC_TRY(probe(handle_->db, path_, /*encrypted=*/true));
  const std::string back = BANKREC_TRY(pragma_text(handle_->db, "PRAGMA journal_mode = WAL"));
  if (back != "wal") return fail(Errc::internal, "cannot switch the database back to WAL mode");
  return ok();
}

// ---- Transaction ----

Result<Transaction> Transaction::begin(Database& db) {
  BANKREC_TRY(db.exec("BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction() { rollback(); }

Result<void> Transaction::commit() {
  BANKREC_CHECK(db_ != nullptr, "commit of a finished transaction");
  auto done = db_->exec("COMMIT");
  if (!done) {
    rollback();
    return done;
  }
  db_ = nullptr;
  return ok();
}

void Transaction::rollback() {
  if (db_ == nullptr) return;
  if (db_->in_transaction()) (void)db_->exec("ROLLBACK");
  db_ = nullptr;
}

}  // namespace bankrec::store
