# The console's data repository: original files kept with their imports and read in pieces (issue 8).
list(APPEND STORE_TEST_SOURCES file_originals_test.cpp)
# The console's text search and list queries (issue 8).
list(APPEND STORE_TEST_SOURCES console_search_test.cpp)
# Console pages benchmark (tests/bench/console_pages_bench.cpp): builds an encrypted database with N
# entries and times every list and dashboard query; ctest runs a small smoke.
if(BANKREC_BENCH AND NOT BANKREC_FUZZ)
  add_executable(bench_console_pages ${PROJECT_SOURCE_DIR}/tests/bench/console_pages_bench.cpp)
  target_link_libraries(bench_console_pages PRIVATE bankrec::store bankrec::domain bankrec_warnings bankrec_sanitize)
  add_test(NAME bench_console_pages_smoke COMMAND bench_console_pages --entries 3000 --days 20 --runs 1)
  set_tests_properties(bench_console_pages_smoke PROPERTIES LABELS bench)
endif()
# The text search's plans compared on generated data (issue 8); reads the store's private entry_search.h.
list(APPEND STORE_TEST_SOURCES console_search_plans_test.cpp)
set_property(SOURCE console_search_plans_test.cpp APPEND PROPERTY INCLUDE_DIRECTORIES
             ${PROJECT_SOURCE_DIR}/daemon/store/src)
if(TARGET bench_console_pages)
  set_property(SOURCE ${PROJECT_SOURCE_DIR}/tests/bench/console_pages_bench.cpp APPEND PROPERTY INCLUDE_DIRECTORIES
               ${PROJECT_SOURCE_DIR}/daemon/store/src)
endif()
