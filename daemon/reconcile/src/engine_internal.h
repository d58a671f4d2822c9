#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bankrec/reconcile/engine.h"
#include "item_index.h"
#include "text_scan.h"

namespace bankrec::reconcile {

/// A partner the payer may be, and why.
struct PartnerEvidence {
  std::uint32_t partner = 0;
  int points = 0;
  std::string reason;
  std::string field;
  bool by_iban = false;
  int name_similarity = 0;
};

/// Everything read from one entry before candidates are built.
struct EntryContext {
  const domain::Entry* entry = nullptr;
  std::int64_t amount = 0;  ///< entry amount, minor units, signed
  std::optional<domain::Date> date;
  bool is_psp = false;
  bool is_return = false;
  std::string name;  ///< normalised counterparty name
  std::string iban;  ///< counterparty IBAN, electronic form
  std::vector<PartnerEvidence> partners;
  /// Partners the counterparty IBAN belongs to (also when no item of theirs is cited).
  std::vector<std::uint32_t> iban_partners;
  TextFindings text;
};

/// A candidate before its amount is judged: which items, identity points and why.
struct Draft {
  std::vector<std::uint32_t> items;
  int identity = 0;
  int partner_adjust = 0;
  std::vector<std::string> reasons;
  Features features;
  bool cited = false;
  const CounterBookingRule* counter = nullptr;
  int counter_points = 0;
};

/// A judged candidate: score, how much goes to each item, what closes, what is written off.
struct Scored {
  std::vector<std::uint32_t> items;
  int score = 0;
  bool auto_ok = true;
  std::vector<std::pair<std::uint32_t, std::int64_t>> applied;  ///< signed like the entry
  std::vector<std::uint32_t> closes;                              ///< items whose rest is written off
  std::optional<WriteOff> writeoff;
  std::vector<std::string> reasons;
  Features features;
  const CounterBookingRule* counter = nullptr;
  bool cited = false;
};

EntryContext read_entry(const ItemIndex& index, const RuleSet& rules, const domain::Entry& entry,
                        RunScratch& scratch);
std::vector<Draft> build_drafts(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
                                std::span<const std::int64_t> remaining);
Scored evaluate(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx, Draft draft,
                std::span<const std::int64_t> remaining);

/// Up to two index sets (into `values`) of 2..max_items elements whose sum is `target`; `complete`
/// is false when the step budget ran out before the search finished.
struct SubsetResult {
  std::vector<std::vector<std::size_t>> solutions;
  bool complete = true;
};
SubsetResult find_subsets(std::span<const std::int64_t> values, std::int64_t target, int max_items, int max_steps);

/// Cash discount (magnitude) the item allows on `due` at the entry's date, 0 when none applies.
std::int64_t cash_discount(const domain::OpenItem& item, std::int64_t due, const EntryContext& ctx, const RuleSet& rules);

/// "1190.00" in the entry's currency.
std::string money_text(std::int64_t minor, const domain::Currency& currency);

}  // namespace bankrec::reconcile
