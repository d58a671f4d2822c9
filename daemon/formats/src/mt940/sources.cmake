list(APPEND FORMAT_SOURCES src/mt940/mt940_format.cpp)
