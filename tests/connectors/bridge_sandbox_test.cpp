// The Bridge connector against the real bankrec-sandbox process over TLS: user and token, Bridge
// Connect (the test plays the browser), accounts by IBAN, paginated transactions equal to the
// sandbox's ledger, token expiry, the fault switches, and secrets kept out of every message.
#include <set>

#include "bridge_sandbox_fixture.h"

namespace bankrec::connectors {
namespace {

using testing::Harness;
using testing::str;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kSecret = "sandbox-bridge-secret";

ConnectorSettings settings_for(const std::string& url, std::vector<std::string> accounts = {}) {
  ConnectorSettings s;
  s.name = "bridge-test";
  s.type = "bridge";
  s.base_url = url;
  s.accounts = std::move(accounts);
  s.options = {{"client_id", "sandbox-bridge-client"}, {"user_external_id", "RETAILER-42"}, {"page_size", "40"}};
  return s;
}

struct BridgeRun : Harness {
  std::unique_ptr<Connector> connector;
  json::value sandbox_state;
  std::string checking_iban;
  std::vector<std::string> errors;  ///< every error message seen, for the secrets check

  explicit BridgeRun(std::map<std::string, std::string> extra = {}) {
    sandbox_state = sandbox.state();
    for (const json::value& a : sandbox_state.at("accounts").as_array())
      if (str(a.at("bank")) == "musterbank" && str(a.at("type")) == "CACC") checking_iban = str(a.at("iban"));
    ConnectorSettings s = settings_for(sandbox.url(), {checking_iban});
    for (auto& [k, v] : extra) s.options[k] = v;
    auto c = builtin_registry().create(s);
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
    if (c) connector = std::move(*c);
    state.set("client_secret", kSecret, /*secret=*/true);
  }

  template <class T>
  Result<T> keep(Result<T> r) {
    if (!r) errors.push_back(r.error().describe());
    return r;
  }

  void authorise(bool expect_valid = true) {
    const auto start = keep(connector->begin_authorisation(*ctx, "https://appliance.example/bridge/cb"));
    ASSERT_TRUE(start.has_value()) << start.error().describe();
    ASSERT_TRUE(start->url.starts_with(sandbox.url())) << start->url;
    const auto page = sandbox.call("GET", start->url);  // the person completes Bridge Connect
    ASSERT_TRUE(page.has_value());
    const auto done = keep(connector->finish_authorisation(*ctx, {{"context", start->state}, {"success", "true"}}));
    ASSERT_TRUE(done.has_value()) << done.error().describe();
    if (expect_valid) {
      EXPECT_EQ(done->state, ConsentStatus::State::valid) << done->detail;
    }
  }

  BankAccount account(const std::string& kind) {
    auto list = keep(connector->accounts(*ctx));
    EXPECT_TRUE(list.has_value()) << list.error().describe();
    if (list)
      for (const BankAccount& a : *list)
        if (a.kind == kind) return a;
    ADD_FAILURE() << "no " << kind << " account";
    return {};
  }

  domain::Date first_day() { return *domain::parse_iso_date(str(sandbox_state.at("first_day"))); }
  domain::Date today() { return *domain::parse_iso_date(str(sandbox_state.at("today"))); }

  Result<TransactionsBatch> fetch(const BankAccount& a) {
    return keep(connector->transactions(*ctx, TransactionsRequest{a, first_day(), today()}));
  }

  /// The ledger of the account with this Bridge id.
  json::value ledger_of(const BankAccount& a) {
    for (const json::value& acc : sandbox_state.at("accounts").as_array())
      if (std::to_string(acc.at("bridge_id").as_int64()) == a.provider_id) return sandbox.ledger(str(acc.at("resource_id")));
    ADD_FAILURE() << "account " << a.provider_id << " not in the sandbox";
    return {};
  }

