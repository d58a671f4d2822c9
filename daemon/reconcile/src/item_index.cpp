#include "item_index.h"

#include <algorithm>
#include <utility>

#include "bankrec/base/text.h"
#include "bankrec/domain/creditor_reference.h"
#include "bankrec/reconcile/name_similarity.h"

namespace bankrec::reconcile {
namespace {

constexpr std::size_t kRareTrigrams = 10;         // a name's rarest trigrams used to find similar names
constexpr std::size_t kMaxFuzzyCompared = 16;     // partners compared in full (Jaro-Winkler) per fuzzy lookup
constexpr std::size_t kMaxOverlapChecked = 4000;  // partners whose trigram overlap is counted per lookup
constexpr int kTruncatedOverlapPenalty = 50;      // containment of a cut-off name ranks below an equal Dice
constexpr int kFuzzySlack = 2;  // ... sharing at most this many rare trigrams fewer than the best
constexpr std::size_t kMinTruncatedHead =
    10;                             // a cut-off name must keep this much to be compared as a prefix
constexpr int kTruncatedCap = 970;  // a prefix match never counts as an equal name
constexpr int kSkeletonCap = 960;   // nor does a name that only sounds the same

std::uint64_t amount_key(std::string_view currency, std::int64_t amount) {
  std::uint64_t h = 0;
  for (char c : currency) h = h * 131 + static_cast<unsigned char>(c);
  return (h * 0x9E3779B97F4A7C15ULL) ^ static_cast<std::uint64_t>(amount);
}

/// The sorted, distinct trigrams of " name " into `out` (cleared first; its memory is reused).
void trigrams_into(std::string_view name, std::vector<std::uint32_t>& out) {
  out.clear();
  const std::size_t padded = name.size() + 2;
  const auto byte = [&](std::size_t k) {
    return static_cast<std::uint32_t>(k == 0 || k + 1 == padded ? ' '
                                                                : static_cast<unsigned char>(name[k - 1]));
  };
  for (std::size_t i = 0; i + 3 <= padded; ++i)
    out.push_back((byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

Result<void> check_unique_ids(const std::vector<domain::OpenItem>& items) {
  std::unordered_set<std::string_view> ids;
  ids.reserve(items.size());
  for (const auto& item : items)
    if (!ids.insert(item.id).second)
      return fail(Errc::invalid_input, "open item id '" + item.id + "' given twice");
  return ok();
}

/// Stable LSD radix sort by `key(x)` (the low `bits` bits): the order of equal keys is kept, so
/// postings pushed in item order stay in item order within a key. Linear, unlike std::sort.
template <class T, class Key>
void radix_sort(std::vector<T>& v, int bits, Key key) {
  constexpr int kDigit = 11;
  std::vector<T> tmp(v.size());
  std::vector<std::size_t> count(std::size_t{1} << kDigit);
  for (int shift = 0; shift < bits; shift += kDigit) {
    std::fill(count.begin(), count.end(), 0);
    const auto digit = [&](const T& x) {
      return static_cast<std::size_t>((key(x) >> shift) & ((1u << kDigit) - 1));
    };
    for (const auto& x : v) ++count[digit(x)];
    std::size_t sum = 0;
    for (auto& c : count) sum += std::exchange(c, sum);
    for (auto& x : v) tmp[count[digit(x)]++] = std::move(x);
    v.swap(tmp);
  }
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
  // split_document_number() without its copies: the groups are views into reused tokens.
  thread_local std::vector<Token> tokens;
  thread_local std::vector<std::string_view> groups, stripped, joined(1), last(1);
  thread_local std::string prefix, concat;
  tokenize_into(number, tokens);
  prefix.clear();
  groups.clear();
  for (const Token& t : tokens) {
    if (t.digits)
      groups.emplace_back(t.text);
    else if (groups.empty())
      prefix += t.text;
  }
  if (groups.empty()) return;
  stripped.clear();
  concat.clear();
  for (const auto g : groups) {
    stripped.push_back(strip_zeros(g));
    concat += g;
  }
  joined.front() = concat;
  const auto add = [&](KeyKind kind, std::string_view key_prefix,
                       const std::vector<std::string_view>& key_groups) {
    postings_.push_back({document_key(kind, key_prefix, key_groups), item, reference});
  };
  add(KeyKind::full, prefix, stripped);
  if (groups.size() > 1) add(KeyKind::concat, prefix, joined);
  if (!prefix.empty()) {
    add(KeyKind::bare_full, "", stripped);
    add(KeyKind::bare_concat, "", joined);
    if (prefix != last_prefix_) {
      prefixes_.insert(prefix);
      last_prefix_ = prefix;
    }
  }
  bool all_years = groups.size() >= 2;
  for (std::size_t g = 0; g + 1 < groups.size(); ++g) {
    const bool two_digit = groups[g].size() == 2 && groups[g + 1].size() > 2;
    all_years &= is_year_group(groups[g], two_digit);
  }
  if (all_years && !prefix.empty()) {
    last.front() = stripped.back();
    add(KeyKind::sequence, prefix, last);
  }
  if (!reference) info[item].prefix = prefix;
}

void ItemIndex::index_words(const RuleSet& rules) {
  for (const auto& p : prefixes_) words_[p].prefix = p;
  for (const auto& alias : rules.series_aliases)
    if (prefixes_.contains(alias.prefix) && words_[alias.word].prefix.empty())
      words_[alias.word].prefix = alias.prefix;
  for (const auto& w : rules.filler_words) words_[w].filler = words_[w].generic = true;
  for (const auto& w : rules.generic_number_words) words_[w].generic = true;
  for (const auto& w : rules.customer_number_words) words_[w].customer = true;
}

Result<std::unique_ptr<ItemIndex>> ItemIndex::build(std::vector<domain::OpenItem> items,
                                                    const RuleSet& rules) {
  auto index = std::make_unique<ItemIndex>();
  index->items = std::move(items);
  index->info.resize(index->items.size());
  BANKREC_TRY(check_unique_ids(index->items));
  index->match_rules = BANKREC_TRY(compile_rules(rules));
  std::unordered_map<std::string, std::uint32_t> partner_of;
  partner_of.reserve(index->items.size());
  index->postings_.reserve(index->items.size() * 6);
  index->amounts_.reserve(index->items.size());
  for (std::uint32_t i = 0; i < index->items.size(); ++i) {
    const auto& item = index->items[i];
    auto [it, fresh] =
        partner_of.emplace(item.partner_id, static_cast<std::uint32_t>(index->partners.size()));
    if (fresh) {
      std::string name = text::normalize_party_name(item.partner_name);
      std::string sorted = sorted_words(name);
      std::string skeleton = name_skeleton(name);
      index->partners.push_back({item.partner_id,
                                 item.partner_name,
                                 std::move(name),
                                 std::move(sorted),
                                 std::move(skeleton),
                                 {},
                                 {}});
    }
    Partner& partner = index->partners[it->second];
    partner.items.push_back(i);
    for (const auto& iban : item.partner_ibans)
      if (std::find(partner.ibans.begin(), partner.ibans.end(), iban) == partner.ibans.end())
        partner.ibans.push_back(iban);
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
  radix_sort(index->postings_, 64, [](const DocPosting& p) { return p.key; });
  index->postings_.erase(std::unique(index->postings_.begin(), index->postings_.end(),
                                     [](const DocPosting& a, const DocPosting& b) {
                                       return a.key == b.key && a.item == b.item;
                                     }),
                         index->postings_.end());
  index->index_partner_names();
  index->index_words(rules);
  return index;
}

void ItemIndex::index_partner_names() {
  std::vector<std::uint32_t> grams;
  trigrams_.reserve(partners.size() * 24);
  name_trigrams_.reserve(partners.size() * 24);
  name_trigram_offsets_.reserve(partners.size() + 1);
  name_trigram_offsets_.push_back(0);
  for (std::uint32_t p = 0; p < partners.size(); ++p) {
    const Partner& partner = partners[p];
    for (const auto& iban : partner.ibans) push_unique(by_iban_[iban], p);
    if (!partner.name.empty()) {
      by_name_[partner.name].push_back(p);
      trigrams_into(partner.name, grams);
      for (auto t : grams) {
        trigrams_.emplace_back(t, p);
        name_trigrams_.push_back(t);
      }
    }
    name_trigram_offsets_.push_back(static_cast<std::uint32_t>(name_trigrams_.size()));
    const auto key = customer_number_key(partner.id);
    if (!key.empty()) push_unique(by_customer_[key], p);
    const auto digits = customer_number_digits(partner.id);
    if (!digits.empty() && digits != key) push_unique(by_customer_[digits], p);
  }
  radix_sort(trigrams_, 24,
             [](const std::pair<std::uint32_t, std::uint32_t>& t) { return std::uint64_t{t.first}; });
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

const std::vector<std::uint32_t>* ItemIndex::find_creditor_reference(const std::string& rf) const {
  return find_in(rf_, rf);
}
const std::vector<std::uint32_t>* ItemIndex::find_partners_by_iban(const std::string& iban) const {
  return find_in(by_iban_, iban);
}
const std::vector<std::uint32_t>* ItemIndex::find_partners_by_name(const std::string& name) const {
  return find_in(by_name_, name);
}
const std::vector<std::uint32_t>* ItemIndex::find_partners_by_customer_number(
    const std::string& number) const {
  return find_in(by_customer_, number);
}

std::vector<std::pair<std::uint32_t, int>> ItemIndex::find_partners_fuzzy(const std::string& name,
                                                                          int min_permille, bool truncated,
                                                                          RunScratch& scratch) const {
  std::vector<std::pair<std::uint32_t, int>> out;
  using Posting = std::pair<std::uint32_t, std::uint32_t>;
  // Per-thread buffers: a run asks for thousands of names.
  thread_local std::vector<std::pair<const Posting*, const Posting*>> lists;
  thread_local std::vector<std::uint32_t> query, candidates;
  lists.clear();
  trigrams_into(name, query);
  for (auto t : query) {
    const auto lo = std::lower_bound(trigrams_.begin(), trigrams_.end(), Posting{t, 0});
    const auto hi = std::upper_bound(lo, trigrams_.end(), Posting{t, 0xFFFFFFFFu});
    if (hi != lo) lists.emplace_back(&*lo, &*lo + (hi - lo));
  }
  if (lists.empty()) return out;
  // The rarest trigrams say most about a name and are cheap to walk; a typo only removes a few of
  // them (its own trigrams exist nowhere). Partners sharing most of them are compared in full.
  std::sort(lists.begin(), lists.end(), [](const auto& a, const auto& b) {
    return a.second - a.first != b.second - b.first ? a.second - a.first < b.second - b.first
                                                    : a.first < b.first;
  });
  if (lists.size() > kRareTrigrams) lists.resize(kRareTrigrams);
  const int needed = std::clamp<int>(static_cast<int>(lists.size()) / 3, 1, 3);
  auto& shared = scratch.shared;
  auto& reached = scratch.reached;
  if (shared.size() != partners.size()) shared.assign(partners.size(), 0);
  reached.clear();
  int most = 0;
  for (const auto& [first, last] : lists)
    for (const Posting* p = first; p != last; ++p) {
      const int n = ++shared[p->second];
      if (n == 1) reached.push_back(p->second);
      most = std::max(most, n);
    }
  // Partners that share enough rare trigrams are ranked by all the trigrams they share (Dice
  // coefficient; for a cut-off name, the share of the query's trigrams found); the best few are
  // compared in full.
  candidates.clear();
  for (auto p : reached)
    if (shared[p] >= std::max(needed, most - kFuzzySlack)) candidates.push_back(p);
  const auto more_shared = [&](std::uint32_t a, std::uint32_t b) {
    return shared[a] != shared[b] ? shared[a] > shared[b] : a < b;
  };
  if (candidates.size() > kMaxOverlapChecked) {
    std::nth_element(candidates.begin(), candidates.begin() + kMaxOverlapChecked, candidates.end(),
                     more_shared);
    candidates.resize(kMaxOverlapChecked);
  }
  for (auto p : reached) shared[p] = 0;
  std::vector<std::pair<int, std::uint32_t>> ranked;  // (-overlap per mille, partner)
  ranked.reserve(candidates.size());
  for (auto p : candidates) {
    const std::uint32_t* a = name_trigrams_.data() + name_trigram_offsets_[p];
    const std::uint32_t* a_end = name_trigrams_.data() + name_trigram_offsets_[p + 1];
    int common = 0;
    for (auto q = query.begin(); a != a_end && q != query.end();) {
      if (*a == *q)
        ++common, ++a, ++q;
      else if (*a < *q)
        ++a;
      else
        ++q;
    }
    const int own = static_cast<int>(name_trigram_offsets_[p + 1] - name_trigram_offsets_[p]);
    int score = 2000 * common / (own + static_cast<int>(query.size()));
    if (truncated)
      score = std::max(score, 1000 * common / static_cast<int>(query.size()) - kTruncatedOverlapPenalty);
    ranked.emplace_back(-score, p);
  }
  if (ranked.size() > kMaxFuzzyCompared) {
    std::nth_element(ranked.begin(), ranked.begin() + kMaxFuzzyCompared, ranked.end());
    ranked.resize(kMaxFuzzyCompared);
  }
  std::vector<std::uint32_t> compared;
  for (const auto& r : ranked) compared.push_back(r.second);
  const bool has_space = name.find(' ') != std::string::npos;
  const std::string sorted = has_space ? sorted_words(name) : std::string();
  // A cut-off name: legal-form fragments at its end go; then its last word may still be a
  // fragment, and the rest must start the partner's name.
  const std::string_view whole = truncated ? strip_cut_legal_form(name) : std::string_view(name);
  std::string_view head = whole;
  if (truncated && whole.find(' ') != std::string_view::npos) head = whole.substr(0, whole.rfind(' '));
  const bool use_head = truncated && head.size() >= kMinTruncatedHead;
  const std::string skeleton = name_skeleton(whole);
  for (auto p : compared) {
    const std::string& other = partners[p].name;
    int sim = std::max(jaro_winkler_permille(name, other), jaro_winkler_permille(whole, other));
    if (sim < min_permille && has_space)
      sim = std::max(sim, jaro_winkler_permille(sorted, partners[p].sorted_name));
    // Spelling variants (umlauts transcribed or not, a doubled letter) never count as an equal name.
    if (sim < kSkeletonCap)
      sim = std::max(sim, std::min(jaro_winkler_permille(skeleton, partners[p].skeleton), kSkeletonCap));
    if (use_head && other.size() >= head.size() && sim < kTruncatedCap) {
      const int cut = jaro_winkler_permille(head, std::string_view(other).substr(0, head.size()));
      sim = std::max(sim, std::min(cut, kTruncatedCap));
    }
    if (sim >= min_permille) out.emplace_back(p, sim);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (out.size() > 12) out.resize(12);
  return out;
}

int ItemIndex::count_amount(std::string_view currency, std::int64_t signed_open) const {
  const auto it = amounts_.find(amount_key(currency, signed_open));
  return it == amounts_.end() ? 0 : it->second;
}

}  // namespace bankrec::reconcile
