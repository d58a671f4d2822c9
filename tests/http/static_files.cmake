# The console's static files (issue 8).
list(APPEND HTTP_TEST_SOURCES static_files_test.cpp)
