// GoCardless Bank Account Data JSON → domain values on canned responses shaped like its swagger and
// documented examples, the rate-limit headers, and the factory's option checks.
#include "bankrec/connectors/connector.h"
#include "bankrec/testing/testing.h"
#include "gocardless_map.h"

namespace bankrec::connectors {
namespace {

constexpr const char* kTransactions = R"({
  "transactions": {
    "booked": [
      {"transactionId": "2025112000123", "internalTransactionId": "a411fd1894d6a55ca49a867ba7d7d775",
       "entryReference": "2025112000123", "endToEndId": "RE-2025-4711", "bookingDate": "2025-11-19",
       "bookingDateTime": "2025-11-19T01:00:00+01:00", "valueDate": "2025-11-19",
       "transactionAmount": {"amount": "256.67", "currency": "EUR"},
       "debtorName": "Kunde AG", "debtorAccount": {"iban": "DE67 1001 0010 1306 1186 05"}, "debtorAgent": "PBNKDEFF",
       "creditorName": "Muster Handels GmbH", "creditorAccount": {"iban": "DE40100100103307118608"},
       "remittanceInformationUnstructured": "Rechnung RE-2025-4711",
       "remittanceInformationUnstructuredArray": ["Rechnung RE-2025-4711"],
       "bankTransactionCode": "PMNT-RCDT-ESCT", "proprietaryBankTransactionCode": "NTRF+166+9310",
       "additionalInformation": "GUTSCHR. UEBERWEISUNG"},
      {"transactionId": " ", "internalTransactionId": "b522", "bookingDate": "2025-11-18", "valueDate": "2025-11-18",
       "transactionAmount": {"amount": "-99.2", "currency": "EUR"}, "creditorName": "Stadtwerke",
       "creditorAccount": {"bban": "1234567890"}, "mandateId": "M-1", "creditorId": "DE98ZZZ09999999999",
       "remittanceInformationUnstructuredArray": ["Abschlag November", "Kd-Nr 4711"],
       "remittanceInformationStructured": "RF18539007547034", "proprietaryBankTransactionCode": "105"},
      {"entryReference": "E-3", "bookingDate": "2025-11-18", "transactionAmount": {"amount": "-1.00", "currency": "EUR"},
       "remittanceInformationStructured": {"reference": "RF71", "referenceType": "SCOR"}},
      {"entryReference": "E-3", "bookingDate": "2025-11-18", "transactionAmount": {"amount": "-1.00", "currency": "EUR"},
       "remittanceInformationStructured": {"reference": "RF71", "referenceType": "SCOR"}}
    ],
    "pending": [
      {"transactionAmount": {"amount": "-99.20", "currency": "EUR"}, "valueDate": "2025-11-21",
       "remittanceInformationUnstructured": "KARTENZAHLUNG"}
    ]
  },
  "last_updated": "2025-11-20T05:12:44.123Z"
})";

