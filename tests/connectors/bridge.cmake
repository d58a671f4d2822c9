# Bridge connector: mapping tests on canned JSON, and tests against the real bankrec-sandbox process
# (bridge_sandbox_fixture.h, shared with gocardless.cmake's tests).
list(APPEND CONNECTORS_TEST_SOURCES bridge_map_test.cpp bridge_sandbox_test.cpp)
find_package(Boost 1.81 REQUIRED COMPONENTS json)
cmake_language(DEFER CALL target_include_directories bankrec_connectors_tests PRIVATE
               ${PROJECT_SOURCE_DIR}/daemon/connectors/src)
cmake_language(DEFER CALL target_link_libraries bankrec_connectors_tests PRIVATE Boost::json)
cmake_language(DEFER CALL target_compile_definitions bankrec_connectors_tests PRIVATE
               "BANKREC_SANDBOX=\"$<TARGET_FILE:bankrec-sandbox>\"")
cmake_language(DEFER CALL add_dependencies bankrec_connectors_tests bankrec-sandbox)
