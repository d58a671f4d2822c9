#include "item_index.h"

#include <algorithm>

#include "bankrec/base/text.h"
#include "bankrec/domain/creditor_reference.h"
#include "bankrec/reconcile/name_similarity.h"

namespace bankrec::reconcile {
namespace {

constexpr std::size_t kRareTrigrams = 10;      // a name's rarest trigrams used to find similar names
constexpr std::size_t kMaxFuzzyCompared = 64;  // partners compared in full per fuzzy lookup

std::uint64_t amount_key(std::string_view currency, std::int64_t amount) {
  std::uint64_t h = 0;
  for (char c : currency) h = h * 131 + static_cast<unsigned char>(c);
  return (h * 0x9E3779B97F4A7C15ULL) ^ static_cast<std::uint64_t>(amount);
}

std::vector<std::uint32_t> trigrams_of(std::string_view name) {
  std::vector<std::uint32_t> out;
  const std::string padded = " " + std::string(name) + " ";
  for (std::size_t i = 0; i + 3 <= padded.size(); ++i) {
    const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(padded[i + k])); };
    out.push_back((b(0) << 16) | (b(1) << 8) | b(2));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string join_key(std::string_view prefix, const std::vector<std::string_view>& groups) {
  std::string out(prefix);
  for (auto g : groups) {
    if (!out.empty()) out.push_back(' ');
    out += g;
  }
  return out;
}

Result<void> check_unique_ids(const std::vector<domain::OpenItem>& items) {
  std::vector<std::string_view> ids;
  ids.reserve(items.size());
  for (const auto& item : items) ids.push_back(item.id);
  std::sort(ids.begin(), ids.end());
  const auto dup = std::adjacent_find(ids.begin(), ids.end());
  if (dup != ids.end()) return fail(Errc::invalid_input, "open item id '" + std::string(*dup) + "' given twice");
  return ok();
}

void push_unique(std::vector<std::uint32_t>& v, std::uint32_t x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

}  // namespace

std::int64_t signed_amount(const domain::OpenItem& item) {
  const bool out = item.kind == domain::OpenItemKind::bill || item.kind == domain::OpenItemKind::credit_note;
  return out ? -item.amount.minor() : item.amount.minor();
}

std::string customer_number_key(std::string_view id) {
  std::string out;
  for (char c : id) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out.push_back(c);
  }
  return out;
}

std::string customer_number_digits(std::string_view id) {
  std::string digits;
  for (char c : id)
    if (c >= '0' && c <= '9') digits.push_back(c);
  if (digits.empty()) return digits;
  return std::string(strip_zeros(digits));
}

void ItemIndex::add_document_keys(std::uint32_t item, std::string_view number, bool reference) {
  const auto doc = split_document_number(number);
  if (!doc) return;
  std::vector<std::string_view> stripped;
  std::string concat;
  for (const auto& g : doc->groups) {
    stripped.push_back(strip_zeros(g));
    concat += g;
  }
  const std::vector<std::string_view> joined{concat};
  const auto add = [&](KeyKind kind, std::string_view prefix, const std::vector<std::string_view>& groups) {
    postings_.push_back({document_key(kind, prefix, groups), item, reference});
  };
  add(KeyKind::full, doc->prefix, stripped);
  if (doc->groups.size() > 1) add(KeyKind::concat, doc->prefix, joined);
  if (!doc->prefix.empty()) {
    add(KeyKind::bare_full, "", stripped);
    add(KeyKind::bare_concat, "", joined);
    if (doc->prefix != last_prefix_) {
      prefixes_.insert(doc->prefix);
      last_prefix_ = doc->prefix;
    }
  }
  bool all_years = doc->groups.size() >= 2;
  for (std::size_t g = 0; g + 1 < doc->groups.size(); ++g) {
    const bool two_digit = doc->groups[g].size() == 2 && doc->groups[g + 1].size() > 2;
    all_years &= is_year_group(doc->groups[g], two_digit);
  }
  if (all_years && !doc->prefix.empty()) add(KeyKind::sequence, doc->prefix, {stripped.back()});
  if (!reference) {
    info[item].prefix = doc->prefix;
    info[item].key_text = join_key(doc->prefix, stripped);
  }
}

void ItemIndex::index_words(const RuleSet& rules) {
  for (const auto& p : prefixes_) words_[p].prefix = p;
  for (const auto& alias : rules.series_aliases)
    if (prefixes_.contains(alias.prefix) && words_[alias.word].prefix.empty()) words_[alias.word].prefix = alias.prefix;
  for (const auto& w : rules.filler_words) words_[w].filler = words_[w].generic = true;
  for (const auto& w : rules.generic_number_words) words_[w].generic = true;
  for (const auto& w : rules.customer_number_words) words_[w].customer = true;
}

Result<std::unique_ptr<ItemIndex>> ItemIndex::build(std::vector<domain::OpenItem> items, const RuleSet& rules) {
  auto index = std::make_unique<ItemIndex>();
  index->items = std::move(items);
  index->info.resize(index->items.size());
  BANKREC_TRY(check_unique_ids(index->items));
  std::unordered_map<std::string, std::uint32_t> partner_of;
  partner_of.reserve(index->items.size());
  index->postings_.reserve(index->items.size() * 6);
  index->amounts_.reserve(index->items.size());
  for (std::uint32_t i = 0; i < index->items.size(); ++i) {
    const auto& item = index->items[i];
    auto [it, fresh] = partner_of.emplace(item.partner_id, static_cast<std::uint32_t>(index->partners.size()));
    if (fresh) {
      std::string name = text::normalize_party_name(item.partner_name);
      std::string sorted = sorted_words(name);
      index->partners.push_back({item.partner_id, item.partner_name, std::move(name), std::move(sorted), {}, {}});
    }
    Partner& partner = index->partners[it->second];
    partner.items.push_back(i);
    for (const auto& iban : item.partner_ibans)
      if (std::find(partner.ibans.begin(), partner.ibans.end(), iban) == partner.ibans.end()) partner.ibans.push_back(iban);
    index->info[i].partner = it->second;
    index->info[i].signed_open = signed_amount(item);
    index->amounts_[amount_key(item.amount.currency().str(), index->info[i].signed_open)]++;
    index->add_document_keys(i, item.document_number, /*reference=*/false);
    if (item.reference) {
      if (auto rf = domain::parse_creditor_reference(*item.reference)) {
        index->rf_[*rf].push_back(i);
      } else {
        index->add_document_keys(i, *item.reference, /*reference=*/true);
      }
    }
  }
  std::sort(index->postings_.begin(), index->postings_.end());
  index->postings_.erase(std::unique(index->postings_.begin(), index->postings_.end(),
                                     [](const DocPosting& a, const DocPosting& b) { return a.key == b.key && a.item == b.item; }),
                         index->postings_.end());
  index->index_partner_names();
  index->index_words(rules);
  return index;
}

void ItemIndex::index_partner_names() {
  trigrams_.reserve(partners.size() * 24);
  for (std::uint32_t p = 0; p < partners.size(); ++p) {
    const Partner& partner = partners[p];
    for (const auto& iban : partner.ibans) push_unique(by_iban_[iban], p);
    if (!partner.name.empty()) {
      by_name_[partner.name].push_back(p);
      for (auto t : trigrams_of(partner.name)) trigrams_.emplace_back(t, p);
    }
    const auto key = customer_number_key(partner.id);
    if (!key.empty()) push_unique(by_customer_[key], p);
    const auto digits = customer_number_digits(partner.id);
    if (!digits.empty() && digits != key) push_unique(by_customer_[digits], p);
  }
  std::sort(trigrams_.begin(), trigrams_.end());
}

std::span<const DocPosting> ItemIndex::find_document(std::uint64_t key) const {
  const auto lo = std::lower_bound(postings_.begin(), postings_.end(), DocPosting{key, 0, false});
  auto hi = lo;
  while (hi != postings_.end() && hi->key == key) ++hi;
  return {lo, hi};
}

namespace {
template <class Map>
const std::vector<std::uint32_t>* find_in(const Map& map, const std::string& key) {
  const auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}
}  // namespace

const std::vector<std::uint32_t>* ItemIndex::find_creditor_reference(const std::string& rf) const { return find_in(rf_, rf); }
const std::vector<std::uint32_t>* ItemIndex::find_partners_by_iban(const std::string& iban) const { return find_in(by_iban_, iban); }
const std::vector<std::uint32_t>* ItemIndex::find_partners_by_name(const std::string& name) const { return find_in(by_name_, name); }
const std::vector<std::uint32_t>* ItemIndex::find_partners_by_customer_number(const std::string& number) const {
  return find_in(by_customer_, number);
}

std::vector<std::pair<std::uint32_t, int>> ItemIndex::find_partners_fuzzy(const std::string& name, int min_permille) const {
  std::vector<std::pair<std::uint32_t, int>> out;
  using Posting = std::pair<std::uint32_t, std::uint32_t>;
  std::vector<std::pair<const Posting*, const Posting*>> lists;
  for (auto t : trigrams_of(name)) {
    const auto lo = std::lower_bound(trigrams_.begin(), trigrams_.end(), Posting{t, 0});
    auto hi = lo;
    while (hi != trigrams_.end() && hi->first == t) ++hi;
    if (hi != lo) lists.emplace_back(&*lo, &*lo + (hi - lo));
  }
  if (lists.empty()) return out;
  // The rarest trigrams say most about a name and are cheap to walk; a typo only removes a few of
  // them (its own trigrams exist nowhere). Partners sharing several of them are compared in full.
  std::sort(lists.begin(), lists.end(), [](const auto& a, const auto& b) {
    return a.second - a.first != b.second - b.first ? a.second - a.first < b.second - b.first : a.first < b.first;
  });
  if (lists.size() > kRareTrigrams) lists.resize(kRareTrigrams);
  const int needed = std::clamp<int>(static_cast<int>(lists.size()) / 3, 1, 3);
  std::vector<std::uint8_t> shared(partners.size(), 0);
  std::vector<std::uint32_t> reached;
  for (const auto& [first, last] : lists)
    for (const Posting* p = first; p != last; ++p)
      if (++shared[p->second] == needed) reached.push_back(p->second);
  const auto more_shared = [&](std::uint32_t a, std::uint32_t b) {
    return shared[a] != shared[b] ? shared[a] > shared[b] : a < b;
  };
  if (reached.size() > kMaxFuzzyCompared) {
    std::nth_element(reached.begin(), reached.begin() + kMaxFuzzyCompared, reached.end(), more_shared);
    reached.resize(kMaxFuzzyCompared);
  }
  const std::string sorted = sorted_words(name);
  for (auto p : reached) {
    int sim = jaro_winkler_permille(name, partners[p].name);
    if (sim < min_permille) sim = std::max(sim, jaro_winkler_permille(sorted, partners[p].sorted_name));
    if (sim >= min_permille) out.emplace_back(p, sim);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  if (out.size() > 12) out.resize(12);
  return out;
}

int ItemIndex::count_amount(std::string_view currency, std::int64_t signed_open) const {
  const auto it = amounts_.find(amount_key(currency, signed_open));
  return it == amounts_.end() ? 0 : it->second;
}

}  // namespace bankrec::reconcile
