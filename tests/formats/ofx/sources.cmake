list(APPEND FORMATS_TEST_SOURCES ofx/ofx_format_test.cpp ofx/ofx_values_test.cpp)