  void expect_equal_to_ledger(const BankAccount& a, const TransactionsBatch& batch) {
    ASSERT_EQ(batch.statements.size(), 1u);
    const json::value ledger = ledger_of(a);
    std::multiset<std::string> expected_booked, expected_pending, got_booked, got_pending;
    std::map<std::string, std::string> amounts;
    for (const json::value& t : ledger.at("booked").as_array()) {
      expected_booked.insert(str(t.at("bridge_id")));
      amounts[str(t.at("bridge_id"))] = str(t.at("amount"));
    }
    for (const json::value& t : ledger.at("pending").as_array()) {
      expected_pending.insert(str(t.at("bridge_id")));
      amounts[str(t.at("bridge_id"))] = str(t.at("amount"));
    }
    for (const domain::Entry& e : batch.statements[0].entries) {
      ASSERT_TRUE(e.bank_reference.has_value());
      (e.status == domain::EntryStatus::booked ? got_booked : got_pending).insert(*e.bank_reference);
      EXPECT_EQ(e.amount.to_string(), amounts[*e.bank_reference]) << *e.bank_reference;
    }
    EXPECT_GT(expected_booked.size(), 40u);  // several pages of 40
    EXPECT_EQ(got_booked, expected_booked);
    EXPECT_EQ(got_pending, expected_pending);
  }

