// XS2A SCA approaches beyond OAuth (redirect, decoupled), transactions as a download link, and the
// Bridge v2 legacy user model: the pure parts on the spec's own examples, polling with a clock the
// test moves, and whole flows against the real bankrec-sandbox process over TLS.
#include <set>

#include "bridge_sandbox_fixture.h"
#include "bridge_v2.h"
#include "xs2a.h"

namespace bankrec::connectors {
namespace {

using ::testing::HasSubstr;
using testing::Harness;
using testing::MemoryState;
using testing::str;
using namespace std::chrono_literals;

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

// ---------------------------------------------------------------------------------------------
// Links of the consent answers (BG 1.3.12 consentResponseExample1a/1b/2/3, N26 decoupled)

TEST(Xs2aScaLinks, redirect_example_gives_the_absolute_redirect_and_status_links) {
  const auto body = parse(R"({"consentStatus":"received","consentId":"1234-wertiq-983","_links":{
      "scaRedirect":{"href":"https://www.testbank.com/authentication/1234-wertiq-983"},
      "status":{"href":"/psd2/v1/consents/1234-wertiq-983/status"},
      "scaStatus":{"href":"/psd2/v1/consents/1234-wertiq-983/authorisations/123auth567"}}})");
  const xs2a::ScaLinks links = xs2a::read_sca_links(body, "redirect", "https://api.testbank.com/psd2/v1");
  EXPECT_EQ(links.approach, "REDIRECT");
  EXPECT_EQ(links.sca_redirect, "https://www.testbank.com/authentication/1234-wertiq-983");
  EXPECT_EQ(links.sca_status, "https://api.testbank.com/psd2/v1/consents/1234-wertiq-983/authorisations/123auth567");
  EXPECT_EQ(xs2a::sca_flow(links), "redirect");
}

TEST(Xs2aScaLinks, oauth_wins_over_other_links_and_explicit_starts_need_a_call_first) {
  const auto oauth = parse(R"({"_links":{"scaOAuth":{"href":"https://bank/.well-known/oauth-authorization-server"},
      "scaRedirect":{"href":"https://bank/x"}}})");
  EXPECT_EQ(xs2a::sca_flow(xs2a::read_sca_links(oauth, "OAUTH", "https://bank/v1")), "oauth");
  const auto start = parse(R"({"_links":{"startAuthorisationWithPsuIdentification":{"href":"/psd2/v1/consents/1/authorisations"}}})");
  const xs2a::ScaLinks links = xs2a::read_sca_links(start, "DECOUPLED", "https://bank.example/psd2/v1");
  EXPECT_EQ(links.start_authorisation, "https://bank.example/psd2/v1/consents/1/authorisations");
  EXPECT_EQ(xs2a::sca_flow(links), "");  // the connector must POST the start link first
}

TEST(Xs2aScaLinks, decoupled_is_read_from_the_header_when_only_status_links_come) {
  const auto n26 = parse(R"({"consentStatus":"received","consentId":"c1","psuMessage":"Bitte in der App bestätigen",
      "_links":{"status":{"href":"/v1/consents/c1/status"}}})");
  const xs2a::ScaLinks links = xs2a::read_sca_links(n26, "DECOUPLED", "https://xs2a.example/v1");
  EXPECT_EQ(xs2a::sca_flow(links), "decoupled");
  EXPECT_EQ(links.psu_message, "Bitte in der App bestätigen");
  // Without the header (and without links we follow) it is an approach we do not support (embedded).
  EXPECT_EQ(xs2a::sca_flow(xs2a::read_sca_links(n26, "EMBEDDED", "https://xs2a.example/v1")), "");
}

