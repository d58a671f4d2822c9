#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/text.h"
#include "bankrec/domain/money.h"
#include "bankrec/domain/statement.h"
#include "mt940/scanner.h"

// Field-level parsers of MT940/MT942 (SWIFT MT940 "Customer Statement Message" field specs, and
// the DK's "DFÜ-Abkommen Anlage 3" for the German variants). All work on views into the input.
namespace bankrec::formats::mt940 {

/// What a field parser needs to know about the document.
struct Context {
  std::string_view input;  ///< the whole original input: views' offsets are relative to it
  text::Charset charset = text::Charset::utf8;

  std::uint64_t offset_of(std::string_view view) const {
    return static_cast<std::uint64_t>(view.data() - input.data());
  }
  bool is_utf8() const { return charset == text::Charset::utf8; }
  /// The view as UTF-8 (8-bit input is converted only when it has bytes >= 0x80).
  std::string to_text(std::string_view raw) const;
};

/// A problem found in a field: where (byte offset into the input) and what.
struct Problem {
  std::uint64_t byte = 0;
  std::string message;
};

/// A balance field (:60F:, :60M:, :62F:, :62M:, :64:, :65:): D/C mark, YYMMDD, currency, amount.
/// Decimal comma as SWIFT writes it; a decimal point is accepted as some banks write it.
std::optional<domain::Balance> parse_balance(std::string_view value, std::string_view type,
                                             const Context& ctx, Problem& problem);

/// :25: into the account: an IBAN (optionally followed by a currency code), `BLZ/Konto`
/// (8-digit German bank code), or anything else kept whole as the account number.
void parse_account(std::string_view value, const Context& ctx, domain::Account& account);

/// :13D: YYMMDDhhmm±hhmm → "2017-01-19T18:15:00+01:00"; nullopt when malformed.
std::optional<std::string> parse_date_time(std::string_view value);

/// :34F: floor limit "EUR0", "EURD100,00", "EURC100,00" → balance of type "34F" (D negative).
std::optional<domain::Balance> parse_floor_limit(std::string_view value, const Context& ctx,
                                                 Problem& problem);

/// :90D:/:90C: "3PLN0,03": number of entries and their sum.
struct Totals {
  std::uint64_t count = 0;
  domain::Money sum;
};
std::optional<Totals> parse_totals(std::string_view value, const Context& ctx, Problem& problem);

/// :61: statement line into `entry`: value date, entry date, mark, funds code, amount (in
/// `currency`), transaction type, references and supplementary details (lines after the first).
/// Non-fatal findings (a value date such as 30 February, clamped to the month's end) go to
/// `warnings`.
bool parse_statement_line(const Field& field, const Context& ctx, const domain::Currency& currency,
                          domain::Entry& entry, std::vector<std::string>& warnings, Problem& problem);

/// Parses an amount with ',' (SWIFT) or, failing that, '.' as decimal separator.
std::optional<std::int64_t> parse_swift_amount(std::string_view text, int exponent);

/// True for the shape of an IBAN: country letters, two digits, letters or digits, the country's registered
/// length (the check digits are not verified: a bank's typo is still the counterparty's IBAN as written).
bool looks_like_iban(std::string_view s);
/// True for the shape of a BIC: 8 or 11 characters, 6 letters first.
bool looks_like_bic(std::string_view s);

}  // namespace bankrec::formats::mt940
