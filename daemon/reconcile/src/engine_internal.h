#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/check.h"
#include "bankrec/reconcile/engine.h"
#include "item_index.h"
#include "small_vector.h"
#include "text_scan.h"

namespace bankrec::reconcile {

/// Why a candidate scores as it does, kept as a code plus values: a line builds dozens of candidates
/// and keeps at most max_suggestions + 1, so only those are rendered to text (explain.cpp).
enum class Why : std::uint8_t {
  evidence,          ///< a: slot in EntryContext::partners, b: EvidenceSuffix
  iban_known,        ///< a: partner
  customer_cited,    ///< EntryContext::text.customer_token
  name_equals,       ///< a: partner
  name_similar,      ///< a: partner, b: similarity permille
  payer_iban_other,  ///< a: the partner the IBAN belongs to
  payer_unknown,
  counter_booking,  ///< a: RuleSet::counter_bookings index, b: CounterVia
  cited,            ///< a: mention, b: hit
  numbers_listed,   ///< the draft's items
  other_document_cited,
  only_combination,
  a_combination,
  only_amount_anywhere,
  partner_only_amount,
  partner_same_amount,  ///< b: how many
  fits_after_discount,
  closest_amount,
  returned,
  currency_differs,  ///< a: item
  already_settled,
  direction_differs,
  amount_equal,
  cash_discount,     ///< x: amount
  psp_fee,           ///< x
  bank_fees,         ///< x
  short_for_listed,  ///< x
  partial,           ///< x
  partner_has_amount,
  small_overpayment,  ///< x
  overpaid,           ///< x
};
enum class CounterVia : std::uint8_t { gvc, iso, name, text };
enum class EvidenceSuffix : std::uint8_t { none, only_one_of_name, only_similar_name };

struct Note {
  Why why = Why::evidence;
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  std::int64_t x = 0;
  bool operator==(const Note&) const = default;
};

/// A handful of notes stored inline (no allocation per candidate).
class Notes {
 public:
  static constexpr std::size_t kCapacity = 8;
  void push(Note n) {
    BANKREC_CHECK(size_ < kCapacity, "more notes than a candidate can have");
    notes_[size_++] = n;
  }
  bool contains(const Note& n) const { return std::find(begin(), end(), n) != end(); }
  const Note* begin() const { return notes_.data(); }
  const Note* end() const { return notes_.data() + size_; }
  bool empty() const { return size_ == 0; }
  const Note& front() const { return notes_[0]; }

 private:
  std::array<Note, kCapacity> notes_{};
  std::uint8_t size_ = 0;
};

/// Features while candidates are built: text as views into the index, rules and entry context.
struct DraftFeatures {
  std::string_view token;
  bool token_from_items = false;  ///< the token is the items' document numbers, comma separated
  std::string_view field;
  int identity = 0;
  int amount_fit = 0;
  std::int64_t amount_difference_minor = 0;
  std::optional<std::int64_t> days_from_due;
  bool iban_known = false;
  int name_similarity_permille = 0;
  bool discount_applicable = false;
  int slips = 0;
};

enum class WriteOffKind : std::uint8_t {
  cash_discount,
  psp_fee,
  bank_fees,
  small_overpayment,
  counter_booking
};
struct PendingWriteOff {
  std::int64_t amount = 0;
  WriteOffKind kind = WriteOffKind::bank_fees;
  std::string_view account;
};

/// A partner the payer may be, and why.
struct PartnerEvidence {
  std::uint32_t partner = 0;
  int points = 0;
  Notes parts;  ///< IBAN known, customer number cited, name equal or similar
  std::string_view field;
  bool by_iban = false;
  int name_similarity = 0;
  EvidenceSuffix suffix = EvidenceSuffix::none;
  std::uint32_t slot = 0;  ///< position in EntryContext::partners
};

/// Everything read from one entry before candidates are built.
struct EntryContext {
  const domain::Entry* entry = nullptr;
  std::int64_t amount = 0;  ///< entry amount, minor units, signed
  std::optional<domain::Date> date;
  std::int64_t day = 0;  ///< date->to_days(), 0 without a date
  bool is_psp = false;
  bool is_return = false;
  std::string name;  ///< normalised counterparty name
  std::string iban;  ///< counterparty IBAN, electronic form
  std::vector<PartnerEvidence> partners;
  /// Partners the counterparty IBAN belongs to (also when no item of theirs is cited).
  std::vector<std::uint32_t> iban_partners;
  TextFindings text;
};

/// A candidate's items: one or a few, kept inline.
using ItemList = SmallVector<std::uint32_t, 4>;

/// A candidate before its amount is judged: which items, identity points and why.
struct Draft {
  ItemList items;
  int identity = 0;
  int partner_adjust = 0;
  Notes notes;
  DraftFeatures features;
  bool cited = false;
  bool creditor_reference = false;  ///< identified by an RF reference
  const CounterBookingRule* counter = nullptr;
  int counter_points = 0;
};

/// A judged candidate: score, how much goes to each item, what closes, what is written off.
struct Scored {
  ItemList items;
  int score = 0;
  bool auto_ok = true;
  SmallVector<std::pair<std::uint32_t, std::int64_t>, 4> applied;  ///< signed like the entry
  ItemList closes;                                                 ///< items whose rest is written off
  std::optional<PendingWriteOff> writeoff;
  Notes notes;
  DraftFeatures features;
  const CounterBookingRule* counter = nullptr;
  bool cited = false;
};

/// Fills `ctx` (every field reset; one context reused from line to line keeps its memory).
void read_entry(const ItemIndex& index, const RuleSet& rules, const domain::Entry& entry, RunScratch& scratch,
                EntryContext& ctx);
/// Fills `out` (cleared first; a vector reused from line to line keeps its memory).
void build_drafts(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
                  std::span<const std::int64_t> remaining, std::vector<Draft>& out);
Scored evaluate(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx, Draft draft,
                std::span<const std::int64_t> remaining);

/// Up to two index sets (into `values`) of 2..max_items elements whose sum is `target`; `complete`
/// is false when the step budget ran out before the search finished.
struct SubsetResult {
  std::vector<std::vector<std::size_t>> solutions;
  bool complete = true;
};
SubsetResult find_subsets(std::span<const std::int64_t> values, std::int64_t target, int max_items,
                          int max_steps);

/// Cash discount (magnitude) the item allows on `due` at the entry's date, 0 when none applies.
std::int64_t cash_discount(const ItemInfo& item, std::int64_t due, const EntryContext& ctx,
                           const RuleSet& rules);

/// The kept candidates' text: reasons, features and write-off, rendered from their notes.
std::vector<std::string> render_reasons(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
                                        const Scored& s);
Features render_features(const ItemIndex& index, const Scored& s);
WriteOff render_writeoff(const EntryContext& ctx, const Scored& s);

/// "1190.00" in the entry's currency.
std::string money_text(std::int64_t minor, const domain::Currency& currency);

}  // namespace bankrec::reconcile
