# The console's admin API over real HTTPS against bankrecd (issue 8): review accept → audit entry;
# API token create → machine call with Bearer → revoke → 401. Its own binary, like console.cmake.
find_package(OpenSSL REQUIRED)
add_executable(bankrec_console_admin_tests console_admin_test.cpp)
target_link_libraries(bankrec_console_admin_tests PRIVATE bankrec::store bankrec_testsupport GTest::gmock_main
                      CURL::libcurl OpenSSL::Crypto bankrec_warnings bankrec_sanitize)
target_compile_definitions(bankrec_console_admin_tests PRIVATE BANKREC_CLI="$<TARGET_FILE:bankrec>"
                           BANKRECD="$<TARGET_FILE:bankrecd>")
add_dependencies(bankrec_console_admin_tests bankrec bankrecd)
gtest_discover_tests(bankrec_console_admin_tests DISCOVERY_TIMEOUT 60 PROPERTIES ENVIRONMENT "TZ=UTC" LABELS integration)
