list(APPEND FORMATS_TEST_SOURCES qif/qif_format_test.cpp)
