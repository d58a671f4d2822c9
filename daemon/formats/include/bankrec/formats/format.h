#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/bytes.h"
#include "bankrec/base/result.h"
#include "bankrec/domain/statement.h"

namespace bankrec::formats {

/// Where a problem is. `locator` is format-specific: MT940 tag (":61:"), CAMT element path
/// ("Stmt[1]/Ntry[3]/Amt"), XLSX cell ("Sheet1!C14"), PDF page ("page 3"), CSV column name.
struct SourcePos {
  std::uint32_t line = 0;    ///< 1-based; 0 for binary formats
  std::uint32_t column = 0;  ///< 1-based, counted in bytes
  std::uint64_t byte = 0;    ///< 0-based offset into the original input
  std::string locator;
};

class ProfileSet;  // bankrec/formats/profile.h

struct ParseIssue {
  SourcePos pos;
  std::string message;
};

struct ParseOptions {
  std::string_view file_name;  ///< used in messages only
  bool lenient = false;        ///< bad records go to `rejected` instead of failing
  std::uint64_t max_input_bytes = 512ULL * 1024 * 1024;
  std::uint32_t max_depth = 64;  ///< XML nesting bound
  std::string_view encoding;     ///< forced charset ("" = detect)
  std::string_view profile;      ///< forced bank profile ("" = choose automatically)
  /// Bank profiles for the table, XML and PDF formats (nullptr: those formats find no profile).
  const ProfileSet* profiles = nullptr;
};

/// Receives a document as the parser reads it, so memory stays bounded for 100,000-entry files.
/// Call order per document: set_format, then per statement begin_statement, add_entries (zero or
/// more times, in file order), end_statement. An error returned by the sink aborts the parse.
class StatementSink {
 public:
  virtual ~StatementSink() = default;
  /// The detected format and version ("camt.053.001.08", "mt940").
  virtual Result<void> set_format(std::string_view format) = 0;
  /// The statement's header: everything known before its entries (entries empty).
  virtual Result<void> begin_statement(const domain::Statement& header) = 0;
  /// The next entries of the current statement; the sink may move from them.
  virtual Result<void> add_entries(std::vector<domain::Entry>& batch) = 0;
  /// The complete header once every entry was seen (closing balance, warnings; entries empty).
  virtual Result<void> end_statement(const domain::Statement& header) = 0;
  /// A record skipped in lenient mode.
  virtual void reject(ParseIssue issue) { (void)issue; }
};

/// Entries handed to a sink per add_entries() call.
inline constexpr std::size_t kEntryBatch = 512;

/// The collected form, for tests and small files.
struct ParseOutput {
  std::string format;
  std::vector<domain::Statement> statements;
  std::vector<ParseIssue> rejected;  ///< empty unless options.lenient
};

/// A format is two pure functions: no I/O, no clock, no locale, no globals.
struct FormatSpec {
  std::string_view id;    ///< [a-z0-9_.]+, as `--format` names it: "camt.053", "mt940"
  std::string_view name;  ///< human name for help texts: "ISO 20022 camt.053 bank-to-customer statement"
  int (*sniff)(Bytes head);  ///< 0 = not mine .. 100 = certain; sees at most the first 4 KiB
  Result<void> (*parse)(Bytes input, const ParseOptions& options, StatementSink& sink);
};

/// How many leading bytes sniff() is shown.
inline constexpr std::size_t kSniffBytes = 4096;

/// Runs a parser into memory.
Result<ParseOutput> parse_collect(const FormatSpec& spec, Bytes input, const ParseOptions& options);

/// Line/column of a byte offset, computed only when an error is reported.
SourcePos locate(std::string_view input, std::uint64_t byte, std::string locator = {});
/// Builds "stmt.sta:14:7 (byte 512, :61:)" and wraps it in an invalid_input error carrying line/column.
Unexpected parse_error(const ParseOptions& options, const SourcePos& pos, std::string message);

}  // namespace bankrec::formats
