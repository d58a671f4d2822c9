#pragma once

#include <string>

#include "bankrec/base/result.h"
#include "bankrec/reconcile/rules.h"

/// rules.yaml: the reconciliation settings and the ordered rule set, read into a plain
/// reconcile::RuleSet (the reconcile module never sees YAML). Sections left out keep the built-in
/// defaults (reconcile::default_rule_set()); unknown keys are errors. Every problem is reported, one
/// per line, as "FILE:LINE:COL: key.path: message".
namespace bankrec::app {

Result<reconcile::RuleSet> parse_rules_yaml(const std::string& text, const std::string& file_name);
/// Reads `path` (at most 4 MiB) and parses it; a missing or unreadable file is invalid input.
Result<reconcile::RuleSet> load_rules_file(const std::string& path);

}  // namespace bankrec::app
