#include "item_index.h"

#include <algorithm>
#include <utility>

#include "bankrec/base/text.h"
#include "bankrec/domain/creditor_reference.h"
#include "bankrec/reconcile/name_similarity.h"
#include "huge_pages.h"

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
  StringIds ids;
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
  std::vector<T> tmp;
  assign_huge(tmp, v.size(), T{});
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

/// (key id, value) for a Groups table; a value already listed under the key is not added twice.
void add_unique(std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs, std::uint32_t id, std::uint32_t value) {
  // Values arrive in increasing order (partner by partner), so a repeat is always the last pair of its key.
  for (auto it = pairs.rbegin(); it != pairs.rend() && it->second == value; ++it)
    if (it->first == id) return;
  pairs.emplace_back(id, value);
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
}

WordClass& ItemIndex::word(std::string_view w) {
  const auto [id, fresh] = word_ids_.insert(w);
  if (fresh) words_.emplace_back();
  return words_[id];
}

void ItemIndex::index_words(const RuleSet& rules) {
  for (std::uint32_t k = 0; k < prefixes_.size(); ++k) word(prefixes_.key(k)).prefix = prefixes_.key(k);
  for (const auto& alias : rules.series_aliases)
    if (is_known_prefix(alias.prefix) && word(alias.word).prefix.empty()) word(alias.word).prefix = alias.prefix;
  for (const auto& w : rules.filler_words) {
    WordClass& c = word(w);
    c.filler = c.generic = true;
  }
  for (const auto& w : rules.generic_number_words) word(w).generic = true;
  for (const auto& w : rules.customer_number_words) word(w).customer = true;
}

Result<std::unique_ptr<ItemIndex>> ItemIndex::build(std::vector<domain::OpenItem> items,
                                                    const RuleSet& rules) {
  auto index = std::make_unique<ItemIndex>();
  index->items = std::move(items);
  assign_huge(index->info, index->items.size(), ItemInfo{});
  BANKREC_TRY(check_unique_ids(index->items));
  index->match_rules = BANKREC_TRY(compile_rules(rules));
  StringIds partner_of;  // partner id -> position in `partners`
  partner_of.reserve(index->items.size() / 2);
  index->partners.reserve(index->items.size() / 2);
  reserve_huge(index->postings_, index->items.size() * 6);
  index->amounts_.reserve(index->items.size());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> rf_items;
  for (std::uint32_t i = 0; i < index->items.size(); ++i) {
    const auto& item = index->items[i];
    const auto [partner_index, fresh] = partner_of.insert(item.partner_id);
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
                                 {},
                                 0});
    }
    Partner& partner = index->partners[partner_index];
    for (const auto& iban : item.partner_ibans)
      if (std::find(partner.ibans.begin(), partner.ibans.end(), iban) == partner.ibans.end())
        partner.ibans.push_back(iban);
    index->info[i].partner = partner_index;
    index->info[i].currency = currency_key(item.amount.currency());
    index->info[i].signed_open = signed_amount(item);
    if (item.due_date) index->info[i].due_day = static_cast<std::int32_t>(item.due_date->to_days());
    if (item.discount_basis_points && item.discount_until) {
      index->info[i].has_discount = true;
      index->info[i].discount_basis_points = *item.discount_basis_points;
      index->info[i].discount_until_day = static_cast<std::int32_t>(item.discount_until->to_days());
    }
    index->amounts_.add(amount_key(item.amount.currency().str(), index->info[i].signed_open));
    index->add_document_keys(i, item.document_number, /*reference=*/false);
    if (item.reference) {
      if (auto rf = domain::parse_creditor_reference(*item.reference)) {
        rf_items.emplace_back(index->rf_keys_.insert(*rf).first, i);
      } else {
        index->add_document_keys(i, *item.reference, /*reference=*/true);
      }
    }
  }
  index->rf_.build(rf_items, index->rf_keys_.size());
  index->group_partner_items();
  index->sort_postings();
  index->index_partner_names();
  index->index_words(rules);
  return index;
}

void ItemIndex::group_partner_items() {
  // One array in partner order (a counting sort by partner, items in order within a partner), so a
  // partner's items are adjacent in memory and the index makes no allocation per partner.
  std::vector<std::uint32_t> starts(partners.size() + 1, 0);
  for (const auto& i : info) ++starts[i.partner + 1];
  for (std::size_t p = 1; p < starts.size(); ++p) starts[p] += starts[p - 1];
  assign_huge(partner_items_, info.size(), std::uint32_t{0});
  std::vector<std::uint32_t> at(starts.begin(), starts.end() - 1);
  for (std::uint32_t i = 0; i < info.size(); ++i) partner_items_[at[info[i].partner]++] = i;
  for (std::size_t p = 0; p < partners.size(); ++p)
    partners[p].items =
        std::span<const std::uint32_t>(partner_items_).subspan(starts[p], starts[p + 1] - starts[p]);
}

