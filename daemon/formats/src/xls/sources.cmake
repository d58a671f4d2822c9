list(APPEND FORMAT_SOURCES src/xls/xls_format.cpp)
