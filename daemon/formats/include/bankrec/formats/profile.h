#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/formats/format.h"

/// Bank profiles (issue 9): YAML files under etc/profiles/ (installed to /etc/bankrec/profiles/)
/// that say how one bank's CSV/XLS/XLSX export, generic XML export or PDF statement maps onto the
/// unified model. A new bank is a new file: no code change, no rebuild.
namespace bankrec::formats {

/// One sheet of cells as UTF-8 text: what the CSV, XLS and XLSX readers produce and the table
/// profiles map. Readers render typed cells canonically: numbers as plain decimals with '.'
/// ("-1234.5"), date cells as ISO dates ("2024-01-31") or date-times ("2024-01-31T10:00:00").
struct Table {
  std::string name;                            ///< sheet name; the file name for CSV
  std::vector<std::vector<std::string>> rows;  ///< ragged rows allowed
  std::vector<std::uint32_t> row_numbers;      ///< per row: source line (CSV) or sheet row (XLSX), 1-based
  std::string cell_prefix;                     ///< locators: "" for CSV ("line 14, column Betrag"), "Sheet1!" for sheets
};

/// A named profile text, for loading from memory (tests) or from a directory.
struct ProfileSource {
  std::string path;  ///< shown in errors: "etc/profiles/sparkasse-camt-v2.yaml"
  std::string text;
};

/// Every profile of a directory, validated on load. Cheap to copy (shared, immutable).
class ProfileSet {
 public:
  ProfileSet();
  /// Loads *.yaml of `dir` in name order. Any invalid profile fails the whole load, with an error
  /// naming the file, line and key. A missing directory is an empty set.
  static Result<ProfileSet> load_directory(const std::filesystem::path& dir);
  static Result<ProfileSet> from_sources(const std::vector<ProfileSource>& sources);

  struct Summary {
    std::string name, kind, path, description;
  };
  std::vector<Summary> list() const;
  bool empty() const;

  struct Impl;  // src/profiles/profile_set_impl.h
  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

/// Maps a table (CSV, XLS or XLSX sheet) onto statements with the best-matching table profile,
/// or `options.profile` when forced. `format` names the container for set_format ("csv", "xlsx").
/// No matching profile: an invalid_input error listing the closest profiles and why they failed.
Result<void> parse_tables(std::string_view format, const std::vector<Table>& tables, const ParseOptions& options,
                          StatementSink& sink);

}  // namespace bankrec::formats
