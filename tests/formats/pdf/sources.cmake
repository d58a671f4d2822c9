list(APPEND FORMATS_TEST_SOURCES pdf/pdf_format_test.cpp)
