# Open items, decisions and the review queue (issue 5).
list(APPEND STORE_TEST_SOURCES reconcile_repo_test.cpp)
