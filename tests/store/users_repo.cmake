# Console users, sessions, TOTP storage and login throttling (issue 8).
list(APPEND STORE_TEST_SOURCES users_repo_test.cpp)
