// The XS2A connector against the real bankrec-sandbox process over verified TLS: consent, OAuth
// authorisation with PKCE (the test plays the browser), accounts, transactions equal to the
// sandbox's ledger for the JSON bank and the camt.052-only savings bank, and the fault switches.
#include <cstdlib>
#include <fstream>
#include <thread>

#include "bankrec/testing/testing.h"
#include "builtin.h"
#include "memory_state.h"
#include "xs2a.h"

namespace bankrec::connectors {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::MemoryState;

/// The sandbox's "today" (a Friday: today's entries are pending), 09:00 UTC.
class SandboxDayClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::sys_days{std::chrono::year{2026} / 11 / 20} + std::chrono::hours{9};
  }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::now();
  }
};

/// One bankrec-sandbox process for the whole suite.
class SandboxProcess {
 public:
  SandboxProcess() {
    // BANKREC_SANDBOX_BIN overrides the built one (to run against another build of the sandbox).
    const char* bin = std::getenv("BANKREC_SANDBOX_BIN");
    const std::vector<std::string> argv{bin ? bin : BANKREC_SANDBOX,
                                        "--listen",
                                        "127.0.0.1:0",
                                        "--data-dir",
                                        (dir_.path() / "data").string(),
                                        "--today",
                                        "2026-11-20",
                                        "--seed",
                                        "11",
                                        "--page-size",
                                        "25"};
    process_ = std::make_unique<bankrec::testing::Process>(argv, dir_.path(), "sandbox");
    for (int i = 0; i < 600 && url.empty(); ++i) {
      std::ifstream in(dir_.path() / "sandbox.out");
      std::string line;
      std::map<std::string, std::string> kv;
      bool ready = false;
      while (std::getline(in, line)) {
        if (line == "ready") ready = true;
        if (const auto eq = line.find('='); eq != std::string::npos)
          kv[line.substr(0, eq)] = line.substr(eq + 1);
      }
      if (ready) {
        url = kv["url"];
        cert = kv["cert"];
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (url.empty()) return;
    net::HttpClientConfig config;
    config.tls.ca_file = cert;
    http = std::move(*net::make_http_client(config, clock));
  }

  std::string url, cert;
  SandboxDayClock clock;
  std::unique_ptr<net::HttpClient> http;

 private:
  bankrec::testing::TempDir dir_;
  std::unique_ptr<bankrec::testing::Process> process_;
};

class Xs2aSandbox : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sandbox_ = new SandboxProcess(); }
  static void TearDownTestSuite() {
    delete sandbox_;
    sandbox_ = nullptr;
  }
  void SetUp() override {
    ASSERT_FALSE(sandbox_->url.empty()) << "bankrec-sandbox did not start";
    clear_faults();
  }

  net::HttpResponse control(const std::string& method, const std::string& path,
                            const std::string& body = {}) {
    net::HttpRequest r;
    r.method = method;
    r.url = sandbox_->url + path;
    r.body = body;
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    auto result = sandbox_->http->send(r);
    EXPECT_TRUE(result.has_value()) << path << ": " << (result ? "" : result.error().message);
    return result ? std::move(result).value() : net::HttpResponse{};
  }
  void fault(const std::string& path, const std::string& kind, int count = 1) {
    control("POST", "/_sandbox/faults",
            R"({"path":")" + path + R"(","fault":")" + kind + R"(","count":)" + std::to_string(count) + "}");
  }
  void clear_faults() { control("DELETE", "/_sandbox/faults"); }
  json::object ledger(const std::string& account) {
    return parse_json_object(control("GET", "/_sandbox/ledger?account=" + account).body, "ledger").value();
  }

