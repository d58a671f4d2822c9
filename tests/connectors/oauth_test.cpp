// The OAuth 2.0 client against a real HTTPS server on 127.0.0.1 (tests/net's test server) that
// plays the bank's authorisation server and a protected resource with canned answers.
#include "oauth.h"

#include <atomic>
#include <mutex>

#include "bankrec/testing/testing.h"
#include "crypto_util.h"
#include "fixed_clock.h"
#include "memory_state.h"
#include "test_pki.h"
#include "test_servers.h"

namespace bankrec::connectors {
namespace {

using net::testing::HttpTestServer;
using net::testing::TestHttpRequest;
using net::testing::TestHttpResponse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MemoryState;
using ::testing::Not;

std::string field(const std::string& form, const std::string& key) {
  const auto q = parse_query(form);
  if (!q) return "<bad form>";
  const auto it = q->find(key);
  return it == q->end() ? std::string() : it->second;
}

/// A bank: /token (grants) and /resource (wants the current access token).
struct FakeBank {
  std::mutex mutex;
  int generation = 1;       // access token "at-N", refresh token "rt-N"
  std::string token_error;  // when set: the token endpoint answers 400 with this OAuth error
  int token_status = 200;
  bool rotate = true;
  int resource_401s = 0;  // answer 401 this many more times, whatever the token
  std::string resource_401_code = "TOKEN_EXPIRED";
  std::vector<std::string> token_forms, resource_tokens;

  TestHttpResponse handle(const TestHttpRequest& r) {
    std::lock_guard lock(mutex);
    if (r.target == "/token") {
      token_forms.push_back(r.body + "|auth=" + r.header("Authorization"));
      if (token_status != 200)
        return {token_status,
                {{"Content-Type", "application/json"}, {"Retry-After", "7"}},
                R"({"error":"temporarily_unavailable"})"};
      if (!token_error.empty())
        return {400,
                {{"Content-Type", "application/json"}},
                R"({"error":")" + token_error + R"(","error_description":"refresh token rt-1 was revoked"})"};
      if (field(r.body, "grant_type") == "refresh_token") {
        if (field(r.body, "refresh_token") != "rt-" + std::to_string(generation))
          return {400, {{"Content-Type", "application/json"}}, R"({"error":"invalid_grant"})"};
        ++generation;
      }
      std::string body = R"({"access_token":"at-)" + std::to_string(generation) +
                         R"(","token_type":"Bearer","expires_in":900)";
      if (rotate || field(r.body, "grant_type") == "authorization_code")
        body += R"(,"refresh_token":"rt-)" + std::to_string(generation) + "\"";
      return {200, {{"Content-Type", "application/json"}}, body + "}"};
    }
    if (r.target == "/resource") {
      const std::string auth = r.header("Authorization");
      resource_tokens.push_back(auth);
      if (resource_401s > 0) {
        --resource_401s;
        return {
            401,
            {{"Content-Type", "application/json"}},
            R"({"tppMessages":[{"category":"ERROR","code":")" + resource_401_code + R"(","text":"no"}]})"};
      }
      if (auth != "Bearer at-" + std::to_string(generation))
        return {401,
                {{"Content-Type", "application/json"}},
                R"({"tppMessages":[{"category":"ERROR","code":"TOKEN_INVALID"}]})"};
      return {200, {{"Content-Type", "application/json"}}, R"({"ok":true})"};
    }
    return {404, {}, "{}"};
  }
};

class OAuthTest : public ::testing::Test {
 protected:
  OAuthTest()
      : pki_(net::testing::TestPki::create(dir_.path())),
        server_({pki_.server_cert, pki_.server_key, {}},
                [this](const TestHttpRequest& r) { return bank_.handle(r); }) {
    net::HttpClientConfig config;
    config.tls.ca_file = pki_.ca_cert;
    http_ = std::move(*net::make_http_client(config, clock_));
  }
  ConnectorContext context() {
    return ConnectorContext("bank1", *http_, clock_, state_,
                            [this](const ConnectionEvent& e) { events_.push_back(e); });
  }
  OAuthClient client(std::string secret_key = {}) {
    return OAuthClient(OAuthSettings{
        .connector = "bank1", .client_id = "PSDDE-BAFIN-999999", .client_secret_key = std::move(secret_key)});
  }
  net::HttpRequest resource() const {
    net::HttpRequest r;
    r.url = server_.url("/resource");
    return r;
  }
  /// As after a finished authorisation: tokens of generation 1.
  void authorised() {
    state_.set("access_token", "at-1", true);
    state_.set("refresh_token", "rt-1", true);
    state_.set("oauth_token_endpoint", server_.url("/token"), false);
  }

