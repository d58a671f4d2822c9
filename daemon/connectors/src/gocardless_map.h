#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/domain/statement.h"
#include "bankrec/net/http_client.h"

/// GoCardless Bank Account Data (ex-Nordigen, API v2) JSON → domain values (pure; the connector in
/// gocardless.cpp does the I/O). Transactions are Berlin Group shaped plus GoCardless extras
/// (internalTransactionId, remittanceInformationUnstructuredArray, ...).
namespace bankrec::connectors::gocardless {

/// GET /api/v2/accounts/{id}/transactions/: booked and pending entries, signed, in the order sent.
struct Transactions {
  std::vector<domain::Entry> booked;
  std::vector<domain::Entry> pending;
  std::optional<std::string> currency;  ///< of the first entry, for the statement's account
  int duplicates = 0;                   ///< booked entries whose id repeated (dropped)
};
Result<Transactions> parse_transactions(std::string_view body, std::string_view what);
/// One BG transaction object; `booked` decides the status.
Result<domain::Entry> map_transaction(std::string_view object_json, bool booked, std::string_view what);

/// GET .../balances/: every balance, with its type as sent (closingBooked, interimAvailable, ...).
struct Balances {
  std::optional<domain::Balance> closing;  ///< closingBooked (else interimBooked, else openingBooked of today)
  std::vector<domain::Balance> others;
};
Result<Balances> parse_balances(std::string_view body, std::string_view what);

/// GET /api/v2/accounts/{id}/ (metadata, not rate limited per scope).
struct AccountMeta {
  std::string id;
  std::string iban;
  std::string status;  ///< DISCOVERED, PROCESSING, READY, ERROR, EXPIRED, SUSPENDED
  std::string owner_name;
};
Result<AccountMeta> parse_account_meta(std::string_view body, std::string_view what);

struct Requisition {
  std::string id;
  std::string status;  ///< CR, GC, UA, RJ, SA, GA, LN, EX (also ID, ER, SU in the swagger enum)
  std::string link;
  std::string agreement;
  std::string reference;
  std::vector<std::string> accounts;
};
Result<Requisition> parse_requisition(std::string_view body, std::string_view what);

/// When to try again after a 429: the account-level reset when that budget is spent, else the
/// API-level reset, else the seconds named in the body's detail ("Please try again in 85092 seconds").
/// GoCardless sends no Retry-After; the header names literally start with HTTP_ and use underscores,
/// so both that spelling and the dashed X-RateLimit-* form are looked up (case-insensitive).
std::optional<std::chrono::seconds> rate_limit_reset(const net::HttpResponse& response);

}  // namespace bankrec::connectors::gocardless
