# SIGHUP hands the reloaded ingest options (pending expiry, profiles) to the connectors as well.
list(APPEND INTEGRATION_TEST_SOURCES connectors_reload_test.cpp)
find_package(Boost 1.81 REQUIRED COMPONENTS json)
cmake_language(DEFER CALL target_link_libraries bankrec_cli_tests PRIVATE Boost::json)
