# Persistent jobs, dead letters and schedules (issue 6).
list(APPEND STORE_TEST_SOURCES jobs_repo_test.cpp)
