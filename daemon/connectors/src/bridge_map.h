#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/connectors/connector.h"
#include "bankrec/domain/statement.h"

/// Bridge API v3 JSON → domain values (pure; the connector in bridge.cpp does the I/O).
/// Resources: docs.bridgeapi.io "Manage your accounts", "Manage your transactions",
/// "Operation types", "Items status" (the v2 status table still applies to v3 items).
namespace bankrec::connectors::bridge {

/// Which date a card-account line is booked on: the purchase (`transaction_date`) or the
/// deferred debit at the end of the card's period (`booking_date`).
enum class CardDate : std::uint8_t { operation, debit };

struct MapOptions {
  bool use_clean_label = false;  ///< clean_description instead of provider_description as remittance
  CardDate card_date = CardDate::operation;
};

/// One page of GET /v3/aggregation/transactions.
struct TransactionsPage {
  std::vector<domain::Entry> entries;
  std::vector<std::int64_t> ids;  ///< Bridge transaction id of each entry (same order)
  int deleted = 0;                ///< rows flagged `deleted` (skipped)
  std::optional<std::string> next_uri;
};
Result<TransactionsPage> parse_transactions_page(std::string_view body, bool card_account, const MapOptions& options,
                                                 std::string_view what);

/// One element of GET /v3/aggregation/accounts.
struct AccountInfo {
  std::int64_t id = 0;
  std::int64_t item_id = 0;
  std::string type;  ///< checking, savings, card, loan, ... (open list)
  std::string iban;  ///< electronic form, upper case; empty when Bridge has none (cards)
  std::string name;
  std::string currency;
  std::optional<std::int64_t> accounting_balance_minor;  ///< booked
  std::optional<std::int64_t> instant_balance_minor;     ///< booked + pending/future
  std::optional<domain::Date> updated;
};
Result<AccountInfo> parse_account(std::string_view body, std::string_view what);
struct AccountsPage {
  std::vector<AccountInfo> accounts;
  std::optional<std::string> next_uri;
};
Result<AccountsPage> parse_accounts_page(std::string_view body, std::string_view what);

/// One element of GET /v3/aggregation/items.
struct ItemInfo {
  std::int64_t id = 0;
  int status = 0;
  std::string status_code_info;
  std::optional<domain::Date> authentication_expires;
};
struct ItemsPage {
  std::vector<ItemInfo> items;
  std::optional<std::string> next_uri;
};
Result<ItemsPage> parse_items_page(std::string_view body, std::string_view what);
Result<ItemInfo> parse_item(std::string_view body, std::string_view what);

/// What an item status means for us.
struct ItemVerdict {
  ConsentStatus::State state = ConsentStatus::State::valid;
  bool blocks_sync = false;  ///< data cannot be trusted until a person acts
  bool transient = false;    ///< Bridge retries on its side (1003, 1099): data may be stale
  std::string detail;        ///< what is wrong and what the admin must do
};
ItemVerdict classify_item_status(int status, std::string_view connector);

/// IBAN in electronic form: spaces removed, upper case.
std::string normalize_iban(std::string_view iban);

}  // namespace bankrec::connectors::bridge
