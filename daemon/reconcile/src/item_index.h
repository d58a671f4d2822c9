#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/domain/open_item.h"
#include "bankrec/reconcile/document_number.h"
#include "bankrec/reconcile/rules.h"
#include "rule_match.h"

namespace bankrec::reconcile {

/// What the engine knows about one item beyond the OpenItem itself.
struct ItemInfo {
  std::uint32_t partner = 0;
  std::int64_t signed_open = 0;  ///< + for invoice/expected (money in), - for bill/credit_note
  std::string prefix;            ///< series prefix of the document number ("RE")
};

struct Partner {
  std::string id;
  std::string display_name;  ///< as in the ERP
  std::string name;          ///< normalize_party_name()
  std::string sorted_name;   ///< its words sorted, for names written surname first
  std::string skeleton;      ///< name_skeleton(name), for transliterated and misspelt names
  std::vector<std::uint32_t> items;
  std::vector<std::string> ibans;
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
  std::unordered_map<std::string, std::string> normalized_names;  ///< raw counterparty name -> normalised
  std::unordered_map<std::string, std::vector<std::pair<std::uint32_t, int>>> fuzzy_found;  ///< "t|" / "f|" + name
};

/// Read-only lookup structures over the open items: document keys, RF references, partners by
/// IBAN, name (exact and trigram) and customer number, and counts per amount.
class ItemIndex {
 public:
  static Result<std::unique_ptr<ItemIndex>> build(std::vector<domain::OpenItem> items, const RuleSet& rules);

  std::span<const DocPosting> find_document(std::uint64_t key) const;
  bool is_known_prefix(std::string_view prefix) const { return prefixes_.contains(std::string(prefix)); }
  /// nullptr for an ordinary word.
  const WordClass* classify(const std::string& upper_word) const {
    const auto it = words_.find(upper_word);
    return it == words_.end() ? nullptr : &it->second;
  }
  const std::vector<std::uint32_t>* find_creditor_reference(const std::string& rf) const;
  const std::vector<std::uint32_t>* find_partners_by_iban(const std::string& iban) const;
  const std::vector<std::uint32_t>* find_partners_by_name(const std::string& name) const;
  const std::vector<std::uint32_t>* find_partners_by_customer_number(const std::string& number) const;
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
  void index_partner_names();
  void index_words(const RuleSet& rules);

  std::vector<DocPosting> postings_;
  std::unordered_set<std::string> prefixes_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> rf_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_iban_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_name_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_customer_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> trigrams_;  ///< (trigram, partner), sorted
  std::vector<std::uint32_t> name_trigrams_;         ///< each partner's sorted trigrams, one after the other
  std::vector<std::uint32_t> name_trigram_offsets_;  ///< partner p: [offsets[p], offsets[p + 1])
  std::string last_prefix_;
  std::unordered_map<std::string, WordClass> words_;
  std::unordered_map<std::uint64_t, int> amounts_;
};

/// Signed open amount of an item: money in (invoice, expected) positive, money out (bill, credit note) negative.
std::int64_t signed_amount(const domain::OpenItem& item);
/// Customer-number form of an id: upper-case letters and digits only, leading zeros of a digit-only id dropped.
std::string customer_number_key(std::string_view id);
/// Digits of an id with leading zeros dropped, or "" when it has none.
std::string customer_number_digits(std::string_view id);

}  // namespace bankrec::reconcile