TEST(Xs2aScaLinks, a_download_link_without_scheme_is_taken_as_https_on_that_host) {
  // The spec's own example (transactionsExample2_Download_json) omits the scheme.
  const auto body = parse(R"({"_links":{"scaRedirect":{"href":"www.test-api.com/xs2a/v1/authorise/1"}}})");
  EXPECT_EQ(xs2a::read_sca_links(body, "", "https://api.bank/v1").sca_redirect, "https://www.test-api.com/xs2a/v1/authorise/1");
  const auto relative = parse(R"({"_links":{"scaRedirect":{"href":"authorise/1"}}})");
  EXPECT_EQ(xs2a::read_sca_links(relative, "", "https://api.bank/v1").sca_redirect, "https://api.bank/v1/authorise/1");
}

TEST(Xs2aScaPolling, consent_status_words_map_to_verdicts) {
  EXPECT_EQ(xs2a::consent_verdict("valid"), xs2a::ScaVerdict::valid);
  EXPECT_EQ(xs2a::consent_verdict("received"), xs2a::ScaVerdict::waiting);
  EXPECT_EQ(xs2a::consent_verdict("partiallyAuthorised"), xs2a::ScaVerdict::waiting);
  for (const char* s : {"rejected", "revokedByPsu", "expired", "terminatedByTpp", "somethingNew"})
    EXPECT_EQ(xs2a::consent_verdict(s), xs2a::ScaVerdict::rejected) << s;
}

TEST(Xs2aScaPolling, delays_double_from_the_first_up_to_a_cap) {
  std::vector<long> seen;
  std::chrono::milliseconds d{0};
  for (int i = 0; i < 8; ++i) seen.push_back((d = xs2a::next_poll_delay(d, 500ms)).count());
  EXPECT_EQ(seen, (std::vector<long>{500, 1000, 2000, 4000, 8000, 10000, 10000, 10000}));
  // A first delay above the cap is kept (the bank asked for slow polling).
  EXPECT_EQ(xs2a::next_poll_delay(20000ms, 20000ms).count(), 20000);
}

/// A clock that only moves when the connector sleeps.
class ManualClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::time_point{} + elapsed_; }
  std::chrono::steady_clock::time_point steady_now() const override { return std::chrono::steady_clock::time_point{} + elapsed_; }
  void advance(std::chrono::milliseconds d) { elapsed_ += d; }

 private:
  std::chrono::milliseconds elapsed_{0};
};

/// An HTTP client that must never be called (the probes here are fakes).
class NoHttp final : public net::HttpClient {
 public:
  net::HttpResult send(const net::HttpRequest&) override {
    ADD_FAILURE() << "unexpected HTTP call";
    return net::HttpError{};
  }
};

struct PollRig {
  ManualClock clock;
  NoHttp http;
  MemoryState state;
  ConnectorContext ctx{"poll", http, clock, state};
  std::vector<long> sleeps;
  PollRig() {
    ctx.set_sleeper([this](std::chrono::milliseconds d) {
      sleeps.push_back(d.count());
      clock.advance(d);
    });
  }
};

TEST(Xs2aScaPolling, waits_until_the_bank_decides_and_treats_transient_failures_as_waiting) {
  PollRig rig;
  int calls = 0;
  const auto reading = xs2a::poll_until_decided(
      rig.ctx,
      [&]() -> Result<xs2a::PollReading> {
        ++calls;
        if (calls == 2) return fail(Errc::unavailable, "503 from the bank");
        if (calls < 4) return xs2a::PollReading{xs2a::ScaVerdict::waiting, "received"};
        return xs2a::PollReading{xs2a::ScaVerdict::valid, "valid"};
      },
      200ms, 60s);
  ASSERT_TRUE(reading.has_value()) << reading.error().describe();
  EXPECT_EQ(reading->verdict, xs2a::ScaVerdict::valid);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(rig.sleeps, (std::vector<long>{200, 400, 800}));
}

