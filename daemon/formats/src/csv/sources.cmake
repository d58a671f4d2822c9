list(APPEND FORMAT_SOURCES src/csv/csv_format.cpp)
