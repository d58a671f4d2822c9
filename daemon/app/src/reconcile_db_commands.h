#pragma once

#include <string>

#include "bankrec/base/result.h"
#include "bankrec/reconcile/rules.h"
#include "commands.h"

namespace bankrec::app {

/// `open-items import` and `reconcile` (reconcile_db_commands.cpp).
void add_reconcile_db_commands(CLI::App& cli, CommandTable& table);

/// `review list|show|accept|match|no-match|undo` (review_commands.cpp).
void add_review_commands(CLI::App& cli, CommandTable& table);

/// `rules proposals` (rules_commands.cpp).
void add_rules_commands(CLI::App& cli, CommandTable& table);

/// --rules FILE, else `reconcile.rules` of bankrec.yaml, else the built-in defaults (reconcile_commands.cpp).
Result<reconcile::RuleSet> resolve_rules(const std::string& rules_flag, const GlobalOptions& global);

}  // namespace bankrec::app
