list(APPEND FORMAT_SOURCES
  src/camt/camt_format.cpp
  src/camt/camt_statement.cpp
  src/camt/camt_entry.cpp
  src/camt/camt_details.cpp
  src/camt/camt_parties.cpp
  src/camt/camt_values.cpp
  src/camt/camt_xml.cpp
  src/camt/camt_xml_encoding.cpp
  src/camt/camt_xml_lex.cpp)