TEST(GoCardlessMap, transactions_map_every_documented_field) {
  const auto t = gocardless::parse_transactions(kTransactions, "transactions");
  ASSERT_TRUE(t.has_value()) << t.error().describe();
  ASSERT_EQ(t->booked.size(), 3u);  // the repeated last line is one line
  EXPECT_EQ(t->duplicates, 1);
  ASSERT_EQ(t->pending.size(), 1u);
  EXPECT_EQ(t->currency, std::optional<std::string>("EUR"));

  const domain::Entry& in = t->booked[0];
  EXPECT_EQ(in.amount.to_string(), "256.67");
  EXPECT_EQ(in.status, domain::EntryStatus::booked);
  EXPECT_EQ(in.booking_date->iso(), "2025-11-19");
  EXPECT_EQ(in.value_date->iso(), "2025-11-19");
  EXPECT_EQ(in.bank_reference, std::optional<std::string>("2025112000123"));
  EXPECT_EQ(in.end_to_end_id, std::optional<std::string>("RE-2025-4711"));
  EXPECT_EQ(in.counterparty.name, std::optional<std::string>("Kunde AG"));  // money in: the debtor
  EXPECT_EQ(in.counterparty.iban, std::optional<std::string>("DE67100100101306118605"));
  EXPECT_EQ(in.counterparty.bic, std::optional<std::string>("PBNKDEFF"));
  EXPECT_EQ(in.remittance, std::optional<std::string>("Rechnung RE-2025-4711"));
  EXPECT_EQ(in.transaction_code.iso, std::optional<std::string>("PMNT-RCDT-ESCT"));
  EXPECT_EQ(in.transaction_code.proprietary, std::optional<std::string>("NTRF+166+9310"));
  EXPECT_EQ(in.transaction_code.gvc, std::optional<std::string>("166"));
  EXPECT_EQ(in.posting_text, std::optional<std::string>("GUTSCHR. UEBERWEISUNG"));

  const domain::Entry& out = t->booked[1];
  EXPECT_EQ(out.amount.minor(), -9920);
  EXPECT_EQ(out.bank_reference, std::optional<std::string>("b522"));  // blank transactionId
  EXPECT_EQ(out.counterparty.name, std::optional<std::string>("Stadtwerke"));  // money out: the creditor
  EXPECT_EQ(out.counterparty.account, std::optional<std::string>("1234567890"));
  EXPECT_EQ(out.mandate_id, std::optional<std::string>("M-1"));
  EXPECT_EQ(out.creditor_id, std::optional<std::string>("DE98ZZZ09999999999"));
  EXPECT_EQ(out.remittance, std::optional<std::string>("Abschlag November Kd-Nr 4711"));
  EXPECT_EQ(out.structured_reference, std::optional<std::string>("RF18539007547034"));
  EXPECT_EQ(out.transaction_code.gvc, std::optional<std::string>("105"));

  EXPECT_EQ(t->booked[2].bank_reference, std::optional<std::string>("E-3"));
  EXPECT_EQ(t->booked[2].structured_reference, std::optional<std::string>("RF71"));

  const domain::Entry& pending = t->pending[0];
  EXPECT_EQ(pending.status, domain::EntryStatus::pending);
  EXPECT_EQ(pending.amount.minor(), -9920);
  EXPECT_FALSE(pending.booking_date.has_value());
  EXPECT_EQ(pending.value_date->iso(), "2025-11-21");
  EXPECT_FALSE(pending.bank_reference.has_value());
}

TEST(GoCardlessMap, bad_bodies) {
  auto t = gocardless::parse_transactions(R"({"transactions":{"booked":[{"transactionAmount")", "tx");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, Errc::unavailable);
  t = gocardless::parse_transactions(R"({"summary":"x"})", "tx");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, Errc::unavailable);
  t = gocardless::parse_transactions(R"({"transactions":{"booked":[{"bookingDate":"2025-01-01","transactionAmount":{"amount":"1,5","currency":"EUR"}}]}})", "tx");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code, Errc::invalid_input);
  EXPECT_THAT(t.error().message, ::testing::HasSubstr("transactions.booked[0]"));
}