TEST(Xs2aScaPolling, gives_up_at_the_timeout_still_waiting_and_stops_on_a_hard_error) {
  PollRig rig;
  int calls = 0;
  const auto reading = xs2a::poll_until_decided(
      rig.ctx, [&]() -> Result<xs2a::PollReading> {
        ++calls;
        return xs2a::PollReading{xs2a::ScaVerdict::waiting, "received"};
      },
      1000ms, 30s);
  ASSERT_TRUE(reading.has_value());
  EXPECT_EQ(reading->verdict, xs2a::ScaVerdict::waiting);
  EXPECT_EQ(reading->status, "received");
  // 1+2+4+8+10 = 25 s, then the last 5 s: the deadline is kept exactly, not overslept.
  EXPECT_EQ(rig.sleeps, (std::vector<long>{1000, 2000, 4000, 8000, 10000, 5000}));
  EXPECT_EQ(calls, 7);

  PollRig hard;
  const auto refused = xs2a::poll_until_decided(
      hard.ctx, []() -> Result<xs2a::PollReading> { return fail(Errc::permission_denied, "403 CONSENT_UNKNOWN"); }, 1000ms,
      30s);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::permission_denied);
  EXPECT_TRUE(hard.sleeps.empty());
}

TEST(Xs2aScaOptions, decoupled_needs_a_psu_id_and_values_are_checked) {
  ConnectorSettings s;
  s.name = "bank";
  s.type = "xs2a";
  s.base_url = "https://bank.example/v1";
  s.options = {{"client_id", "PSDDE-BAFIN-1"}, {"sca_approach", "decoupled"}};
  auto r = xs2a::parse_options(s);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("psu_id"));
  s.options["psu_id"] = "muster";
  s.options["sca_poll_ms"] = "250";
  s.options["sca_timeout_seconds"] = "120";
  r = xs2a::parse_options(s);
  ASSERT_TRUE(r.has_value()) << r.error().describe();
  EXPECT_EQ(r->sca, xs2a::ScaPreference::decoupled);
  EXPECT_EQ(r->sca_poll, 250ms);
  EXPECT_EQ(r->sca_timeout, 120s);
  s.options["sca_approach"] = "embedded";
  r = xs2a::parse_options(s);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().where, "connectors.bank.options.sca_approach");
  s.options["sca_approach"] = "redirect";
  s.options["sca_poll_ms"] = "5";
  EXPECT_FALSE(xs2a::parse_options(s).has_value());
}

TEST(Xs2aDownload, camt_reports_are_told_apart_by_their_root) {
  EXPECT_EQ(xs2a::camt_format_of("<Document><BkToCstmrStmt><GrpHdr/>"), "camt.053");
  EXPECT_EQ(xs2a::camt_format_of("<Document><BkToCstmrAcctRpt>"), "camt.052");
  EXPECT_EQ(xs2a::camt_format_of("<Document><BkToCstmrDbtCdtNtfctn>"), "camt.054");
  EXPECT_EQ(xs2a::camt_format_of(":20:STARTUMS"), "");
}

// ---------------------------------------------------------------------------------------------
// Bridge v2 password

TEST(BridgeV2Password, is_derived_from_the_seed_and_e_mail_and_never_stored) {
  const std::string a = bridge::derive_password("seed-1", "shop@example.com");
  EXPECT_EQ(a, bridge::derive_password("seed-1", "shop@example.com"));
  EXPECT_NE(a, bridge::derive_password("seed-2", "shop@example.com"));
  EXPECT_NE(a, bridge::derive_password("seed-1", "other@example.com"));
  EXPECT_EQ(a.size(), 47u);  // Bridge wants 6..71
  EXPECT_TRUE(a.starts_with("bk2-"));

  MemoryState state;
  const auto first = bridge::v2_password(state, "shop@example.com");
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(state.batches().size(), 1u);  // the seed, committed before it is used
  EXPECT_TRUE(state.is_secret("password_seed"));
  EXPECT_EQ(*first, bridge::derive_password(state.get("password_seed"), "shop@example.com"));
  EXPECT_EQ(*bridge::v2_password(state, "shop@example.com"), *first);
  EXPECT_EQ(state.batches().size(), 1u);  // no second seed
  for (const auto& batch : state.batches())
    for (const auto& w : batch) EXPECT_NE(w.value.value_or(""), *first) << w.key;

  state.set("user_password", "existing-users-own-password", /*secret=*/true);
  EXPECT_EQ(*bridge::v2_password(state, "shop@example.com"), "existing-users-own-password");

  MemoryState broken;
  broken.fail_writes(true);
  EXPECT_FALSE(bridge::v2_password(broken, "shop@example.com").has_value());  // no seed, no password
}

