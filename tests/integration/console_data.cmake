# The console's data API against a real bankrecd over HTTPS, and the TLS check with `openssl s_client`
# (issue 8). Its own binary, like the console's sign-in tests.
find_package(OpenSSL REQUIRED)
find_program(BANKREC_OPENSSL openssl REQUIRED)
add_executable(bankrec_console_data_tests console_data_test.cpp)
target_link_libraries(bankrec_console_data_tests PRIVATE bankrec_testsupport bankrec_store GTest::gmock_main
                      CURL::libcurl bankrec_warnings bankrec_sanitize)
target_compile_definitions(bankrec_console_data_tests PRIVATE BANKREC_CLI="$<TARGET_FILE:bankrec>"
                           BANKRECD="$<TARGET_FILE:bankrecd>")
add_dependencies(bankrec_console_data_tests bankrec bankrecd)
gtest_discover_tests(bankrec_console_data_tests DISCOVERY_TIMEOUT 60 PROPERTIES ENVIRONMENT "TZ=UTC" LABELS integration)
# Original files downloadable: uploads, inbox files, ZIP members, failed files, bounded memory.
target_sources(bankrec_console_data_tests PRIVATE console_originals_test.cpp)
