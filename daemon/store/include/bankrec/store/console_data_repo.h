#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/domain/statement.h"
#include "bankrec/store/audit_log.h"
#include "bankrec/store/store.h"

/// The console's read side (issue 8): statements, entries, errors, jobs, alerts, the audit log and
/// the dashboard, as keyset-paginated lists over the indexes of schema step 12, plus the original
/// bytes of uploaded files. Plain structs; the http module turns them into JSON. Not thread-safe:
/// callers serialise use of the Store (bankrecd's store mutex).
namespace bankrec::store {

/// One page of a list: at most `limit` items after the opaque cursor `after` (empty: from the start).
struct PageRequest {
  int limit = 50;  //!< 1..500
  std::string after;
};

template <class T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next;  //!< cursor of the following page; nullopt on the last one
};

struct StatementFilter {
  std::optional<std::string> account_iban;
  std::optional<std::string> source;  //!< upload, inbox, api, cli
  std::optional<std::string> status;  //!< pending, processed, reconciled, review, error
  std::optional<std::string> from;    //!< statements whose period ends on or after this date
  std::optional<std::string> to;      //!< ... and starts on or before this one
};

struct StatementRow {
  std::int64_t id = 0;
  std::int64_t file_id = 0;
  std::string file_name, source, bank, account_iban, currency;
  std::optional<std::string> period_from, period_to;
  std::optional<std::int64_t> opening_minor, closing_minor;
  std::int64_t entries = 0;
  std::string status;  //!< pending, processed, reconciled, review, error
  std::string received_at;
  std::vector<std::string> warnings;  //!< continuity breaks and other account warnings of this statement
};

enum class EntrySort : std::uint8_t { booking_date_desc, booking_date_asc, amount_asc, amount_desc };
/// "-booking_date", "booking_date", "amount", "-amount"; invalid_input otherwise.
Result<EntrySort> parse_entry_sort(std::string_view text);

struct EntryFilter {
  std::optional<std::string> account_iban;
  std::optional<std::string> from, to;  //!< booking date range, inclusive
  std::optional<std::string> status;    //!< pending, processed, reconciled, review, unmatched, error
  std::optional<std::int64_t> min_minor, max_minor;
  std::optional<std::string> q;  //!< words beginning words of counterparty, purpose, IBAN or references (entry_search.h)
  std::optional<std::int64_t> statement_id;
  EntrySort sort = EntrySort::booking_date_desc;
};

struct EntryRow {
  std::int64_t id = 0;
  std::int64_t statement_id = 0;
  std::int64_t source_file_id = 0;
  std::string account_iban;
  std::string status;
  domain::Entry entry;
};

/// A match or suggestion of an entry with its allocations.
struct EntryMatch {
  std::int64_t id = 0;
  std::string decision, status;  //!< auto/suggest/manual; proposed/approved/rejected/undone
  std::optional<std::int64_t> score;
  std::string reasons_json;  //!< JSON array text
  std::optional<std::string> decided_by, decided_at;
  std::string created_by, created_at;
  struct Allocation {
    std::string item;  //!< the open item's key
    std::int64_t amount_minor = 0;
    std::string currency;
  };
  std::vector<Allocation> allocations;
};

struct AuditFilter {
  std::optional<std::string> actor, action;
  std::optional<std::string> object;  //!< "type" or "type:id"
  std::optional<std::string> from, to;  //!< time range [from, to), UTC text or a date
};

struct JobRow {
  std::int64_t id = 0;
  std::string kind, state;
  std::int64_t attempts = 0;
  std::optional<std::string> last_error;
  std::string created_at, run_after;
  std::optional<std::int64_t> dead_letter_id;  //!< the job's open dead letter
};

struct ErrorRow {
  std::string kind;  //!< parse, dead_letter, connector
  std::int64_t id = 0;
  std::string at, source, message, detail;
  bool can_retry = false;
};

struct AlertRow {
  std::int64_t id = 0;
  std::string kind, severity, message, state, first_at, last_at;
  std::optional<std::string> object;
  std::optional<std::string> acknowledged_at, acknowledged_by;
  std::int64_t count = 0;
};

struct Dashboard {
  struct Account {
    std::string iban, currency, bank;
    std::optional<std::int64_t> balance_minor;
    std::optional<std::string> balance_date;
  };
  struct Amount {
    std::string date, currency;
    std::int64_t minor = 0;
  };
  struct Intake {
    std::string source;
    std::int64_t files = 0, entries = 0;
  };
  struct DayRate {
    std::string date;
    std::int64_t entries = 0, reconciled = 0, review = 0, unmatched = 0;
  };
  struct Connector {
    std::string name, type, state, light;
    std::optional<std::string> last_success, consent_expires_at;
  };
  std::vector<Account> accounts;
  std::vector<Amount> totals;           //!< date empty
  std::vector<Amount> balance_history;  //!< daily totals per currency, oldest first
  std::vector<Intake> intake_today;
  std::vector<DayRate> auto_rate;
  std::int64_t review_backlog = 0, open_alerts = 0;
  std::vector<Connector> connectors;
};