  bankrec::testing::TempDir dir_;
  net::testing::TestPki pki_;
  FakeBank bank_;
  HttpTestServer server_;
  net::testing::FixedClock clock_;
  std::unique_ptr<net::HttpClient> http_;
  MemoryState state_;
  std::vector<ConnectionEvent> events_;
};

TEST_F(OAuthTest, client_credentials_authenticates_with_basic_and_stores_the_token_as_secret) {
  state_.set("client_secret", "s3cr:et", true);
  OAuthClient oauth = client("client_secret");
  auto ctx = context();
  auto token = oauth.client_credentials(ctx, server_.url("/token"), "accounts");
  ASSERT_OK(token);
  EXPECT_EQ(*token, "at-1");
  ASSERT_EQ(bank_.token_forms.size(), 1u);
  EXPECT_THAT(bank_.token_forms[0], HasSubstr("grant_type=client_credentials&scope=accounts"));
  // RFC 6749 2.3.1: id and secret form-encoded, then Basic.
  EXPECT_THAT(bank_.token_forms[0], HasSubstr("auth=Basic " + base64_encode("PSDDE-BAFIN-999999:s3cr%3Aet")));
  EXPECT_EQ(state_.get("access_token"), "at-1");
  EXPECT_TRUE(state_.is_secret("access_token"));
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].operation, "token");
  EXPECT_EQ(events_[0].outcome, "ok");
}

TEST_F(OAuthTest, client_credentials_without_a_stored_secret_is_a_configuration_error) {
  OAuthClient oauth = client("client_secret");
  auto ctx = context();
  EXPECT_ERR(oauth.client_credentials(ctx, server_.url("/token"), ""), Errc::invalid_input,
             HasSubstr("no client secret stored"));
  EXPECT_TRUE(bank_.token_forms.empty());
}

TEST_F(OAuthTest, pkce_authorisation_checks_state_and_stores_tokens_with_the_extra_writes_in_one_batch) {
  OAuthClient oauth = client();
  auto ctx = context();
  auto start = oauth.begin(ctx, {"https://bank.example/authorize", server_.url("/token")},
                           "https://tpp.example/cb", "AIS:cns-1");
  ASSERT_OK(start);
  const auto query = parse_query(start->url.substr(start->url.find('?') + 1));
  ASSERT_TRUE(query);
  EXPECT_EQ(query->at("response_type"), "code");
  EXPECT_EQ(query->at("scope"), "AIS:cns-1");
  EXPECT_EQ(query->at("state"), start->state);
  EXPECT_EQ(query->at("code_challenge_method"), "S256");
  const std::string verifier = state_.get("oauth_verifier");
  ASSERT_EQ(verifier.size(), 43u);
  EXPECT_EQ(query->at("code_challenge"), pkce_challenge(verifier));
  EXPECT_TRUE(state_.is_secret("oauth_verifier"));

  // A callback with another state is refused before any token request.
  EXPECT_ERR(oauth.finish(ctx, {{"code", "c1"}, {"state", start->state + "x"}}), Errc::invalid_input,
             HasSubstr("state does not match"));
  EXPECT_TRUE(bank_.token_forms.empty());

  auto tokens = oauth.finish(ctx, {{"code", "c1"}, {"state", start->state}},
                             {{"consent_id", "cns-1", false, std::nullopt}});
  ASSERT_OK(tokens);
  ASSERT_EQ(bank_.token_forms.size(), 1u);
  EXPECT_EQ(field(bank_.token_forms[0].substr(0, bank_.token_forms[0].find('|')), "code_verifier"), verifier);
  EXPECT_THAT(bank_.token_forms[0], HasSubstr("redirect_uri=https%3A%2F%2Ftpp.example%2Fcb"));
  EXPECT_THAT(bank_.token_forms[0], HasSubstr("client_id=PSDDE-BAFIN-999999"));
  const auto batches = state_.batches();
  EXPECT_THAT(testing::keys_of(batches.back()), ElementsAre("consent_id", "access_token", "refresh_token"));
  EXPECT_EQ(state_.get("refresh_token"), "rt-1");
  EXPECT_FALSE(state_.has("oauth_verifier"));  // single use
  EXPECT_FALSE(state_.has("oauth_state"));
  // The same callback again finds no authorisation in progress.
  EXPECT_ERR(oauth.finish(ctx, {{"code", "c1"}, {"state", start->state}}), Errc::invalid_input,
             HasSubstr("no authorisation"));
}