// ---------------------------------------------------------------------------------------------
// Against the real sandbox

struct ScaRun : Harness {
  std::unique_ptr<Connector> connector;
  std::string iban;
  std::vector<std::string> sleeps;

  void settings(const std::string& sandbox_mode, std::map<std::string, std::string> options, bool download = false) {
    const auto r = sandbox.call("POST", "/_sandbox/xs2a",
                                R"({"sca_approach":")" + sandbox_mode + R"(","download":)" + (download ? "true" : "false") + "}");
    ASSERT_TRUE(r.has_value()) << r.error().message;
    const json::value st = sandbox.state();  // kept: a range-for over a temporary's member dangles
    for (const json::value& a : st.at("accounts").as_array())
      if (str(a.at("bank")) == "musterbank" && str(a.at("type")) == "CACC") iban = str(a.at("iban"));
    ConnectorSettings s;
    s.name = "sca-test";
    s.type = "xs2a";
    s.base_url = sandbox.url() + "/v1";
    s.accounts = {iban};
    s.options = {{"client_id", "PSDDE-BAFIN-123456"}, {"sca_poll_ms", "100"}, {"sca_timeout_seconds", "20"}};
    for (auto& [k, v] : options) s.options[k] = v;
    auto c = builtin_registry().create(s);
    ASSERT_TRUE(c.has_value()) << c.error().describe();
    connector = std::move(*c);
    // Polls wait on the sandbox's clock: the test's sleeper moves it instead of sleeping.
    ctx->set_sleeper([this](std::chrono::milliseconds d) {
      sleeps.push_back(std::to_string(d.count()));
      sandbox.clock().advance(d);
    });
  }
  std::int64_t status_polls() {
    std::int64_t n = 0;
    const json::value st = sandbox.state();
    for (const auto& [path, count] : st.at("requests").as_object())
      if (std::string_view(path).ends_with("/status")) n += count.to_number<std::int64_t>();
    return n;
  }
  std::size_t ledger_entries() {
    const json::value st = sandbox.state();
    for (const json::value& a : st.at("accounts").as_array())
      if (str(a.at("iban")) == iban) {
        const json::value l = sandbox.ledger(str(a.at("resource_id")));
        return l.at("booked").as_array().size() + l.at("pending").as_array().size();
      }
    return 0;
  }
  TransactionsRequest window() {
    const auto st = sandbox.state();
    return TransactionsRequest{BankAccount{iban, {}, "EUR", {}, {}}, *domain::parse_iso_date(str(st.at("first_day"))),
                               *domain::parse_iso_date(str(st.at("today")))};
  }
};

TEST(Xs2aScaSandbox, redirect_consent_then_accounts_and_transactions_without_a_bearer_token) {
  ScaRun run;
  run.settings("redirect", {});
  const auto start = run.connector->begin_authorisation(*run.ctx, "http://127.0.0.1:9/callback");
  ASSERT_TRUE(start.has_value()) << start.error().describe();
  ASSERT_THAT(start->url, HasSubstr("/xs2a/sca/"));
  EXPECT_TRUE(start->state.empty());  // the bank's consent status decides, not the redirect
  EXPECT_EQ(run.state.get("pending_sca_approach"), "redirect");
  // The PSU approves at the bank, which redirects (302) to our TPP-Redirect-URI.
  const auto page = run.sandbox.call("GET", start->url);
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().status(), 302);
  const auto consent = run.connector->finish_authorisation(*run.ctx, {});
  ASSERT_TRUE(consent.has_value()) << consent.error().describe();
  EXPECT_EQ(consent->state, ConsentStatus::State::valid);
  EXPECT_EQ(run.state.get("consent_sca_approach"), "redirect");
  EXPECT_FALSE(run.state.has("pending_consent_id"));
  EXPECT_FALSE(run.state.has("access_token"));

  const auto accounts = run.connector->accounts(*run.ctx);
  ASSERT_TRUE(accounts.has_value()) << accounts.error().describe();
  ASSERT_EQ(accounts->size(), 1u);
  const auto batch = run.connector->transactions(*run.ctx, run.window());
  ASSERT_TRUE(batch.has_value()) << batch.error().describe();
  ASSERT_EQ(batch->statements.size(), 1u);
  EXPECT_EQ(batch->statements[0].entries.size(), run.ledger_entries());
}

