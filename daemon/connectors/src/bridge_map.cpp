#include "bridge_map.h"

#include <algorithm>
#include <cctype>

#include "bridge_common.h"

namespace bankrec::connectors::bridge {

namespace {

namespace json = boost::json;
using apiutil::date_member;
using apiutil::int_member;
using apiutil::member;
using apiutil::string_member;

std::optional<std::string> next_uri_of(const json::value& page) {
  const json::value* pagination = member(page, "pagination");
  if (!pagination) return std::nullopt;
  return string_member(*pagination, "next_uri");
}

Result<const json::array*> resources_of(const json::value& page, std::string_view what) {
  const json::value* list = member(page, "resources");
  if (!list || !list->is_array())
    return fail(Errc::unavailable, std::string(what) + ": response has no 'resources' list");
  return &list->as_array();
}

Result<domain::Currency> currency_of(const json::value& v, std::string_view what) {
  const auto code = string_member(v, "currency_code");
  if (!code) return domain::kEur;  // Bridge omits it only on EUR-only providers
  auto c = domain::Currency::find(*code);
  if (!c) return fail(Errc::invalid_input, std::string(what) + ": unknown currency_code '" + apiutil::clip(*code, 8) + "'");
  return *c;
}

Result<domain::Entry> map_transaction(const json::value& t, bool card_account, const MapOptions& options,
                                      const std::string& where) {
  const domain::Currency currency = BANKREC_TRY(currency_of(t, where));
  const json::value* amount = member(t, "amount");
  if (!amount) return fail(Errc::invalid_input, where + ": transaction without 'amount'");
  const std::int64_t minor = BANKREC_TRY(apiutil::amount_minor(*amount, currency.exponent, where + ".amount"));
  domain::Entry e;
  e.amount = domain::Money(minor, currency);
  // v3 `future` (v2 `is_future`): not yet booked, recreated with a new id once it books.
  const bool future = apiutil::bool_member(t, "future", apiutil::bool_member(t, "is_future"));
  e.status = future ? domain::EntryStatus::pending : domain::EntryStatus::booked;
  const auto date = date_member(t, "date");
  const auto booking = date_member(t, "booking_date");
  const auto operation = date_member(t, "transaction_date");
  // `date` is always present and equals one of the other three, depending on the provider.
  if (card_account && options.card_date == CardDate::operation)
    e.booking_date = operation ? operation : date;
  else
    e.booking_date = booking ? booking : date;
  if (!e.booking_date) return fail(Errc::invalid_input, where + ": transaction without 'date'");
  e.value_date = date_member(t, "value_date");
  e.bank_reference = std::to_string(*int_member(t, "id"));
  const auto clean = string_member(t, "clean_description");
  // v3 provider_description, v2 bank_description.
  auto raw = string_member(t, "provider_description");
  if (!raw) raw = string_member(t, "bank_description");
  e.remittance = options.use_clean_label ? (clean ? clean : raw) : (raw ? raw : clean);
  if (const auto type = string_member(t, "operation_type"); type && *type != "unknown")
    e.transaction_code.proprietary = *type;
  return e;
}

}  // namespace

Result<TransactionsPage> parse_transactions_page(std::string_view body, bool card_account, const MapOptions& options,
                                                 std::string_view what) {
  const json::value page = BANKREC_TRY(apiutil::parse_json(body, what));
  const json::array* rows = BANKREC_TRY(resources_of(page, what));
  TransactionsPage out;
  out.next_uri = next_uri_of(page);
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const json::value& t = (*rows)[i];
    const std::string where = std::string(what) + ": resources[" + std::to_string(i) + "]";
    const auto id = int_member(t, "id");
    if (!id) return fail(Errc::invalid_input, where + ": transaction without a numeric 'id'");
    // v3 `deleted`, v2 `is_deleted`: the row was removed at the bank (a delta shows it once).
    if (apiutil::bool_member(t, "deleted", apiutil::bool_member(t, "is_deleted"))) {
      ++out.deleted;
      continue;
    }
    out.entries.push_back(BANKREC_TRY(map_transaction(t, card_account, options, where)));
    out.ids.push_back(*id);
  }
  return out;
}

