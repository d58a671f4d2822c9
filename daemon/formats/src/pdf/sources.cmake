# PDF statements: poppler-cpp extracts the text layer, a `kind: pdf` layout profile maps it.
pkg_check_modules(POPPLER_CPP REQUIRED IMPORTED_TARGET poppler-cpp)
list(APPEND FORMAT_SOURCES
  src/pdf/pdf_format.cpp
  src/pdf/pdf_text.cpp
  src/pdf/pdf_profile.cpp)
list(APPEND FORMAT_LIBS PkgConfig::POPPLER_CPP)
