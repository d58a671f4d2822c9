list(APPEND FORMAT_SOURCES src/xml/xml_format.cpp src/xml/xml_profile.cpp)
