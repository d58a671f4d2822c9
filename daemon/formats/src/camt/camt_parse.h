#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/domain/statement.h"
#include "bankrec/formats/format.h"
#include "camt/camt_xml.h"

// Internals of the CAMT parser shared by its source files. Scratch structures hold plain strings
// ("" = absent) that are cleared, not freed, between entries, so a long file reuses their buffers.
namespace bankrec::formats::camt {

/// Warnings kept per statement; further ones are counted in a last line.
inline constexpr std::size_t kMaxWarnings = 100;
/// TxDtls accepted in one entry (a batch booking); more is refused rather than buffered.
inline constexpr std::size_t kMaxDetailsPerEntry = 20'000;

/// What is shared by everything inside one Stmt/Rpt/Ntfctn.
class StatementScope {
 public:
  explicit StatementScope(XmlCursor& cursor) : x(cursor) {}

  /// Adds a statement warning, at most kMaxWarnings of them.
  void warn(std::string message);
  /// The currency for an ISO code; an unknown but well-formed code gives a warning and 2 decimals.
  Result<domain::Currency> currency(std::string_view code);
  /// Warnings so far, with a line counting the suppressed ones.
  std::vector<std::string> collected_warnings();
  /// domain::is_valid_iban(), remembering the last valid IBANs seen: the same counterparties
  /// recur throughout a statement and the check digits cost far more than a compare.
  bool is_valid_iban(const std::string& iban);

  XmlCursor& x;
  std::string own_iban;  //!< the statement account, to tell the counterparty from the holder
  std::string own_number;

