#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "bankrec/base/result.h"
#include "bankrec/base/text.h"
#include "bankrec/domain/date.h"
#include "bankrec/domain/money.h"

namespace bankrec::formats {

/// Where a value comes from: a header name (its n-th occurrence, for files with doubled names such
/// as ING's two "Währung"), or a 1-based column position for headerless files.
struct ColumnRef {
  std::string name;              ///< as written in the profile; empty when `index` is used
  std::string key;               ///< normalised name used for comparison (normalize_for_matching)
  int occurrence = 1;            ///< 1-based; -1 = the last column of that name
  std::uint32_t index = 0;       ///< 1-based position; 0 = by name
  bool optional = false;         ///< a missing column is no mismatch; the field stays empty

  bool by_index() const { return index != 0; }
};

/// A field's source: one column, several columns joined by a space (purpose text), or a choice
/// by direction (DKB: the payer for money in, the payee for money out).
struct FieldSource {
  std::vector<ColumnRef> columns;  ///< joined with one space when several
  std::vector<ColumnRef> credit;   ///< used instead when the amount is positive (money in)
  std::vector<ColumnRef> debit;    ///< used instead when the amount is negative
  bool empty() const { return columns.empty() && credit.empty() && debit.empty(); }
};

/// Every field a table column can fill; the names are the `columns:` keys of a profile.
enum class Field : std::uint8_t {
  account,
  account_bic,
  account_name,
  account_owner,
  account_bank,
  booking_date,
  value_date,
  amount,
  debit,
  credit,
  sign,
  currency,
  fee,
  status,
  posting_text,
  transaction_code,
  counterparty_name,
  counterparty_iban,
  counterparty_bic,
  counterparty_account,
  counterparty_bank_code,
  purpose,
  end_to_end_id,
  mandate_id,
  creditor_id,
  bank_reference,
  customer_reference,
  structured_reference,
  balance_after,
  count_  // number of fields
};
inline constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::count_);
/// The profile key of a field ("booking_date").
const char* field_name(Field field);

/// A value found in the preamble lines before the header: by label (first cell starts with it)
/// or by line number, then the cell holding the value; or under a caption (a small table of
/// captions over values, as Raiffeisen Romania writes its balances).
struct PreambleValue {
  std::string label;           ///< normalised; empty when `line` or `under` is used
  std::string label_text;      ///< as written, for messages
  std::uint32_t line = 0;      ///< 1-based row of the table; 0 = by label
  std::uint32_t cell = 2;      ///< 1-based cell holding the value
  std::uint32_t currency_cell = 0;  ///< 1-based cell holding the balance currency; 0 = none
  std::string under;           ///< normalised caption: the value is below the cell that equals it
  std::string under_text;
  bool set() const { return !label.empty() || line != 0 || !under.empty(); }
};

/// A regular expression that lifts a value out of a text field (Commerzbank writes references
/// into the booking text): group 1 becomes `target`; `cut` removes the match from the source.
struct Extraction {
  Field from = Field::purpose;
  Field target = Field::end_to_end_id;
  std::string pattern;
  std::regex regex;
  bool cut = false;
};

/// A table profile (CSV/TSV/XLS/XLSX): recognition, encoding, delimiter, columns → fields,
/// date/amount formats, sign convention, preamble values.
struct TableProfile {
  std::string name;
  std::string path;
  std::string description;

  // match:
  std::vector<ColumnRef> header;        ///< names the header row has, in file order
  std::vector<std::string> preamble_markers;  ///< normalised texts some line before the header holds
  std::vector<std::string> preamble_marker_texts;
  std::optional<std::regex> file_name;  ///< a hint only: adds to the score
  std::string file_name_text;
  std::uint32_t column_count = 0;       ///< expected cells per row; 0 = any
  bool has_header = true;               ///< false: columns by position, data from the first row
  std::uint32_t min_header_share = 100; ///< % of `header` names that must be found (see README)

  // csv:
  std::optional<text::Charset> charset;  ///< used when the bytes are not UTF-8; nullopt = detect
  char delimiter = 0;                    ///< 0 = detect
  bool newest_first = false;             ///< informational; balances are taken by date anyway

  // columns:
  std::vector<FieldSource> fields = std::vector<FieldSource>(kFieldCount);

  // formats:
  domain::DateOrder date_order = domain::DateOrder::dmy;
  bool date_order_auto = false;
  char decimal_sep = 0;                       ///< ',' or '.'; 0 = infer per value
  std::optional<domain::Currency> currency;   ///< when there is no currency column
  std::vector<std::string> debit_marks{"s", "soll", "d", "dbit", "debit", "-"};
  std::vector<std::string> credit_marks{"h", "haben", "c", "crdt", "credit", "+"};
  std::vector<std::string> pending_values;  ///< normalised status cell values meaning pending
  std::vector<std::string> info_values;     ///< ... meaning info only (no balance effect)
  std::vector<std::string> skip_values;     ///< ... meaning the row is no transaction at all
  bool sepa_keywords = false;               ///< split EREF+/MREF+/CRED+/SVWZ+ out of the purpose

  // rows: where the data rows end (footers: totals, disclaimers).
  std::optional<std::regex> end_at;  ///< the data ends before the first row whose first non-empty cell matches
  std::string end_at_text;
  bool skip_text_rows = false;       ///< a row with neither a date nor an amount is skipped, not an error

  // preamble:
  PreambleValue account_iban, account_bic, account_name, account_owner, period, opening_balance, closing_balance;

  std::vector<Extraction> extractions;

  const FieldSource& field(Field f) const { return fields[static_cast<std::size_t>(f)]; }
};

/// Validates one `kind: table` profile document; errors name `path`, line and key.
Result<TableProfile> parse_table_profile(const YAML::Node& root, const std::string& path);

/// Column names compare after normalize_for_matching ("Glaeubiger ID" = "Gläubiger-ID" is not
/// intended, but case, umlaut spelling and punctuation differences between exports are).
std::string header_key(std::string_view name);

}  // namespace bankrec::formats
