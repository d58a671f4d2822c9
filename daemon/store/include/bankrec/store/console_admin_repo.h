#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/domain/statement.h"
#include "bankrec/store/store.h"

/// What the console's admin API stores and reads besides the other repositories (schema step 11):
/// API tokens for machine clients (only their hashes), per-user preferences, and the read queries
/// of its lists (review queue pages, open items, connection log, entry summaries, recent lines for
/// a rules dry run). Every write is one transaction with its audit entry. Not thread-safe: callers
/// serialise use of the Store.
namespace bankrec::store {

struct ApiTokenRecord {
  std::int64_t id = 0;
  std::string name;
  std::string prefix;               //!< "brk_" and a few characters of the token, for recognition
  std::vector<std::string> scopes;  //!< permission names
  std::string created_at, created_by;
  std::optional<std::string> last_used_at, revoked_at, revoked_by;
};

struct NewApiToken {
  std::string name;
  std::string token_hash;  //!< hex hash of the token (the token itself is never stored)
  std::string prefix;
  std::vector<std::string> scopes;
};

struct UserPreferences {
  std::string language = "en";  //!< "de" or "en"
  std::string locale = "en-GB";  //!< BCP 47 tag for numbers and dates, e.g. "de-DE"
  bool chosen = false;  //!< saved by the user; false: never chosen (the defaults above), the browser decides
};

/// The list fields of one stored entry (the console's entry summary).
struct EntrySummary {
  std::int64_t id = 0, statement_id = 0;
  std::string account_iban, booking_date, value_date;
  std::int64_t amount_minor = 0;
  std::string currency, counterparty_name, counterparty_iban, status, end_to_end_id, bank_reference;
  bool pending = false;
};

/// A proposed or decided match's write-off (matches.writeoff_*), signed like the entry.
struct WriteoffView {
  std::int64_t match_id = 0;
  std::int64_t amount_minor = 0;
  std::string reason;
};

struct OpenItemFilter {
  std::string text;     //!< substring of key, document number, reference or partner name; "" for all
  std::string partner;  //!< partner id; "" for all
  std::string status = "open";  //!< open (open or partial), closed (settled, written off, cancelled), all
  std::int64_t after_id = 0;    //!< keyset: items with a larger id
  std::size_t limit = 50;
};

struct OpenItemRow {
  std::int64_t id = 0;
  std::string item_key, kind, partner, partner_name;
  std::int64_t amount_minor = 0, open_minor = 0;
  std::string currency, issue_date, due_date, reference, document_number, status;
};

struct ConnectorLogView {
  std::int64_t id = 0;
  std::string at, account, operation, outcome, request_id;
  std::int64_t http_status = 0, elapsed_ms = 0;
};

/// A booked line of the dry-run window with its domain form.
struct RecentEntry {
  std::int64_t id = 0;
  std::string account_iban, status;
  domain::Entry entry;
};

class ConsoleAdminRepo {
 public:
  explicit ConsoleAdminRepo(Store& store) : store_(store) {}

  /// Stores a token's hash (audited token.create, without the hash); conflict when a live token
  /// already has the name. Returns its id.
  Result<std::int64_t> create_token(const NewApiToken& token, std::string_view actor);
  /// Newest first, revoked ones included.
  Result<std::vector<ApiTokenRecord>> list_tokens();
  /// The live (not revoked) token with this hash, or nullopt.
  Result<std::optional<ApiTokenRecord>> find_live_token(std::string_view token_hash);
  /// Audited token.revoke; not_found for an unknown id, conflict when revoked already.
  Result<void> revoke_token(std::int64_t id, std::string_view actor);
  Result<void> touch_token(std::int64_t id, std::chrono::system_clock::time_point now);

  /// The stored preferences, or the defaults.
  Result<UserPreferences> preferences(std::int64_t user_id);
  /// Audited user.preferences with before and after.
  Result<void> set_preferences(std::int64_t user_id, const UserPreferences& preferences, std::string_view actor);
  /// Back to never chosen (audited user.preferences with after null); nothing to do when none are saved.
  Result<void> clear_preferences(std::int64_t user_id, std::string_view actor);

  /// Ids of lines in review with an id above `after_id` (of one account when given), by id.
  Result<std::vector<std::int64_t>> review_ids(std::int64_t after_id, std::string_view account_iban, std::size_t limit);
  /// Summaries of these entries, in the given order; unknown ids are left out.
  Result<std::vector<EntrySummary>> entry_summaries(const std::vector<std::int64_t>& ids);
  /// Write-offs of the entry's matches that have one.
  Result<std::vector<WriteoffView>> writeoffs_of_entry(std::int64_t entry_id);
  /// The entry's standing decision (approved, not a compensation, not undone), newest; nullopt when none.
  Result<std::optional<std::int64_t>> standing_match(std::int64_t entry_id);
  /// Stores a person's match with a write-off as a proposed manual suggestion (rank none) for the
  /// caller to accept through ReconcileRepo::accept, so the items' rest is closed by the same code as
  /// an engine suggestion. Returns the match id.
  Result<std::int64_t> propose_manual(std::int64_t entry_id, const std::vector<std::pair<std::string, std::int64_t>>& allocations,
                                      std::string_view currency, std::int64_t writeoff_minor, std::string_view reason,
                                      std::string_view actor);
  /// Marks a proposal of propose_manual() rejected after its acceptance failed.
  Result<void> reject_match(std::int64_t match_id, std::string_view actor);

  Result<std::vector<OpenItemRow>> open_items(const OpenItemFilter& filter);
  /// A connector's connection log, newest first, ids below `before_id` (0: from the newest).
  Result<std::vector<ConnectorLogView>> connector_log(std::string_view connector, std::int64_t before_id,
                                                      std::size_t limit);
  /// Booked lines with booking date on or after `since` (YYYY-MM-DD) still open for a decision
  /// (processed, review, unmatched), by id, at most `limit`.
  Result<std::vector<RecentEntry>> recent_open_entries(std::string_view since, std::size_t limit);

 private:
  Store& store_;
};

}  // namespace bankrec::store
