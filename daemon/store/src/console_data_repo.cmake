# The console's data API: lists, dashboard, upload originals (issue 8).
list(APPEND STORE_SOURCES src/console_data_repo.cpp src/console_data_lists.cpp src/entry_search.cpp)
list(APPEND STORE_HEADERS include/bankrec/store/console_data_repo.h)
