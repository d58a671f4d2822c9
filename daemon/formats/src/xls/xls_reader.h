#pragma once

#include <vector>

#include "bankrec/formats/profile.h"

// The XLS (BIFF2-8) reader below the bank profiles, on libfreexl: every worksheet as a Table with
// the same canonical cell text as the XLSX reader. Exposed to the unit tests.
namespace bankrec::formats::xls {

/// Bounds for hostile files.
struct Limits {
  std::uint64_t max_cells = 10'000'000;  ///< cells of all sheets, gaps included
  std::uint32_t max_sheets = 1000;
};

/// libfreexl reads only from a path: the bytes go to a private temporary file (mkstemp in
/// $TMPDIR, else /tmp; mode 0600) that is unlinked as soon as the library has opened it.
Result<std::vector<Table>> read_workbook(Bytes input, const ParseOptions& options, const Limits& limits = {});

}  // namespace bankrec::formats::xls
