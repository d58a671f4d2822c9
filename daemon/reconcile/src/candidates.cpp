#include <algorithm>

#include "bankrec/base/text.h"
#include "bankrec/reconcile/name_similarity.h"
#include "engine_internal.h"

namespace bankrec::reconcile {
namespace {

constexpr int kIbanPoints = 30;
constexpr int kIbanSharedPoints = 20;
constexpr int kCustomerNumberPoints = 30;
constexpr int kNameExactPoints = 30;
constexpr int kNameSharedPoints = 18;
constexpr int kFuzzyMinPoints = 20;
constexpr int kAgreementBonus = 5;
constexpr int kUniqueAmountBonus = 27;
constexpr int kGloballyUniqueBonus = 7;
constexpr int kSoleSimilarBonus = 7;
constexpr int kUniqueSubsetBonus = 25;
constexpr int kGroupBonus = 5;
constexpr int kPartnerConfirms = 10;
constexpr int kConfirmingSimilarity = 920;
constexpr int kPartnerContradicts = 10;
constexpr int kOtherNumberCited = 15;
constexpr int kReturnBonus = 25;
constexpr int kStrongCitation = 58;
constexpr std::size_t kMaxPartners = 12;
constexpr std::size_t kMaxGroupAlternatives = 4;
constexpr std::size_t kMaxSameAmount = 5;

void normalized_iban(const std::optional<std::string>& iban, std::string& out) {
  out.clear();
  if (!iban) return;
  for (char c : *iban) {
    if (c == ' ') continue;
    out.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  }
}

void add_evidence(std::vector<PartnerEvidence>& out, PartnerEvidence e) {
  auto it =
      std::find_if(out.begin(), out.end(), [&](const PartnerEvidence& x) { return x.partner == e.partner; });
  if (it == out.end()) {
    out.push_back(std::move(e));
    return;
  }
  // Two independent signs for the same partner (IBAN and name) make it surer.
  const int best = std::max(it->points, e.points);
  it->points = std::min(best + kAgreementBonus, kIbanPoints + kAgreementBonus);
  it->by_iban |= e.by_iban;
  it->name_similarity = std::max(it->name_similarity, e.name_similarity);
  if (e.points > 0 && !it->parts.contains(e.parts.front())) it->parts.push(e.parts.front());
}

PartnerEvidence evidence(std::uint32_t partner, int points, Note why, std::string_view field, bool by_iban,
                         int similarity) {
  PartnerEvidence e;
  e.partner = partner;
  e.points = points;
  e.parts.push(why);
  e.field = field;
  e.by_iban = by_iban;
  e.name_similarity = similarity;
  return e;
}

/// Names at a bank's field limit may have been cut off (MT940 ?32/?33: 27 each, SEPA: 70, camt: 140).
bool at_field_limit(std::size_t bytes) {
  return bytes == 27 || bytes == 35 || bytes == 54 || bytes == 70 || bytes == 140;
}

void partners_by_name(const ItemIndex& index, const RuleSet& rules, EntryContext& ctx, bool fuzzy,
                      RunScratch& scratch) {
  if (ctx.name.empty()) return;
  if (const auto exact = index.find_partners_by_name(ctx.name); !exact.empty()) {
    const int points = exact.size() == 1 ? kNameExactPoints : kNameSharedPoints;
    for (auto p : exact)
      add_evidence(ctx.partners,
                   evidence(p, points, {Why::name_equals, p}, "counterparty_name", false, 1000));
    return;
  }
  if (!fuzzy) return;
  const bool truncated = at_field_limit(ctx.entry->counterparty.name.value_or("").size());
  thread_local std::string key;
  key.assign(truncated ? "t|" : "f|").append(ctx.name);
  auto found = scratch.fuzzy_keys.find(key);
  if (found == StringIds::kNone) {
    if (scratch.fuzzy_keys.size() >= RunScratch::kMaxCached) {
      scratch.fuzzy_keys.clear();
      scratch.fuzzy_found.clear();
    }
    scratch.fuzzy_found.push_back(
        index.find_partners_fuzzy(ctx.name, rules.name_similarity_min_permille, truncated, scratch));
    found = scratch.fuzzy_keys.insert(key).first;
  }
  for (const auto& [p, sim] : scratch.fuzzy_found[found]) {
    const int span = std::max(1, 1000 - rules.name_similarity_min_permille);
    const int points = kFuzzyMinPoints + (kNameExactPoints - kFuzzyMinPoints) *
                                             (sim - rules.name_similarity_min_permille) / span;
    add_evidence(ctx.partners, evidence(p, points, {Why::name_similar, p, static_cast<std::uint32_t>(sim)},
                                        "counterparty_name", false, sim));
  }
}

const std::string& normalized_name(const std::string& raw, RunScratch& scratch) {
  const auto id = scratch.raw_names.find(raw);
  if (id != StringIds::kNone) return scratch.normalized_names[id];
  if (scratch.raw_names.size() >= RunScratch::kMaxCached) {
    scratch.raw_names.clear();
    scratch.normalized_names.clear();
  }
  scratch.raw_names.insert(raw);
  scratch.normalized_names.push_back(text::normalize_party_name(raw));
  return scratch.normalized_names.back();
}

bool contains_any(const std::string& haystack, const std::vector<std::string>& needles) {
  for (const auto& n : needles) {
    const auto pos = haystack.find(n);
    if (pos == std::string::npos) continue;
    const bool start_ok = pos == 0 || haystack[pos - 1] == ' ';
    const bool end_ok = pos + n.size() == haystack.size() || haystack[pos + n.size()] == ' ';
    if (start_ok && end_ok) return true;
  }
  return false;
}

bool direction_fits(Direction d, std::int64_t amount) {
  return d == Direction::any || (d == Direction::incoming ? amount > 0 : amount < 0);
}

void counter_drafts(const RuleSet& rules, const EntryContext& ctx, std::vector<Draft>& out) {
  const domain::Entry& e = *ctx.entry;
  std::string text;
  bool text_ready = false;
  for (const auto& rule : rules.counter_bookings) {
    if (!direction_fits(rule.direction, ctx.amount)) continue;
    int points = 0;
    CounterVia why = CounterVia::gvc;
    const auto& code = e.transaction_code;
    if (code.gvc &&
        std::find(rule.gvc_codes.begin(), rule.gvc_codes.end(), *code.gvc) != rule.gvc_codes.end()) {
      points = 92;
    } else if (code.iso && std::any_of(rule.iso_codes.begin(), rule.iso_codes.end(),
                                       [&](const std::string& c) { return code.iso->starts_with(c); })) {
      points = 92;
      why = CounterVia::iso;
    } else if (contains_any(ctx.name, rule.name_keywords)) {
      points = 90;
      why = CounterVia::name;
    } else if (!rule.text_keywords.empty() &&
               (text_ready || (text = text::normalize_for_matching(e.posting_text.value_or("") + " " +
                                                                   e.remittance.value_or("")),
                               text_ready = true)) &&
               contains_any(text, rule.text_keywords)) {
      points = 88;
      why = CounterVia::text;
    }
    if (points == 0) continue;
    Draft d;
    d.counter = &rule;
    d.identity = points;
    d.notes.push({Why::counter_booking, static_cast<std::uint32_t>(&rule - rules.counter_bookings.data()),
                  static_cast<std::uint32_t>(why)});
    d.features.field = "counter_booking";
    d.features.token = rule.name;
    out.push_back(std::move(d));
  }
}

bool has_counter_code(const RuleSet& rules, const domain::Entry& e, const std::string& name) {
  const auto& code = e.transaction_code;
  for (const auto& rule : rules.counter_bookings) {
    if (contains_any(name, rule.name_keywords)) return true;
    if (code.gvc &&
        std::find(rule.gvc_codes.begin(), rule.gvc_codes.end(), *code.gvc) != rule.gvc_codes.end())
      return true;
    if (code.iso && std::any_of(rule.iso_codes.begin(), rule.iso_codes.end(),
                                [&](const std::string& c) { return code.iso->starts_with(c); }))
      return true;
  }
  return false;
}

}  // namespace

void read_entry(const ItemIndex& index, const RuleSet& rules, const domain::Entry& entry, RunScratch& scratch,
                EntryContext& ctx) {
  ctx.entry = &entry;
  ctx.amount = entry.amount.minor();
  ctx.date = entry.booking_date ? entry.booking_date : entry.value_date;
  ctx.day = ctx.date ? ctx.date->to_days() : 0;
  ctx.is_return = entry.return_info.has_value() || entry.reversal;
  ctx.name.clear();
  ctx.partners.clear();
  ctx.iban_partners.clear();
  if (entry.counterparty.name) ctx.name = normalized_name(*entry.counterparty.name, scratch);
  ctx.is_psp = !ctx.name.empty() &&
               std::any_of(rules.psp_names.begin(), rules.psp_names.end(),
                           [&](const std::string& n) { return ctx.name.find(n) != std::string::npos; });
  normalized_iban(entry.counterparty.iban, ctx.iban);
  scan_entry_text(index, entry, ctx.text);
  if (ctx.is_psp) return;
  if (const auto by_iban = ctx.iban.empty() ? std::span<const std::uint32_t>() : index.find_partners_by_iban(ctx.iban);
      !by_iban.empty()) {
    ctx.iban_partners.assign(by_iban.begin(), by_iban.end());
    const int points = by_iban.size() == 1 ? kIbanPoints : kIbanSharedPoints;
    for (auto p : by_iban)
      add_evidence(ctx.partners, evidence(p, points, {Why::iban_known, p}, "counterparty_iban", true, 0));
  }
  for (auto p : ctx.text.customer_partners)
    add_evidence(ctx.partners,
                 evidence(p, kCustomerNumberPoints, {Why::customer_cited}, "customer_number", false, 0));
  // Fuzzy names only when nothing better identifies the payer and no transaction code marks the line
  // as a recurring booking: the trigram search is the costly part.
  partners_by_name(index, rules, ctx,
                   /*fuzzy=*/ctx.partners.empty() && ctx.text.mentions.empty() &&
                       !has_counter_code(rules, entry, ctx.name),
                   scratch);
  // Most points first, ties in the order found (a stable sort without its buffer: the position breaks ties).
  for (std::size_t k = 0; k < ctx.partners.size(); ++k) ctx.partners[k].slot = static_cast<std::uint32_t>(k);
  std::sort(ctx.partners.begin(), ctx.partners.end(), [](const PartnerEvidence& a, const PartnerEvidence& b) {
    return a.points != b.points ? a.points > b.points : a.slot < b.slot;
  });
  if (ctx.partners.size() > kMaxPartners) ctx.partners.resize(kMaxPartners);
  for (std::size_t k = 0; k < ctx.partners.size(); ++k) ctx.partners[k].slot = static_cast<std::uint32_t>(k);
}

namespace {

const PartnerEvidence* evidence_for(const EntryContext& ctx, std::uint32_t partner) {
  for (const auto& e : ctx.partners)
    if (e.partner == partner) return &e;
  return nullptr;
}

/// Whether the payer is the items' partner: confirms, contradicts (IBAN of another partner) or neither.
void judge_payer(const ItemIndex& index, const EntryContext& ctx, Draft& d) {
  if (ctx.is_psp || d.items.empty()) return;
  const std::uint32_t partner = index.info[d.items.front()].partner;
  for (auto item : d.items)
    if (index.info[item].partner != partner) return;
  const std::string& partner_name = index.partners[partner].name;
  if (const auto* e = evidence_for(ctx, partner)) {
    d.partner_adjust += kPartnerConfirms;
    d.features.iban_known = e->by_iban;
    d.features.name_similarity_permille =
        ctx.name.empty() ? 0 : jaro_winkler_permille(ctx.name, partner_name);
    d.notes.push({Why::evidence, e->slot, static_cast<std::uint32_t>(EvidenceSuffix::none)});
    return;
  }
  d.features.name_similarity_permille =
      ctx.name.empty() ? 0 : name_similarity_permille(ctx.name, partner_name);
  if (d.features.name_similarity_permille >= kConfirmingSimilarity) {
    d.partner_adjust += kPartnerConfirms;
    d.notes.push(
        {Why::name_similar, partner, static_cast<std::uint32_t>(d.features.name_similarity_permille)});
    return;
  }
  if (!ctx.iban_partners.empty()) {
    d.partner_adjust -= kPartnerContradicts;
    d.notes.push({Why::payer_iban_other, ctx.iban_partners.front()});
    return;
  }
  d.notes.push({Why::payer_unknown});
}

Draft cited_draft(const Mention& m, std::uint32_t mention, std::uint32_t hit) {
  const ItemHit& h = m.hits[hit];
  Draft d;
  d.items = {h.item};
  d.identity = h.strength;
  d.cited = true;
  d.creditor_reference = std::string_view(h.how).starts_with("creditor reference");
  d.features.token = m.token;
  d.features.field = m.field;
  d.features.identity = h.strength;
  d.features.slips = h.slips;
  d.notes.push({Why::cited, mention, hit});
  return d;
}

/// Listed numbers: one item per cited number; alternatives when a citation fits several items equally.
void group_drafts(const EntryContext& ctx, std::vector<Draft>& out) {
  if (ctx.text.mentions.size() < 2) return;
  std::vector<std::vector<const ItemHit*>> options;
  for (const auto& m : ctx.text.mentions) {
    int best = -1000;
    for (const auto& h : m.hits) best = std::max(best, h.strength);
    std::vector<const ItemHit*> top;
    for (const auto& h : m.hits)
      if (h.strength == best) top.push_back(&h);
    options.push_back(std::move(top));
  }
  if (options.size() < 2) return;
  std::vector<std::vector<const ItemHit*>> combos{{}};
  for (const auto& opt : options) {
    std::vector<std::vector<const ItemHit*>> next;
    for (const auto& c : combos)
      for (const auto* h : opt) {
        if (next.size() >= kMaxGroupAlternatives) break;
        auto grown = c;
        grown.push_back(h);
        next.push_back(std::move(grown));
      }
    combos = std::move(next);
  }
  for (const auto& combo : combos) {
    Draft d;
    d.cited = true;
    int weakest = 1000;
    for (const auto* h : combo) {
      if (std::find(d.items.begin(), d.items.end(), h->item) != d.items.end()) continue;
      d.items.push_back(h->item);
      weakest = std::min(weakest, h->strength);
      d.features.slips += h->slips;
    }
    if (d.items.size() < 2) continue;
    d.identity = weakest + kGroupBonus;
    d.features.identity = d.identity;
    d.features.token_from_items = true;
    d.features.field = ctx.text.mentions.front().field;
    d.notes.push({Why::numbers_listed});
    out.push_back(std::move(d));
  }
}

bool is_cited(const EntryContext& ctx, std::uint32_t item) {
  for (const auto& m : ctx.text.mentions)
    for (const auto& h : m.hits)
      if (h.item == item) return true;
  return false;
}

Draft partner_draft(const EntryContext& ctx, const PartnerEvidence& e, ItemList items, int bonus, Note why) {
  Draft d;
  d.items = std::move(items);
  d.identity = e.points + bonus;
  d.features.field = e.field;
  d.features.iban_known = e.by_iban;
  d.features.name_similarity_permille = e.name_similarity;
  d.notes.push({Why::evidence, e.slot, static_cast<std::uint32_t>(e.suffix)});
  d.notes.push(why);
  if (!ctx.text.mentions.empty() &&
      !std::any_of(d.items.begin(), d.items.end(), [&](auto i) { return is_cited(ctx, i); })) {
    d.identity -= kOtherNumberCited;
    d.notes.push({Why::other_document_cited});
  }
  d.features.identity = d.identity;
  return d;
}

/// Open items of one partner in the entry's currency and direction family, oldest due first, into `out`.
void open_items_of(const ItemIndex& index, const EntryContext& ctx, std::uint32_t partner,
                   std::span<const std::int64_t> remaining, std::vector<std::uint32_t>& out) {
  out.clear();
  const std::uint32_t currency = currency_key(ctx.entry->amount.currency());
  for (auto i : index.partners[partner].items)
    if (remaining[i] != 0 && index.info[i].currency == currency) out.push_back(i);
}

void subset_drafts(const RuleSet& rules, const EntryContext& ctx, const PartnerEvidence& e,
                   const std::vector<std::uint32_t>& open, std::span<const std::int64_t> remaining,
                   std::vector<Draft>& out) {
  thread_local std::vector<std::uint32_t> pool;  // reused from line to line
  thread_local std::vector<std::int64_t> values;
  pool.assign(open.begin(), open.begin() + std::min<std::size_t>(open.size(), rules.subset_max_candidates));
  values.clear();
  for (auto i : pool) values.push_back(remaining[i]);
  const auto found = find_subsets(values, ctx.amount, rules.subset_max_items, rules.subset_max_steps);
  const bool unique = found.complete && found.solutions.size() == 1 && pool.size() == open.size();
  for (const auto& sol : found.solutions) {
    ItemList items;
    for (auto k : sol) items.push_back(pool[k]);
    std::sort(items.begin(), items.end());
    out.push_back(partner_draft(ctx, e, std::move(items), unique ? kUniqueSubsetBonus : 0,
                                {unique ? Why::only_combination : Why::a_combination}));
  }
}

void equal_amount_items(const std::vector<std::uint32_t>& open, const EntryContext& ctx,
                        std::span<const std::int64_t> remaining, std::vector<std::uint32_t>& equal) {
  equal.clear();
  for (auto i : open)
    if (remaining[i] == ctx.amount) equal.push_back(i);
}

void exact_amount_drafts(const ItemIndex& index, const EntryContext& ctx, const PartnerEvidence& e,
                         const std::vector<std::uint32_t>& equal, std::vector<Draft>& out) {
  const bool unique = equal.size() == 1;
  const bool alone = unique && index.count_amount(ctx.entry->amount.currency().str(), ctx.amount) == 1;
  const std::size_t count = equal.size();
  for (auto i : std::span(equal).first(std::min(count, kMaxSameAmount)))
    out.push_back(
        partner_draft(ctx, e, {i}, unique ? kUniqueAmountBonus + (alone ? kGloballyUniqueBonus : 0) : 0,
                      alone    ? Note{Why::only_amount_anywhere}
                      : unique ? Note{Why::partner_only_amount}
                               : Note{Why::partner_same_amount, 0, static_cast<std::uint32_t>(count)}));
}

/// No item of exactly this amount: items the amount fits with cash discount or fees, and combinations.
void near_amount_drafts(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
                        const PartnerEvidence& e, const std::vector<std::uint32_t>& open,
                        std::span<const std::int64_t> remaining, std::vector<Draft>& out) {
  thread_local std::vector<std::uint32_t> near, discounted;  // reused from line to line
  near.clear();
  discounted.clear();
  for (auto i : open) {
    const std::int64_t due = remaining[i];
    if ((due > 0) != (ctx.amount > 0) || std::llabs(ctx.amount) >= std::llabs(due)) continue;
    const std::int64_t shortfall = std::llabs(due) - std::llabs(ctx.amount);
    const std::int64_t discount = cash_discount(index.info[i], due, ctx, rules);
    if (discount > 0 && std::llabs(shortfall - discount) <= 1) discounted.push_back(i);
    if (shortfall * 10000 <= std::llabs(due) * std::max(rules.fee_tolerance_basis_points, 300))
      near.push_back(i);
  }
  if (discounted.size() == 1) {
    out.push_back(partner_draft(ctx, e, discounted, kUniqueAmountBonus, {Why::fits_after_discount}));
  }
  const bool unique_near = near.size() == 1;
  for (std::size_t k = 0; k < near.size() && k < kMaxSameAmount; ++k)
    out.push_back(
        partner_draft(ctx, e, {near[k]}, unique_near ? kUniqueAmountBonus - 10 : 0, {Why::closest_amount}));
  subset_drafts(rules, ctx, e, open, remaining, out);
}

void partner_drafts(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
                    std::span<const std::int64_t> remaining, std::vector<Draft>& out) {
  // Per partner slot, reused from line to line (one set per thread).
  thread_local std::vector<std::vector<std::uint32_t>> open, equal;
  if (open.size() < ctx.partners.size()) {
    open.resize(ctx.partners.size());
    equal.resize(ctx.partners.size());
  }
  int named_with_amount = 0;
  for (std::size_t k = 0; k < ctx.partners.size(); ++k) {
    open_items_of(index, ctx, ctx.partners[k].partner, remaining, open[k]);
    equal_amount_items(open[k], ctx, remaining, equal[k]);
    named_with_amount += ctx.partners[k].field == "counterparty_name" && !equal[k].empty();
  }
  for (std::size_t k = 0; k < ctx.partners.size(); ++k) {
    PartnerEvidence e = ctx.partners[k];
    if (equal[k].empty()) {
      near_amount_drafts(index, rules, ctx, e, open[k], remaining, out);
      continue;
    }
    // Several partners share the name, but only one of them has an open item of this amount.
    if (e.field == "counterparty_name" && named_with_amount == 1 && e.points < kNameExactPoints &&
        e.name_similarity == 1000) {
      e.points = kNameExactPoints;
      e.suffix = EvidenceSuffix::only_one_of_name;
    }
    // Of the partners whose names are only similar, this is the one with an open item of this amount.
    if (e.field == "counterparty_name" && named_with_amount == 1 && e.name_similarity < 1000 &&
        equal[k].size() == 1) {
      e.points += kSoleSimilarBonus;
      e.suffix = EvidenceSuffix::only_similar_name;
    }
    exact_amount_drafts(index, ctx, e, equal[k], out);
  }
}

}  // namespace

void build_drafts(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
                  std::span<const std::int64_t> remaining, std::vector<Draft>& out) {
  out.clear();
  for (std::uint32_t m = 0; m < ctx.text.mentions.size(); ++m)
    for (std::uint32_t h = 0; h < ctx.text.mentions[m].hits.size(); ++h)
      out.push_back(cited_draft(ctx.text.mentions[m], m, h));
  group_drafts(ctx, out);
  if (ctx.is_return) {
    for (auto& d : out) {
      d.identity += kReturnBonus;
      d.notes.push({Why::returned});
    }
  } else {
    // A cited item that the amount settles exactly needs no search over the partner's other items:
    // an uncited item can never beat it (see kOtherNumberCited). This keeps the common case cheap.
    const bool settled = std::any_of(out.begin(), out.end(), [&](const Draft& d) {
      return d.items.size() == 1 && d.identity >= kStrongCitation && remaining[d.items.front()] == ctx.amount;
    });
    if (!settled) partner_drafts(index, rules, ctx, remaining, out);
    // A line citing an open item of its own direction is no recurring fee, salary or tax line.
    const bool cites_item = std::any_of(out.begin(), out.end(), [&](const Draft& d) {
      return d.cited && (remaining[d.items.front()] > 0) == (ctx.amount > 0) &&
             remaining[d.items.front()] != 0;
    });
    if (!cites_item) counter_drafts(rules, ctx, out);
  }
  for (auto& d : out)
    if (d.cited) judge_payer(index, ctx, d);
}

namespace {

struct SubsetSearch {
  std::span<const std::int64_t> values;
  std::int64_t target = 0;
  int max_items = 0;
  int steps_left = 0;
  bool prune = false;
  std::vector<std::size_t> chosen;  ///< the path being tried
  SubsetResult result;

