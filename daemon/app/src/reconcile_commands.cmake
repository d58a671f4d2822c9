# `bankrec match` (contracts/cli.md) runs the reconciliation engine.
list(APPEND APP_DEPS reconcile)
