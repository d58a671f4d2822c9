list(APPEND FORMAT_SOURCES src/qif/qif_format.cpp)
