# Alerts (deduplicated, with resolved notices) and their delivery outbox (issue 6).
list(APPEND STORE_SOURCES src/alerts_repo.cpp)
list(APPEND STORE_HEADERS include/bankrec/store/alerts_repo.h)
