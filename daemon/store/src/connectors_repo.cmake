# Bank connectors (issue 7): connector rows, encrypted secrets, connection log, cursors, access
# counts, consents and gap tasks.
list(APPEND STORE_SOURCES src/connectors_repo.cpp src/connectors_gaps.cpp)
list(APPEND STORE_HEADERS include/bankrec/store/connectors_repo.h)