  std::unique_ptr<Connector> connector(const std::string& prefix = "/v1",
                                       std::map<std::string, std::string> extra = {}) {
    ConnectorSettings s;
    s.name = prefix == "/v1" ? "musterbank" : "sparkasse";
    s.type = "xs2a";
    s.base_url = sandbox_->url + prefix;
    s.options = {{"client_id", "PSDDE-BAFIN-999999"}, {"redirect_uri", "https://tpp.example/cb"}};
    if (prefix != "/v1") s.options["profile"] = "sparkasse";
    for (auto& [k, v] : extra) s.options[k] = v;
    auto c = builtin_registry().create(s);
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().describe());
    return c ? std::move(*c) : nullptr;
  }
  ConnectorContext context() {
    return ConnectorContext("musterbank", *sandbox_->http, sandbox_->clock, state_);
  }

  /// Consent and SCA: the test is the PSU's browser at the bank's authorize URL.
  Result<ConsentStatus> authorise(Connector& c, ConnectorContext& ctx, const std::string& decision = {}) {
    auto start = BANKREC_TRY(c.begin_authorisation(ctx, ""));
    net::HttpRequest browser;
    browser.url = start.url + decision;
    auto answer = sandbox_->http->send(browser);
    if (answer || answer.error().status() != 302)
      return fail(Errc::internal, "the authorize URL did not redirect");
    const std::string location(answer.error().response->header("Location").value_or(""));
    EXPECT_TRUE(location.starts_with("https://tpp.example/cb?")) << location;
    const auto callback = parse_query(location.substr(location.find('?') + 1));
    if (!callback) return fail(Errc::internal, "bad redirect " + location);
    return c.finish_authorisation(ctx, *callback);
  }

  static SandboxProcess* sandbox_;
  MemoryState state_;
};

SandboxProcess* Xs2aSandbox::sandbox_ = nullptr;

std::int64_t minor_of(const json::object& row) {
  return domain::parse_decimal(get_string(row, "amount").value(), '.', 2).value();
}

/// Booked rows as (booking date, amount, purpose), pending as (id, amount, purpose).
std::vector<std::string> rows_of_ledger(const json::object& ledger) {
  std::vector<std::string> out;
  for (const json::value& v : *get_array(ledger, "booked")) {
    const json::object& t = v.as_object();
    out.push_back("b " + *get_string(t, "booking_date") + " " + std::to_string(minor_of(t)) + " " +
                  *get_string(t, "purpose"));
  }
  for (const json::value& v : *get_array(ledger, "pending")) {
    const json::object& t = v.as_object();
    out.push_back("p " + *get_string(t, "id") + " " + std::to_string(minor_of(t)) + " " +
                  *get_string(t, "purpose"));
  }
  return out;
}

std::vector<std::string> rows_of(const domain::Statement& s) {
  std::vector<std::string> out;
  for (const domain::Entry& e : s.entries) {
    const std::string amount = std::to_string(e.amount.minor()) + " " + e.remittance.value_or("");
    if (e.status == domain::EntryStatus::booked)
      out.push_back("b " + e.booking_date->iso() + " " + amount);
    else
      out.push_back("p " + e.bank_reference.value_or("?") + " " + amount);
  }
  return out;
}

const domain::Date kToday{2026, 11, 20};
const domain::Date kFirstDay = kToday.add_days(-90);

TEST_F(Xs2aSandbox, consent_authorisation_accounts_and_transactions_equal_the_ledger) {
  auto c = connector();
  auto ctx = context();
  auto before = c->consent(ctx);
  ASSERT_OK(before);
  EXPECT_EQ(before->state, ConsentStatus::State::missing);

  auto status = authorise(*c, ctx);
  ASSERT_OK(status);
  EXPECT_EQ(status->state, ConsentStatus::State::valid);
  ASSERT_TRUE(status->valid_until);
  EXPECT_EQ(status->valid_until->iso(), "2027-05-18");  // 180 days, as requested and granted
  EXPECT_EQ(state_.get("consent_valid_until"), "2027-05-18");
  EXPECT_TRUE(state_.is_secret("refresh_token"));
  EXPECT_TRUE(state_.is_secret("access_token"));

  auto accounts = c->accounts(ctx);
  ASSERT_OK(accounts);
  ASSERT_EQ(accounts->size(), 2u);  // checking and savings at the Musterbank
  EXPECT_EQ((*accounts)[0].kind, "checking");
  EXPECT_EQ((*accounts)[1].kind, "savings");
  for (const BankAccount& account : *accounts) {
    auto batch = c->transactions(ctx, {account, kFirstDay, kToday});
    ASSERT_OK(batch);
    ASSERT_EQ(batch->statements.size(), 1u);
    const domain::Statement& s = batch->statements[0];
    const json::object truth = ledger(account.iban);
    EXPECT_EQ(rows_of(s), rows_of_ledger(truth)) << account.iban;
    EXPECT_EQ(s.account.iban, account.iban);
    ASSERT_TRUE(s.closing_balance);
    EXPECT_EQ(s.closing_balance->amount.minor(),
              domain::parse_decimal(*get_string(truth, "booked_balance"), '.', 2).value());
    EXPECT_EQ(batch->covered_to.iso(), "2026-11-19");
  }
  EXPECT_GT(ledger((*accounts)[0].iban).at("booked").as_array().size(), 50u);  // several pages of 25
}

