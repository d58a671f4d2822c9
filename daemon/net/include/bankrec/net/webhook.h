#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bankrec/base/result.h"
#include "bankrec/net/http_client.h"

/// Signed webhooks. Each delivery is a JSON POST with these headers:
///
///   Content-Type: application/json
///   X-Bankrec-Delivery: <uuid>            unique per delivery attempt series (same on retries)
///   X-Bankrec-Timestamp: <unix seconds>   when this attempt was signed
///   X-Bankrec-Signature: sha256=<hex>     HMAC-SHA256(key, "<timestamp>.<delivery>.<body>")
///
/// A receiver verifies it so:
///   1. recompute the HMAC over the timestamp header, a '.', the delivery header, a '.', and the
///      raw body bytes exactly as received, with the shared key; compare in constant time;
///   2. reject when |now - timestamp| > 300 s (replay window);
///   3. reject a delivery id already seen within the window (store ids for 300 s or more).
/// verify_webhook_signature() below does 1 and 2; the receiver keeps the set for 3.
namespace bankrec::net {

inline constexpr std::chrono::seconds kWebhookTolerance{300};

/// "sha256=<64 lower-case hex>".
std::string sign_webhook(std::string_view key, std::int64_t timestamp, std::string_view delivery_id,
                         std::string_view body);

/// Checks signature and freshness. Errors: permission_denied with a reason ("bad signature",
/// "timestamp outside the tolerance", "malformed timestamp").
Result<void> verify_webhook_signature(std::string_view key, std::string_view timestamp_header,
                                      std::string_view delivery_header, std::string_view signature_header,
                                      std::string_view body, std::chrono::system_clock::time_point now,
                                      std::chrono::seconds tolerance = kWebhookTolerance);

struct WebhookConfig {
  std::string url;
  std::string key;  ///< the shared HMAC key, read from secret_file; at least 16 bytes; never logged
};

/// Posts signed JSON through an HttpClient (which owns TLS, proxy, timeouts and redaction).
class WebhookSender {
 public:
  /// Refuses an empty URL or a key shorter than 16 bytes.
  static Result<WebhookSender> create(WebhookConfig config, HttpClient& http, const Clock& clock);
  /// One attempt. `delivery_id` stays the same across retries of one notification (receivers use
  /// it to drop duplicates); empty → a fresh UUID.
  HttpResult post(std::string_view json_body, std::string delivery_id = {}) const;

 private:
  WebhookSender(WebhookConfig config, HttpClient& http, const Clock& clock)
      : config_(std::move(config)), http_(&http), clock_(&clock) {}
  WebhookConfig config_;
  HttpClient* http_;
  const Clock* clock_;
};

}  // namespace bankrec::net
