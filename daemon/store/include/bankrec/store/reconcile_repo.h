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
  bool shadow_auto = false;                  ///< suggest: a shadow rule would have posted the best suggestion
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
  bool shadow_auto = false;  ///< a rule in shadow mode would have posted this suggestion
};

/// One line waiting for a person, with its ranked suggestions.
struct ReviewItem {
  std::int64_t entry_id = 0;
  std::int64_t amount_minor = 0;
  std::string currency, counterparty_name, counterparty_iban;
  std::vector<MatchView> suggestions;  ///< review_queue: proposed ones by rank; review_entry: every match, oldest first
  std::string status;                  ///< entry status (review_entry)
  std::string account_iban;            ///< our statement account
  std::string booking_date;            ///< ISO date or ""
  std::string remittance;
};

/// Which lines review_queue returns.
struct ReviewFilter {
  std::string account_iban;  ///< electronic form; "" for every account
  std::size_t limit = 50;
};

/// What is still open of an item, signed like money flows for it (invoice +, bill/credit note -).
struct ItemBalance {
  std::int64_t id = 0;
  std::int64_t open_signed_minor = 0;
  std::string currency;
  std::string partner_key;
};

/// A decision a person made on a line (accepted suggestion, own match or split, no match), not undone.
struct ManualDecision {
  std::int64_t entry_id = 0;
  std::int64_t match_id = 0;
  std::int64_t amount_minor = 0;
  std::string counterparty_name, counterparty_iban, remittance;
  bool no_match = false;
  std::vector<std::string> partner_keys;  ///< partners of the items matched, sorted, unique
};

/// A rule proposed from repeated manual decisions (schema step 7); shown, never applied.
struct RuleProposal {
  std::int64_t id = 0;
  std::string kind;         ///< "no_match" or "partner"
  std::string pattern_key;  ///< identity of the pattern
  std::string counterparty_iban, counterparty_name, partner_key, purpose_words;
  std::int64_t support = 0;
  std::string entries_json = "[]";
  std::string rule_yaml;
  std::string status = "proposed";
};

/// A line's standing outcome (schema step 7, backtests): an approved match not undone and not a
/// compensation, automatic or by a person (an accepted suggestion, an own match, a no-match).
struct ConfirmedDecision {
  std::int64_t entry_id = 0;
  std::int64_t match_id = 0;
  std::string decision;  ///< "auto", "suggest" (accepted), "manual"
  std::string decided_at, decided_by;
  std::string account_iban;
  domain::Entry entry;
  std::vector<AllocationRecord> allocations;  ///< empty: no match (or a counter-booking)
  std::vector<std::int64_t> closed_minor;     ///< per allocation: the item's rest its write-off closed
};

/// Any stored item, whatever its state: `item.amount` is what is open now (may be 0).
struct StoredItemState {
  std::int64_t id = 0;
  std::string status;
  domain::OpenItem item;
};

/// One stored backtest result of a rule (schema step 7).
struct RuleBacktestRecord {
  std::int64_t id = 0;
  std::string rule_name, rule_digest;
  std::int64_t months = 0, lines = 0, would_post = 0, agree = 0, confirmed_matches = 0, recalled = 0;
  std::optional<std::int64_t> precision_permille, recall_permille;
  std::string report_json = "{}";
  std::string created_at, created_by, approved_at, approved_by;
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
  /// Lines in review (of one account when given), oldest first, with their proposed suggestions by rank.
  Result<std::vector<ReviewItem>> review_queue(const ReviewFilter& filter);
  /// One entry with every match it ever had (suggestions, approvals, undos), oldest first; not_found when unknown.
  Result<ReviewItem> review_entry(std::int64_t entry_id);
  /// The item's open amount; nullopt when no item has this id.
  Result<std::optional<ItemBalance>> item_balance(std::string_view item_key);
  Result<std::vector<MatchView>> matches_of_entry(std::int64_t entry_id);
  /// Accepts a proposed suggestion (the best or another one): applied, the others rejected,
  /// the entry reconciled; the counterparty IBAN is learned for the partner when unknown.
  Result<void> accept(std::int64_t match_id, std::string_view actor);
  /// A person's own allocation (split over several items): must not exceed the entry.
  Result<std::int64_t> split(std::int64_t entry_id, const std::vector<AllocationRecord>& allocations,
                             std::string_view actor);
  /// No item fits: suggestions rejected, entry 'unmatched'.
  Result<void> mark_no_match(std::int64_t entry_id, std::string_view actor);
  /// As above, and the person's decision is kept as a manual match without allocations (reason
  /// "no match: REASON"), so it can be undone and counts as a confirmed decision. Returns its id.
  Result<std::int64_t> mark_no_match(std::int64_t entry_id, std::string_view actor, std::string_view reason);
  /// Reverses an approved match by a compensating one (negated allocations, open amounts
  /// restored); the original becomes 'undone', the entry goes back to 'review'. Returns the new id.
  Result<std::int64_t> undo(std::int64_t match_id, std::string_view actor);

  // ---- learning from people's decisions (schema step 7) ---------------------------------------
  /// Every manual decision still standing (not undone), oldest first, at most `limit`.
  Result<std::vector<ManualDecision>> manual_decisions(std::size_t limit);
  /// Stores a proposal, or refreshes support and YAML of the one with the same pattern (a
  /// dismissed or accepted one keeps its status). Audited when new or changed. Returns its id.
  Result<std::int64_t> save_rule_proposal(const RuleProposal& proposal, std::string_view actor);
  Result<std::vector<RuleProposal>> rule_proposals();

  // ---- backtests (schema step 7) -------------------------------------------------------------
  /// Standing decisions (see ConfirmedDecision) decided at or after `since` (UTC timestamp text),
  /// by entry id, at most `limit`.
  Result<std::vector<ConfirmedDecision>> confirmed_decisions(std::string_view since, std::size_t limit);
  /// Every stored item with its current open amount and status, partner IBANs added, by id.
  Result<std::vector<StoredItemState>> load_all_items();
  /// Stores a backtest result (audited with its figures); returns its id.
  Result<std::int64_t> save_rule_backtest(const RuleBacktestRecord& record, std::string_view actor);
  /// The newest stored backtests of a rule, newest first, at most `limit`.
  Result<std::vector<RuleBacktestRecord>> rule_backtests(std::string_view rule_name, std::size_t limit);
  /// A person approves a stored backtest (audited); conflict when it was approved already.
  Result<void> approve_rule_backtest(std::int64_t backtest_id, std::string_view actor);

  /// Learned and item IBANs of a partner (tests, console).
  Result<std::vector<std::string>> partner_ibans(std::string_view partner_key);

 private:
  Store& store_;
};

}  // namespace bankrec::store
