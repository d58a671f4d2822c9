#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bankrec/domain/date.h"
#include "bankrec/domain/money.h"

/// The unified statement model every parser and connector produces (contracts/statement-json.md).
/// Absent values are empty optionals, never empty strings.
namespace bankrec::domain {

/// The account a statement belongs to.
struct Account {
  std::optional<std::string> iban;       ///< electronic form, upper case
  std::optional<std::string> bic;
  std::optional<std::string> number;     ///< other account id (camt Othr/Id, MT940 :25: account)
  std::optional<std::string> bank_code;  ///< German BLZ or other national bank code
  std::optional<std::string> currency;   ///< ISO 4217 code
  std::optional<std::string> owner;      ///< account owner's name
  std::optional<std::string> name;       ///< account name (camt Acct/Nm)
  std::optional<std::string> servicer;   ///< servicing bank's name

  friend bool operator==(const Account&, const Account&) = default;
};

struct Balance {
  Money amount;
  std::optional<Date> date;
  /// camt balance code (OPBD, PRCD, CLBD, CLAV, ITBD, FWAV, ...) or MT940 tag (60F, 60M, 62F, 64, 65).
  std::optional<std::string> type;

  friend bool operator==(const Balance&, const Balance&) = default;
};

struct Party {
  std::optional<std::string> name;
  std::optional<std::string> iban;
  std::optional<std::string> bic;
  std::optional<std::string> account;    ///< account number when there is no IBAN
  std::optional<std::string> bank_code;
  std::optional<std::string> id;         ///< organisation or private id (camt Id/OrgId|PrvtId)

  bool empty() const { return !name && !iban && !bic && !account && !bank_code && !id; }
  friend bool operator==(const Party&, const Party&) = default;
};

struct TransactionCode {
  std::optional<std::string> iso;          ///< "PMNT-RCDT-ESCT" (domain-family-subfamily)
  std::optional<std::string> proprietary;  ///< "NTRF+166+931" as the bank writes it
  std::optional<std::string> swift;        ///< MT940 transaction type "NTRF"
  std::optional<std::string> gvc;          ///< German Geschäftsvorfallcode "166"

  bool empty() const { return !iso && !proprietary && !swift && !gvc; }
  friend bool operator==(const TransactionCode&, const TransactionCode&) = default;
};

/// Return information of an R-transaction (camt RtrInf, MT940 purpose of a return).
struct ReturnInfo {
  std::optional<std::string> reason;                  ///< ISO code: AM04, MD06, MS03, ...
  std::optional<std::string> original_end_to_end_id;
  std::optional<std::string> info;                    ///< additional text

  friend bool operator==(const ReturnInfo&, const ReturnInfo&) = default;
};

/// One underlying transaction of a batch booking (camt TxDtls).
struct EntryDetail {
  std::optional<Money> amount;
  std::optional<std::string> end_to_end_id;
  std::optional<std::string> instruction_id;
  std::optional<std::string> transaction_id;
  std::optional<std::string> uetr;  ///< SWIFT gpi unique end-to-end transaction reference (camt Refs/UETR)
  std::optional<std::string> mandate_id;
  std::optional<std::string> bank_reference;  ///< TxDtls/Refs/AcctSvcrRef
  Party counterparty;
  std::optional<std::string> remittance;
  std::optional<std::string> structured_reference;
  std::optional<ReturnInfo> return_info;

  friend bool operator==(const EntryDetail&, const EntryDetail&) = default;
};

enum class EntryStatus : std::uint8_t { booked, pending, info };
/// "booked", "pending", "info".
const char* entry_status_name(EntryStatus status);

struct Entry {
  std::optional<Date> booking_date;
  std::optional<Date> value_date;
  Money amount;  ///< signed from the account holder's view: money in > 0
  EntryStatus status = EntryStatus::booked;
  bool reversal = false;
  std::optional<std::string> bank_reference;      ///< camt AcctSvcrRef (else NtryRef), MT940 // ref
  std::optional<std::string> customer_reference;  ///< MT940 :61: reference for the account owner
  std::optional<std::string> end_to_end_id;
  std::optional<std::string> uetr;  ///< SWIFT gpi unique end-to-end transaction reference (camt Refs/UETR)
  std::optional<std::string> mandate_id;
  std::optional<std::string> creditor_id;
  TransactionCode transaction_code;
  std::optional<std::string> posting_text;  ///< MT940 ?00 / camt AddtlNtryInf
  Party counterparty;
  std::optional<std::string> remittance;
  std::optional<std::string> structured_reference;  ///< ISO 11649 RF or other structured creditor ref
  std::optional<Money> original_amount;             ///< instructed amount in another currency
  std::optional<Money> charges;
  std::optional<ReturnInfo> return_info;            ///< JSON key "return"
  std::vector<EntryDetail> details;

  friend bool operator==(const Entry&, const Entry&) = default;
};

struct Statement {
  std::optional<std::string> id;
  std::optional<std::string> sequence;    ///< electronic sequence number or MT940 :28C:
  std::optional<std::string> created_at;  ///< ISO 8601 as found
  Account account;
  std::optional<Date> from_date;
  std::optional<Date> to_date;
  std::optional<Balance> opening_balance;
  std::optional<Balance> closing_balance;
  std::vector<Balance> other_balances;  ///< available, forward available, interim, ...
  std::vector<std::string> warnings;
  std::vector<Entry> entries;

  friend bool operator==(const Statement&, const Statement&) = default;
};

/// One parsed input document: a file, or one member of a ZIP archive.
struct StatementFile {
  std::string file;    ///< file name as given; "archive.zip/inner.xml" for ZIP members
  std::string format;  ///< detected format and version: "camt.053.001.08", "mt940", ...
  std::vector<Statement> statements;

  friend bool operator==(const StatementFile&, const StatementFile&) = default;
};

}  // namespace bankrec::domain
