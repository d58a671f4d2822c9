// The GoCardless Bank Account Data connector against the real bankrec-sandbox process over TLS:
// token pair, end-user agreement and requisition (the test plays the browser through the link),
// accounts, booked and pending transactions equal to the ledger, balances, the 4-a-day limit with
// its HTTP_X_RATELIMIT_* headers, token expiry, faults, suspension, and secrets out of messages.
#include "bridge_sandbox_fixture.h"

namespace bankrec::connectors {
namespace {

using testing::Harness;
using testing::str;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kSecretKey = "sandbox-gc-secret-key";

struct GcRun : Harness {
  std::unique_ptr<Connector> connector;
  json::value sandbox_state;
  std::vector<std::string> errors;

  GcRun() {
    sandbox_state = sandbox.state();
    ConnectorSettings s;
    s.name = "gc-test";
    s.type = "gocardless";
    s.base_url = sandbox.url();
    s.options = {{"secret_id", "sandbox-gc-secret-id"}, {"institution_id", "MUSTERBANK_MUSTDEBB"}, {"user_language", "DE"}};
    auto c = builtin_registry().create(s);
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
    if (c) connector = std::move(*c);
    state.set("secret_key", kSecretKey, /*secret=*/true);
  }

  template <class T>
  Result<T> keep(Result<T> r) {
    if (!r) errors.push_back(r.error().describe());
    return r;
  }

  void authorise() {
    const auto start = keep(connector->begin_authorisation(*ctx, "https://appliance.example/gc/cb"));
    ASSERT_TRUE(start.has_value()) << start.error().describe();
    ASSERT_TRUE(start->url.starts_with(sandbox.url())) << start->url;
    // The browser: the bank's pages end in a redirect to us with ?ref=<reference>.
    const auto page = sandbox.call("GET", start->url);
    ASSERT_FALSE(page.has_value());
    ASSERT_EQ(page.error().status(), 302);
    const std::string location(page.error().response->header("Location").value_or(""));
    const auto at = location.find("?ref=");
    ASSERT_NE(at, std::string::npos) << location;
    EXPECT_TRUE(location.starts_with("https://appliance.example/gc/cb"));
    const auto done = keep(connector->finish_authorisation(*ctx, {{"ref", location.substr(at + 5)}}));
    ASSERT_TRUE(done.has_value()) << done.error().describe();
    EXPECT_EQ(done->state, ConsentStatus::State::valid) << done->detail;
  }

  domain::Date today() { return *domain::parse_iso_date(str(sandbox_state.at("today"))); }

  BankAccount first_account() {
    const auto list = keep(connector->accounts(*ctx));
    EXPECT_TRUE(list.has_value() && !list->empty()) << (list ? "empty" : list.error().describe());
    return list && !list->empty() ? list->front() : BankAccount{};
  }

  Result<TransactionsBatch> fetch(const BankAccount& a) {
    return keep(connector->transactions(*ctx, TransactionsRequest{a, today().add_days(-90), today()}));
  }

