# Bank profiles: loading and validation, automatic selection over every fixture, table mapping.
list(APPEND FORMATS_TEST_SOURCES profiles/profile_load_test.cpp profiles/profile_selection_test.cpp
     profiles/profile_rows_test.cpp)
