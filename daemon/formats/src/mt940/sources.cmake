list(APPEND FORMAT_SOURCES
  src/mt940/mt940_format.cpp
  src/mt940/statement_parser.cpp
  src/mt940/scanner.cpp
  src/mt940/fields.cpp
  src/mt940/purpose.cpp)
