list(APPEND FORMAT_SOURCES
  src/ofx/ofx_format.cpp
  src/ofx/ofx_document.cpp
  src/ofx/ofx_values.cpp
  src/ofx/ofx_statement.cpp)
