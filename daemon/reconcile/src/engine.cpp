#include "bankrec/reconcile/engine.h"

#include <algorithm>
#include <numeric>
#include <tuple>

#include "bankrec/base/check.h"
#include "engine_internal.h"
#include "rule_match.h"

namespace bankrec::reconcile {
namespace {

/// Order-independent identity of an entry: FNV-1a over the fields that describe it.
std::uint64_t content_hash(const domain::Entry& e) {
  std::uint64_t h = 1469598103934665603ULL;
  const auto mix = [&h](std::string_view s) {
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
    h ^= 0xFF;
    h *= 1099511628211ULL;
  };
  mix(e.remittance.value_or(""));
  mix(e.end_to_end_id.value_or(""));
  mix(e.counterparty.iban.value_or(""));
  mix(e.counterparty.name.value_or(""));
  mix(e.bank_reference.value_or(""));
  return h;
}

struct OrderKey {
  std::int64_t day = 0;
  std::int64_t amount = 0;
  std::uint64_t hash = 0;
  std::uint32_t input = 0;
};

std::vector<std::size_t> canonical_order(std::span<const EntryRef> entries) {
  std::vector<OrderKey> keys;
  keys.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const domain::Entry& e = *entries[i].entry;
    const auto date = e.booking_date ? e.booking_date : e.value_date;
    keys.push_back({date ? date->to_days() : 0, e.amount.minor(), content_hash(e), static_cast<std::uint32_t>(i)});
  }
  // Compact keys sort fast; file name and position only break ties of equal content.
  std::sort(keys.begin(), keys.end(), [&](const OrderKey& a, const OrderKey& b) {
    if (a.day != b.day) return a.day < b.day;
    if (a.amount != b.amount) return a.amount < b.amount;
    if (a.hash != b.hash) return a.hash < b.hash;
    const EntryRef& x = entries[a.input];
    const EntryRef& y = entries[b.input];
    return std::tie(x.file, x.statement, x.index, a.input) < std::tie(y.file, y.statement, y.index, b.input);
  });
  std::vector<std::size_t> order;
  order.reserve(keys.size());
  for (const auto& k : keys) order.push_back(k.input);
  return order;
}

/// Stable identity of a candidate for de-duplication and tie-breaking: its sorted item positions
/// (counter-bookings sort after items, by their rule's position).
std::vector<std::uint32_t> candidate_key(const RuleSet& rules, const Scored& s) {
  if (s.counter != nullptr)
    return {0xFFFFFFFFu, static_cast<std::uint32_t>(s.counter - rules.counter_bookings.data())};
  std::vector<std::uint32_t> key = s.items;
  std::sort(key.begin(), key.end());
  return key;
}

Candidate to_candidate(const ItemIndex& index, const EntryContext& ctx, Scored& s) {
  Candidate c;
  for (const auto& [item, amount] : s.applied)
    c.matches.push_back({index.items[item].id, domain::Money(amount, ctx.entry->amount.currency())});
  c.writeoff = s.writeoff;
  c.score = s.score;
  c.reasons = std::move(s.reasons);
  c.features = std::move(s.features);
  return c;
}

bool allowed(const CompiledRule* rule, const Draft& d) {
  if (rule == nullptr) return true;
  if (d.items.size() > 1 && !rule->allows(Strategy::grouped)) return false;
  return rule->allows(strategy_of(d));
}

std::vector<Scored> rank(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
                         std::span<const std::int64_t> remaining, const CompiledRule* rule) {
  std::vector<std::pair<std::vector<std::uint32_t>, Scored>> keyed;
  for (auto& draft : build_drafts(index, rules, ctx, remaining)) {
    if (!allowed(rule, draft)) continue;
    Scored s = evaluate(index, rules, ctx, std::move(draft), remaining);
    s.cited = draft.cited;
    keyed.emplace_back(candidate_key(rules, s), std::move(s));
  }
  // Best first; on equal scores a cited number explains more than a partner and amount alone.
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    if (a.second.score != b.second.score) return a.second.score > b.second.score;
    if (a.first != b.first) return a.first < b.first;
    return a.second.cited > b.second.cited;
  });
  std::vector<Scored> out;
  std::vector<std::vector<std::uint32_t>> seen;
  for (auto& [key, s] : keyed) {
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    out.push_back(std::move(s));
  }
  return out;
}

