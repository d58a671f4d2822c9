#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/domain/statement.h"
#include "bankrec/store/identity.h"
#include "bankrec/store/store.h"

namespace bankrec::store {

enum class FileSource { upload, inbox, api, cli };
/// "upload", "inbox", "api", "cli".
const char* file_source_name(FileSource source);

/// The file being imported.
struct SourceFileInfo {
  std::string name;
  std::string sha256;  //!< hex, from sha256_hex()
  std::uint64_t size = 0;
  FileSource source = FileSource::cli;
  std::string actor;
  /// The file's bytes, kept in file_originals (once per content, keyed by `sha256`) inside the
  /// import's own transaction by commit(), or inside the error row's by abort(), so that no crash
  /// separates a file row from its original. nullopt: not kept. Not owned: the caller keeps the
  /// bytes alive until commit() or abort() returned.
  std::optional<std::string_view> original = std::nullopt;
};

struct ImportOptions {
  int pending_expiry_days = 14;      //!< a pending line without booked twin expires after this
  int pending_match_days = 5;        //!< booked twin found within +- this many days of the pending line
  std::size_t batch_entries = 1000;  //!< progress unit
};

/// What one file added.
struct ImportCounts {
  std::int64_t statements = 0;
  std::int64_t entries_new = 0;
  std::int64_t entries_skipped = 0;   //!< duplicates of stored entries (entry_skips says why)
  std::int64_t pending_replaced = 0;  //!< provisional lines replaced by their booked version
  std::int64_t rejected = 0;          //!< records the parser skipped in lenient mode (parse_rejects)
  std::vector<std::string> warnings;  //!< continuity warnings raised on accounts
};

struct ImportResult {
  std::int64_t source_file_id = 0;
  bool duplicate_file = false;  //!< the same bytes were imported before: nothing added
  std::string format;
  ImportCounts counts;
};

/// Writes one file's statements and entries, deduplicating every entry (README.md). Everything
/// happens in one write transaction, so a failure or a crash (kill -9) at any point leaves nothing
/// behind; abort() then records the attempt as a source_files row with status=error.
class ImportWriter {
 public:
  /// Takes the write lock (BEGIN IMMEDIATE) and registers the file.
  static Result<std::unique_ptr<ImportWriter>> begin(Store& store, const SourceFileInfo& file,
                                                     const ImportOptions& options = {});
  ~ImportWriter();

  Result<void> set_format(std::string_view format);
  Result<void> begin_statement(const domain::Statement& header);
  /// Stores or skips each entry of the current statement; may move from them.
  Result<void> add_entries(std::vector<domain::Entry>& batch);
  Result<void> end_statement(const domain::Statement& header);
  /// A record the parser skipped in lenient mode: kept in parse_rejects with its position and
  /// reason. `line`/`column` are 1-based, 0 when unknown (binary formats).
  Result<void> add_reject(std::uint32_t line, std::uint32_t column, std::uint64_t byte,
                          std::string_view locator, std::string_view reason);

  /// Finishes the file: status processed, counts, one audit entry, COMMIT.
  Result<ImportResult> commit();
  /// Rolls back everything and records the failure; returns the error row's id.
  Result<std::int64_t> abort(const Error& error);

  const ImportCounts& counts() const { return counts_; }

 private:
  struct Statements;  // prepared statements, in src/
  ImportWriter(Store& store, SourceFileInfo file, ImportOptions options);
  Result<std::int64_t> account_id(const domain::Account& account);
  Result<void> store_entry(domain::Entry& entry);
  /// The stored entry this one duplicates (0 for none), with the tier and key that matched.
  Result<std::int64_t> find_existing(const EntryIdentity& id, const std::string& content, int occurrence,
                                     std::int64_t bank_hash, std::int64_t content_hash,
                                     domain::EntryStatus status, std::size_t index, const char*& tier,
                                     std::string& key);
  Result<std::optional<std::int64_t>> find_pending_twin(const domain::Entry& entry,
                                                        const std::string& remittance);
  Result<void> check_continuity(const domain::Statement& header);
  /// Compares this statement with other sources' statements of the same account and days.
  Result<void> compare_sources(const domain::Statement& header);
  Result<void> add_warning(const char* kind, const std::string& message, const std::string& from,
                           const std::string& to);

  Store& store_;
  SourceFileInfo file_;
  ImportOptions options_;
  std::optional<Transaction> transaction_;
  std::unique_ptr<Statements> q_;
  std::int64_t file_id_ = 0;
  std::string format_;
  std::string now_;  //!< import time, UTC text
  domain::Date today_;
  ImportCounts counts_;
  std::map<std::string, std::int64_t, std::less<>> accounts_;
  /// Account id + content base (fixed size, no allocation per lookup) -> occurrences so far.
  struct OccurrenceKey {
    std::array<char, 48> bytes{};
    friend bool operator==(const OccurrenceKey&, const OccurrenceKey&) = default;
  };
  /// What this import has stored so far (defined in the .cpp: flat hash tables, one slot per line):
  /// occurrences per OccurrenceKey, and the (account, bank hash) of the keyed lines stored into
  /// fresh accounts, mixed into one 64-bit value by bank_hash_slot() (a false "seen" only costs the
  /// lookup that would have run anyway).
  struct Seen;
  std::unique_ptr<Seen> seen_;
  /// Per account seen by this import: true when it held no entries before the import began.
  std::map<std::int64_t, bool> account_fresh_;
  bool account_fresh_now_ = false;  //!< account_fresh_ of the current statement's account
  static std::uint64_t bank_hash_slot(std::int64_t account, std::int64_t bank_hash) {
    return static_cast<std::uint64_t>(bank_hash) ^
           (static_cast<std::uint64_t>(account) * 0x9E3779B97F4A7C15ULL);
  }
  // The statement being written.
  domain::Statement header_;
  std::optional<std::string> statement_key_;  //!< statement_key(header_)
  std::int64_t statement_id_ = 0;
  std::int64_t account_id_ = 0;
  std::size_t next_index_ = 0;
  std::int64_t statement_new_entries_ = 0;
  bool statement_repeat_ = false;
  bool account_has_pending_ = false;
  bool account_has_unkeyed_ = false;  //!< the account holds a line without bank id (tier 3 is needed)
  std::int64_t statement_ordinal_ = 0;
  std::optional<domain::Date> first_line_date_;  //!< booking (else value) dates of the statement's lines
  std::optional<domain::Date> last_line_date_;
};

/// The id of a processed file with this SHA-256, or nullopt.
Result<std::optional<std::int64_t>> find_imported_file(Store& store, std::string_view sha256);
/// Records in the audit log that a file was offered again and skipped.
Result<void> record_duplicate_file(Store& store, const SourceFileInfo& file, std::int64_t existing_id);
/// Marks pending lines whose expiry date is before `today` as expired; returns how many.
Result<std::int64_t> expire_pending(Store& store, const std::string& today_iso, std::string_view actor);
/// What the daemon calls (daily, and before each import): open pending lines that are past their
/// expires_on, or whose date lies more than `max_age_days` (config `import.pending_expiry_days`)
/// before today by `store.clock()`, become `expired`. One audit entry names how many and the first
/// ids. Returns how many. `max_age_days` must be 1..3650.
Result<std::int64_t> expire_pending_older_than(Store& store, int max_age_days, std::string_view actor);

}  // namespace bankrec::store
