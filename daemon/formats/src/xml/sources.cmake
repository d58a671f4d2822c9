list(APPEND FORMAT_SOURCES src/xml/xml_format.cpp src/xml/xml_profile.cpp src/xml/xml_values.cpp src/xml/xml_mapper.cpp)