/// The decision for one line; moves reasons out of `ranked` (its items and amounts stay for apply()).
Decision decide(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx, std::vector<Scored>& ranked,
                const CompiledRule* rule) {
  Decision d;
  if (ranked.empty() || ranked.front().score < rules.suggest_minimum) {
    d.score = ranked.empty() ? 0 : ranked.front().score;
    d.reasons.push_back(ranked.empty() ? "no open item, reference or rule fits this line"
                                       : "no candidate reaches the suggestion minimum of " +
                                             std::to_string(rules.suggest_minimum));
    return d;
  }
  Scored& best = ranked.front();
  const int second = ranked.size() > 1 ? ranked[1].score : 0;
  d.score = best.score;
  d.features = best.features;
  d.flagged = ctx.is_return;
  const bool clear = best.score >= rules.auto_threshold && best.score - second >= rules.auto_margin;
  const bool rule_allows_auto = rule == nullptr || rule->rule.allow_auto;
  if (clear && best.auto_ok && rule_allows_auto) {
    d.kind = DecisionKind::automatic;
    Candidate c = to_candidate(index, ctx, best);
    d.matches = std::move(c.matches);
    d.writeoff = std::move(c.writeoff);
    d.reasons = std::move(c.reasons);
    return d;
  }
  d.kind = DecisionKind::suggest;
  d.reasons = best.reasons;
  if (best.score < rules.auto_threshold)
    d.reasons.push_back("score " + std::to_string(best.score) + " below the auto threshold " +
                        std::to_string(rules.auto_threshold));
  else if (best.score - second < rules.auto_margin)
    d.reasons.push_back("only " + std::to_string(best.score - second) + " points ahead of the next candidate (margin " +
                        std::to_string(rules.auto_margin) + ")");
  else if (!rule_allows_auto)
    d.reasons.push_back("rule '" + rule->rule.name + "' only suggests");
  else
    d.reasons.push_back("needs a person to confirm");
  for (auto& s : ranked) {
    if (static_cast<int>(d.suggestions.size()) >= rules.max_suggestions || s.score < rules.suggest_minimum) break;
    d.suggestions.push_back(to_candidate(index, ctx, s));
  }
  return d;
}

/// Books an auto decision into the run's open amounts; never beyond what is open.
void apply(const EntryContext& ctx, const Scored& best, std::vector<std::int64_t>& remaining) {
  for (const auto& [item, amount] : best.applied) {
    const std::int64_t open = remaining[item];
    if (ctx.is_return) {
      remaining[item] -= amount;  // a return is money going back: the item reopens
      continue;
    }
    BANKREC_CHECK((open > 0) == (amount > 0) || amount == 0, "application against the item's direction");
    BANKREC_CHECK(std::llabs(amount) <= std::llabs(open), "application beyond the open amount");
    remaining[item] = open - amount;
  }
  for (auto item : best.closes) remaining[item] = 0;
}

}  // namespace

const char* decision_kind_name(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::automatic: return "auto";
    case DecisionKind::suggest: return "suggest";
    case DecisionKind::none: return "none";
  }
  return "none";
}

Engine::Engine(std::unique_ptr<ItemIndex> index, RuleSet rules) : index_(std::move(index)), rules_(std::move(rules)) {}
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

Result<Engine> Engine::create(std::vector<domain::OpenItem> items, RuleSet rules) {
  auto index = BANKREC_TRY(ItemIndex::build(std::move(items), rules));
  return Engine(std::move(index), std::move(rules));
}

const std::vector<domain::OpenItem>& Engine::items() const { return index_->items; }

std::vector<Decision> Engine::run(std::span<const EntryRef> entries) const {
  std::vector<std::int64_t> remaining;
  remaining.reserve(index_->info.size());
  for (const auto& info : index_->info) remaining.push_back(info.signed_open);
  std::vector<Decision> out(entries.size());
  RunScratch scratch;
  for (const std::size_t i : canonical_order(entries)) {
    const CompiledRule* rule = select_rule(index_->match_rules, entries[i]);
    const RuleSet& rules = rule == nullptr ? rules_ : rule->effective;
    const EntryContext ctx = read_entry(*index_, rules, *entries[i].entry, scratch);
    auto ranked = rank(*index_, rules, ctx, remaining, rule);
    Decision d = decide(*index_, rules, ctx, ranked, rule);
    if (rule != nullptr) d.reasons.insert(d.reasons.begin(), "rule '" + rule->rule.name + "'");
    if (d.kind == DecisionKind::automatic) apply(ctx, ranked.front(), remaining);
    out[i] = std::move(d);
  }
  return out;
}

}  // namespace bankrec::reconcile