TEST_F(OAuthTest, a_refused_authorisation_is_permission_denied_and_a_timed_out_one_must_restart) {
  OAuthClient oauth = client();
  auto ctx = context();
  auto start = oauth.begin(ctx, {"https://bank.example/authorize", server_.url("/token")},
                           "https://tpp.example/cb", "AIS:c");
  ASSERT_OK(start);
  EXPECT_ERR(oauth.finish(ctx, {{"error", "access_denied"}, {"state", start->state}}),
             Errc::permission_denied, HasSubstr("refused the authorisation: access_denied"));
  start = oauth.begin(ctx, {"https://bank.example/authorize", server_.url("/token")},
                      "https://tpp.example/cb", "AIS:c");
  ASSERT_OK(start);
  clock_.advance(std::chrono::hours(1));
  EXPECT_ERR(oauth.finish(ctx, {{"code", "c"}, {"state", start->state}}), Errc::invalid_input,
             HasSubstr("timed out"));
}

TEST_F(OAuthTest, refresh_rotation_commits_new_refresh_and_access_token_together_before_use) {
  authorised();
  OAuthClient oauth = client();
  auto ctx = context();
  auto token = oauth.refresh(ctx);
  ASSERT_OK(token);
  EXPECT_EQ(*token, "at-2");
  ASSERT_EQ(bank_.token_forms.size(), 1u);
  EXPECT_THAT(bank_.token_forms[0], HasSubstr("grant_type=refresh_token&refresh_token=rt-1"));
  const auto batches = state_.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_THAT(testing::keys_of(batches[0]), ElementsAre("access_token", "refresh_token"));
  EXPECT_EQ(state_.get("refresh_token"), "rt-2");
  EXPECT_EQ(state_.get("access_token"), "at-2");
}

TEST_F(OAuthTest, without_rotation_the_old_refresh_token_stays) {
  authorised();
  bank_.rotate = false;
  OAuthClient oauth = client();
  auto ctx = context();
  ASSERT_OK(oauth.refresh(ctx));
  EXPECT_THAT(testing::keys_of(state_.batches().back()), ElementsAre("access_token"));
  EXPECT_EQ(state_.get("refresh_token"), "rt-1");
}

TEST_F(OAuthTest, a_refresh_whose_tokens_cannot_be_stored_is_not_used) {
  authorised();
  OAuthClient oauth = client();
  auto ctx = context();
  bank_.resource_401s = 1;
  state_.fail_writes(true);
  EXPECT_ERR(oauth.send(ctx, resource(), "accounts"), Errc::unavailable, HasSubstr("database is locked"));
  // One request with the old token, none with the unsaved new one.
  EXPECT_THAT(bank_.resource_tokens, ElementsAre("Bearer at-1"));
}

TEST_F(OAuthTest, a_401_refreshes_once_and_retries_once) {
  authorised();
  OAuthClient oauth = client();
  auto ctx = context();
  bank_.resource_401s = 1;
  auto r = oauth.send(ctx, resource(), "accounts");
  ASSERT_OK(r);
  EXPECT_THAT(bank_.resource_tokens, ElementsAre("Bearer at-1", "Bearer at-2"));
  EXPECT_EQ(bank_.token_forms.size(), 1u);
}

TEST_F(OAuthTest, a_second_401_after_the_refresh_is_permission_denied) {
  authorised();
  OAuthClient oauth = client();
  auto ctx = context();
  bank_.resource_401s = 2;
  EXPECT_ERR(oauth.send(ctx, resource(), "accounts"), Errc::permission_denied,
             HasSubstr("still 401 after a token refresh"));
  EXPECT_EQ(bank_.resource_tokens.size(), 2u);
  EXPECT_EQ(bank_.token_forms.size(), 1u);
}

TEST_F(OAuthTest, a_401_for_an_expired_consent_does_not_refresh) {
  authorised();
  OAuthClient oauth = client();
  auto ctx = context();
  bank_.resource_401s = 1;
  bank_.resource_401_code = "CONSENT_EXPIRED";
  EXPECT_ERR(oauth.send(ctx, resource(), "transactions", "DE02"), Errc::permission_denied,
             HasSubstr("bank1: transactions account DE02: http 401 CONSENT_EXPIRED"));
  EXPECT_TRUE(bank_.token_forms.empty());
}

