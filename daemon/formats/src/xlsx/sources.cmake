list(APPEND FORMAT_SOURCES
  src/xlsx/xlsx_format.cpp
  src/xlsx/cell_text.cpp
  src/xlsx/xlsx_package.cpp
  src/xlsx/xlsx_workbook.cpp
  src/xlsx/xlsx_sheet.cpp)
