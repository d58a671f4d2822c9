# Connector core: OAuth client and shared helpers, against tests/net's HTTPS server. The tests reach
# the module's private headers (oauth.h, http_util.h, ...) in daemon/connectors/src.
list(APPEND CONNECTORS_TEST_SOURCES oauth_test.cpp)
find_package(Boost 1.81 REQUIRED COMPONENTS json)
cmake_language(DEFER CALL target_include_directories bankrec_connectors_tests PRIVATE
               ${PROJECT_SOURCE_DIR}/daemon/connectors/src)
cmake_language(DEFER CALL target_link_libraries bankrec_connectors_tests PRIVATE Boost::json)
