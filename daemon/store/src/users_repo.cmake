# Console users, sessions, TOTP and login throttling (issue 8).
list(APPEND STORE_SOURCES src/users_repo.cpp)
list(APPEND STORE_HEADERS include/bankrec/store/users_repo.h)
