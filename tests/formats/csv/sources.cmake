# The CSV/TSV reader through the csv format (tests/formats/profiles/ has the profile tests).
list(APPEND FORMATS_TEST_SOURCES csv/csv_format_test.cpp)