TEST(Xs2aScaSandbox, redirect_cancelled_at_the_bank_is_refused_with_the_banks_status) {
  ScaRun run;
  run.settings("redirect", {});
  const auto start = run.connector->begin_authorisation(*run.ctx, "http://127.0.0.1:9/callback");
  ASSERT_TRUE(start.has_value()) << start.error().describe();
  (void)run.sandbox.call("GET", start->url + "?psu_decision=reject");
  const auto consent = run.connector->finish_authorisation(*run.ctx, {{"sca_outcome", "nok"}});
  ASSERT_FALSE(consent.has_value());
  EXPECT_EQ(consent.error().code, Errc::permission_denied);
  EXPECT_THAT(consent.error().message, HasSubstr("'rejected'"));
  EXPECT_THAT(consent.error().message, HasSubstr("bankrec connector consent sca-test"));
  EXPECT_FALSE(run.state.has("consent_id"));
}

TEST(Xs2aScaSandbox, decoupled_consent_is_polled_with_backoff_until_the_app_approves) {
  ScaRun run;
  run.settings("preferred", {{"sca_approach", "decoupled"}, {"psu_id", "muster-psu"}});
  ASSERT_TRUE(run.sandbox.call("POST", "/_sandbox/xs2a", R"({"decoupled_polls":3,"decoupled_outcome":"approve"})").has_value());
  const auto start = run.connector->begin_authorisation(*run.ctx, "");
  ASSERT_TRUE(start.has_value()) << start.error().describe();
  EXPECT_TRUE(start->url.empty());
  EXPECT_THAT(start->message, HasSubstr("banking app of PSU muster-psu"));
  EXPECT_THAT(start->message, HasSubstr("Please confirm"));  // the bank's psuMessage
  const auto consent = run.connector->finish_authorisation(*run.ctx, {});
  ASSERT_TRUE(consent.has_value()) << consent.error().describe();
  EXPECT_EQ(consent->state, ConsentStatus::State::valid);
  EXPECT_EQ(run.state.get("consent_sca_approach"), "decoupled");
  EXPECT_EQ(run.sleeps, (std::vector<std::string>{"100", "200"}));  // approved on the 3rd poll
  EXPECT_EQ(run.status_polls(), 3);
  const auto batch = run.connector->transactions(*run.ctx, run.window());
  ASSERT_TRUE(batch.has_value()) << batch.error().describe();
}

