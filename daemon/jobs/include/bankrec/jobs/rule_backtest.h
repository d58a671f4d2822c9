#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/reconcile/rules.h"
#include "bankrec/store/store.h"

/// Backtest of a rule set (new or edited rules, typically with `shadow: true`) over the lines whose
/// outcome people confirmed: what the rules would have posted, how much of it agrees with what was
/// confirmed (precision) and how much of the confirmed matching they would have posted (recall).
/// Nothing is posted; the result is stored per rule (rule_backtests, audited) for `rules approve`.
namespace bankrec::jobs {

struct RuleBacktestOptions {
  int months = 3;                     ///< confirmed within the last N calendar months
  std::string rule;                   ///< only the lines this rule decides; "" for every line
  std::string rule_digest;            ///< SHA-256 of the rules file, stored with the result
  std::size_t max_disagreements = 5;  ///< first N disagreements (by entry id) in the report
  std::size_t max_lines = 1000000;    ///< bound on the confirmed lines read
  bool save = true;                   ///< store the result per rule (and the overall one)
};

/// Counts of one rule (or of every line: rule ""; of lines no rule fits: "(no rule)").
struct BacktestCounts {
  std::string rule;
  std::int64_t lines = 0;              ///< confirmed lines this rule decided in the backtest
  std::int64_t would_post = 0;         ///< of those, posted automatically
  std::int64_t agree = 0;              ///< of those, with exactly the confirmed items and amounts
  std::int64_t confirmed_matches = 0;  ///< lines people (or a standing auto decision) matched to items
  std::int64_t recalled = 0;           ///< of those, posted automatically with the confirmed allocation
  std::optional<std::int64_t> precision_permille;  ///< agree / would_post; none when nothing is posted
  std::optional<std::int64_t> recall_permille;     ///< recalled / confirmed_matches
};

struct BacktestDisagreement {
  std::int64_t entry_id = 0;
  std::string rule;       ///< the rule that decided the line, "(no rule)"
  std::string kind;       ///< "posts_differently" or "would_not_post"
  std::string would;      ///< "post I1 50.00 EUR" / "suggest (review)" / "no decision"
  std::string confirmed;  ///< "match I1 50.00 EUR (manual by alice)" / "no match (manual by bob)"
};

struct RuleBacktestReport {
  int months = 0;
  std::string since;  ///< UTC timestamp: decisions confirmed at or after it count
  std::string rule_filter, rule_digest;
  BacktestCounts overall;
  std::vector<BacktestCounts> rules;  ///< in rule-set order, "(no rule)" last; only rules that decided a line
  std::vector<BacktestDisagreement> disagreements;
  std::vector<std::int64_t> saved_ids;  ///< rule_backtests rows written
};

/// Runs `rules` over the confirmed lines of the window without posting anything. Deterministic:
/// same database, rules and options, same report.
Result<RuleBacktestReport> backtest_rules(store::Store& store, const reconcile::RuleSet& rules,
                                          const RuleBacktestOptions& options, std::string_view actor);

/// Plain text for the CLI and the JSON form for the console (one object).
std::string backtest_report_text(const RuleBacktestReport& report);
std::string backtest_report_json(const RuleBacktestReport& report);

}  // namespace bankrec::jobs