void ItemIndex::sort_postings() {
  // Buckets by the key's top bits, about one key per bucket: a lookup reads the bucket's start and
  // the few postings in it, where a binary search over all of them missed the cache a dozen times.
  bucket_bits_ = 1;
  while (bucket_bits_ < 30 && (std::size_t{1} << bucket_bits_) < postings_.size()) ++bucket_bits_;
  const int shift = 64 - bucket_bits_;
  // Stable by bucket, then (insertion sort, buckets are tiny) stable by key within each bucket: the
  // same order as a stable sort by key, so postings of one key stay in item order.
  radix_sort(postings_, bucket_bits_, [shift](const DocPosting& p) { return p.key >> shift; });
  assign_huge(buckets_, (std::size_t{1} << bucket_bits_) + 1, std::uint32_t{0});
  for (const auto& p : postings_) ++buckets_[(p.key >> shift) + 1];
  for (std::size_t b = 1; b < buckets_.size(); ++b) buckets_[b] += buckets_[b - 1];
  const auto by_key = [](const DocPosting& a, const DocPosting& b) { return a.key < b.key; };
  for (std::size_t b = 0; b + 1 < buckets_.size(); ++b) {
    const auto first = postings_.begin() + buckets_[b], last = postings_.begin() + buckets_[b + 1];
    if (last - first > 16) {  // a key many items share
      std::stable_sort(first, last, by_key);
      continue;
    }
    for (auto it = first + (first == last ? 0 : 1); it < last; ++it)
      for (auto j = it; j != first && j->key < (j - 1)->key; --j) std::iter_swap(j, j - 1);
  }
  // Drop repeats of (key, item): they are adjacent now. Then the bucket starts once more.
  postings_.erase(std::unique(postings_.begin(), postings_.end(),
                              [](const DocPosting& a, const DocPosting& b) {
                                return a.key == b.key && a.item == b.item;
                              }),
                  postings_.end());
  std::fill(buckets_.begin(), buckets_.end(), 0);
  for (const auto& p : postings_) ++buckets_[(p.key >> shift) + 1];
  for (std::size_t b = 1; b < buckets_.size(); ++b) buckets_[b] += buckets_[b - 1];
}

