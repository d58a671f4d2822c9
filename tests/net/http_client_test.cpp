#include "bankrec/net/http_client.h"

#include <regex>
#include <cstdlib>
#include <thread>

#include "bankrec/testing/testing.h"
#include "fixed_clock.h"
#include "test_pki.h"
#include "test_servers.h"

namespace bankrec::net {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::FixedClock;
using testing::HttpTestServer;
using testing::TestHttpRequest;
using testing::TestHttpResponse;
using testing::TestPki;

class HttpClientTest : public ::testing::Test {
 protected:
  HttpClientTest() : pki_(TestPki::create(dir_.path())) {}

  std::unique_ptr<HttpClient> client(HttpClientConfig config, HttpExchangeLogger logger = {}) {
    auto c = make_http_client(config, clock_, std::move(logger));
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().describe());
    return c ? std::move(*c) : nullptr;
  }
  HttpClientConfig trusting() const {
    HttpClientConfig config;
    config.tls.ca_file = pki_.ca_cert;
    return config;
  }
  testing::TlsOptions server_tls(bool require_client_cert = false) const {
    return {pki_.server_cert, pki_.server_key, require_client_cert ? pki_.ca_cert : std::filesystem::path()};
  }
  static HttpRequest get(std::string url) {
    HttpRequest r;
    r.url = std::move(url);
    return r;
  }

  bankrec::testing::TempDir dir_;
  TestPki pki_;
  FixedClock clock_;
};

TestHttpResponse echo(const TestHttpRequest& r) {
  return {200, {{"Content-Type", "text/plain"}, {"X-Echo-Request-ID", r.header("X-Request-ID")}},
          r.method + " " + r.target + " " + r.body};
}

