# Issue 7, the rest: Bridge v2, XS2A redirect/decoupled SCA, download-link transactions and
# connectors applied on SIGHUP, against the real bankrec-sandbox over TLS.
list(APPEND INTEGRATION_TEST_SOURCES connectors_sca_test.cpp)
find_package(Boost 1.81 REQUIRED COMPONENTS json)
cmake_language(DEFER CALL target_link_libraries bankrec_cli_tests PRIVATE Boost::json)
