#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "bankrec/base/result.h"

namespace bankrec::formats {

/// A table profile (CSV/TSV/XLS/XLSX): recognition, encoding, delimiter, columns → fields,
/// date/amount formats, sign convention, preamble values. Filled in by the table-profile work.
struct TableProfile {
  std::string name;
  std::string path;
  std::string description;
};

/// Validates one `kind: table` profile document; errors name `path`, line and key.
Result<TableProfile> parse_table_profile(const YAML::Node& root, const std::string& path);

}  // namespace bankrec::formats
