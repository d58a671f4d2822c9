list(APPEND FORMATS_TEST_SOURCES camt/camt_entry_test.cpp camt/camt_document_test.cpp camt/camt_xml_test.cpp)
