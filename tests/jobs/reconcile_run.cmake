# Persisted reconciliation (issue 5).
list(APPEND JOBS_TEST_SOURCES reconcile_run_test.cpp)
