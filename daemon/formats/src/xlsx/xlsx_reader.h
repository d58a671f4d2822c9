#pragma once

#include <vector>

#include "bankrec/formats/profile.h"
#include "xlsx_package.h"  // relative: the fuzz target includes this header by path

// The XLSX reader below the bank profiles: a workbook's worksheets as formats::Table values with
// canonical cell text (profile.h). Exposed to the unit tests and the fuzz target.
namespace bankrec::formats::xlsx {

/// Every worksheet in workbook order (chart and dialog sheets are skipped), rows that hold at least
/// one value, cells at their column (gaps are ""), trailing empty cells dropped. Errors name the
/// part or the cell ("Sheet1!C14").
Result<std::vector<Table>> read_workbook(Bytes input, const ParseOptions& options, const Limits& limits = {});

}  // namespace bankrec::formats::xlsx
