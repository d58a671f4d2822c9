# XLSX reader tests: unit tests on workbooks built in memory with libzip, and golden tables of the
# files in tests/fixtures/sheets/ (made by the Debian tools that make_fixtures.py names).
if(NOT TARGET bankrec_formats_src_includes)
  # The tests read the private reader headers (daemon/formats/src/...), as the fuzz targets do.
  add_library(bankrec_formats_src_includes INTERFACE)
  target_include_directories(bankrec_formats_src_includes INTERFACE ${PROJECT_SOURCE_DIR}/daemon/formats/src)
endif()
list(APPEND FORMATS_TEST_SOURCES
  xlsx/cell_text_test.cpp
  xlsx/xlsx_reader_test.cpp
  xlsx/sheets_golden_test.cpp)
list(APPEND FORMATS_TEST_LIBS bankrec_formats_src_includes PkgConfig::LIBZIP LibXml2::LibXml2)
