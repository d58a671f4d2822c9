# `bankrec match` (contracts/cli.md) runs the reconciliation engine.
list(APPEND APP_DEPS reconcile)
# rules.yaml → reconcile::RuleSet (YAML stays in app).
list(APPEND APP_SOURCES src/rules_yaml.cpp)
# Persisted mode: `open-items import` and `reconcile` on the database.
list(APPEND APP_SOURCES src/reconcile_db_commands.cpp)
list(APPEND APP_DEPS jobs store)
# The review queue verbs on the database (`bankrec review ...`).
list(APPEND APP_SOURCES src/review_commands.cpp)
# Rule proposals from repeated manual decisions (`bankrec rules proposals`).
list(APPEND APP_SOURCES src/rules_commands.cpp)
