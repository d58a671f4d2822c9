#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/domain/money.h"
#include "bankrec/domain/open_item.h"
#include "bankrec/domain/statement.h"
#include "bankrec/reconcile/rules.h"

/// The reconciliation engine: statement entries against open items, pure and deterministic.
namespace bankrec::reconcile {

/// The part of an entry applied to one open item, signed like the entry (an invoice paid in is
/// positive, a credit note netted against it negative, a bill paid out negative).
struct Application {
  std::string item_id;
  domain::Money amount;
};

/// A difference booked to an account instead of an item: cash discount, bank fees, a PSP fee, a
/// small overpayment, or the whole line for a counter-booking. Signed like the entry: the matches
/// plus the write-off add up to the entry amount when the line overpays; when it underpays the
/// matches add up to the entry and the negative write-off closes the items' rest.
struct WriteOff {
  domain::Money amount;
  std::string reason;   ///< "cash discount", "bank fees deducted", "counter-booking: salaries"
  std::string account;  ///< ledger account from the RuleSet
};

/// The values behind a score, stored with the decision.
struct Features {
  std::string token;     ///< the cited text that identified the item(s), as normalised: "RE 2026 123"
  std::string field;     ///< where: remittance, end_to_end_id, structured_reference, counterparty_iban, ...
  int identity = 0;      ///< points from identification (number, reference, partner)
  int amount_fit = 0;    ///< points from the amount
  std::int64_t amount_difference_minor = 0;  ///< entry minus amount due, in the entry's sign
  std::optional<std::int64_t> days_from_due;  ///< booking date minus the first item's due date
  bool iban_known = false;                    ///< counterparty IBAN belongs to the items' partner
  int name_similarity_permille = 0;           ///< counterparty name vs. partner name, 0..1000
  bool discount_applicable = false;
  int slips = 0;  ///< OCR slips or transposed digits accepted
};

/// One candidate answer: which items, how much each, what is written off, and why.
struct Candidate {
  std::vector<Application> matches;
  std::optional<WriteOff> writeoff;
  int score = 0;  ///< 0..100
  std::vector<std::string> reasons;
  Features features;
};

enum class DecisionKind : std::uint8_t { automatic, suggest, none };
/// "auto", "suggest", "none" (the contract's names).
const char* decision_kind_name(DecisionKind kind);

struct Decision {
  DecisionKind kind = DecisionKind::none;
  int score = 0;
  std::vector<Application> matches;      ///< filled for `auto`
  std::optional<WriteOff> writeoff;      ///< filled for `auto`
  std::vector<std::string> reasons;
  std::vector<Candidate> suggestions;    ///< up to RuleSet::max_suggestions for `suggest`, best first
  Features features;
  bool flagged = false;  ///< needs attention beyond review (a returned payment reopened an item)
  /// A rule in shadow mode would have posted this line (the best suggestion) automatically.
  bool shadow_auto = false;
};

/// One statement entry to reconcile, with where it came from (for the output and the canonical order).
struct EntryRef {
  const domain::Entry* entry = nullptr;
  std::string_view file;
  std::uint32_t statement = 0;
  std::uint32_t index = 0;
  std::string_view account;  ///< IBAN of the statement's account, for rules with `when.account`; "" unknown
};

class ItemIndex;

/// Built once per set of open items; run() may be called many times and never changes the engine.
class Engine {
 public:
  /// Indexes the items. Fails on an item id given twice or a rule with an invalid regex.
  static Result<Engine> create(std::vector<domain::OpenItem> items, RuleSet rules);
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  /// Decides every entry; the result is in the order of `entries`. Entries are processed in a
  /// canonical order (booking date, then content, then file name and position), so the output does
  /// not depend on the order of files within a day. An item is never applied beyond its open amount
  /// across the whole call; only `auto` decisions consume open amounts.
  std::vector<Decision> run(std::span<const EntryRef> entries) const;

  const RuleSet& rules() const { return rules_; }
  const std::vector<domain::OpenItem>& items() const;

 private:
  Engine(std::unique_ptr<ItemIndex> index, RuleSet rules);
  std::unique_ptr<ItemIndex> index_;
  RuleSet rules_;
};

}  // namespace bankrec::reconcile