 private:
  std::vector<std::string> warnings_;
  std::size_t suppressed_ = 0;
  std::vector<domain::Currency> known_;
  std::vector<std::string> unknown_reported_;
  static constexpr std::size_t kIbanSlots = 16;
  std::string valid_ibans_[kIbanSlots];  //!< direct-mapped by the last characters; "" = free
};

// --- values (camt_values.cpp) ------------------------------------------------------------------

/// The current element as an unsigned amount: `Ccy` attribute plus a '.' decimal with at most the
/// currency's digits (trailing zeros beyond them are accepted: "8.850" EUR).
Result<domain::Money> read_amount(StatementScope& scope);
/// CdtDbtInd: +1 for CRDT, -1 for DBIT.
Result<int> read_direction(XmlCursor& x);
/// The text as a date or an ISO date-time (its date part).
Result<domain::Date> read_date(XmlCursor& x);
/// A DateAndDateTimeChoice element: its Dt or DtTm child.
Result<std::optional<domain::Date>> read_date_choice(XmlCursor& x);
/// true/false of an xs:boolean ("true", "false", "1", "0").
Result<bool> read_bool(XmlCursor& x);
/// Copies the text into `out` (cleared when the element is empty).
Result<void> read_text(XmlCursor& x, std::string& out);
/// Appends the text to `out`, separated by one space.
Result<void> append_text(XmlCursor& x, std::string& out);
/// `value` when non-empty, else nullopt.
std::optional<std::string> opt(const std::string& value);
/// Electronic IBAN: blanks removed, upper case; replaces `out` (reusing its buffer).
void electronic_iban(std::string_view text, std::string& out);
/// German proprietary code "NTRF+166+931": swift "NTRF" and GVC "166" when they have that shape.
void split_proprietary_code(std::string_view code, domain::TransactionCode& out);
/// Money with the sign of `direction`.
domain::Money with_sign(const domain::Money& unsigned_amount, int direction);

// --- accounts, parties, agents (camt_parties.cpp) ----------------------------------------------

struct AccountScratch {
  std::string iban;
  std::string number;
  void clear() {
    iban.clear();
    number.clear();
  }
};

struct PartyScratch {
  std::string name;
  std::string id;           //!< OrgId/PrvtId identifier (first one)
  std::string bic;          //!< when the party is given as an agent (v8+ Agt) or by AnyBIC
  std::string creditor_id;  //!< SEPA creditor identifier (Othr with scheme "SEPA", CdtrSchmeId)
  void clear() {
    name.clear();
    id.clear();
    bic.clear();
    creditor_id.clear();
  }
};

struct AgentScratch {
  std::string bic;
  std::string name;
  std::string bank_code;  //!< ClrSysMmbId/MmbId (German BLZ)
};

/// At an account's Id element: IBAN, or Othr/Id, BBAN, UPIC, PrtryAcct/Id as a number.
Result<void> parse_account_id(XmlCursor& x, AccountScratch& out);
/// At an account element (DbtrAcct, CdtrAcct): its Id.
Result<void> parse_account(XmlCursor& x, AccountScratch& out);
/// At an element holding FinInstnId (Svcr, DbtrAgt, Agt) or at FinInstnId itself.
Result<void> parse_agent(XmlCursor& x, AgentScratch& out);
/// At a party element (Dbtr, Cdtr, UltmtDbtr, Ownr): Nm, Id, and the v8+ Pty/Agt wrappers.
Result<void> parse_party(XmlCursor& x, PartyScratch& out);

// --- entries (camt_entry.cpp, camt_details.cpp) ------------------------------------------------

struct CodeScratch {
  std::string domain;
  std::string family;
  std::string subfamily;
  std::string proprietary;
  bool empty() const { return domain.empty() && family.empty() && subfamily.empty() && proprietary.empty(); }
  void clear() {
    domain.clear();
    family.clear();
    subfamily.clear();
    proprietary.clear();
  }
};

/// One TxDtls as read, before it becomes entry fields or a details[] item.
struct TxScratch {
  std::string end_to_end_id, instruction_id, transaction_id, uetr, mandate_id, bank_reference, payment_info_id;
  std::optional<domain::Money> amount;  //!< unsigned, TxDtls/Amt or AmtDtls/TxAmt
  int direction = 0;                    //!< TxDtls/CdtDbtInd; 0 when absent
  std::optional<domain::Money> instructed_amount, transaction_amount;
  std::optional<domain::Money> charges;  //!< signed
  PartyScratch debtor, creditor, ultimate_debtor, ultimate_creditor;
  AccountScratch debtor_account, creditor_account;
  AgentScratch debtor_agent, creditor_agent;
  std::string remittance, structured_reference, creditor_id;
  bool has_return = false;
  std::string return_reason, return_info, return_end_to_end_id;
  CodeScratch code;
  void clear();
};

/// At AmtDtls: InstdAmt/Amt and TxAmt/Amt (unsigned).
Result<void> parse_amount_details(StatementScope& scope, std::optional<domain::Money>& instructed,
                                  std::optional<domain::Money>& transaction);
/// At Chrgs: the total charged, negative when it costs the account holder.
Result<void> parse_charges(StatementScope& scope, std::optional<domain::Money>& out);
/// At BkTxCd.
Result<void> parse_bank_transaction_code(XmlCursor& x, CodeScratch& out);
/// At TxDtls.
Result<void> parse_transaction_details(StatementScope& scope, TxScratch& out);
/// The counterparty of a transaction whose money moved in `direction` (+1 in, -1 out), looking
/// at the original direction for reversals and returns.
domain::Party choose_counterparty(const StatementScope& scope, const TxScratch& tx, int direction,
                                  bool reversed);
void fill_code(const CodeScratch& code, domain::TransactionCode& out);

/// Reusable buffers for one entry.
struct EntryScratch {
  std::vector<TxScratch> txs;  //!< the first `tx_count` are in use
  std::size_t tx_count = 0;
  std::string batch_payment_info_id;
};

/// At Ntry: the complete entry, signed, with details, built in `e` (a default-constructed entry,
/// so that a batch is filled in place; unspecified after an error).
Result<void> parse_entry(StatementScope& scope, EntryScratch& scratch, domain::Entry& e);

// --- statements (camt_statement.cpp) -------------------------------------------------------------

/// At Stmt/Rpt/Ntfctn: delivers the statement to the sink.
Result<void> parse_statement(XmlCursor& x, StatementSink& sink);

}  // namespace bankrec::formats::camt
