# Bank connector state (issue 7).
list(APPEND STORE_TEST_SOURCES connectors_repo_test.cpp)