TEST(GoCardlessMap, balances_and_metadata) {
  const auto b = gocardless::parse_balances(R"({"balances":[
      {"balanceAmount":{"amount":"1913.12","currency":"EUR"},"balanceType":"closingAvailable","referenceDate":"2021-11-22"},
      {"balanceAmount":{"amount":"1900.00","currency":"EUR"},"balanceType":"closingBooked","referenceDate":"2021-11-21"},
      {"balanceAmount":{"amount":"-5.00","currency":"EUR"},"balanceType":"expected","lastChangeDateTime":"2021-11-22T10:00:00Z"}]})",
                                            "balances");
  ASSERT_TRUE(b.has_value()) << b.error().describe();
  ASSERT_TRUE(b->closing.has_value());
  EXPECT_EQ(b->closing->amount.to_string(), "1900.00");
  EXPECT_EQ(b->closing->date->iso(), "2021-11-21");
  ASSERT_EQ(b->others.size(), 2u);
  EXPECT_EQ(b->others[1].type, std::optional<std::string>("expected"));
  EXPECT_EQ(b->others[1].date->iso(), "2021-11-22");

  const auto meta = gocardless::parse_account_meta(R"({"id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","created":"x",
      "iban":"DE02 1203 0000 0000 2020 51","institution_id":"X","status":"READY","owner_name":"Muster GmbH"})", "account");
  ASSERT_TRUE(meta.has_value());
  EXPECT_EQ(meta->iban, "DE02120300000000202051");
  EXPECT_EQ(meta->status, "READY");

  const auto req = gocardless::parse_requisition(R"({"id":"r1","status":"LN","link":"https://ob.gocardless.com/psd2/start/r1/X",
      "agreement":"a1","reference":"ref","accounts":["acc-1","acc-2"]})", "req");
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->accounts, (std::vector<std::string>{"acc-1", "acc-2"}));
}

TEST(GoCardlessMap, rate_limit_reset_reads_the_headers_gocardless_sends) {
  net::HttpResponse r;
  r.status = 429;
  r.headers = {{"http_x_ratelimit_account_success_limit", "4"},
               {"http_x_ratelimit_account_success_remaining", "0"},
               {"http_x_ratelimit_account_success_reset", "85092"},
               {"HTTP_X_RATELIMIT_REMAINING", "99"},
               {"HTTP_X_RATELIMIT_RESET", "60"}};
  EXPECT_EQ(gocardless::rate_limit_reset(r), std::optional<std::chrono::seconds>(85092));
  // API-level limit: the account budget is fine, the company-wide one is spent.
  r.headers = {{"HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING", "3"},
               {"HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET", "80000"},
               {"HTTP_X_RATELIMIT_REMAINING", "0"},
               {"HTTP_X_RATELIMIT_RESET", "42"}};
  EXPECT_EQ(gocardless::rate_limit_reset(r), std::optional<std::chrono::seconds>(42));
  // A proxy rewrote the names; only the body says when.
  r.headers = {};
  r.body = R"({"summary":"Rate limit exceeded","detail":"The rate limit for this resource is 4/day. Please try again in 3600 seconds","status_code":429})";
  EXPECT_EQ(gocardless::rate_limit_reset(r), std::optional<std::chrono::seconds>(3600));
  r.headers = {{"X-RateLimit-Account-Success-Remaining", "0"}, {"X-RateLimit-Account-Success-Reset", "120"}};
  EXPECT_EQ(gocardless::rate_limit_reset(r), std::optional<std::chrono::seconds>(120));
  r.headers = {};
  r.body = "{}";
  EXPECT_FALSE(gocardless::rate_limit_reset(r).has_value());
}

TEST(GoCardlessFactory, checks_options) {
  ConnectorSettings s;
  s.name = "g1";
  s.type = "gocardless";
  s.options = {{"secret_id", "id"}, {"institution_id", "SPARKASSE_X"}};
  auto c = builtin_registry().create(s);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ((*c)->daily_access_limit(), 4);
  EXPECT_EQ((*c)->type(), "gocardless");
  s.options["max_historical_days"] = "731";
  auto r = builtin_registry().create(s);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("max_historical_days"));
  s.options.erase("max_historical_days");
  s.options["access_scope"] = "balances,details";
  EXPECT_FALSE(builtin_registry().create(s).has_value());  // transactions are the point
  s.options["access_scope"] = "transactions, balances";
  EXPECT_TRUE(builtin_registry().create(s).has_value());
  s.options.erase("secret_id");
  EXPECT_FALSE(builtin_registry().create(s).has_value());
}

}  // namespace
}  // namespace bankrec::connectors
