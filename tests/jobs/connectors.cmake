# The connector runner (issue 7) with a fake connector on a real SQLCipher store.
list(APPEND JOBS_TEST_SOURCES connector_run_test.cpp)