  void run(std::size_t start, std::int64_t sum) {
    if (result.solutions.size() >= 2) return;
    if (--steps_left < 0) {
      result.complete = false;
      return;
    }
    if (chosen.size() >= 2 && sum == target) result.solutions.push_back(chosen);
    if (static_cast<int>(chosen.size()) == max_items) return;
    for (std::size_t k = start; k < values.size() && result.solutions.size() < 2 && result.complete; ++k) {
      if (prune && std::llabs(sum + values[k]) > std::llabs(target)) continue;
      chosen.push_back(k);
      run(k + 1, sum + values[k]);
      chosen.pop_back();
    }
  }
};

}  // namespace

SubsetResult find_subsets(std::span<const std::int64_t> values, std::int64_t target, int max_items,
                          int max_steps) {
  // Called for most lines without an exact amount: the path's buffer is lent to the search and
  // taken back, so it is not allocated per call (a member, not a reference, in the hot recursion).
  thread_local std::vector<std::size_t> path;
  path.clear();
  // With every value on the target's side, a partial sum beyond the target can never come back.
  const bool prune =
      std::all_of(values.begin(), values.end(), [&](std::int64_t v) { return (v > 0) == (target > 0); });
  SubsetSearch search{values, target, max_items, max_steps, prune, std::move(path), SubsetResult{}};
  search.run(0, 0);
  path = std::move(search.chosen);
  if (search.result.solutions.size() >= 2) search.result.complete = true;
  return search.result;
}

}  // namespace bankrec::reconcile
