#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/domain/date.h"

/// The sandbox's seeded bank ledger: accounts and their transactions, one day at a time.
/// Pure: a day's bookings depend only on (seed, account, day, anchor), never on "today", so the
/// data grows day by day while every earlier day stays byte-identical.
namespace bankrec::app::sandbox {

using domain::Date;

enum class AccountKind { checking, savings, card };

struct Account {
  std::string resource_id;  ///< XS2A resourceId / GoCardless account id (UUID form, seeded)
  std::int64_t bridge_id = 0;
  std::string iban;         ///< empty for the card account
  std::string bic;
  std::string bank;         ///< "musterbank" or "sparkasse" (the XS2A profile that serves it)
  std::string bank_name;
  std::string name;         ///< "Geschäftskonto"
  std::string product;      ///< "Girokonto"
  std::string cash_account_type;  ///< CACC, SVGS, CARD
  std::string owner_name;
  std::string masked_pan;   ///< card only
  AccountKind kind = AccountKind::checking;
  std::int64_t opening_minor = 0;  ///< booked balance before the first day
};

struct Party {
  std::string name;
  std::string iban;
  std::string bic;
};

struct Txn {
  std::string id;               ///< transactionId of the booked entry
  std::string pending_id;       ///< transactionId while pending (providers recreate ids on booking)
  std::string entry_reference;  ///< camt AcctSvcrRef
  std::int64_t bridge_id = 0;
  std::int64_t bridge_pending_id = 0;
  std::size_t account = 0;
  Date booking_date;      ///< the day it books (for card purchases: the deferred debit date)
  Date value_date;
  Date transaction_date;  ///< operation date (card purchase date); = booking_date otherwise
  std::int64_t amount_minor = 0;  ///< signed: credit > 0
  Party counterparty;
  std::string purpose;             ///< remittance information, unstructured (≤ 140)
  std::string purpose_code;        ///< ISO ExternalPurpose1Code or empty
  std::string bank_transaction_code;  ///< "PMNT-RCDT-ESCT"
  std::string dk_code;             ///< DK proprietary: "NTRF+166+9310"
  std::string end_to_end_id;       ///< "NOTPROVIDED" when none
  std::string mandate_id;
  std::string creditor_id;
  std::string bank_label;          ///< the raw label a bank shows (Bridge provider_description)
  std::string clean_label;         ///< the aggregator's cleaned label (Bridge clean_description)
  std::string operation_type;      ///< Bridge: transfer, direct_debit, card, deferred_debit_card, ...
};

class Ledger {
 public:
  /// `first_day`: the oldest day with data; `anchor`: the day the process started on (the demo's
  /// payments of the open items in tests/fixtures/demo/ are booked on the business days before it).
  Ledger(std::uint64_t seed, Date first_day, Date anchor);

  const std::vector<Account>& accounts() const { return accounts_; }
  Date first_day() const { return first_day_; }
  std::uint64_t seed() const { return seed_; }

  /// Entries booking on `day` (card purchases: debit date = `day`), in booking order.
  std::vector<Txn> booked_on(std::size_t account, Date day) const;
  /// Entries booking in [from, to], oldest first; days before first_day() are empty.
  std::vector<Txn> booked_between(std::size_t account, Date from, Date to) const;
  /// Card purchases made in [from, to] (by transaction date), whatever their debit date.
  std::vector<Txn> card_purchases_between(std::size_t account, Date from, Date to) const;
  /// Booked balance at the end of `day`: opening + every entry booked in [first_day, day].
  std::int64_t booked_balance(std::size_t account, Date day) const;

 private:
  std::vector<Txn> card_purchases_on(std::size_t account, Date day) const;
  std::vector<Txn> generate(std::size_t account, Date day) const;

  std::uint64_t seed_;
  Date first_day_;
  Date anchor_;
  std::vector<Account> accounts_;
  std::vector<Party> customers_;
  std::vector<Party> suppliers_;
};

/// splitmix64: the sandbox's only randomness for data.
std::uint64_t mix64(std::uint64_t x);
/// Last day of the month of `day`.
Date month_end(Date day);
/// 0 = Monday .. 6 = Sunday.
int weekday(Date day);
std::string format_amount(std::int64_t minor);  ///< "-12.50"

}  // namespace bankrec::app::sandbox
