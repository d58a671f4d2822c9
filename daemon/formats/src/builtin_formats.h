#pragma once

#include "bankrec/formats/format.h"

// Each format family's folder under src/ exports only these functions.
namespace bankrec::formats {

FormatSpec camt052_format();  // src/camt/
FormatSpec camt053_format();
FormatSpec camt054_format();
FormatSpec mt940_format();    // src/mt940/
FormatSpec mt942_format();

}  // namespace bankrec::formats
