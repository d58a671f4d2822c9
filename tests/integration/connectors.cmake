# Bank connectors against the real bankrec-sandbox over TLS (issue 7): consent flow with the test as
# the browser, sync vs the sandbox's ledger, faults, kill -9 during a token rotation, no secret in logs.
add_executable(bankrec_connectors_integration_tests connectors_test.cpp)
find_package(Boost 1.81 REQUIRED COMPONENTS json)
target_link_libraries(bankrec_connectors_integration_tests PRIVATE bankrec::store bankrec_testsupport GTest::gmock_main
                      CURL::libcurl Boost::json bankrec_warnings bankrec_sanitize)
target_compile_definitions(bankrec_connectors_integration_tests PRIVATE BANKREC_CLI="$<TARGET_FILE:bankrec>"
                           BANKRECD="$<TARGET_FILE:bankrecd>" BANKREC_SANDBOX="$<TARGET_FILE:bankrec-sandbox>")
add_dependencies(bankrec_connectors_integration_tests bankrec bankrecd bankrec-sandbox)
gtest_discover_tests(bankrec_connectors_integration_tests DISCOVERY_TIMEOUT 60 PROPERTIES ENVIRONMENT "TZ=UTC" LABELS integration)
