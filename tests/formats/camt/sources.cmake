# list(APPEND FORMATS_TEST_SOURCES camt/<unit>_test.cpp)
