list(APPEND FORMAT_SOURCES src/ofx/ofx_format.cpp)