TEST_F(OAuthTest, token_endpoint_errors_follow_the_convention) {
  authorised();
  OAuthClient oauth = client();
  auto ctx = context();
  bank_.token_error = "invalid_grant";
  auto r = oauth.refresh(ctx);
  EXPECT_ERR(r, Errc::permission_denied, HasSubstr("http 400 invalid_grant"));
  EXPECT_THAT(r.error().message, Not(HasSubstr("rt-1")));  // the description named the token: redacted
  bank_.token_error = "invalid_client";
  EXPECT_ERR(oauth.refresh(ctx), Errc::invalid_input, HasSubstr("invalid_client"));
  bank_.token_error.clear();
  bank_.token_status = 503;
  EXPECT_ERR(oauth.refresh(ctx), Errc::unavailable, HasSubstr("http 503"));
  EXPECT_EQ(ctx.retry_after(), std::chrono::seconds(7));
  EXPECT_EQ(state_.get("refresh_token"), "rt-1");  // nothing overwritten by a failed refresh
}

TEST_F(OAuthTest, an_expired_access_token_is_refreshed_before_use_and_no_tokens_means_reauthorise) {
  OAuthClient oauth = client();
  auto ctx = context();
  EXPECT_ERR(oauth.access_token(ctx), Errc::permission_denied, HasSubstr("no refresh token stored"));
  authorised();
  state_.write({{"access_token", "at-1", true, clock_.now() + std::chrono::seconds(30)}}).value();
  auto token = oauth.access_token(ctx);  // within the 60 s margin: refreshed
  ASSERT_OK(token);
  EXPECT_EQ(*token, "at-2");
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

TEST(HttpUtil, urls_and_forms) {
  EXPECT_EQ(url_encode("a b/ä~"), "a%20b%2F%C3%A4~");
  EXPECT_EQ(form_encode({{"a", "1"}, {"b", "x y"}}), "a=1&b=x%20y");
  EXPECT_EQ(with_query("https://h/p?x=1", {{"y", "2"}}), "https://h/p?x=1&y=2");
  EXPECT_EQ(resolve_url("https://h:8/v1", "/v1/accounts?p=1"), "https://h:8/v1/accounts?p=1");
  EXPECT_EQ(resolve_url("https://h:8/v1", "https://o/x"), "https://o/x");
  EXPECT_EQ(resolve_url("https://h:8/v1/", "accounts"), "https://h:8/v1/accounts");
  EXPECT_EQ(url_origin("https://h:8/v1/x?y"), "https://h:8");
  EXPECT_FALSE(parse_query("a=%zz"));
  EXPECT_EQ(parse_query("?code=a%2Bb&state=s+t")->at("state"), "s t");
}

TEST(HttpUtil, json_errors_are_transient_and_name_the_offset) {
  EXPECT_ERR(parse_json(R"({"a": [1, 2)", "page 2"), Errc::unavailable,
             HasSubstr("page 2: malformed JSON at byte"));
  EXPECT_ERR(parse_json_object("[]", "accounts"), Errc::unavailable, HasSubstr("expected a JSON object"));
  const auto o = parse_json_object(R"({"n":"4","b":"true","s":"  ","i":7})", "x");
  ASSERT_OK(o);
  EXPECT_EQ(get_int(*o, "n"), 4);
  EXPECT_EQ(get_bool(*o, "b"), true);
  EXPECT_EQ(get_string(*o, "s"), std::nullopt);  // blank counts as absent
  EXPECT_EQ(get_string(*o, "i"), "7");
}

TEST(HttpUtil, api_errors_of_every_provider_style) {
  EXPECT_EQ(parse_api_error(R"({"tppMessages":[{"code":"CONSENT_EXPIRED","text":"gone"}]})").code,
            "CONSENT_EXPIRED");
  EXPECT_EQ(parse_api_error(R"({"error":"invalid_grant","error_description":"x"})").code, "invalid_grant");
  EXPECT_EQ(parse_api_error(R"({"summary":"s","detail":"d","type":"AccessExpiredError"})").code,
            "AccessExpiredError");
  EXPECT_EQ(parse_api_error(R"({"code":"item_sca_required","message":"m"})").text, "m");
  EXPECT_EQ(
      parse_api_error(R"({"type":"https://berlingroup.com/error-codes/CONSENT_INVALID","title":"t"})").code,
      "CONSENT_INVALID");
  EXPECT_EQ(parse_api_error("<html>").code, "");
}

TEST(HttpUtil, map_http_error_table) {
  struct Case {
    const char* description;
    net::HttpErrc code;
    int status;
    std::string body;
    Errc expected;
  };
  const Case cases[] = {
      {"network", net::HttpErrc::network, 0, "", Errc::unavailable},
      {"timeout", net::HttpErrc::timeout, 0, "", Errc::unavailable},
      {"tls", net::HttpErrc::tls, 0, "", Errc::invalid_input},
      {"too large", net::HttpErrc::too_large, 0, "", Errc::invalid_input},
      {"429", net::HttpErrc::http_status, 429, R"({"tppMessages":[{"code":"ACCESS_EXCEEDED"}]})",
       Errc::unavailable},
      {"500", net::HttpErrc::http_status, 500, "", Errc::unavailable},
      {"501", net::HttpErrc::http_status, 501, "", Errc::unavailable},
      {"401 token", net::HttpErrc::http_status, 401, R"({"tppMessages":[{"code":"TOKEN_INVALID"}]})",
       Errc::permission_denied},
      {"401 certificate", net::HttpErrc::http_status, 401,
       R"({"tppMessages":[{"code":"CERTIFICATE_INVALID"}]})", Errc::invalid_input},
      {"403 consent unknown", net::HttpErrc::http_status, 403,
       R"({"tppMessages":[{"code":"CONSENT_UNKNOWN"}]})", Errc::permission_denied},
      {"400 consent unknown", net::HttpErrc::http_status, 400,
       R"({"tppMessages":[{"code":"CONSENT_UNKNOWN"}]})", Errc::permission_denied},
      {"400 period", net::HttpErrc::http_status, 400, R"({"tppMessages":[{"code":"PERIOD_INVALID"}]})",
       Errc::invalid_input},
      {"404", net::HttpErrc::http_status, 404, "", Errc::not_found},
      {"406", net::HttpErrc::http_status, 406, "", Errc::invalid_input},
      {"409", net::HttpErrc::http_status, 409, "", Errc::invalid_input},
  };
  for (const Case& c : cases) {
    net::HttpError e;
    e.code = c.code;
    e.message = "boom";
    e.request_id = "rid-1";
    if (c.status) e.response = net::HttpResponse{c.status, {}, c.body, "rid-1", std::nullopt, {}};
    const Error mapped = map_http_error(e, "bank1", "transactions", "DE02");
    EXPECT_EQ(mapped.code, c.expected) << c.description << ": " << mapped.message;
    EXPECT_EQ(mapped.where, "request_id=rid-1") << c.description;
    EXPECT_THAT(mapped.message, HasSubstr("bank1: transactions account DE02: ")) << c.description;
  }
}

TEST(HttpUtil, page_guard_stops_loops_repeated_pages_and_endless_walks) {
  PageGuard guard("bank1", 3);
  EXPECT_OK(guard.visit("https://h/p?i=0"));
  EXPECT_OK(guard.check_body("page a"));
  EXPECT_ERR(guard.visit("https://h/p?i=0"), Errc::unavailable, HasSubstr("repeats an earlier page"));
  EXPECT_OK(guard.visit("https://h/p?i=1"));
  EXPECT_ERR(guard.check_body("page a"), Errc::unavailable, HasSubstr("page 2 repeats an earlier page"));
  EXPECT_OK(guard.visit("https://h/p?i=2"));
  EXPECT_ERR(guard.visit("https://h/p?i=3"), Errc::unavailable, HasSubstr("more than 3 pages"));
  EntryDedup dedup;
  EXPECT_TRUE(dedup.insert("booked", "id:1"));
  EXPECT_FALSE(dedup.insert("booked", "id:1"));
  EXPECT_TRUE(dedup.insert("pending", "id:1"));
  EXPECT_TRUE(dedup.insert("booked", ""));
  EXPECT_TRUE(dedup.insert("booked", ""));
  EXPECT_EQ(dedup.dropped(), 1u);
}

TEST(CryptoUtil, base64_and_pkce_match_rfc_7636_appendix_b) {
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("\xfb\xff", /*url=*/true), "-_8");
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_EQ(random_urlsafe(32).size(), 43u);
  EXPECT_NE(random_urlsafe(32), random_urlsafe(32));
}

}  // namespace
}  // namespace bankrec::connectors
