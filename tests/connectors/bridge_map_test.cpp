// Bridge v3 JSON → domain values on canned responses shaped like docs.bridgeapi.io's examples, the
// exact-amount helper, item statuses, and the factory's option checks.
#include "bankrec/connectors/connector.h"
#include "bankrec/testing/testing.h"
#include "bridge_common.h"
#include "bridge_map.h"

namespace bankrec::connectors {
namespace {

using bridge::CardDate;
using bridge::MapOptions;

constexpr const char* kPage = R"({
  "resources": [
    {"id": 33000191035701, "clean_description": "CB Idfs G", "provider_description": "PAIEMENT PAR CARTE 25/11/2024 IDFS T2 G",
     "amount": -194, "date": "2024-11-25", "booking_date": "2024-11-30", "transaction_date": "2024-11-25",
     "value_date": "2024-11-30", "updated_at": "2024-11-25T16:10:10.144Z", "currency_code": "EUR", "deleted": false,
     "category_id": 247, "operation_type": "card", "account_id": 48178050, "future": false},
    {"id": 33000191035702, "clean_description": "Muster GmbH", "provider_description": "VIR SEPA MUSTER GMBH RE-2024-0815",
     "amount": 1190.37, "date": "2024-11-26", "updated_at": "2024-11-26T06:00:00.000Z", "currency_code": "EUR",
     "deleted": false, "operation_type": "transfer", "account_id": 48178050, "future": false},
    {"id": 33000191035703, "clean_description": "Gone", "provider_description": "GONE", "amount": -12.5,
     "date": "2024-11-26", "currency_code": "EUR", "deleted": true, "account_id": 48178050, "future": false},
    {"id": 33000191035704, "clean_description": "Amazon", "provider_description": "CARTE AMAZON", "amount": -0.3,
     "date": "2024-11-27", "transaction_date": "2024-11-27", "currency_code": "EUR", "deleted": false,
     "operation_type": "unknown", "account_id": 48178050, "future": true}
  ],
  "pagination": {"previous_uri": null, "next_uri": "/v3/aggregation/transactions?after=abc&limit=4"}
})";

TEST(BridgeMap, transactions_page_signs_dates_labels_and_skips_deleted_rows) {
  const auto page = bridge::parse_transactions_page(kPage, /*card_account=*/false, MapOptions{}, "page 1");
  ASSERT_TRUE(page.has_value()) << page.error().describe();
  EXPECT_EQ(page->deleted, 1);
  EXPECT_EQ(page->next_uri, std::optional<std::string>("/v3/aggregation/transactions?after=abc&limit=4"));
  ASSERT_EQ(page->entries.size(), 3u);
  EXPECT_EQ(page->ids, (std::vector<std::int64_t>{33000191035701, 33000191035702, 33000191035704}));
  const domain::Entry& card = page->entries[0];
  EXPECT_EQ(card.amount.to_string(), "-194.00");
  EXPECT_EQ(card.bank_reference, std::optional<std::string>("33000191035701"));
  EXPECT_EQ(card.booking_date->iso(), "2024-11-30");  // a checking account books on booking_date
  EXPECT_EQ(card.value_date->iso(), "2024-11-30");
  EXPECT_EQ(card.remittance, std::optional<std::string>("PAIEMENT PAR CARTE 25/11/2024 IDFS T2 G"));
  EXPECT_EQ(card.transaction_code.proprietary, std::optional<std::string>("card"));
  const domain::Entry& transfer = page->entries[1];
  EXPECT_EQ(transfer.amount.minor(), 119037);
  EXPECT_EQ(transfer.booking_date->iso(), "2024-11-26");  // only `date`
  EXPECT_EQ(transfer.status, domain::EntryStatus::booked);
  const domain::Entry& future = page->entries[2];
  EXPECT_EQ(future.status, domain::EntryStatus::pending);
  EXPECT_EQ(future.amount.minor(), -30);
  EXPECT_FALSE(future.transaction_code.proprietary.has_value());
}

TEST(BridgeMap, options_choose_the_clean_label_and_the_card_date) {
  MapOptions clean{true, CardDate::operation};
  auto page = bridge::parse_transactions_page(kPage, /*card_account=*/true, clean, "p");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->entries[0].remittance, std::optional<std::string>("CB Idfs G"));
  EXPECT_EQ(page->entries[0].booking_date->iso(), "2024-11-25");  // the purchase
  page = bridge::parse_transactions_page(kPage, /*card_account=*/true, MapOptions{false, CardDate::debit}, "p");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->entries[0].booking_date->iso(), "2024-11-30");  // the deferred debit
  EXPECT_EQ(page->entries[1].booking_date->iso(), "2024-11-26");  // no booking_date: `date`
}

TEST(BridgeMap, broken_pages_are_transient_and_bad_rows_are_named) {
  auto page = bridge::parse_transactions_page(R"({"resources":[{"id":1,"amount":)", false, {}, "page 2");
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, Errc::unavailable);
  EXPECT_THAT(page.error().message, ::testing::HasSubstr("page 2"));
  page = bridge::parse_transactions_page(R"({"pagination":{}})", false, {}, "page 3");
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, Errc::unavailable);
  page = bridge::parse_transactions_page(R"({"resources":[{"id":7,"amount":"x","date":"2024-01-02"}]})", false, {}, "p");
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, Errc::invalid_input);
  EXPECT_THAT(page.error().message, ::testing::HasSubstr("resources[0].amount"));
  page = bridge::parse_transactions_page(R"({"resources":[{"id":7,"amount":1,"date":"2024-01-02","currency_code":"XYZ"}]})", false, {}, "p");
  ASSERT_FALSE(page.has_value());
  EXPECT_THAT(page.error().message, ::testing::HasSubstr("XYZ"));
}

