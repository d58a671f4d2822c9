# XLS (BIFF) through libfreexl (Debian libfreexl-dev); cells rendered by src/xlsx/cell_text.cpp.
find_package(PkgConfig REQUIRED)
pkg_check_modules(FREEXL REQUIRED IMPORTED_TARGET freexl)
list(APPEND FORMAT_SOURCES src/xls/xls_format.cpp src/xls/xls_reader.cpp)
list(APPEND FORMAT_LIBS PkgConfig::FREEXL)
