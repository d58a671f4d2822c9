#pragma once

#include <climits>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/domain/open_item.h"
#include "bankrec/reconcile/document_number.h"
#include "bankrec/reconcile/rules.h"
#include "flat_table.h"
#include "rule_match.h"

namespace bankrec::reconcile {

/// What the engine knows about one item beyond the OpenItem itself.
/// A currency as one word (code and exponent), compared without touching the item.
inline std::uint32_t currency_key(const domain::Currency& c) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(c.code[0])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(c.code[1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(c.code[2])) << 16 |
         static_cast<std::uint32_t>(c.exponent) << 24;
}

/// The fields a line reads for every candidate item, packed (32 bytes), so that walking a partner's
/// items never touches the OpenItem (strings and optionals, several cache lines apart).
struct ItemInfo {
  static constexpr std::int32_t kNoDay = INT32_MIN;
  std::uint32_t partner = 0;
  std::uint32_t currency = 0;    ///< currency_key() of the item's amount
  std::int64_t signed_open = 0;  ///< + for invoice/expected (money in), - for bill/credit_note
  std::int32_t due_day = kNoDay;             ///< due_date->to_days(), or kNoDay
  std::int32_t discount_until_day = kNoDay;  ///< discount_until->to_days() when has_discount
  std::int32_t discount_basis_points = 0;    ///< *discount_basis_points when has_discount
  bool has_discount = false;                 ///< both discount_until and discount_basis_points given
};

struct Partner {
  std::string id;
  std::string display_name;  ///< as in the ERP
  std::string name;          ///< normalize_party_name()
  std::string sorted_name;   ///< its words sorted, for names written surname first
  std::string skeleton;      ///< name_skeleton(name), for transliterated and misspelt names
  std::span<const std::uint32_t> items;  ///< in item order, a slice of ItemIndex's partner_items_
  std::vector<std::string> ibans;
  std::uint32_t name_id = 0;  ///< partners with the same `name` share it
};

/// One document key of one item; `reference` when the key comes from the item's payment reference.
struct DocPosting {
  std::uint64_t key = 0;
  std::uint32_t item = 0;
  bool reference = false;
  friend bool operator<(const DocPosting& a, const DocPosting& b) {
    return a.key != b.key ? a.key < b.key : a.item < b.item;
  }
};

/// What a word of purpose text is to the number scanner (one lookup per word).
struct WordClass {
  std::string prefix;     ///< the series prefix it stands for ("RE" for "RE" and "RECHNUNG"), or ""
  bool filler = false;    ///< "NR", "NO"
  bool generic = false;   ///< "BELEG", fillers too
  bool customer = false;  ///< introduces a customer number
};

/// Memory of one Engine::run (the index itself stays read-only): scratch space of the fuzzy name
/// search, and results that depend only on a name, so payers seen again cost a hash lookup.
struct RunScratch {
  static constexpr std::size_t kMaxCached = 1 << 16;  ///< entries per cache; cleared when full
  std::vector<std::uint8_t> shared;     ///< per partner: rare trigrams shared with the query
  std::vector<std::uint32_t> reached;   ///< partners whose count was touched
  StringIds raw_names;                  ///< raw counterparty names seen ...
  std::vector<std::string> normalized_names;  ///< ... and their normalised form, by id
  StringIds fuzzy_keys;                 ///< "t|" / "f|" + normalised name ...
  std::vector<std::vector<std::pair<std::uint32_t, int>>> fuzzy_found;  ///< ... and the similar partners, by id
};

/// Read-only lookup structures over the open items: document keys, RF references, partners by
/// IBAN, name (exact and trigram) and customer number, and counts per amount.
class ItemIndex {
 public:
  ItemIndex() = default;
  ItemIndex(const ItemIndex&) = delete;  ///< partners' item spans point into the index
  ItemIndex& operator=(const ItemIndex&) = delete;
  static Result<std::unique_ptr<ItemIndex>> build(std::vector<domain::OpenItem> items, const RuleSet& rules);