  void expect_no_secrets() {
    std::vector<std::string> secrets{kSecretKey};
    for (const char* key : {"access_token", "refresh_token"})
      if (!state.get(key).empty()) secrets.push_back(state.get(key));
    for (const std::string& s : secrets) {
      for (const std::string& e : errors) EXPECT_EQ(e.find(s), std::string::npos) << e;
      for (const std::string& l : sandbox.http_log()) EXPECT_EQ(l.find(s), std::string::npos) << l;
    }
  }
};

TEST(GoCardlessSandbox, requisition_accounts_and_transactions_equal_the_ledger) {
  GcRun run;
  EXPECT_EQ(run.connector->daily_access_limit(), 4);
  const auto before = run.connector->consent(*run.ctx);
  ASSERT_TRUE(before.has_value()) << before.error().describe();
  EXPECT_EQ(before->state, ConsentStatus::State::missing);
  run.authorise();
  EXPECT_TRUE(run.state.is_secret("access_token"));
  EXPECT_TRUE(run.state.is_secret("refresh_token"));
  EXPECT_FALSE(run.state.get("requisition_id").empty());
  const auto consent = run.connector->consent(*run.ctx);
  ASSERT_TRUE(consent.has_value());
  EXPECT_EQ(consent->state, ConsentStatus::State::valid);
  ASSERT_TRUE(consent->valid_until.has_value());
  EXPECT_EQ(*consent->valid_until, run.today().add_days(90));

  const auto accounts = run.connector->accounts(*run.ctx);
  ASSERT_TRUE(accounts.has_value()) << accounts.error().describe();
  std::set<std::string> expected_ibans, got_ibans;
  for (const json::value& a : run.sandbox_state.at("accounts").as_array())
    if (str(a.at("bank")) == "musterbank" && str(a.at("type")) != "CARD") expected_ibans.insert(str(a.at("iban")));
  for (const BankAccount& a : *accounts) got_ibans.insert(a.iban);
  EXPECT_EQ(got_ibans, expected_ibans);

  for (const BankAccount& a : *accounts) {
    const auto batch = run.fetch(a);
    ASSERT_TRUE(batch.has_value()) << batch.error().describe();
    ASSERT_EQ(batch->statements.size(), 1u);
    const domain::Statement& st = batch->statements[0];
    const json::value ledger = run.sandbox.ledger(a.provider_id);
    std::vector<std::string> expected_booked, got_booked;
    std::map<std::string, std::string> amounts;
    for (const json::value& t : ledger.at("booked").as_array()) {
      expected_booked.push_back(str(t.at("id")));
      amounts[str(t.at("id"))] = str(t.at("amount"));
    }
    for (const json::value& t : ledger.at("pending").as_array()) amounts[str(t.at("id"))] = str(t.at("amount"));
    std::size_t pending = 0;
    for (const domain::Entry& e : st.entries) {
      ASSERT_TRUE(e.bank_reference.has_value());
      EXPECT_EQ(e.amount.to_string(), amounts[*e.bank_reference]) << *e.bank_reference;
      if (e.status == domain::EntryStatus::booked) {
        got_booked.push_back(*e.bank_reference);
        EXPECT_TRUE(e.booking_date.has_value());
      } else {
        ++pending;
      }
    }
    EXPECT_EQ(got_booked, expected_booked);
    EXPECT_EQ(pending, ledger.at("pending").as_array().size());
    ASSERT_TRUE(st.closing_balance.has_value());
    EXPECT_EQ(st.closing_balance->amount.to_string(), str(ledger.at("booked_balance")));
    EXPECT_EQ(st.account.iban, a.iban);
    EXPECT_EQ(st.account.currency, std::optional<std::string>("EUR"));
    EXPECT_EQ(batch->covered_to, run.today().add_days(-1));
  }
  run.expect_no_secrets();
}

TEST(GoCardlessSandbox, the_fifth_call_of_a_day_is_rate_limited_with_the_reset_as_retry_after) {
  GcRun run;
  run.authorise();
  const BankAccount account = run.first_account();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(run.fetch(account).has_value()) << i;
  const auto r = run.fetch(account);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("RateLimitError"));
  ASSERT_TRUE(run.ctx->retry_after().has_value());
  EXPECT_GT(run.ctx->retry_after()->count(), 86000);  // the oldest success was seconds ago
  EXPECT_LE(run.ctx->retry_after()->count(), 86400);
}

TEST(GoCardlessSandbox, tokens_are_refreshed_then_renewed_and_once_on_401) {
  GcRun run;
  run.authorise();
  const std::string access = run.state.get("access_token"), refresh = run.state.get("refresh_token");
  const auto news = run.sandbox.requests("/api/v2/token/new/");
  // A day later the access token is stale: the refresh token (not rotated) gives a new one.
  run.sandbox.clock().advance(25h);
  ASSERT_TRUE(run.keep(run.connector->accounts(*run.ctx)).has_value());
  EXPECT_NE(run.state.get("access_token"), access);
  EXPECT_EQ(run.state.get("refresh_token"), refresh);
  EXPECT_EQ(run.sandbox.requests("/api/v2/token/refresh/"), 1);
  // A month later the refresh token is stale too: the secrets give a new pair.
  run.sandbox.clock().advance(24h * 30);
  ASSERT_TRUE(run.keep(run.connector->accounts(*run.ctx)).has_value());
  EXPECT_NE(run.state.get("refresh_token"), refresh);
  EXPECT_EQ(run.sandbox.requests("/api/v2/token/new/"), news + 1);
  // The bank refuses the token early: renewed once, then success.
  run.sandbox.fault("/api/v2/requisitions/*", "expired_token");
  ASSERT_TRUE(run.keep(run.connector->accounts(*run.ctx)).has_value());
  run.sandbox.fault("/api/v2/requisitions/*", "expired_token", 2);
  const auto r = run.keep(run.connector->accounts(*run.ctx));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::permission_denied);
  run.expect_no_secrets();
}

TEST(GoCardlessSandbox, faults_map_to_the_error_convention) {
  GcRun run;
  run.authorise();
  const BankAccount account = run.first_account();
  const std::string tx = "/api/v2/accounts/*/transactions/";
  for (const char* kind : {"server_error", "unavailable", "malformed_json", "truncated_page"}) {
    run.new_run();
    run.sandbox.fault(tx, kind);
    const auto r = run.fetch(account);
    ASSERT_FALSE(r.has_value()) << kind;
    EXPECT_EQ(r.error().code, Errc::unavailable) << kind << ": " << r.error().message;
  }
  // The end-user agreement expires: the connector stops and the consent says why.
  run.sandbox.fault(tx, "consent_expired");
  const auto r = run.fetch(account);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::permission_denied);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("AccessExpiredError"));
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("bankrec connector consent gc-test"));
  const auto consent = run.connector->consent(*run.ctx);
  ASSERT_TRUE(consent.has_value());
  EXPECT_EQ(consent->state, ConsentStatus::State::expired);
  const auto accounts = run.keep(run.connector->accounts(*run.ctx));
  ASSERT_FALSE(accounts.has_value());
  EXPECT_EQ(accounts.error().code, Errc::permission_denied);
  run.expect_no_secrets();
}

TEST(GoCardlessSandbox, ten_failures_suspend_the_account_and_the_connector_stops) {
  GcRun run;
  run.authorise();
  const BankAccount account = run.first_account();
  run.sandbox.fault("/api/v2/accounts/*/transactions/", "server_error", 10);
  for (int i = 0; i < 10; ++i) {
    const auto r = run.fetch(account);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::unavailable);
  }
  const auto r = run.fetch(account);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::permission_denied) << r.error().message;
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("AccountSuspendedError"));
  const auto accounts = run.keep(run.connector->accounts(*run.ctx));
  ASSERT_FALSE(accounts.has_value());
  EXPECT_EQ(accounts.error().code, Errc::permission_denied);
  EXPECT_THAT(accounts.error().message, ::testing::HasSubstr("SUSPENDED"));
}

TEST(GoCardlessSandbox, wrong_secret_key_is_a_configuration_error_without_the_secret) {
  GcRun run;
  run.state.set("secret_key", "wrong-key-987654", true);
  const auto r = run.connector->begin_authorisation(*run.ctx, "https://appliance.example/gc/cb");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_EQ(r.error().message.find("wrong-key-987654"), std::string::npos);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("secret_key"));
}

}  // namespace
}  // namespace bankrec::connectors
