# Open items, partners, decisions and the review queue (issue 5).
list(APPEND STORE_SOURCES src/reconcile_repo.cpp)
list(APPEND STORE_HEADERS include/bankrec/store/reconcile_repo.h)
