list(APPEND FORMAT_SOURCES src/pdf/pdf_format.cpp src/pdf/pdf_profile.cpp)
