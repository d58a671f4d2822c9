list(APPEND FORMAT_SOURCES src/camt/camt_format.cpp)