void ItemIndex::index_partner_names() {
  std::vector<std::uint32_t> grams;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> iban_pairs, name_pairs, customer_pairs;
  reserve_huge(trigrams_, partners.size() * 24);
  reserve_huge(name_trigrams_, partners.size() * 24);
  name_trigram_offsets_.reserve(partners.size() + 1);
  name_trigram_offsets_.push_back(0);
  names_.reserve(partners.size());
  iban_keys_.reserve(partners.size());
  customer_keys_.reserve(partners.size() * 2);
  for (std::uint32_t p = 0; p < partners.size(); ++p) {
    Partner& partner = partners[p];
    for (const auto& iban : partner.ibans) add_unique(iban_pairs, iban_keys_.insert(iban).first, p);
    partner.name_id = names_.insert(partner.name).first;
    if (!partner.name.empty()) {
      name_pairs.emplace_back(partner.name_id, p);
      trigrams_into(partner.name, grams);
      for (auto t : grams) {
        trigrams_.emplace_back(t, p);
        name_trigrams_.push_back(t);
      }
    }
    name_trigram_offsets_.push_back(static_cast<std::uint32_t>(name_trigrams_.size()));
    const auto key = customer_number_key(partner.id);
    if (!key.empty()) add_unique(customer_pairs, customer_keys_.insert(key).first, p);
    const auto digits = customer_number_digits(partner.id);
    if (!digits.empty() && digits != key) add_unique(customer_pairs, customer_keys_.insert(digits).first, p);
  }
  by_iban_.build(iban_pairs, iban_keys_.size());
  by_name_.build(name_pairs, names_.size());
  by_customer_.build(customer_pairs, customer_keys_.size());
  radix_sort(trigrams_, 24,
             [](const std::pair<std::uint32_t, std::uint32_t>& t) { return std::uint64_t{t.first}; });
  for (std::uint32_t k = 0; k < trigrams_.size(); ++k)
    if (k == 0 || trigrams_[k].first != trigrams_[k - 1].first) {
      trigram_values_.push_back(trigrams_[k].first);
      trigram_starts_.push_back(k);
    }
  trigram_starts_.push_back(static_cast<std::uint32_t>(trigrams_.size()));
  // Bit rows for the longest lists first, while all rows together take at most twice the room of
  // the postings; a list of fewer than 1/1024 of the partners is searched instead.
  trigram_row_words_ = (partners.size() + 63) / 64;
  const std::size_t min_postings = std::max<std::size_t>(8, partners.size() / 1024);
  const std::size_t max_rows = 2 * trigrams_.size() * sizeof(trigrams_[0]) / (8 * trigram_row_words_ + 1);
  std::vector<std::uint32_t> by_length;
  for (std::uint32_t k = 0; k < trigram_values_.size(); ++k)
    if (trigram_starts_[k + 1] - trigram_starts_[k] >= min_postings) by_length.push_back(k);
  std::sort(by_length.begin(), by_length.end(), [&](std::uint32_t a, std::uint32_t b) {
    const auto la = trigram_starts_[a + 1] - trigram_starts_[a], lb = trigram_starts_[b + 1] - trigram_starts_[b];
    return la != lb ? la > lb : a < b;
  });
  if (by_length.size() > max_rows) by_length.resize(max_rows);
  trigram_rows_.assign(trigram_values_.size(), kNoRow);
  std::size_t rows = 0;
  for (auto k : by_length) trigram_rows_[k] = static_cast<std::uint32_t>(rows++);
  assign_huge(trigram_bits_, rows * trigram_row_words_, std::uint64_t{0});
  for (std::size_t k = 0; k < trigram_values_.size(); ++k) {
    if (trigram_rows_[k] == kNoRow) continue;
    std::uint64_t* row = trigram_bits_.data() + trigram_rows_[k] * trigram_row_words_;
    for (std::uint32_t i = trigram_starts_[k]; i < trigram_starts_[k + 1]; ++i)
      row[trigrams_[i].second / 64] |= std::uint64_t{1} << (trigrams_[i].second % 64);
  }
}

std::span<const DocPosting> ItemIndex::find_document(std::uint64_t key) const {
  if (postings_.empty()) return {};
  const std::size_t b = key >> (64 - bucket_bits_);
  const DocPosting* first = postings_.data() + buckets_[b];
  const DocPosting* last = postings_.data() + buckets_[b + 1];
  const auto [lo, hi] = std::equal_range(first, last, DocPosting{key, 0, false},
                                         [](const DocPosting& x, const DocPosting& y) { return x.key < y.key; });
  return {lo, hi};
}

namespace {
std::span<const std::uint32_t> find_in(const StringIds& keys, const Groups& groups, std::string_view key) {
  const auto id = keys.find(key);
  return id == StringIds::kNone ? std::span<const std::uint32_t>() : groups.of(id);
}
}  // namespace

std::span<const std::uint32_t> ItemIndex::find_creditor_reference(std::string_view rf) const {
  return find_in(rf_keys_, rf_, rf);
}
std::span<const std::uint32_t> ItemIndex::find_partners_by_iban(std::string_view iban) const {
  return find_in(iban_keys_, by_iban_, iban);
}
std::span<const std::uint32_t> ItemIndex::find_partners_by_name(std::string_view name) const {
  return find_in(names_, by_name_, name);
}
std::span<const std::uint32_t> ItemIndex::find_partners_by_customer_number(std::string_view number) const {
  return find_in(customer_keys_, by_customer_, number);
}