TEST_F(Xs2aSandbox, savings_bank_delivers_camt052_only) {
  auto c = connector("/sparkasse/v1");
  auto ctx = context();
  ASSERT_OK(authorise(*c, ctx));
  auto accounts = c->accounts(ctx);
  ASSERT_OK(accounts);
  ASSERT_FALSE(accounts->empty());
  const BankAccount& account = (*accounts)[0];
  auto batch = c->transactions(ctx, {account, kFirstDay, kToday});
  ASSERT_OK(batch);
  EXPECT_TRUE(batch->statements.empty());
  ASSERT_EQ(batch->documents.size(), 1u);
  const RawDocument& doc = batch->documents[0];
  EXPECT_EQ(doc.format_id, "camt.052");
  EXPECT_THAT(doc.name, HasSubstr(account.iban));
  EXPECT_THAT(std::string(as_text(doc.bytes())), HasSubstr("camt.052.001.08"));
  const json::object truth = ledger(account.iban);
  std::size_t entries = 0;
  for (std::size_t at = doc.content.find("<Ntry>"); at != std::string::npos;
       at = doc.content.find("<Ntry>", at + 1))
    ++entries;
  EXPECT_EQ(entries, get_array(truth, "booked")->size() + get_array(truth, "pending")->size());
  for (const json::value& t : *get_array(truth, "pending"))
    EXPECT_THAT(doc.content,
                HasSubstr("<AcctSvcrRef>" + *get_string(t.as_object(), "id") + "</AcctSvcrRef>"));

  // The standard profile asks for JSON, which the savings bank refuses with 406: configuration.
  auto json_profile = connector("/sparkasse/v1", {{"profile", "standard"}});
  MemoryState other;
  ConnectorContext ctx2("sparkasse", *sandbox_->http, sandbox_->clock, other);
  ASSERT_OK(authorise(*json_profile, ctx2));
  EXPECT_ERR(json_profile->transactions(ctx2, {account, kFirstDay, kToday}), Errc::invalid_input,
             HasSubstr("http 406 REQUESTED_FORMATS_INVALID"));
}

TEST_F(Xs2aSandbox, an_expired_token_is_refreshed_with_rotation_and_the_request_retried) {
  auto c = connector();
  auto ctx = context();
  ASSERT_OK(authorise(*c, ctx));
  const std::string first_refresh = state_.get("refresh_token");
  const std::size_t writes = state_.batches().size();
  fault("/v1/accounts", "expired_token");
  auto accounts = c->accounts(ctx);
  ASSERT_OK(accounts);
  EXPECT_EQ(accounts->size(), 2u);
  const auto batches = state_.batches();
  ASSERT_EQ(batches.size(), writes + 1);
  EXPECT_THAT(testing::keys_of(batches.back()), ::testing::ElementsAre("access_token", "refresh_token"));
  const std::string second_refresh = state_.get("refresh_token");
  EXPECT_NE(second_refresh, first_refresh);

  // Reusing the rotated-away refresh token makes the bank revoke the whole family (RFC 9700 4.14.2):
  // the connector stops with permission_denied, and even the newest refresh token is dead.
  state_.set("refresh_token", first_refresh, true);
  fault("/v1/accounts", "expired_token");
  EXPECT_ERR(c->accounts(ctx), Errc::permission_denied, HasSubstr("invalid_grant"));
  state_.set("refresh_token", second_refresh, true);
  fault("/v1/accounts", "expired_token");
  EXPECT_ERR(c->accounts(ctx), Errc::permission_denied, HasSubstr("invalid_grant"));
}

