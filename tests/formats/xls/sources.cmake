# XLS reader (libfreexl): recognition and damaged files; its golden tables run with the XLSX ones
# (tests/formats/xlsx/sheets_golden_test.cpp over tests/fixtures/sheets/).
list(APPEND FORMATS_TEST_SOURCES xls/xls_reader_test.cpp)
