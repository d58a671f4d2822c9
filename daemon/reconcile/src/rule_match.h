#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/reconcile/engine.h"
#include "bankrec/reconcile/rules.h"

namespace bankrec::reconcile {

struct Draft;

/// A MatchRule ready to test: its regexes compiled and its overrides applied to the RuleSet.
struct CompiledRule {
  MatchRule rule;
  RuleSet effective;
  std::vector<std::regex> names;
  std::optional<std::regex> purpose;
  bool allows(Strategy s) const;
};

/// Compiles every rule of `rules.rules`; an invalid regex fails naming the rule and the key.
Result<std::vector<CompiledRule>> compile_rules(const RuleSet& rules);

/// The first rule whose conditions hold for the line, or nullptr.
const CompiledRule* select_rule(const std::vector<CompiledRule>& rules, const EntryRef& ref);

/// Which strategy produced a draft (the identity part; see also is_grouped()).
Strategy strategy_of(const Draft& d);

}  // namespace bankrec::reconcile
