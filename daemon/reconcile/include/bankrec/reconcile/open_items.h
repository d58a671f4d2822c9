#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/domain/open_item.h"

/// Open-items files (contracts/open-items.md). Errors name "FILE:LINE:COL (column)" in Error::where
/// and carry line and column.
namespace bankrec::reconcile {

/// CSV: UTF-8 (a BOM is skipped), comma separated, a header row naming the contract's columns in
/// any order (unknown columns are ignored), RFC 4180 quoting (doubled quotes, line breaks inside
/// quotes). Required columns missing, a bad value or a duplicate id fail the whole file.
Result<std::vector<domain::OpenItem>> parse_open_items_csv(std::string_view bytes, std::string_view file_name);

/// JSON Lines: one object per line with the contract's keys; blank lines are skipped.
Result<std::vector<domain::OpenItem>> parse_open_items_jsonl(std::string_view bytes, std::string_view file_name);

/// Reads `path` and picks the reader by extension: .csv, .jsonl/.ndjson/.json; .xlsx is refused
/// with a hint (not supported yet). Fails with not_found when the file cannot be read.
Result<std::vector<domain::OpenItem>> load_open_items(const std::string& path);

}  // namespace bankrec::reconcile
