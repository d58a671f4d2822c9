#include "bankrec/reconcile/engine.h"

#include <algorithm>
#include <numeric>
#include <tuple>

#include "bankrec/base/check.h"
#include "engine_internal.h"
#include "huge_pages.h"
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
  // Views, not value_or(""): that would copy every string of every line.
  const auto view = [](const std::optional<std::string>& s) {
    return s ? std::string_view(*s) : std::string_view();
  };
  mix(view(e.remittance));
  mix(view(e.end_to_end_id));
  mix(view(e.counterparty.iban));
  mix(view(e.counterparty.name));
  mix(view(e.bank_reference));
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
    keys.push_back(
        {date ? date->to_days() : 0, e.amount.minor(), content_hash(e), static_cast<std::uint32_t>(i)});
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
/// (counter-bookings sort after items, by their rule's position), appended to `keys`.
void append_candidate_key(const RuleSet& rules, const Scored& s, std::vector<std::uint32_t>& keys) {
  if (s.counter != nullptr) {
    keys.push_back(0xFFFFFFFFu);
    keys.push_back(static_cast<std::uint32_t>(s.counter - rules.counter_bookings.data()));
    return;
  }
  const std::size_t from = keys.size();
  keys.insert(keys.end(), s.items.begin(), s.items.end());
  std::sort(keys.begin() + static_cast<std::ptrdiff_t>(from), keys.end());
}

/// Only the kept candidates (the decision and the shown suggestions) get their text: into a Candidate,
/// or straight into an auto Decision (the same members), so nothing is built twice.
template <class Out>
void fill_candidate(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx, const Scored& s,
                    Out& c) {
  c.matches.reserve(s.applied.size());
  for (const auto& [item, amount] : s.applied)
    c.matches.push_back({index.items[item].id, domain::Money(amount, ctx.entry->amount.currency())});
  if (s.writeoff) c.writeoff = render_writeoff(ctx, s);
  c.score = s.score;
  c.reasons = render_reasons(index, rules, ctx, s);
  c.features = render_features(index, s);
}

Candidate to_candidate(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
                       const Scored& s) {
  Candidate c;
  fill_candidate(index, rules, ctx, s, c);
  return c;
}

bool allowed(const CompiledRule* rule, const Draft& d) {
  if (rule == nullptr) return true;
  if (d.items.size() > 1 && !rule->allows(Strategy::grouped)) return false;
  return rule->allows(strategy_of(d));
}

/// Reused across the lines of one run: no allocation per candidate once warmed up.
struct RankScratch {
  std::vector<Draft> drafts;
  std::vector<Scored> scored;
  std::vector<std::uint32_t> keys;                          ///< every candidate's key, one after the other
  std::vector<std::pair<std::uint32_t, std::uint32_t>> at;  ///< candidate k: keys[at[k].first, +at[k].second)
  std::vector<std::uint32_t> order;
  std::vector<std::uint32_t> kept;
  std::vector<const Scored*> ranked;  ///< into `scored`: best first, one per distinct key
};

