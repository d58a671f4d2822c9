# Persisted reconciliation (issue 5): the engine over the stored entries and open items.
list(APPEND JOBS_SOURCES src/reconcile_run.cpp)
list(APPEND JOBS_HEADERS include/bankrec/jobs/reconcile_run.h)
list(APPEND JOBS_DEPS reconcile store)
# The review queue verbs (accept, pick/split, no-match, undo) for the CLI and the console.
list(APPEND JOBS_SOURCES src/reconcile_review.cpp)
list(APPEND JOBS_HEADERS include/bankrec/jobs/reconcile_review.h)
# Rules proposed from repeated manual decisions (shown by `bankrec rules proposals`, never applied).
list(APPEND JOBS_SOURCES src/rule_proposals.cpp)
list(APPEND JOBS_HEADERS include/bankrec/jobs/rule_proposals.h)
# Backtest of rules in shadow mode over confirmed decisions (`bankrec rules backtest`, issue 5).
list(APPEND JOBS_SOURCES src/rule_backtest.cpp)
list(APPEND JOBS_HEADERS include/bankrec/jobs/rule_backtest.h)
