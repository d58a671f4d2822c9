# Persisted reconciliation (issue 5).
list(APPEND JOBS_TEST_SOURCES reconcile_run_test.cpp)
list(APPEND JOBS_TEST_SOURCES reconcile_review_test.cpp)
list(APPEND JOBS_TEST_SOURCES rule_backtest_test.cpp)