std::span<const Scored* const> rank(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
                                    std::span<const std::int64_t> remaining, const CompiledRule* rule,
                                    RankScratch& scratch) {
  auto& scored = scratch.scored;
  auto& keys = scratch.keys;
  auto& at = scratch.at;
  scored.clear();
  keys.clear();
  at.clear();
  build_drafts(index, rules, ctx, remaining, scratch.drafts);
  for (auto& draft : scratch.drafts) {
    if (!allowed(rule, draft)) continue;
    const bool cited = draft.cited;
    Scored s = evaluate(index, rules, ctx, std::move(draft), remaining);
    s.cited = cited;
    const auto from = static_cast<std::uint32_t>(keys.size());
    append_candidate_key(rules, s, keys);
    at.emplace_back(from, static_cast<std::uint32_t>(keys.size()) - from);
    scored.push_back(std::move(s));
  }
  const auto key = [&](std::uint32_t k) {
    return std::span<const std::uint32_t>(keys).subspan(at[k].first, at[k].second);
  };
  auto& order = scratch.order;
  order.resize(scored.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) order[k] = k;
  // Best first; on equal scores a cited number explains more than a partner and amount alone.
  // A stable sort without its buffer: `order` starts as 0..n-1, so the index breaks the remaining ties.
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (scored[a].score != scored[b].score) return scored[a].score > scored[b].score;
    const auto ka = key(a), kb = key(b);
    if (!std::equal(ka.begin(), ka.end(), kb.begin(), kb.end()))
      return std::lexicographical_compare(ka.begin(), ka.end(), kb.begin(), kb.end());
    if (scored[a].cited != scored[b].cited) return scored[a].cited > scored[b].cited;
    return a < b;
  });
  auto& kept = scratch.kept;
  kept.clear();
  auto& out = scratch.ranked;
  out.clear();
  for (const auto k : order) {
    const auto kk = key(k);
    const bool seen = std::any_of(kept.begin(), kept.end(), [&](std::uint32_t j) {
      const auto kj = key(j);
      return std::equal(kj.begin(), kj.end(), kk.begin(), kk.end());
    });
    if (seen) continue;
    kept.push_back(k);
    out.push_back(&scored[k]);
  }
  return out;
}

/// The decision for one line into `d` (default-constructed: the run's output slot, so the decision is
/// built in place, not moved there); renders the text of the best candidate and the shown suggestions only.
void decide(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
            std::span<const Scored* const> ranked, const CompiledRule* rule, Decision& d) {
  if (ranked.empty() || ranked.front()->score < rules.suggest_minimum) {
    d.score = ranked.empty() ? 0 : ranked.front()->score;
    d.reasons.push_back(ranked.empty() ? "no open item, reference or rule fits this line"
                                       : "no candidate reaches the suggestion minimum of " +
                                             std::to_string(rules.suggest_minimum));
    return;
  }
  const Scored& best = *ranked.front();
  const int second = ranked.size() > 1 ? ranked[1]->score : 0;
  d.score = best.score;
  d.flagged = ctx.is_return;
  const bool clear = best.score >= rules.auto_threshold && best.score - second >= rules.auto_margin;
  const bool rule_allows_auto = rule == nullptr || (rule->rule.allow_auto && !rule->rule.shadow);
  d.shadow_auto = rule != nullptr && rule->rule.shadow && rule->rule.allow_auto && clear && best.auto_ok;
  if (clear && best.auto_ok && rule_allows_auto) {
    d.kind = DecisionKind::automatic;
    fill_candidate(index, rules, ctx, best, d);
    return;
  }
  d.kind = DecisionKind::suggest;
  d.suggestions.reserve(
      std::min<std::size_t>(ranked.size(), static_cast<std::size_t>(std::max(rules.max_suggestions, 0))));
  // The best candidate leads the suggestions (its score reaches the minimum): rendered once, copied.
  for (const Scored* s : ranked) {
    if (static_cast<int>(d.suggestions.size()) >= rules.max_suggestions || s->score < rules.suggest_minimum)
      break;
    d.suggestions.push_back(to_candidate(index, rules, ctx, *s));
  }
  if (d.suggestions.empty()) {
    d.features = render_features(index, best);
    d.reasons = render_reasons(index, rules, ctx, best);
  } else {
    const Candidate& first = d.suggestions.front();
    d.features = first.features;
    d.reasons.reserve(first.reasons.size() + 2);  // room for the threshold/margin reason and the rule's name
    d.reasons.assign(first.reasons.begin(), first.reasons.end());
  }
  if (best.score < rules.auto_threshold)
    d.reasons.push_back("score " + std::to_string(best.score) + " below the auto threshold " +
                        std::to_string(rules.auto_threshold));
  else if (best.score - second < rules.auto_margin)
    d.reasons.push_back("only " + std::to_string(best.score - second) +
                        " points ahead of the next candidate (margin " + std::to_string(rules.auto_margin) +
                        ")");
  else if (d.shadow_auto)
    d.reasons.push_back("rule '" + rule->rule.name +
                        "' runs in shadow mode: it would post this line automatically");
  else if (!rule_allows_auto)
    d.reasons.push_back("rule '" + rule->rule.name + "' only suggests");
  else
    d.reasons.push_back("needs a person to confirm");
}

