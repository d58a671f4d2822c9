# list(APPEND FORMATS_TEST_SOURCES mt940/<unit>_test.cpp)
list(APPEND FORMATS_TEST_SOURCES
  mt940/statement_line_test.cpp
  mt940/purpose_test.cpp
  mt940/mt940_format_test.cpp)