TEST_F(Xs2aSandbox, a_second_401_after_refresh_is_permission_denied) {
  auto c = connector();
  auto ctx = context();
  ASSERT_OK(authorise(*c, ctx));
  fault("/v1/accounts", "expired_token", 2);
  EXPECT_ERR(c->accounts(ctx), Errc::permission_denied, HasSubstr("still 401 after a token refresh"));
}

TEST_F(Xs2aSandbox, transient_failures_are_unavailable_with_the_retry_hint) {
  auto c = connector();
  auto ctx = context();
  ASSERT_OK(authorise(*c, ctx));
  const BankAccount account = c->accounts(ctx).value().at(0);
  fault("/v1/accounts/*/transactions", "rate_limit");
  EXPECT_ERR(c->transactions(ctx, {account, kFirstDay, kToday}), Errc::unavailable,
             HasSubstr("http 429 ACCESS_EXCEEDED"));
  EXPECT_EQ(ctx.retry_after(), std::chrono::seconds(2));
  fault("/v1/accounts/*/transactions", "malformed_json");
  EXPECT_ERR(c->transactions(ctx, {account, kFirstDay, kToday}), Errc::unavailable,
             HasSubstr("malformed JSON"));
  fault("/v1/accounts/*/transactions", "truncated_page");
  EXPECT_ERR(c->transactions(ctx, {account, kFirstDay, kToday}), Errc::unavailable, HasSubstr("network"));
  fault("/v1/accounts/*/transactions", "server_error");
  EXPECT_ERR(c->transactions(ctx, {account, kFirstDay, kToday}), Errc::unavailable, HasSubstr("http 500"));
}

TEST_F(Xs2aSandbox, duplicates_across_pages_are_dropped) {
  auto c = connector();
  auto ctx = context();
  ASSERT_OK(authorise(*c, ctx));
  const BankAccount account = c->accounts(ctx).value().at(0);
  fault("/v1/accounts/*/transactions", "duplicate_across_pages", 3);
  auto batch = c->transactions(ctx, {account, kFirstDay, kToday});
  ASSERT_OK(batch);
  EXPECT_EQ(rows_of(batch->statements.at(0)), rows_of_ledger(ledger(account.iban)));
}

TEST_F(Xs2aSandbox, an_expired_consent_stops_the_connector) {
  auto c = connector();
  auto ctx = context();
  ASSERT_OK(authorise(*c, ctx));
  const BankAccount account = c->accounts(ctx).value().at(0);
  fault("/v1/accounts/*/transactions", "consent_expired");
  EXPECT_ERR(c->transactions(ctx, {account, kFirstDay, kToday}), Errc::permission_denied,
             HasSubstr("http 401 CONSENT_EXPIRED"));
  auto status = c->consent(ctx);
  ASSERT_OK(status);
  EXPECT_EQ(status->state, ConsentStatus::State::expired);
  EXPECT_THAT(status->detail, HasSubstr("bankrec connector consent musterbank"));
}

TEST_F(Xs2aSandbox, a_refused_authorisation_keeps_the_previous_consent) {
  auto c = connector();
  auto ctx = context();
  ASSERT_OK(authorise(*c, ctx));
  const std::string consent = state_.get("consent_id");
  EXPECT_ERR(authorise(*c, ctx, "&psu_decision=reject"), Errc::permission_denied, HasSubstr("access_denied"));
  EXPECT_EQ(state_.get("consent_id"), consent);
}

TEST_F(Xs2aSandbox, the_fifth_unattended_access_of_a_day_is_refused) {
  auto c = connector();
  auto ctx = context();
  ASSERT_OK(authorise(*c, ctx));
  const BankAccount account = c->accounts(ctx).value().at(1);
  ASSERT_EQ(c->daily_access_limit(), 4);
  const TransactionsRequest req{account, kToday.add_days(-3), kToday};
  for (int i = 0; i < 4; ++i) ASSERT_OK(c->transactions(ctx, req));
  EXPECT_ERR(c->transactions(ctx, req), Errc::unavailable, HasSubstr("ACCESS_EXCEEDED"));
}

}  // namespace
}  // namespace bankrec::connectors