TEST(BridgeMap, amounts_are_exact_from_numbers_and_strings) {
  auto minor = [](const char* json_text, int exponent = 2) {
    return apiutil::amount_minor(boost::json::parse(json_text), exponent, "amount");
  };
  EXPECT_EQ(*minor("-194"), -19400);
  EXPECT_EQ(*minor("0.1"), 10);
  EXPECT_EQ(*minor("1489.54"), 148954);
  EXPECT_EQ(*minor("-9999999999.99"), -999999999999);
  EXPECT_EQ(*minor("\"-12.50\""), -1250);
  EXPECT_EQ(*minor("12.345", 3), 12345);
  EXPECT_FALSE(minor("12.345").has_value());          // more decimals than EUR has
  EXPECT_FALSE(minor("123456789012345.6").has_value());  // out of range rather than rounded
  EXPECT_FALSE(minor("true").has_value());
}

TEST(BridgeMap, accounts_items_and_statuses) {
  const auto accounts = bridge::parse_accounts_page(R"({"resources":[
      {"id":48178048,"name":"Compte Courant 1","balance":1489.54,"accounting_balance":1489.54,"instant_balance":1463.89,
       "updated_at":"2024-11-20T16:10:09.429Z","type":"checking","currency_code":"EUR","item_id":10154848,
       "iban":"FR69 1450 8000 3033 8676 3591 H62"},
      {"id":48178050,"name":"Carte","balance":-12.5,"accounting_balance":null,"instant_balance":null,"type":"card",
       "currency_code":"EUR","item_id":10154848,"iban":null}],"pagination":{"next_uri":null}})",
                                                    "accounts");
  ASSERT_TRUE(accounts.has_value()) << accounts.error().describe();
  ASSERT_EQ(accounts->accounts.size(), 2u);
  EXPECT_FALSE(accounts->next_uri.has_value());
  EXPECT_EQ(accounts->accounts[0].iban, "FR6914508000303386763591H62");
  EXPECT_EQ(accounts->accounts[0].accounting_balance_minor, std::optional<std::int64_t>(148954));
  EXPECT_EQ(accounts->accounts[0].instant_balance_minor, std::optional<std::int64_t>(146389));
  EXPECT_EQ(accounts->accounts[1].iban, "");
  EXPECT_EQ(accounts->accounts[1].accounting_balance_minor, std::optional<std::int64_t>(-1250));  // `balance`

  const auto item = bridge::parse_item(R"({"id":10154848,"status":1010,"status_code_info":"otp_required",
      "authentication_expires_at":"2027-05-19T10:00:00.000Z"})", "item");
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->status, 1010);
  EXPECT_EQ(item->authentication_expires->iso(), "2027-05-19");

  using State = ConsentStatus::State;
  EXPECT_EQ(bridge::classify_item_status(0, "b").state, State::valid);
  EXPECT_FALSE(bridge::classify_item_status(0, "b").blocks_sync);
  for (const int blocking : {1010, 402, 429, 430, 1005, 1009, 1100}) {
    const auto v = bridge::classify_item_status(blocking, "b");
    EXPECT_TRUE(v.blocks_sync) << blocking;
    EXPECT_NE(v.state, State::valid) << blocking;
    EXPECT_THAT(v.detail, ::testing::HasSubstr(std::to_string(blocking)));
  }
  EXPECT_EQ(bridge::classify_item_status(1010, "b").state, State::expired);
  EXPECT_EQ(bridge::classify_item_status(402, "b").state, State::revoked);
  for (const int transient : {1003, 1007, 1099, -2}) {
    EXPECT_FALSE(bridge::classify_item_status(transient, "b").blocks_sync) << transient;
    EXPECT_TRUE(bridge::classify_item_status(transient, "b").transient) << transient;
  }
}

TEST(BridgeMap, timestamps_and_scrubbing) {
  const auto t = apiutil::parse_utc_timestamp("2026-11-20T08:15:30.123Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count() % 86400, 8 * 3600 + 15 * 60 + 30);
  EXPECT_TRUE(apiutil::parse_utc_timestamp("2026-11-20T08:15:30Z").has_value());
  EXPECT_FALSE(apiutil::parse_utc_timestamp("2026-11-20T08:15:30+02:00").has_value());
  EXPECT_FALSE(apiutil::parse_utc_timestamp("2026-11-20").has_value());
  EXPECT_EQ(apiutil::scrub("token abcdef and abcdef", {"abcdef", ""}), "token *** and ***");
}

TEST(BridgeFactory, checks_options) {
  ConnectorSettings s;
  s.name = "b1";
  s.type = "bridge";
  s.options = {{"client_id", "id"}};
  EXPECT_TRUE(builtin_registry().create(s).has_value());
  s.options["card_date"] = "tomorrow";
  auto r = builtin_registry().create(s);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("card_date"));
  s.options = {{"client_id", "id"}, {"colour", "blue"}};
  r = builtin_registry().create(s);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("unknown option 'colour'"));
  s.options = {{"client_id", "id"}, {"user_external_id", "bad id!"}};
  EXPECT_FALSE(builtin_registry().create(s).has_value());
  s.options = {};
  EXPECT_FALSE(builtin_registry().create(s).has_value());  // client_id is required
  const auto types = builtin_registry().types();
  EXPECT_THAT(types, ::testing::IsSupersetOf({"bridge", "gocardless"}));
}

}  // namespace
}  // namespace bankrec::connectors
