# The console's sign-in over real HTTPS against bankrecd, users made with the real CLI (issue 8).
# Its own binary: it computes TOTP codes with OpenSSL's HMAC, independently of bankrec's code.
find_package(OpenSSL REQUIRED)
add_executable(bankrec_console_tests console_test.cpp)
target_link_libraries(bankrec_console_tests PRIVATE bankrec_testsupport GTest::gmock_main CURL::libcurl OpenSSL::Crypto
                      bankrec_warnings bankrec_sanitize)
target_compile_definitions(bankrec_console_tests PRIVATE BANKREC_CLI="$<TARGET_FILE:bankrec>"
                           BANKRECD="$<TARGET_FILE:bankrecd>")
add_dependencies(bankrec_console_tests bankrec bankrecd)
gtest_discover_tests(bankrec_console_tests DISCOVERY_TIMEOUT 60 PROPERTIES ENVIRONMENT "TZ=UTC" LABELS integration)
