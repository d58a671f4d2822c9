#include "bankrec/net/webhook.h"

#include <set>

#include "bankrec/testing/testing.h"
#include "fixed_clock.h"
#include "test_pki.h"
#include "test_servers.h"

namespace bankrec::net {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono;
using testing::FixedClock;
using testing::HttpTestServer;
using testing::TestHttpRequest;
using testing::TestHttpResponse;

constexpr std::string_view kKey = "0123456789abcdef-webhook-key";

/// What a receiver does (webhook.h): verify signature and freshness, then drop replayed deliveries.
struct Receiver {
  const Clock& clock;
  std::mutex mutex;
  std::set<std::string> seen;
  std::vector<std::string> accepted_bodies;

  TestHttpResponse handle(const TestHttpRequest& r) {
    auto ok = verify_webhook_signature(kKey, r.header("X-Bankrec-Timestamp"), r.header("X-Bankrec-Delivery"),
                                       r.header("X-Bankrec-Signature"), r.body, clock.now());
    if (!ok) return {401, {}, ok.error().message};
    std::lock_guard lock(mutex);
    if (!seen.insert(r.header("X-Bankrec-Delivery")).second) return {409, {}, "replayed delivery"};
    accepted_bodies.push_back(r.body);
    return {204, {}, ""};
  }
};

TEST(Webhook, signature_is_hmac_sha256_over_timestamp_delivery_and_body) {
  // echo -n '1700000000.d1.{"a":1}' | openssl dgst -sha256 -hmac 0123456789abcdef-webhook-key
  EXPECT_EQ(sign_webhook(kKey, 1700000000, "d1", R"({"a":1})"),
            "sha256=c5edf318760a56c528cc057bea1b64f28331bde2fef82463de19eb462ec9f6f7");
}

TEST(Webhook, verification_rejects_tampering_and_stale_timestamps) {
  const auto now = sys_seconds{seconds{1700000000}};
  const std::string sig = sign_webhook(kKey, 1700000000, "d1", "{}");
  EXPECT_OK(verify_webhook_signature(kKey, "1700000000", "d1", sig, "{}", now));
  EXPECT_OK(verify_webhook_signature(kKey, "1700000000", "d1", sig, "{}", now + seconds{300}));
  EXPECT_ERR(verify_webhook_signature(kKey, "1700000000", "d1", sig, "{} ", now), Errc::permission_denied,
             HasSubstr("bad signature"));
  EXPECT_ERR(verify_webhook_signature(kKey, "1700000001", "d1", sig, "{}", now), Errc::permission_denied,
             HasSubstr("bad signature"));
  EXPECT_ERR(verify_webhook_signature(kKey, "1700000000", "d2", sig, "{}", now), Errc::permission_denied,
             HasSubstr("bad signature"));
  EXPECT_ERR(verify_webhook_signature("another-key-16-bytes", "1700000000", "d1", sig, "{}", now),
             Errc::permission_denied, HasSubstr("bad signature"));
  EXPECT_ERR(verify_webhook_signature(kKey, "1700000000", "d1", sig, "{}", now + seconds{301}),
             Errc::permission_denied, HasSubstr("tolerance"));
  EXPECT_ERR(verify_webhook_signature(kKey, "17e8", "d1", sig, "{}", now), Errc::permission_denied,
             HasSubstr("malformed"));
}

TEST(Webhook, a_real_receiver_verifies_deliveries_and_rejects_a_replay) {
  bankrec::testing::TempDir dir;
  const auto pki = testing::TestPki::create(dir.path());
  FixedClock clock;
  Receiver receiver{clock, {}, {}, {}};
  HttpTestServer server({pki.server_cert, pki.server_key, {}},
                        [&](const TestHttpRequest& r) { return receiver.handle(r); });
  HttpClientConfig config;
  config.tls.ca_file = pki.ca_cert;
  auto http = make_http_client(config, clock);
  ASSERT_OK(http);
  auto sender = WebhookSender::create({server.url("/hook"), std::string(kKey)}, **http, clock);
  ASSERT_OK(sender);

  auto first = sender->post(R"({"kind":"dead_letter"})", "delivery-1");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->status, 204);
  auto replay = sender->post(R"({"kind":"dead_letter"})", "delivery-1");
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().status(), 409);
  EXPECT_EQ(receiver.accepted_bodies, std::vector<std::string>{R"({"kind":"dead_letter"})"});

  // a receiver whose clock is 10 minutes ahead rejects the (now stale) signature
  clock.advance(minutes{10});
  FixedClock sender_clock;
  auto stale_sender = WebhookSender::create({server.url("/hook"), std::string(kKey)}, **http, sender_clock);
  auto stale = stale_sender->post("{}", "delivery-2");
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().status(), 401);
  EXPECT_EQ(stale.error().response->body, "timestamp outside the tolerance");

  const auto requests = server.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests[0].header("Content-Type"), "application/json");
  EXPECT_THAT(requests[0].header("X-Bankrec-Signature"), ::testing::MatchesRegex("sha256=[0-9a-f]{64}"));
}

TEST(Webhook, refuses_a_short_key) {
  FixedClock clock;
  auto http = make_http_client({}, clock);
  ASSERT_OK(http);
  EXPECT_ERR(WebhookSender::create({"https://hooks.example/x", "short"}, **http, clock), Errc::invalid_input,
             HasSubstr("16 bytes"));
}

}  // namespace
}  // namespace bankrec::net