TEST(Xs2aScaSandbox, decoupled_without_an_answer_times_out_and_a_refusal_is_reported) {
  ScaRun run;
  run.settings("decoupled", {{"sca_approach", "decoupled"}, {"psu_id", "muster-psu"}, {"sca_timeout_seconds", "5"}});
  ASSERT_TRUE(run.sandbox.call("POST", "/_sandbox/xs2a", R"({"decoupled_outcome":"never"})").has_value());
  ASSERT_TRUE(run.connector->begin_authorisation(*run.ctx, "").has_value());
  const auto waited = run.connector->finish_authorisation(*run.ctx, {});
  ASSERT_FALSE(waited.has_value());
  EXPECT_EQ(waited.error().code, Errc::unavailable);
  EXPECT_THAT(waited.error().message, HasSubstr("no decision from the bank within 5 s"));
  EXPECT_THAT(waited.error().message, HasSubstr("still 'received'"));
  // 100+200+400+800+1600 ms, then what is left of the 5 s (a little less than 1.9 s: the polls take time).
  ASSERT_EQ(run.sleeps.size(), 6u);
  EXPECT_EQ(std::vector<std::string>(run.sleeps.begin(), run.sleeps.begin() + 5),
            (std::vector<std::string>{"100", "200", "400", "800", "1600"}));
  EXPECT_LE(std::stol(run.sleeps[5]), 1900);
  EXPECT_GT(std::stol(run.sleeps[5]), 1000);

  ASSERT_TRUE(run.sandbox.call("POST", "/_sandbox/xs2a", R"({"decoupled_outcome":"reject","decoupled_polls":1})").has_value());
  ASSERT_TRUE(run.connector->begin_authorisation(*run.ctx, "").has_value());
  const auto refused = run.connector->finish_authorisation(*run.ctx, {});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::permission_denied);
  EXPECT_THAT(refused.error().message, HasSubstr("banking app was refused"));
}

TEST(Xs2aScaSandbox, transactions_offered_as_a_download_come_back_as_one_camt_document) {
  ScaRun run;
  run.settings("redirect", {}, /*download=*/true);
  const auto start = run.connector->begin_authorisation(*run.ctx, "http://127.0.0.1:9/callback");
  ASSERT_TRUE(start.has_value()) << start.error().describe();
  (void)run.sandbox.call("GET", start->url);
  ASSERT_TRUE(run.connector->finish_authorisation(*run.ctx, {}).has_value());
  const auto batch = run.connector->transactions(*run.ctx, run.window());
  ASSERT_TRUE(batch.has_value()) << batch.error().describe();
  EXPECT_TRUE(batch->statements.empty());
  ASSERT_EQ(batch->documents.size(), 1u);
  EXPECT_EQ(batch->documents[0].format_id, "camt.052");
  EXPECT_THAT(batch->documents[0].name, HasSubstr("-download.xml"));
  std::size_t entries = 0;
  for (std::size_t at = batch->documents[0].content.find("<Ntry>"); at != std::string::npos;
       at = batch->documents[0].content.find("<Ntry>", at + 1))
    ++entries;
  EXPECT_EQ(entries, run.ledger_entries());
  bool downloaded = false;
  for (const ConnectionEvent& e : run.events) downloaded = downloaded || (e.operation == "transactions-download" && e.outcome == "ok");
  EXPECT_TRUE(downloaded);
}

// ---------------------------------------------------------------------------------------------
// Bridge v2 against the sandbox

struct BridgeV2Run : Harness {
  std::unique_ptr<Connector> connector;
  std::string checking;

  BridgeV2Run() {
    const json::value st = sandbox.state();
    for (const json::value& a : st.at("accounts").as_array())
      if (str(a.at("bank")) == "musterbank" && str(a.at("type")) == "CACC") checking = str(a.at("iban"));
    ConnectorSettings s;
    s.name = "bridge2";
    s.type = "bridge";
    s.base_url = sandbox.url();
    s.accounts = {checking};
    s.options = {{"client_id", "sandbox-bridge-client"}, {"api_version", "v2"}, {"user_email", "shop@retailer.example"},
                 {"page_size", "30"}};
    auto c = builtin_registry().create(s);
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().describe());
    if (c) connector = std::move(*c);
    state.set("client_secret", "sandbox-bridge-secret", /*secret=*/true);
  }
};

