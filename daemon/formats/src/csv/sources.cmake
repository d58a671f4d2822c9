# CSV/TSV: the reader and the format; the columns are mapped by the table profiles (src/profiles/).
list(APPEND FORMAT_SOURCES src/csv/csv_format.cpp src/csv/csv_reader.cpp)
