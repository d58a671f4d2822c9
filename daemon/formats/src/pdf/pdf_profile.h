#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "bankrec/base/result.h"
#include "bankrec/domain/date.h"
#include "bankrec/domain/money.h"

namespace bankrec::formats {

/// An ECMAScript regular expression whose capture groups may be named: "(?<amount>[0-9.,]+)".
/// std::regex has no named groups, so names are recorded and the groups renumbered on load.
struct PdfPattern {
  std::string source;  ///< as written in the profile
  std::regex regex;
  std::vector<std::pair<std::string, int>> groups;  ///< name → capture index
  /// The capture index of `name`, 0 when the pattern has no such group.
  int group(std::string_view name) const;
  /// The matched text of a named group; empty when absent or unmatched.
  std::string value(const std::smatch& m, std::string_view name) const;
};

/// Statement fields an entry line's continuation lines can fill.
enum class PdfTextField { remittance, counterparty, posting_text, reference };

/// A PDF layout profile (`kind: pdf`): regular expressions over the text lines poppler extracts
/// (physical layout, so columns stay apart), continuation lines for multi-line purposes, and
/// opening/closing balances checked against the entries. etc/profiles/example-bank-pdf.yaml
/// documents every key.
struct PdfProfile {
  std::string name;
  std::string path;
  std::string description;
  std::vector<PdfPattern> detect;  ///< every one must match some line for the profile to fit
  domain::Currency currency = domain::kEur;
  domain::DateOrder date_order = domain::DateOrder::dmy;
  char decimal_separator = 0;      ///< ',' or '.'; 0 = inferred per amount
  std::vector<PdfPattern> header;  ///< named groups fill statement fields; the first match wins
  std::optional<PdfPattern> opening_balance, closing_balance;
  PdfPattern entry_start;
  std::optional<PdfPattern> continuation;  ///< group "text"
  std::vector<PdfTextField> continuation_fields{PdfTextField::remittance};
  std::vector<PdfPattern> ignore;  ///< page headers and footers, carried-over totals
  std::vector<std::string> credit_signs{"H", "+", "CR"}, debit_signs{"S", "-", "DR"};
  bool check_balances = true;
};

/// Validates one `kind: pdf` profile document; errors name `path`, line and key.
Result<PdfProfile> parse_pdf_profile(const YAML::Node& root, const std::string& path);

/// Compiles a pattern with named groups; fails with the regex library's message. Exposed for tests.
Result<PdfPattern> compile_pdf_pattern(const std::string& source);

}  // namespace bankrec::formats