/// Where the original bytes of a stored file are: read them with ConsoleDataRepo::read_original().
struct FileOriginal {
  std::string name;    //!< source_files.name ("archive.zip/x.xml" for a ZIP member)
  std::string sha256;  //!< the key of its bytes in file_originals
  std::uint64_t size = 0;
};

class ConsoleDataRepo {
 public:
  explicit ConsoleDataRepo(Store& store) : store_(store) {}

  Result<Page<StatementRow>> statements(const StatementFilter& filter, const PageRequest& page);
  /// not_found for an unknown id.
  Result<StatementRow> statement(std::int64_t id);

  /// With `plan`, the EXPLAIN QUERY PLAN lines of each query run are appended to it (tests check
  /// that every filter and sort is an index range without a temp b-tree).
  Result<Page<EntryRow>> entries(const EntryFilter& filter, const PageRequest& page,
                                 std::vector<std::string>* plan = nullptr);
  /// Brings the text search index up to date with up to `max_rows` lines stored since the last
  /// call (the import does not index; a search indexes at most 20,000 waiting lines itself, so
  /// lines beyond those are found only once this has run). Returns how many were indexed. Call
  /// outside a transaction, after each import (and once after upgrading a database to step 15).
  Result<std::int64_t> index_for_search(std::int64_t max_rows = 1'000'000);
  /// not_found for an unknown id.
  Result<EntryRow> entry(std::int64_t id);
  Result<std::vector<EntryMatch>> matches_of(std::int64_t entry_id);

  /// Newest first.
  Result<Page<AuditEntry>> audit(const AuditFilter& filter, const PageRequest& page,
                                 std::vector<std::string>* plan = nullptr);
  /// The newest `limit` audit entries about one object, newest first.
  Result<std::vector<AuditEntry>> audit_of(std::string_view object_type, std::string_view object_id, int limit);

  /// Newest first; `state` empty = all.
  Result<Page<JobRow>> jobs(std::optional<std::string> state, const PageRequest& page);
  /// The open dead letter of a job; nullopt when it has none.
  Result<std::optional<std::int64_t>> open_dead_letter_of_job(std::int64_t job_id);
  /// Parse failures (files with status error), open dead letters and failed connector calls, newest
  /// first; `kind` empty = all three.
  Result<Page<ErrorRow>> errors(std::optional<std::string> kind, const PageRequest& page);
  /// Newest first (by id); open only or all.
  Result<Page<AlertRow>> alerts(bool open_only, const PageRequest& page);
  /// Marks the alert acknowledged by `actor` with an audit entry (`alert.acknowledge`), in one
  /// transaction; not_found for an unknown id; a second acknowledgement changes nothing.
  Result<void> acknowledge_alert(std::int64_t id, std::string_view actor);

  /// `today` is "YYYY-MM-DD" (UTC): intake since its start, history over 90 and rates over 30 days.
  Result<Dashboard> dashboard(std::string_view today);

  /// Keeps `content` as the original of every source_files row with this SHA-256 (once per content;
  /// a second call with the same bytes does nothing). Call inside Store::write().
  Result<void> keep_original(std::string_view sha256, std::string_view content, std::string_view actor);
  /// The original of a file row (its name, key and size; the bytes stay in the database); not_found
  /// when the row is unknown or its bytes were not kept (files imported before originals were kept).
  Result<FileOriginal> original(std::int64_t file_id);
  /// Up to `out.size()` bytes of the original with this SHA-256 from `offset`, read incrementally
  /// (only the pages that hold them); returns how many, 0 at the end. One short read transaction per
  /// call, so a download in pieces never holds the database between pieces. A compressed original
  /// (schema step 16) is decompressed one 256 KiB frame at a time, and a read may stop at a frame's
  /// end; a damaged one, or one that would yield more than its recorded size, is an internal error.
  Result<std::size_t> read_original(std::string_view sha256, std::uint64_t offset, std::span<char> out);
  /// The newest source_files row made from these bytes; nullopt when none.
  Result<std::optional<std::int64_t>> newest_file_with(std::string_view sha256);

 private:
  Result<std::string> statement_status(std::int64_t statement_id, std::string_view file_status, std::int64_t entries);
  Result<std::vector<std::string>> statement_warnings(std::int64_t statement_id);
  Result<std::vector<std::int64_t>> accounts_with_iban(std::string_view iban);

  Store& store_;
};

}  // namespace bankrec::store
