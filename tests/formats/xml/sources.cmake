# Generic XML format: profile validation, mapping, positions; golden files are in
# tests/fixtures/formats/xml/ (run by golden_test.cpp with etc/profiles/).
if(NOT TARGET bankrec_formats_src_includes)
  add_library(bankrec_formats_src_includes INTERFACE)
  target_include_directories(bankrec_formats_src_includes INTERFACE ${PROJECT_SOURCE_DIR}/daemon/formats/src)
endif()
find_package(yaml-cpp REQUIRED)
list(APPEND FORMATS_TEST_SOURCES xml/xml_format_test.cpp)
list(APPEND FORMATS_TEST_LIBS bankrec_formats_src_includes LibXml2::LibXml2 yaml-cpp)