TEST(BridgeV2Sandbox, user_by_e_mail_connect_accounts_and_transactions_the_v2_way) {
  BridgeV2Run run;
  ASSERT_TRUE(run.connector);
  const auto start = run.connector->begin_authorisation(*run.ctx, "");
  ASSERT_TRUE(start.has_value()) << start.error().describe();
  EXPECT_THAT(start->url, HasSubstr("/bridge/connect/"));
  EXPECT_FALSE(run.state.get("bridge_v2_user_uuid").empty());
  EXPECT_TRUE(run.state.is_secret("password_seed"));
  const auto done = run.connector->finish_authorisation(*run.ctx, {{"context", start->state}, {"success", "true"}});
  ASSERT_TRUE(done.has_value()) << done.error().describe();
  EXPECT_EQ(done->state, ConsentStatus::State::valid);

  const auto accounts = run.connector->accounts(*run.ctx);
  ASSERT_TRUE(accounts.has_value()) << accounts.error().describe();
  const auto checking = std::find_if(accounts->begin(), accounts->end(), [&](const BankAccount& a) { return a.iban == run.checking; });
  ASSERT_NE(checking, accounts->end());
  const auto st = run.sandbox.state();
  const auto batch = run.connector->transactions(
      *run.ctx, TransactionsRequest{*checking, *domain::parse_iso_date(str(st.at("first_day"))),
                                    *domain::parse_iso_date(str(st.at("today")))});
  ASSERT_TRUE(batch.has_value()) << batch.error().describe();
  ASSERT_EQ(batch->statements.size(), 1u);
  std::string resource;
  for (const json::value& a : st.at("accounts").as_array())
    if (str(a.at("iban")) == run.checking) resource = str(a.at("resource_id"));
  const json::value ledger = run.sandbox.ledger(resource);
  std::multiset<std::string> expected, got;
  for (const json::value& t : ledger.at("booked").as_array()) expected.insert(str(t.at("bridge_id")));
  for (const json::value& t : ledger.at("pending").as_array()) expected.insert(str(t.at("bridge_id")));
  for (const domain::Entry& e : batch->statements[0].entries) got.insert(e.bank_reference.value_or(""));
  EXPECT_GT(expected.size(), 30u);  // more than one page of 30
  EXPECT_EQ(got, expected);
  bool v2_paths = true;
  for (const ConnectionEvent& e : run.events) v2_paths = v2_paths && e.outcome == "ok";
  EXPECT_TRUE(v2_paths);
  EXPECT_GT(run.sandbox.requests("/v2/authenticate"), 0);
  EXPECT_EQ(run.sandbox.requests("/v3/aggregation/authorization/token"), 0);
}

TEST(BridgeV2Sandbox, a_lost_user_uuid_is_found_again_by_the_derived_password_and_a_wrong_seed_is_explained) {
  BridgeV2Run run;
  ASSERT_TRUE(run.connector);
  ASSERT_TRUE(run.connector->consent(*run.ctx).has_value());  // creates the user and authenticates
  const std::string seed = run.state.get("password_seed");
  // The database lost the uuid and the token, but kept the seed: POST /v2/users gets 409, and the
  // same derived password authenticates the existing user.
  ASSERT_TRUE(run.state.write({{"bridge_v2_user_uuid", std::nullopt, false, std::nullopt},
                               {"access_token", std::nullopt, true, std::nullopt}}));
  const auto again = run.connector->consent(*run.ctx);
  ASSERT_TRUE(again.has_value()) << again.error().describe();
  EXPECT_FALSE(run.state.get("bridge_v2_user_uuid").empty());
  EXPECT_EQ(run.state.get("password_seed"), seed);

  run.state.set("password_seed", "another-seed-entirely", /*secret=*/true);
  ASSERT_TRUE(run.state.write({{"access_token", std::nullopt, true, std::nullopt}}));
  const auto refused = run.connector->consent(*run.ctx);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::invalid_input);
  EXPECT_THAT(refused.error().message, HasSubstr("bankrec connector secret bridge2 user_password"));
  EXPECT_EQ(refused.error().message.find(bridge::derive_password("another-seed-entirely", "shop@retailer.example")),
            std::string::npos);
}

}  // namespace
}  // namespace bankrec::connectors
