list(APPEND FORMAT_SOURCES src/xlsx/xlsx_format.cpp)
