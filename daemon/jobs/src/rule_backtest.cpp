#include "bankrec/jobs/rule_backtest.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "bankrec/reconcile/engine.h"
#include "bankrec/store/audit_log.h"
#include "bankrec/store/reconcile_repo.h"

namespace bankrec::jobs {
namespace {

namespace rc = reconcile;
constexpr const char* kNoRule = "(no rule)";

/// The start of the window: the same time of day N calendar months ago (the day clamped to the
/// month's last day), as the store writes timestamps, so the text compares in time order.
std::string window_start(std::chrono::system_clock::time_point now, int months) {
  using namespace std::chrono;
  const auto day = floor<days>(now);
  const auto time_of_day = now - day;
  year_month_day ymd{day};
  const year_month ym = year_month{ymd.year(), ymd.month()} - std::chrono::months{months};
  const auto last = year_month_day_last{ym.year(), month_day_last{ym.month()}}.day();
  const year_month_day start{ym.year(), ym.month(), std::min(ymd.day(), last)};
  return store::utc_timestamp(sys_days{start} + time_of_day);
}

bool outgoing(domain::OpenItemKind kind) {
  return kind == domain::OpenItemKind::bill || kind == domain::OpenItemKind::credit_note;
}

using Allocation = std::map<std::string, std::int64_t>;  // item key -> amount, signed like the entry

Allocation confirmed_allocation(const store::ConfirmedDecision& d) {
  Allocation out;
  for (const auto& a : d.allocations) out[a.item_key] += a.amount_minor;
  return out;
}

Allocation posted_allocation(const rc::Decision& d) {
  Allocation out;
  for (const auto& m : d.matches) out[m.item_id] += m.amount.minor();
  return out;
}

std::string describe(const Allocation& a, const std::string& currency) {
  std::string out;
  for (const auto& [item, minor] : a)
    out += (out.empty() ? "" : ", ") + item + " " + domain::format_minor(minor, 2) + " " + currency;
  return out;
}

/// The engine puts "rule 'NAME'" first in the reasons of every line a rule decided.
std::string deciding_rule(const rc::Decision& d, const std::set<std::string, std::less<>>& names) {
  if (d.reasons.empty()) return kNoRule;
  const std::string& r = d.reasons.front();
  if (r.size() < 8 || !r.starts_with("rule '") || r.back() != '\'') return kNoRule;
  std::string name = r.substr(6, r.size() - 7);
  return names.contains(name) ? name : std::string(kNoRule);
}

void finish(BacktestCounts& c) {
  if (c.would_post > 0) c.precision_permille = c.agree * 1000 / c.would_post;
  if (c.confirmed_matches > 0) c.recall_permille = c.recalled * 1000 / c.confirmed_matches;
}

std::string json_text(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) {
      out += "\\u00";
      out.push_back("0123456789abcdef"[(c >> 4) & 0xF]);
      out.push_back("0123456789abcdef"[c & 0xF]);
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::string opt_json(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : std::string("null");
}

std::string counts_json(const BacktestCounts& c) {
  return "{\"rule\":" + json_text(c.rule) + ",\"lines\":" + std::to_string(c.lines) +
         ",\"would_post\":" + std::to_string(c.would_post) + ",\"agree\":" + std::to_string(c.agree) +
         ",\"confirmed_matches\":" + std::to_string(c.confirmed_matches) +
         ",\"recalled\":" + std::to_string(c.recalled) +
         ",\"precision_permille\":" + opt_json(c.precision_permille) +
         ",\"recall_permille\":" + opt_json(c.recall_permille) + "}";
}

std::string percent(const std::optional<std::int64_t>& permille) {
  if (!permille) return "n/a";
  return std::to_string(*permille / 10) + "." + std::to_string(*permille % 10) + "%";
}

std::string counts_text(const BacktestCounts& c) {
  return std::to_string(c.lines) + " lines, would post " + std::to_string(c.would_post) + ", agree " +
         std::to_string(c.agree) + " (precision " + percent(c.precision_permille) + "), confirmed matches " +
         std::to_string(c.confirmed_matches) + ", posted as confirmed " + std::to_string(c.recalled) +
         " (recall " + percent(c.recall_permille) + ")";
}

}  // namespace

Result<RuleBacktestReport> backtest_rules(store::Store& store, const rc::RuleSet& rules,
                                          const RuleBacktestOptions& options, std::string_view actor) {
  if (options.months < 1 || options.months > 120)
    return fail(Errc::invalid_input,
                "--months must be between 1 and 120, not " + std::to_string(options.months));
  std::set<std::string, std::less<>> names;
  for (const auto& r : rules.rules) names.insert(r.name);
  if (!options.rule.empty() && !names.contains(options.rule) && options.rule != kNoRule)
    return fail(Errc::not_found, "rule '" + options.rule + "' is not in the rule set");

  RuleBacktestReport report;
  report.months = options.months;
  report.since = window_start(store.clock().now(), options.months);
  report.rule_filter = options.rule;
  report.rule_digest = options.rule_digest;

  store::ReconcileRepo repo(store);
  const auto confirmed = BANKREC_TRY(repo.confirmed_decisions(report.since, options.max_lines));

  // The items as they were before the confirmed decisions: today's open amounts plus what each
  // confirmed decision of the window applied (and the rest its write-off closed). The store keeps
  // every allocation, so re-adding them is exact, also for settled items; decisions before the
  // window stay applied, undone ones were restored by their compensation already.
  std::vector<domain::OpenItem> items;
  {
    auto all = BANKREC_TRY(repo.load_all_items());
    std::map<std::string, std::size_t, std::less<>> index;
    for (std::size_t i = 0; i < all.size(); ++i) index[all[i].item.id] = i;
    std::vector<std::int64_t> add(all.size(), 0);
    for (const auto& d : confirmed)
      for (std::size_t k = 0; k < d.allocations.size(); ++k) {
        const auto it = index.find(d.allocations[k].item_key);
        if (it == index.end()) continue;
        const auto& item = all[it->second].item;
        const std::int64_t magnitude =
            outgoing(item.kind) ? -d.allocations[k].amount_minor : d.allocations[k].amount_minor;
        add[it->second] += magnitude + (k < d.closed_minor.size() ? d.closed_minor[k] : 0);
      }
    for (std::size_t i = 0; i < all.size(); ++i) {
      const std::int64_t open = all[i].item.amount.minor() + add[i];
      const bool live = all[i].status == "open" || all[i].status == "partial" || all[i].status == "settled";
      if (open <= 0 || (!live && add[i] == 0)) continue;
      all[i].item.amount = domain::Money(open, all[i].item.amount.currency());
      items.push_back(std::move(all[i].item));
    }
  }

  // Shadow rules are run as if approved (that is the question a backtest answers); nothing is
  // recorded. One engine run over all lines in the canonical order, as the real runs went.
  rc::RuleSet trial = rules;
  for (auto& r : trial.rules) r.shadow = false;
  const auto engine = BANKREC_TRY(rc::Engine::create(std::move(items), std::move(trial)));
  std::vector<rc::EntryRef> refs;
  refs.reserve(confirmed.size());
  for (std::size_t i = 0; i < confirmed.size(); ++i)
    refs.push_back({&confirmed[i].entry, "db", 0, static_cast<std::uint32_t>(i), confirmed[i].account_iban});
  const auto decisions = engine.run(refs);

  std::map<std::string, BacktestCounts> per_rule;
  report.overall.rule = options.rule;
  for (std::size_t i = 0; i < confirmed.size(); ++i) {
    const auto& c = confirmed[i];
    const auto& d = decisions[i];
    const std::string rule = deciding_rule(d, names);
    if (!options.rule.empty() && rule != options.rule) continue;
    const Allocation want = confirmed_allocation(c);
    // Shadow flags are cleared above, so what a shadow rule would post arrives as `auto`.
    const bool posts = d.kind == rc::DecisionKind::automatic;
    const Allocation got = posts ? posted_allocation(d) : Allocation{};
    const bool agree = posts && got == want;
    const bool is_match = !want.empty();
    auto& rc_counts = per_rule[rule];
    rc_counts.rule = rule;
    for (BacktestCounts* counts : {&rc_counts, &report.overall}) {
      ++counts->lines;
      counts->would_post += posts ? 1 : 0;
      counts->agree += agree ? 1 : 0;
      counts->confirmed_matches += is_match ? 1 : 0;
      counts->recalled += (is_match && agree) ? 1 : 0;
    }
    const bool differs = (posts && !agree) || (is_match && !posts);
    if (differs && report.disagreements.size() < options.max_disagreements) {
      const std::string currency(c.entry.amount.currency().str());
      BacktestDisagreement g;
      g.entry_id = c.entry_id;
      g.rule = rule;
      g.kind = posts ? "posts_differently" : "would_not_post";
      if (posts)
        g.would = got.empty() ? "post without items (counter-booking)" : "post " + describe(got, currency);
      else
        g.would = d.kind == rc::DecisionKind::suggest ? "suggest (review)" : "no decision";
      g.confirmed = (want.empty() ? std::string("no match") : "match " + describe(want, currency)) + " (" +
                    c.decision + " by " + c.decided_by + ")";
      report.disagreements.push_back(std::move(g));
    }
  }
  finish(report.overall);
  for (const auto& r : rules.rules)
    if (const auto it = per_rule.find(r.name); it != per_rule.end()) report.rules.push_back(it->second);
  if (const auto it = per_rule.find(kNoRule); it != per_rule.end()) report.rules.push_back(it->second);
  for (auto& c : report.rules) finish(c);

  if (options.save) {
    const std::string json = backtest_report_json(report);
    std::vector<const BacktestCounts*> to_save;
    if (options.rule.empty()) to_save.push_back(&report.overall);
    for (const auto& c : report.rules) to_save.push_back(&c);
    for (const BacktestCounts* c : to_save) {
      store::RuleBacktestRecord rec;
      rec.rule_name = c->rule;
      rec.rule_digest = options.rule_digest;
      rec.months = options.months;
      rec.lines = c->lines;
      rec.would_post = c->would_post;
      rec.agree = c->agree;
      rec.confirmed_matches = c->confirmed_matches;
      rec.recalled = c->recalled;
      rec.precision_permille = c->precision_permille;
      rec.recall_permille = c->recall_permille;
      rec.report_json = json;
      report.saved_ids.push_back(BANKREC_TRY(repo.save_rule_backtest(rec, actor)));
    }
  }
  return report;
}

std::string backtest_report_text(const RuleBacktestReport& r) {
  std::string out =
      "backtest over decisions confirmed since " + r.since + " (" + std::to_string(r.months) + " months)" +
      (r.rule_filter.empty() ? std::string() : ", rule '" + r.rule_filter + "'") +
      "; nothing was posted\n"
      "open items as before those decisions: today's open amounts plus what the confirmed decisions "
      "applied\n";
  out += "overall: " + counts_text(r.overall) + "\n";
  for (const auto& c : r.rules) out += "rule '" + c.rule + "': " + counts_text(c) + "\n";
  if (r.disagreements.empty()) out += "no disagreement with what was confirmed\n";
  for (const auto& g : r.disagreements)
    out += "entry " + std::to_string(g.entry_id) + " [" + g.rule + "] " + g.kind + ": would " + g.would +
           "; confirmed " + g.confirmed + "\n";
  return out;
}

std::string backtest_report_json(const RuleBacktestReport& r) {
  std::string out = "{\"months\":" + std::to_string(r.months) + ",\"since\":" + json_text(r.since) +
                    ",\"rule\":" + json_text(r.rule_filter) + ",\"rule_digest\":" + json_text(r.rule_digest) +
                    ",\"overall\":" + counts_json(r.overall) + ",\"rules\":[";
  for (std::size_t i = 0; i < r.rules.size(); ++i) out += (i ? "," : "") + counts_json(r.rules[i]);
  out += "],\"disagreements\":[";
  for (std::size_t i = 0; i < r.disagreements.size(); ++i) {
    const auto& g = r.disagreements[i];
    out += std::string(i ? "," : "") + "{\"entry_id\":" + std::to_string(g.entry_id) +
           ",\"rule\":" + json_text(g.rule) + ",\"kind\":" + json_text(g.kind) +
           ",\"would\":" + json_text(g.would) + ",\"confirmed\":" + json_text(g.confirmed) + "}";
  }
  out += "],\"saved\":[";
  for (std::size_t i = 0; i < r.saved_ids.size(); ++i) out += (i ? "," : "") + std::to_string(r.saved_ids[i]);
  return out + "]}";
}

}  // namespace bankrec::jobs
