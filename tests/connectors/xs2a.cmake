# XS2A connector: mapping and signing against canned answers, and whole runs against the real
# bankrec-sandbox executable (built first; its path comes in as BANKREC_SANDBOX).
list(APPEND CONNECTORS_TEST_SOURCES xs2a_test.cpp xs2a_sandbox_test.cpp)
cmake_language(DEFER CALL target_compile_definitions bankrec_connectors_tests PRIVATE
               "BANKREC_SANDBOX=\"$<TARGET_FILE:bankrec-sandbox>\"")
cmake_language(DEFER CALL add_dependencies bankrec_connectors_tests bankrec-sandbox)