  void expect_no_secrets() {
    std::vector<std::string> secrets{kSecret};
    if (!state.get("access_token").empty()) secrets.push_back(state.get("access_token"));
    for (const std::string& s : secrets) {
      for (const std::string& e : errors) EXPECT_EQ(e.find(s), std::string::npos) << e;
      for (const std::string& l : sandbox.http_log()) EXPECT_EQ(l.find(s), std::string::npos) << l;
      for (const ConnectionEvent& ev : events) EXPECT_EQ(ev.outcome.find(s), std::string::npos);
    }
  }
};

TEST(BridgeSandbox, connect_accounts_and_transactions_equal_the_ledger) {
  BridgeRun run;
  const auto before = run.connector->consent(*run.ctx);
  ASSERT_TRUE(before.has_value()) << before.error().describe();
  EXPECT_EQ(before->state, ConsentStatus::State::missing);
  EXPECT_FALSE(run.state.get("bridge_user_uuid").empty());  // created by external id
  EXPECT_FALSE(run.state.is_secret("bridge_user_uuid"));
  EXPECT_TRUE(run.state.is_secret("access_token"));
  run.authorise();
  const auto consent = run.connector->consent(*run.ctx);
  ASSERT_TRUE(consent.has_value());
  ASSERT_TRUE(consent->valid_until.has_value());
  EXPECT_EQ(*consent->valid_until, run.today().add_days(180));

  const auto accounts = run.connector->accounts(*run.ctx);
  ASSERT_TRUE(accounts.has_value()) << accounts.error().describe();
  // The configured checking account and the deferred-debit card of the same item; not the savings
  // account nor the other bank's accounts.
  ASSERT_EQ(accounts->size(), 2u);
  const BankAccount checking = run.account("checking");
  EXPECT_EQ(checking.iban, run.checking_iban);
  const BankAccount card = run.account("card");
  EXPECT_TRUE(card.iban.empty());

  for (const BankAccount& a : {checking, card}) {
    const auto batch = run.fetch(a);
    ASSERT_TRUE(batch.has_value()) << batch.error().describe();
    run.expect_equal_to_ledger(a, *batch);
    EXPECT_EQ(batch->covered_to, run.today().add_days(-1));
  }
  const auto batch = run.fetch(checking);
  ASSERT_TRUE(batch.has_value());
  const domain::Statement& st = batch->statements[0];
  EXPECT_EQ(st.account.iban, run.checking_iban);
  ASSERT_TRUE(st.closing_balance.has_value());
  EXPECT_EQ(st.closing_balance->amount.to_string(), str(run.ledger_of(checking).at("booked_balance")));
  // Every call went to the connection log with its request id.
  ASSERT_FALSE(run.events.empty());
  for (const ConnectionEvent& e : run.events) {
    EXPECT_EQ(e.connector, "test");
    EXPECT_EQ(e.request_id.size(), 36u);
  }
  run.expect_no_secrets();
}

TEST(BridgeSandbox, an_existing_user_is_found_again_by_its_external_id) {
  BridgeRun run;
  run.authorise();
  const std::string uuid = run.state.get("bridge_user_uuid");
  // The appliance lost its state (restore from an old backup): the user exists at Bridge (409).
  testing::MemoryState fresh;
  fresh.set("client_secret", kSecret, true);
  ConnectorContext ctx("test", run.sandbox.http(), run.sandbox.clock(), fresh);
  const auto consent = run.connector->consent(ctx);
  ASSERT_TRUE(consent.has_value()) << consent.error().describe();
  EXPECT_EQ(consent->state, ConsentStatus::State::valid);
  EXPECT_EQ(fresh.get("bridge_user_uuid"), uuid);
}

TEST(BridgeSandbox, tokens_are_renewed_when_expired_and_once_on_401) {
  BridgeRun run;
  run.authorise();
  const std::string first = run.state.get("access_token");
  ASSERT_FALSE(first.empty());
  // The bank expires the token early: one 401, one renewal, success.
  run.sandbox.fault("/v3/aggregation/accounts", "expired_token");
  const std::size_t before = run.events.size();
  ASSERT_TRUE(run.connector->accounts(*run.ctx).has_value());
  std::vector<std::string> outcomes;
  for (std::size_t i = before; i < run.events.size(); ++i) outcomes.push_back(run.events[i].operation + ":" + run.events[i].outcome);
  EXPECT_EQ(outcomes, (std::vector<std::string>{"accounts:http_401", "token:ok", "accounts:ok"}));
  const std::string second = run.state.get("access_token");
  EXPECT_NE(second, first);

  // Two hours later the stored token is stale: a new one is taken before any call.
  const auto tokens = run.sandbox.requests("/v3/aggregation/authorization/token");
  run.sandbox.clock().advance(2h);
  ASSERT_TRUE(run.connector->accounts(*run.ctx).has_value());
  EXPECT_NE(run.state.get("access_token"), second);
  EXPECT_EQ(run.sandbox.requests("/v3/aggregation/authorization/token"), tokens + 1);

  // Refused again after the renewal: the connector stops (no loop).
  run.sandbox.fault("/v3/aggregation/accounts", "expired_token", 2);
  const auto r = run.keep(run.connector->accounts(*run.ctx));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::permission_denied) << r.error().message;
  run.expect_no_secrets();
}

TEST(BridgeSandbox, faults_map_to_the_error_convention) {
  BridgeRun run;
  run.authorise();
  const BankAccount checking = run.account("checking");
  const std::string tx = "/v3/aggregation/transactions";

  run.sandbox.fault(tx, "rate_limit");
  auto r = run.fetch(checking);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_EQ(run.ctx->retry_after(), std::optional<std::chrono::seconds>(2s));

  for (const char* kind : {"server_error", "unavailable", "malformed_json", "truncated_page"}) {
    run.new_run();
    run.sandbox.fault(tx, kind);
    r = run.fetch(checking);
    ASSERT_FALSE(r.has_value()) << kind;
    EXPECT_EQ(r.error().code, Errc::unavailable) << kind << ": " << r.error().message;
  }

  // A page that repeats the previous page's last entry: no duplicate lines.
  run.sandbox.fault(tx, "duplicate_across_pages");
  r = run.fetch(checking);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  run.expect_equal_to_ledger(checking, *r);
  EXPECT_THAT(r->statements[0].warnings, ::testing::Contains(::testing::HasSubstr("repeated across pages")));

  // SCA required: the connector stops with the admin's action; a connect session for the same item renews it.
  run.sandbox.fault(tx, "consent_expired");
  r = run.fetch(checking);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::permission_denied);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("bankrec connector consent bridge-test"));
  const auto consent = run.connector->consent(*run.ctx);
  ASSERT_TRUE(consent.has_value());
  EXPECT_EQ(consent->state, ConsentStatus::State::expired);
  EXPECT_THAT(consent->detail, ::testing::HasSubstr("1010"));
  const auto tx_requests = run.sandbox.requests(tx);
  r = run.fetch(checking);  // the item status blocks the sync before any transaction is read
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::permission_denied);
  EXPECT_EQ(run.sandbox.requests(tx), tx_requests);
  // Both items need SCA; each connect session renews one (the checking account's item first).
  run.authorise(/*expect_valid=*/false);
  r = run.fetch(checking);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  run.authorise(/*expect_valid=*/true);
  run.expect_no_secrets();
}

TEST(BridgeSandbox, wrong_client_secret_is_a_configuration_error_without_the_secret) {
  BridgeRun run;
  run.state.set("client_secret", "wrong-secret-123", true);
  const auto r = run.keep(run.connector->consent(*run.ctx));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("invalid_client_credentials"));
  EXPECT_EQ(r.error().message.find("wrong-secret-123"), std::string::npos);
}

}  // namespace
}  // namespace bankrec::connectors