TEST_F(HttpClientTest, talks_https_with_the_right_ca_bundle_and_sends_a_request_id) {
  HttpTestServer server(server_tls(), echo);
  auto http = client(trusting());
  HttpRequest req = get(server.url("/v1/accounts?withBalance=true"));
  req.headers = {{"Accept", "application/json"}, {"Consent-ID", "c-123"}};
  auto r = http->send(req);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /v1/accounts?withBalance=true ");
  EXPECT_TRUE(std::regex_match(r->request_id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << r->request_id;
  EXPECT_EQ(r->header("x-echo-request-id").value_or(""), r->request_id);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header("Consent-ID"), "c-123");
  EXPECT_EQ(seen[0].header("User-Agent"), "bankrec/0.1");
  EXPECT_EQ(seen[0].client_subject, "");
}

TEST_F(HttpClientTest, each_request_gets_a_new_request_id_unless_the_caller_sets_one) {
  HttpTestServer server(server_tls(), echo);
  auto http = client(trusting());
  auto a = http->send(get(server.url()));
  auto b = http->send(get(server.url()));
  HttpRequest given = get(server.url());
  given.headers = {{"X-Request-ID", "99999999-0000-4000-8000-000000000000"}};
  auto c = http->send(given);
  ASSERT_TRUE(a && b && c);
  EXPECT_NE(a->request_id, b->request_id);
  EXPECT_EQ(c->request_id, "99999999-0000-4000-8000-000000000000");
  EXPECT_EQ(server.requests().at(2).header("X-Request-ID"), "99999999-0000-4000-8000-000000000000");
}

TEST_F(HttpClientTest, posts_a_body_with_headers) {
  HttpTestServer server(server_tls(), echo);
  auto http = client(trusting());
  HttpRequest req;
  req.method = "POST";
  req.url = server.url("/token");
  req.body = "grant_type=client_credentials";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  auto r = http->send(req);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "POST /token grant_type=client_credentials");
  EXPECT_EQ(server.requests().at(0).header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(server.requests().at(0).header("Expect"), "");
}

TEST_F(HttpClientTest, refuses_a_server_from_an_unknown_ca) {
  HttpTestServer server(server_tls(), echo);
  HttpClientConfig config;
  config.tls.ca_file = pki_.other_ca_cert;
  auto r = client(config)->send(get(server.url()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::tls) << r.error().message;
  EXPECT_FALSE(r.error().is_retryable());
  EXPECT_FALSE(r.error().request_id.empty());
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClientTest, refuses_a_private_ca_server_with_the_system_store) {
  HttpTestServer server(server_tls(), echo);
  auto r = client(HttpClientConfig{})->send(get(server.url()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::tls) << r.error().message;
}

TEST_F(HttpClientTest, mutual_tls_works_with_the_client_certificate) {
  HttpTestServer server(server_tls(/*require_client_cert=*/true), echo);
  HttpClientConfig config = trusting();
  config.tls.client_cert_file = pki_.client_cert;
  config.tls.client_key_file = pki_.client_key;
  auto r = client(config)->send(get(server.url("/v1/accounts")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(server.requests().at(0).client_subject, HasSubstr("CN=bankrec tpp client"));
}

TEST_F(HttpClientTest, mutual_tls_fails_without_a_client_certificate) {
  HttpTestServer server(server_tls(/*require_client_cert=*/true), echo);
  auto r = client(trusting())->send(get(server.url("/v1/accounts")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::tls) << r.error().message;
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClientTest, mutual_tls_fails_with_a_certificate_from_another_ca) {
  HttpTestServer server(server_tls(/*require_client_cert=*/true), echo);
  HttpClientConfig config = trusting();
  config.tls.client_cert_file = pki_.other_client_cert;
  config.tls.client_key_file = pki_.other_client_key;
  auto r = client(config)->send(get(server.url("/v1/accounts")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::tls) << r.error().message;
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClientTest, refuses_missing_tls_files_and_a_certificate_without_key) {
  HttpClientConfig config;
  config.tls.ca_file = (dir_.path() / "missing.pem").string();
  EXPECT_ERR(make_http_client(config, clock_), Errc::invalid_input, HasSubstr("missing or unreadable"));
  config = trusting();
  config.tls.client_cert_file = pki_.client_cert;
  EXPECT_ERR(make_http_client(config, clock_), Errc::invalid_input, HasSubstr("needs its key"));
}

TEST_F(HttpClientTest, aborts_a_response_larger_than_the_limit) {
  HttpTestServer server(server_tls(), [](const TestHttpRequest&) {
    return TestHttpResponse{200, {}, std::string(300 * 1024, 'x')};
  });
  HttpClientConfig config = trusting();
  config.max_response_bytes = 256 * 1024;
  auto http = client(config);
  auto r = http->send(get(server.url()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::too_large) << r.error().message;
  EXPECT_FALSE(r.error().is_retryable());
  // a per-request limit can lower it further, and exactly at the limit is fine
  HttpRequest small = get(server.url());
  small.max_response_bytes = 1024;
  EXPECT_EQ(http->send(small).error().code, HttpErrc::too_large);
  config.max_response_bytes = 300 * 1024;
  EXPECT_TRUE(client(config)->send(get(server.url())));
}

TEST_F(HttpClientTest, aborts_huge_response_headers) {
  HttpTestServer server(server_tls(), [](const TestHttpRequest&) {
    TestHttpResponse res;
    for (int i = 0; i < 100; ++i) res.headers.emplace_back("X-Filler-" + std::to_string(i), std::string(900, 'h'));
    return res;
  });
  HttpClientConfig config = trusting();
  config.max_header_bytes = 16 * 1024;
  auto r = client(config)->send(get(server.url()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::too_large) << r.error().message;
}

TEST_F(HttpClientTest, times_out_on_a_server_that_never_answers) {
  HttpTestServer server(server_tls(), [](const TestHttpRequest&) { return TestHttpResponse{.hang = true}; });
  HttpClientConfig config = trusting();
  config.total_timeout = std::chrono::milliseconds(300);
  auto r = client(config)->send(get(server.url()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::timeout) << r.error().message;
  EXPECT_TRUE(r.error().is_retryable());
  EXPECT_EQ(r.error().to_error().code, Errc::unavailable);
  server.stop();
}

TEST_F(HttpClientTest, a_refused_connection_is_a_retryable_network_error) {
  const auto port = bankrec::testing::free_loopback_port();
  auto r = client(trusting())->send(get("https://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, HttpErrc::network) << r.error().message;
  EXPECT_TRUE(r.error().is_retryable());
}

TEST_F(HttpClientTest, http_errors_carry_status_body_and_retry_after) {
  HttpTestServer server(server_tls(), [](const TestHttpRequest& r) {
    if (r.target == "/busy") return TestHttpResponse{503, {{"Retry-After", "120"}}, "busy"};
    if (r.target == "/limit")
      return TestHttpResponse{429, {{"Retry-After", "Sun, 22 Nov 2026 09:05:00 GMT"}}, R"({"code":"ACCESS_EXCEEDED"})"};
    return TestHttpResponse{404, {}, R"({"code":"RESOURCE_UNKNOWN"})"};
  });
  auto http = client(trusting());
  auto busy = http->send(get(server.url("/busy")));
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, HttpErrc::http_status);
  EXPECT_EQ(busy.error().status(), 503);
  EXPECT_EQ(busy.error().retry_after(), std::chrono::seconds(120));
  EXPECT_TRUE(busy.error().is_retryable());
  EXPECT_EQ(busy.error().response->body, "busy");

  auto limit = http->send(get(server.url("/limit")));
  ASSERT_FALSE(limit);
  EXPECT_EQ(limit.error().status(), 429);
  EXPECT_EQ(limit.error().retry_after(), std::chrono::seconds(300));  // the fixed clock says 09:00:00
  EXPECT_TRUE(limit.error().is_retryable());

  auto missing = http->send(get(server.url("/gone")));
  ASSERT_FALSE(missing);
  EXPECT_FALSE(missing.error().is_retryable());
  EXPECT_EQ(missing.error().to_error().code, Errc::not_found);
  EXPECT_EQ(missing.error().response->body, R"({"code":"RESOURCE_UNKNOWN"})");
}

TEST_F(HttpClientTest, refuses_plain_http_except_to_loopback_and_bad_requests) {
  auto http = client(trusting());
  EXPECT_EQ(http->send(get("http://bank.example/v1/accounts")).error().code, HttpErrc::invalid_request);
  EXPECT_EQ(http->send(get("ftp://127.0.0.1/x")).error().code, HttpErrc::invalid_request);
  EXPECT_EQ(http->send(get("not a url")).error().code, HttpErrc::invalid_request);
  HttpRequest injected = get("https://127.0.0.1:1/");
  injected.headers = {{"X-Evil", "a\r\nHost: other"}};
  EXPECT_EQ(http->send(injected).error().code, HttpErrc::invalid_request);
  HttpRequest bad_name = get("https://127.0.0.1:1/");
  bad_name.headers = {{"Bad Name", "x"}};
  EXPECT_EQ(http->send(bad_name).error().code, HttpErrc::invalid_request);
  HttpRequest method = get("https://127.0.0.1:1/");
  method.method = "TRACE";
  EXPECT_EQ(http->send(method).error().code, HttpErrc::invalid_request);
}

TEST_F(HttpClientTest, logs_every_exchange_redacted) {
  HttpTestServer server(server_tls(), echo);
  std::vector<std::string> lines;
  auto http = client(trusting(), [&](const HttpExchangeLog& log) { lines.push_back(log.to_string()); });
  HttpRequest req = get(server.url("/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&refresh_token=rt-secret-1"));
  req.headers = {{"Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.secret-token"}};
  ASSERT_TRUE(http->send(req));
  (void)http->send(get("https://user:hunter2@127.0.0.1:1/x?password=p4ss"));
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& line : lines) {
    EXPECT_THAT(line, Not(HasSubstr("SplxlOBeZQQYbYS6WxSbIA")));
    EXPECT_THAT(line, Not(HasSubstr("rt-secret-1")));
    EXPECT_THAT(line, Not(HasSubstr("secret-token")));
    EXPECT_THAT(line, Not(HasSubstr("hunter2")));
    EXPECT_THAT(line, Not(HasSubstr("p4ss")));
  }
  EXPECT_THAT(lines[0], HasSubstr("state=xyz"));
  EXPECT_THAT(lines[0], HasSubstr("status=200"));
  EXPECT_THAT(lines[1], HasSubstr("error=network"));
}

TEST_F(HttpClientTest, can_be_used_from_several_threads) {
  HttpTestServer server(server_tls(), echo);
  auto http = client(trusting());
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i)
        if (http->send(get(server.url("/t")))) ++good;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 20);
  EXPECT_EQ(server.requests().size(), 20u);
}

}  // namespace
}  // namespace bankrec::net

namespace bankrec::net {
namespace {

TEST_F(HttpClientTest, tunnels_through_an_http_proxy_with_credentials) {
  HttpTestServer server(server_tls(), echo);
  testing::ProxyTestServer proxy(server_tls(), "proxyuser:pr0xy-pw");
  std::vector<std::string> lines;
  HttpClientConfig config = trusting();
  config.proxy = "http://proxyuser:pr0xy-pw@127.0.0.1:" + std::to_string(proxy.port());
  auto r = client(config, [&](const HttpExchangeLog& l) { lines.push_back(l.to_string()); })
               ->send(get(server.url("/v1/accounts")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(proxy.connect_lines(), ::testing::ElementsAre("CONNECT 127.0.0.1:" + std::to_string(server.port()) + " HTTP/1.1"));
  EXPECT_EQ(server.requests().size(), 1u);  // end-to-end TLS through the tunnel
  ASSERT_EQ(lines.size(), 1u);

  // wrong proxy credentials: an error, and the password is in no message
  config.proxy = "http://proxyuser:wr0ng-pw@127.0.0.1:" + std::to_string(proxy.port());
  auto denied = client(config)->send(get(server.url("/v1/accounts")));
  ASSERT_FALSE(denied);
  EXPECT_THAT(denied.error().message, Not(HasSubstr("wr0ng-pw")));
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(HttpClientTest, an_empty_proxy_setting_ignores_proxy_environment_variables) {
  HttpTestServer server(server_tls(), echo);
  ::setenv("https_proxy", "http://127.0.0.1:9", 1);  // nothing listens on the discard port
  ::setenv("HTTPS_PROXY", "http://127.0.0.1:9", 1);
  auto r = client(trusting())->send(get(server.url()));
  ::unsetenv("https_proxy");
  ::unsetenv("HTTPS_PROXY");
  ASSERT_TRUE(r) << r.error().message;
}

TEST_F(HttpClientTest, refuses_a_malformed_proxy_setting) {
  HttpClientConfig config = trusting();
  config.proxy = "socks5://u:secretpw@127.0.0.1:1080";
  auto r = make_http_client(config, clock_);
  EXPECT_ERR(r, Errc::invalid_input, HasSubstr("proxy"));
  EXPECT_THAT(r.error().describe(), Not(HasSubstr("secretpw")));
}

}  // namespace
}  // namespace bankrec::net
