# list(APPEND FORMATS_TEST_SOURCES mt940/<unit>_test.cpp)
