# The console's admin API (issue 8): every route, roles, step-up, CSRF and API tokens.
list(APPEND HTTP_TEST_SOURCES api_admin_test.cpp api_admin_rbac_test.cpp)