std::vector<std::pair<std::uint32_t, int>> ItemIndex::find_partners_fuzzy(const std::string& name,
                                                                          int min_permille, bool truncated,
                                                                          RunScratch& scratch) const {
  std::vector<std::pair<std::uint32_t, int>> out;
  using Posting = std::pair<std::uint32_t, std::uint32_t>;
  struct List {
    const Posting* first;
    const Posting* last;
    const std::uint64_t* bits;  ///< the trigram's partner bits, or nullptr
    bool has(std::uint32_t partner) const {
      if (bits != nullptr) return ((bits[partner / 64] >> (partner % 64)) & 1U) != 0;
      return std::binary_search(first, last, Posting{first->first, partner});
    }
  };
  // Per-thread buffers: a run asks for thousands of names.
  thread_local std::vector<List> lists;
  thread_local std::vector<std::uint32_t> query, candidates;
  lists.clear();
  trigrams_into(name, query);
  for (auto t : query) {
    const auto at = std::lower_bound(trigram_values_.begin(), trigram_values_.end(), t);
    if (at == trigram_values_.end() || *at != t) continue;
    const auto k = static_cast<std::size_t>(at - trigram_values_.begin());
    const std::uint64_t* bits =
        trigram_rows_[k] == kNoRow ? nullptr : trigram_bits_.data() + trigram_rows_[k] * trigram_row_words_;
    lists.push_back({trigrams_.data() + trigram_starts_[k], trigrams_.data() + trigram_starts_[k + 1], bits});
  }
  if (lists.empty()) return out;
  // The rarest trigrams say most about a name and are cheap to walk; a typo only removes a few of
  // them (its own trigrams exist nowhere). Partners sharing most of them are compared in full.
  std::sort(lists.begin(), lists.end(), [](const List& a, const List& b) {
    return a.last - a.first != b.last - b.first ? a.last - a.first < b.last - b.first : a.first < b.first;
  });
  if (lists.size() > kRareTrigrams) lists.resize(kRareTrigrams);
  const int m = static_cast<int>(lists.size());
  const int needed = std::clamp<int>(m / 3, 1, 3);
  auto& shared = scratch.shared;
  auto& reached = scratch.reached;
  if (shared.size() != partners.size()) shared.assign(partners.size(), 0);
  reached.clear();
  // shared[p]: how many of the rare trigrams partner p's name has. A partner is a candidate when it
  // shares at least max(needed, most - kFuzzySlack), `most` being the best count of any partner.
  // Lists are walked rarest first; a partner first met in list k is in none of the lists before it,
  // so it shares 1 + (how many of the later lists hold it), and a partner not met in the first k
  // lists shares at most m - k: once that is below the bar, no partner met later could be a
  // candidate or raise `most`.
  // A partner's count is only needed in full when it can reach the bar: once the lists left cannot
  // lift it there, it is no candidate, and (being below the bar) it could not raise the bar either,
  // so the count stops early; the partial count is still non-zero and below the bar, as required.
  int most = 0;
  for (int k = 0; k < m && m - k >= std::max(needed, most - kFuzzySlack); ++k) {
    int bar = std::max(needed, most - kFuzzySlack);
    for (const Posting* p = lists[k].first; p != lists[k].last; ++p) {
      const std::uint32_t partner = p->second;
      if (shared[partner] != 0) continue;
      int n = 1;
      for (int j = k + 1; j < m && n + (m - j) >= bar; ++j) n += lists[j].has(partner) ? 1 : 0;
      shared[partner] = static_cast<std::uint8_t>(n);
      reached.push_back(partner);
      if (n > most) {
        most = n;
        bar = std::max(needed, most - kFuzzySlack);
      }
    }
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
  // Partners of the same name (common in a large book) are compared once.
  std::vector<std::pair<std::uint32_t, int>> by_name;  // (name id, similarity)
  for (auto p : compared) {
    const auto same = std::find_if(by_name.begin(), by_name.end(),
                                   [&](const auto& x) { return x.first == partners[p].name_id; });
    if (same != by_name.end()) {
      if (same->second >= min_permille) out.emplace_back(p, same->second);
      continue;
    }
    const std::string& other = partners[p].name;
    int sim = jaro_winkler_permille(name, other);
    if (whole != std::string_view(name)) sim = std::max(sim, jaro_winkler_permille(whole, other));
    if (sim < min_permille && has_space)
      sim = std::max(sim, jaro_winkler_permille(sorted, partners[p].sorted_name));
    // Spelling variants (umlauts transcribed or not, a doubled letter) never count as an equal name.
    if (sim < kSkeletonCap)
      sim = std::max(sim, std::min(jaro_winkler_permille(skeleton, partners[p].skeleton), kSkeletonCap));
    if (use_head && other.size() >= head.size() && sim < kTruncatedCap) {
      const int cut = jaro_winkler_permille(head, std::string_view(other).substr(0, head.size()));
      sim = std::max(sim, std::min(cut, kTruncatedCap));
    }
    by_name.emplace_back(partners[p].name_id, sim);
    if (sim >= min_permille) out.emplace_back(p, sim);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (out.size() > 12) out.resize(12);
  return out;
}

int ItemIndex::count_amount(std::string_view currency, std::int64_t signed_open) const {
  return amounts_.count(amount_key(currency, signed_open));
}

}  // namespace bankrec::reconcile