/// Cache hints only (no effect on any result): the Entry's own bytes ...
void prefetch_entry(const domain::Entry& e) {
  const char* p = reinterpret_cast<const char*>(&e);
  for (std::size_t off = 0; off < sizeof(domain::Entry); off += 64) __builtin_prefetch(p + off);
}

/// ... and the texts the line reads first, and its output slot.
void prefetch_entry_text(const domain::Entry& e, const Decision& slot) {
  const auto text = [](const std::optional<std::string>& s) {
    if (s) __builtin_prefetch(s->data());
  };
  text(e.counterparty.name);
  text(e.counterparty.iban);
  text(e.remittance);
  text(e.end_to_end_id);
  text(e.structured_reference);
  __builtin_prefetch(&slot, 1);
}

/// ... and the hash slots of the first lookups (raw name cache, IBAN; an IBAN written with spaces or
/// in lower case is normalised first and just misses the hint).
void prefetch_lookups(const ItemIndex& index, const domain::Entry& e, const RunScratch& scratch) {
  if (e.counterparty.name) scratch.raw_names.prefetch(*e.counterparty.name);
  if (e.counterparty.iban) index.prefetch_iban(*e.counterparty.iban);
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
    case DecisionKind::automatic:
      return "auto";
    case DecisionKind::suggest:
      return "suggest";
    case DecisionKind::none:
      return "none";
  }
  return "none";
}

Engine::Engine(std::unique_ptr<ItemIndex> index, RuleSet rules)
    : index_(std::move(index)), rules_(std::move(rules)) {}
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
  reserve_huge(remaining, index_->info.size());
  for (const auto& info : index_->info) remaining.push_back(info.signed_open);
  std::vector<Decision> out;
  reserve_huge(out, entries.size());  // decisions are written in canonical order, all over the vector
  out.resize(entries.size());
  RunScratch scratch;
  RankScratch rank_scratch;
  EntryContext ctx;
  const std::vector<std::size_t> order = canonical_order(entries);
  for (std::size_t k = 0; k < order.size(); ++k) {
    // Lines come in canonical order, so each line's Entry lies anywhere in the caller's memory: its
    // fields are fetched three lines ahead, its texts two lines ahead and the hash slots its payer's
    // name and IBAN are looked up in one line ahead, while this line is decided.
    if (k + 3 < order.size()) prefetch_entry(*entries[order[k + 3]].entry);
    if (k + 2 < order.size()) prefetch_entry_text(*entries[order[k + 2]].entry, out[order[k + 2]]);
    if (k + 1 < order.size()) prefetch_lookups(*index_, *entries[order[k + 1]].entry, scratch);
    const std::size_t i = order[k];
    const CompiledRule* rule = select_rule(index_->match_rules, entries[i]);
    const RuleSet& rules = rule == nullptr ? rules_ : rule->effective;
    read_entry(*index_, rules, *entries[i].entry, scratch, ctx);
    const auto ranked = rank(*index_, rules, ctx, remaining, rule, rank_scratch);
    Decision& d = out[i];
    decide(*index_, rules, ctx, ranked, rule, d);
    if (rule != nullptr) d.reasons.insert(d.reasons.begin(), "rule '" + rule->rule.name + "'");
    if (d.kind == DecisionKind::automatic) apply(ctx, *ranked.front(), remaining);
  }
  return out;
}

}  // namespace bankrec::reconcile
