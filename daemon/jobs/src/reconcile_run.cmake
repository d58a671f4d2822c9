# Persisted reconciliation (issue 5): the engine over the stored entries and open items.
list(APPEND JOBS_SOURCES src/reconcile_run.cpp)
list(APPEND JOBS_HEADERS include/bankrec/jobs/reconcile_run.h)
list(APPEND JOBS_DEPS reconcile store)
