# The console's admin API (issue 8): API tokens, preferences and the console's read queries.
list(APPEND STORE_SOURCES src/console_admin_repo.cpp)
list(APPEND STORE_HEADERS include/bankrec/store/console_admin_repo.h)
