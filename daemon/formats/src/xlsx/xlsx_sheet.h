#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bankrec/formats/profile.h"
#include "xlsx/cell_text.h"
#include "xlsx/xlsx_package.h"

// One worksheet part → one Table, given what the workbook-level parts said.
namespace bankrec::formats::xlsx {

/// What every sheet needs from the workbook: shared strings, the kind of each cell style
/// (cellXfs index → date or number) and the date system.
struct WorkbookContext {
  std::vector<std::string> shared_strings;
  std::vector<ValueKind> style_kinds;
  DateSystem date_system = DateSystem::d1900;
  std::uint64_t cells = 0;  ///< materialised so far, against Limits::max_cells
};

/// Streams the sheet part; cells render as profile.h says.
Result<Table> read_sheet(Package& package, const std::string& sheet_name, const std::string& part,
                         WorkbookContext& context);

}  // namespace bankrec::formats::xlsx
