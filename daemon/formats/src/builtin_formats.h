#pragma once

#include "bankrec/formats/format.h"

// Each format family's folder under src/ exports only these functions.
namespace bankrec::formats {

FormatSpec camt052_format();  // src/camt/
FormatSpec camt053_format();
FormatSpec camt054_format();
FormatSpec mt940_format();    // src/mt940/
FormatSpec mt942_format();
FormatSpec ofx_format();   // src/ofx/
FormatSpec qif_format();   // src/qif/
FormatSpec csv_format();   // src/csv/ (tables mapped by src/profiles/)
FormatSpec xlsx_format();  // src/xlsx/
FormatSpec xls_format();   // src/xls/
FormatSpec xml_format();   // src/xml/ (generic, profile-mapped)
FormatSpec pdf_format();   // src/pdf/

}  // namespace bankrec::formats
