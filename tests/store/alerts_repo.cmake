# Alerts and their delivery outbox (issue 6).
list(APPEND STORE_TEST_SOURCES alerts_repo_test.cpp)
