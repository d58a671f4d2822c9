# The console's admin API (issue 8): review queue, open items, rules, connectors, API tokens,
# preferences and settings; and the API-token half of sign-in.
list(APPEND HTTP_SOURCES src/auth_tokens.cpp src/api_admin_review.cpp src/api_admin_rules.cpp
                         src/api_admin_connectors.cpp src/api_admin_account.cpp)
list(APPEND HTTP_HEADERS include/bankrec/http/api_admin.h)
list(APPEND HTTP_DEPS jobs reconcile)
