#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/domain/open_item.h"
#include "bankrec/domain/statement.h"
#include "bankrec/store/store.h"

/// Open items, partners, reconciliation decisions and the review queue (tables open_items,
/// open_item_history, partners, partner_ibans, matches, allocations; schema step 3). Plain records
/// only: store never knows the reconcile engine (jobs/reconcile_run joins the two). Every write is
/// one transaction with its audit entry; an item is never applied beyond its open amount.
namespace bankrec::store {

struct OpenItemsImportSummary {
  std::int64_t added = 0, updated = 0, unchanged = 0;
};

/// An item as the engine should see it: `item.amount` is what is still open.
struct StoredOpenItem {
  std::int64_t id = 0;
  domain::OpenItem item;
};

/// A booked entry that has not been decided yet.
struct UndecidedEntry {
  std::int64_t id = 0;
  std::string account_iban;
  domain::Entry entry;
};

/// Part of an entry applied to one item, signed like the entry (as reconcile::Application).
struct AllocationRecord {
  std::string item_key;
  std::int64_t amount_minor = 0;
  std::string currency;
};

struct CandidateRecord {
  int score = 0;
  std::vector<AllocationRecord> allocations;
  std::optional<std::int64_t> writeoff_minor;  ///< signed like the entry
  std::string writeoff_reason, writeoff_account;
  std::string reasons_json = "[]";
  std::string features_json = "{}";
};

enum class DecisionKind : std::uint8_t { automatic, suggest, none };

struct DecisionRecord {
  std::int64_t entry_id = 0;
  DecisionKind kind = DecisionKind::none;
  CandidateRecord chosen;                    ///< for automatic
  std::vector<CandidateRecord> suggestions;  ///< for suggest, best first (at most 3 kept)
  std::string reasons_json = "[]";           ///< for none
};

struct DecisionCounts {
  std::int64_t reconciled = 0, review = 0, unmatched = 0;
};

struct MatchView {
  std::int64_t id = 0;
  std::string decision, status;
  std::optional<std::int64_t> rank;
  int score = 0;
  std::string reasons_json, features_json;
  std::vector<AllocationRecord> allocations;
};

/// One line waiting for a person, with its ranked suggestions.
struct ReviewItem {
  std::int64_t entry_id = 0;
  std::int64_t amount_minor = 0;
  std::string currency, counterparty_name, counterparty_iban;
  std::vector<MatchView> suggestions;
};

class ReconcileRepo {
 public:
  explicit ReconcileRepo(Store& store) : store_(store) {}

  /// Adds new items and updates known ones by id (history row with before/after JSON); partners
  /// and their IBANs follow. The open amount of an updated item is the file's amount less what
  /// bankrec has applied since. All or nothing; one audit entry with the counts.
  Result<OpenItemsImportSummary> import_open_items(const std::vector<domain::OpenItem>& items, std::string_view source,
                                                   std::string_view actor);
  /// Items still open, with the partner's learned IBANs added to partner_ibans.
  Result<std::vector<StoredOpenItem>> load_open_items();
  /// Booked entries in status 'processed' (pending ones are never reconciled), oldest first.
  Result<std::vector<UndecidedEntry>> load_undecided_entries(std::size_t limit);
  /// Records one run's decisions in one transaction: auto → approved match + allocations (open
  /// amounts shrink, never below zero: a conflict rolls everything back), entry 'reconciled';
  /// suggest → up to 3 proposed matches, entry 'review'; none → 'unmatched'. One audit entry.
  Result<DecisionCounts> record_decisions(const std::vector<DecisionRecord>& decisions, std::string_view actor);

  // ---- the review queue -------------------------------------------------------------------
  Result<std::vector<ReviewItem>> review_queue(std::size_t limit);
  Result<std::vector<MatchView>> matches_of_entry(std::int64_t entry_id);
  /// Accepts a proposed suggestion (the best or another one): applied, the others rejected,
  /// the entry reconciled; the counterparty IBAN is learned for the partner when unknown.
  Result<void> accept(std::int64_t match_id, std::string_view actor);
  /// A person's own allocation (split over several items): must not exceed the entry.
  Result<std::int64_t> split(std::int64_t entry_id, const std::vector<AllocationRecord>& allocations,
                             std::string_view actor);
  /// No item fits: suggestions rejected, entry 'unmatched'.
  Result<void> mark_no_match(std::int64_t entry_id, std::string_view actor);
  /// Reverses an approved match by a compensating one (negated allocations, open amounts
  /// restored); the original becomes 'undone', the entry goes back to 'review'. Returns the new id.
  Result<std::int64_t> undo(std::int64_t match_id, std::string_view actor);

  /// Learned and item IBANs of a partner (tests, console).
  Result<std::vector<std::string>> partner_ibans(std::string_view partner_key);

 private:
  Store& store_;
};

}  // namespace bankrec::store