  std::span<const DocPosting> find_document(std::uint64_t key) const;
  bool is_known_prefix(std::string_view prefix) const { return prefixes_.find(prefix) != StringIds::kNone; }
  /// nullptr for an ordinary word.
  const WordClass* classify(std::string_view upper_word) const {
    const auto id = word_ids_.find(upper_word);
    return id == StringIds::kNone ? nullptr : &words_[id];
  }
  /// Empty when nothing is known under the key.
  std::span<const std::uint32_t> find_creditor_reference(std::string_view rf) const;
  std::span<const std::uint32_t> find_partners_by_iban(std::string_view iban) const;
  /// A cache hint for a find_partners_by_iban() to come.
  void prefetch_iban(std::string_view iban) const { iban_keys_.prefetch(iban); }
  std::span<const std::uint32_t> find_partners_by_name(std::string_view name) const;
  std::span<const std::uint32_t> find_partners_by_customer_number(std::string_view number) const;
  /// Up to 12 partners whose normalised name is at least `min_permille` similar (Jaro-Winkler), best first.
  /// `truncated`: the bank may have cut the name off at its field length, so a partner name that
  /// starts like it also counts (compared over the query's length).
  std::vector<std::pair<std::uint32_t, int>> find_partners_fuzzy(const std::string& name, int min_permille,
                                                                 bool truncated, RunScratch& scratch) const;
  /// How many items (any partner) have this signed open amount in this currency.
  int count_amount(std::string_view currency, std::int64_t signed_open) const;

  std::vector<domain::OpenItem> items;
  std::vector<ItemInfo> info;
  std::vector<CompiledRule> match_rules;  ///< RuleSet::rules, compiled
  std::vector<Partner> partners;

 private:
  void add_document_keys(std::uint32_t item, std::string_view number, bool reference);
  void group_partner_items();
  void sort_postings();
  void index_partner_names();
  void index_words(const RuleSet& rules);
  WordClass& word(std::string_view w);

  std::vector<std::uint32_t> partner_items_;  ///< every partner's items, partner after partner
  std::vector<DocPosting> postings_;  ///< sorted by key, items in order within a key
  int bucket_bits_ = 1;               ///< postings with the same top bits of the key form a bucket ...
  std::vector<std::uint32_t> buckets_;  ///< ... starting at buckets_[top bits]
  StringIds prefixes_;
  StringIds rf_keys_;
  Groups rf_;
  StringIds iban_keys_;
  Groups by_iban_;
  StringIds names_;  ///< distinct normalised partner names: Partner::name_id
  Groups by_name_;
  StringIds customer_keys_;
  Groups by_customer_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> trigrams_;  ///< (trigram, partner), sorted
  std::vector<std::uint32_t> trigram_values_;  ///< distinct trigrams, sorted; trigram_values_[k]'s ...
  std::vector<std::uint32_t> trigram_starts_;  ///< ... postings are trigrams_[starts[k], starts[k + 1])
  /// Common trigrams also as a bit per partner (row trigram_rows_[k] of trigram_bits_, or kNoRow): a
  /// membership test without a search. Only where the bits take no more room than the postings.
  static constexpr std::uint32_t kNoRow = 0xFFFFFFFFu;
  std::vector<std::uint32_t> trigram_rows_;
  std::vector<std::uint64_t> trigram_bits_;
  std::size_t trigram_row_words_ = 0;
  std::vector<std::uint32_t> name_trigrams_;         ///< each partner's sorted trigrams, one after the other
  std::vector<std::uint32_t> name_trigram_offsets_;  ///< partner p: [offsets[p], offsets[p + 1])
  std::string last_prefix_;
  StringIds word_ids_;
  std::vector<WordClass> words_;
  KeyCounts amounts_;
};

/// Signed open amount of an item: money in (invoice, expected) positive, money out (bill, credit note) negative.
std::int64_t signed_amount(const domain::OpenItem& item);
/// Customer-number form of an id: upper-case letters and digits only, leading zeros of a digit-only id dropped.
std::string customer_number_key(std::string_view id);
/// Digits of an id with leading zeros dropped, or "" when it has none.
std::string customer_number_digits(std::string_view id);

}  // namespace bankrec::reconcile