namespace {

Result<AccountInfo> account_from(const json::value& a, const std::string& where) {
  AccountInfo out;
  const auto id = int_member(a, "id");
  if (!id) return fail(Errc::invalid_input, where + ": account without a numeric 'id'");
  out.id = *id;
  out.item_id = int_member(a, "item_id").value_or(0);
  out.type = string_member(a, "type").value_or("unknown");
  out.iban = normalize_iban(string_member(a, "iban").value_or(""));
  out.name = string_member(a, "name").value_or("");
  const domain::Currency currency = BANKREC_TRY(currency_of(a, where));
  out.currency = std::string(currency.str());
  auto balance = [&](const char* key) -> Result<std::optional<std::int64_t>> {
    const json::value* v = member(a, key);
    if (!v || v->is_null()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(BANKREC_TRY(apiutil::amount_minor(*v, currency.exponent, where + "." + key)));
  };
  out.accounting_balance_minor = BANKREC_TRY(balance("accounting_balance"));
  out.instant_balance_minor = BANKREC_TRY(balance("instant_balance"));
  // `balance` is always present and is one of the two; use it where a provider gives only one.
  const auto plain = BANKREC_TRY(balance("balance"));
  if (!out.accounting_balance_minor && !out.instant_balance_minor) out.accounting_balance_minor = plain;
  out.updated = date_member(a, "updated_at");
  return out;
}

Result<ItemInfo> item_from(const json::value& v, const std::string& where) {
  ItemInfo item;
  const auto id = int_member(v, "id");
  const auto status = int_member(v, "status");
  if (!id || !status) return fail(Errc::invalid_input, where + ": item without numeric 'id' and 'status'");
  item.id = *id;
  item.status = static_cast<int>(*status);
  item.status_code_info = string_member(v, "status_code_info").value_or("");
  item.authentication_expires = date_member(v, "authentication_expires_at");
  return item;
}

}  // namespace

Result<AccountInfo> parse_account(std::string_view body, std::string_view what) {
  const json::value v = BANKREC_TRY(apiutil::parse_json(body, what));
  return account_from(v, std::string(what));
}

Result<AccountsPage> parse_accounts_page(std::string_view body, std::string_view what) {
  const json::value page = BANKREC_TRY(apiutil::parse_json(body, what));
  const json::array* rows = BANKREC_TRY(resources_of(page, what));
  AccountsPage out;
  out.next_uri = next_uri_of(page);
  for (std::size_t i = 0; i < rows->size(); ++i)
    out.accounts.push_back(BANKREC_TRY(account_from((*rows)[i], std::string(what) + ": resources[" + std::to_string(i) + "]")));
  return out;
}

Result<ItemsPage> parse_items_page(std::string_view body, std::string_view what) {
  const json::value page = BANKREC_TRY(apiutil::parse_json(body, what));
  const json::array* rows = BANKREC_TRY(resources_of(page, what));
  ItemsPage out;
  out.next_uri = next_uri_of(page);
  for (std::size_t i = 0; i < rows->size(); ++i)
    out.items.push_back(BANKREC_TRY(item_from((*rows)[i], std::string(what) + ": resources[" + std::to_string(i) + "]")));
  return out;
}

Result<ItemInfo> parse_item(std::string_view body, std::string_view what) {
  const json::value v = BANKREC_TRY(apiutil::parse_json(body, what));
  return item_from(v, std::string(what));
}

ItemVerdict classify_item_status(int status, std::string_view connector) {
  using State = ConsentStatus::State;
  const std::string renew = "run 'bankrec connector consent " + std::string(connector) + "' and complete Bridge Connect";
  switch (status) {
    case 0:
    case -2:  // just added: the first refresh runs
    case -3:  // just edited
      return {State::valid, false, status != 0, {}};
    case 1003:  // could_not_refresh: Bridge retries; report when it lasts more than 48 h
      return {State::valid, false, true, "bridge could not refresh the item (1003); data may be stale"};
    case 1007:  // disabled_temporarily
      return {State::valid, false, true, "the bank connection is temporarily disabled at Bridge (1007); data may be stale"};
    case 1099:  // migration
      return {State::valid, false, true, "the item is being migrated by Bridge (1099); data may be stale"};
    case 1010:  // needs_manual_refresh: SCA / OTP required
      return {State::expired, true, false, "strong customer authentication required (1010 otp_required): " + renew};
    case 402:  // login_failed: wrong credentials
      return {State::revoked, true, false, "the bank rejected the stored login (402 wrong credentials): " + renew};
    case 429:  // needs_human_action (an item status, not HTTP 429)
      return {State::expired, true, false, "the bank asks for an action by the account holder (429): " + renew};
    case 430:  // needs_password_rotation
      return {State::expired, true, false, "the bank requires a new password (430): " + renew};
    case 1005:  // not_supported
      return {State::revoked, true, false, "the bank is no longer supported by Bridge (1005): choose another connection"};
    case 1009:  // incomplete
      return {State::pending, true, false, "the bank connection was not completed (1009): " + renew};
    case 1100:  // pro_account_locked
      return {State::pending, true, false,
              "the business account must be validated by its holder (1100 pro_account_locked): " + renew};
    default:
      return {State::valid, false, true, "unknown bridge item status " + std::to_string(status)};
  }
}

std::string normalize_iban(std::string_view iban) {
  std::string out;
  for (const char c : iban)
    if (c != ' ') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace bankrec::connectors::bridge
