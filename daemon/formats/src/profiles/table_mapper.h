#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/formats/profile.h"
#include "profiles/table_profile.h"

/// Table profiles at work: recognising which profile a table fits (with a score and, when it does
/// not fit, why) and turning its rows into statements. Used by parse_tables() (XLS/XLSX sheets)
/// and by the CSV format, which reads the table itself so it can report byte positions.
namespace bankrec::formats {

inline constexpr std::size_t kNoRow = std::numeric_limits<std::size_t>::max();
/// Rows looked at to find the header row and preamble values.
inline constexpr std::size_t kHeadRows = 64;

/// A non-fatal finding about one row of a table (a broken quote), kept as a statement warning.
struct RowWarning {
  std::size_t row = 0;  ///< index into Table::rows
  std::string message;
};

/// The normalised cell texts of a table's first rows, computed once and shared by every profile.
struct TableHead {
  std::vector<std::vector<std::string>> keys;
  explicit TableHead(const Table& table);
};

/// Per field, the cells (0-based) its columns resolved to; -1 for an optional column not present.
struct ResolvedField {
  std::vector<int> columns, credit, debit;
};

struct ProfileFit {
  const TableProfile* profile = nullptr;
  bool fits = false;
  int score = 0;          ///< higher is better; meaningful when `fits`
  int closeness = 0;      ///< 0..100 share of the profile's header found, to rank near misses
  std::string why_not;    ///< when not `fits`: "missing columns 'Buchung', 'Betrag'"
  std::size_t header_row = kNoRow;  ///< kNoRow for headerless profiles
  std::size_t first_data_row = 0;
  std::array<ResolvedField, kFieldCount> fields;
};

/// Scores one profile against a table (its first kHeadRows rows are enough).
ProfileFit fit_profile(const TableProfile& profile, const Table& table, const TableHead& head,
                       std::string_view file_name);

/// The winner among `fits` (or options.profile when forced); an invalid_input error listing the
/// closest profiles and why they did not fit when none does.
Result<ProfileFit> choose_fit(const std::vector<ProfileFit>& fits, const ParseOptions& options,
                              const std::vector<std::string>& all_profile_names);

/// Where a cell is, for error messages: CSV computes line/column/byte from the original input.
using CellLocator = std::function<SourcePos(std::size_t row, std::size_t cell, std::string locator)>;

class Mapper;  // table_mapper.cpp

/// Maps data rows onto statements (one per account and currency) as they come, so a large CSV is
/// fed in chunks and memory stays bounded: the first account's statement is delivered in batches
/// while reading; others (files mixing accounts) are kept until the end. The caller has called
/// set_format ("csv:<profile>").
class TableMapper {
 public:
  TableMapper(const ProfileFit& fit, const ParseOptions& options, StatementSink& sink);
  ~TableMapper();
  TableMapper(const TableMapper&) = delete;
  TableMapper& operator=(const TableMapper&) = delete;

  /// Reads the preamble values and column names from the first rows (`head` holds the header row).
  Result<void> start(const Table& head);
  /// Maps rows [first, end) of `chunk`. `locate` (empty: line = row number, locator = sheet cell)
  /// and `warnings` refer to the chunk's row indexes.
  Result<void> add_rows(const Table& chunk, std::size_t first, const CellLocator& locate,
                        const std::vector<RowWarning>* warnings);
  /// Delivers what is left, with balances, period and warnings in the statements' end headers.
  Result<void> finish();

 private:
  std::unique_ptr<Mapper> impl_;
};

}  // namespace bankrec::formats
