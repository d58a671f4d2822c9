#include "bankrec/net/webhook.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

#include "bankrec/base/text.h"

namespace bankrec::net {
namespace {

std::string hmac_hex(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

}  // namespace

std::string sign_webhook(std::string_view key, std::int64_t timestamp, std::string_view delivery_id,
                         std::string_view body) {
  std::string message = std::to_string(timestamp);
  message += '.';
  message += delivery_id;
  message += '.';
  message += body;
  return "sha256=" + hmac_hex(key, message);
}

Result<void> verify_webhook_signature(std::string_view key, std::string_view timestamp_header,
                                      std::string_view delivery_header, std::string_view signature_header,
                                      std::string_view body, std::chrono::system_clock::time_point now,
                                      std::chrono::seconds tolerance) {
  timestamp_header = text::trim(timestamp_header);
  std::int64_t ts = 0;
  const auto [p, ec] = std::from_chars(timestamp_header.data(), timestamp_header.data() + timestamp_header.size(), ts);
  if (timestamp_header.empty() || timestamp_header.size() > 12 || ec != std::errc() ||
      p != timestamp_header.data() + timestamp_header.size())
    return fail(Errc::permission_denied, "malformed timestamp");
  const std::string expected = sign_webhook(key, ts, delivery_header, body);
  signature_header = text::trim(signature_header);
  if (signature_header.size() != expected.size() ||
      CRYPTO_memcmp(signature_header.data(), expected.data(), expected.size()) != 0)
    return fail(Errc::permission_denied, "bad signature");
  const auto sent = std::chrono::system_clock::time_point(std::chrono::seconds{ts});
  const auto skew = sent > now ? sent - now : now - sent;
  if (skew > tolerance) return fail(Errc::permission_denied, "timestamp outside the tolerance");
  return ok();
}

Result<WebhookSender> WebhookSender::create(WebhookConfig config, HttpClient& http, const Clock& clock) {
  if (config.url.empty()) return fail(Errc::invalid_input, "webhook url is empty");
  if (config.key.size() < 16) return fail(Errc::invalid_input, "webhook key shorter than 16 bytes");
  return WebhookSender(std::move(config), http, clock);
}

HttpResult WebhookSender::post(std::string_view json_body, std::string delivery_id) const {
  if (delivery_id.empty()) delivery_id = make_request_id();
  const std::int64_t ts =
      std::chrono::duration_cast<std::chrono::seconds>(clock_->now().time_since_epoch()).count();
  HttpRequest request;
  request.method = "POST";
  request.url = config_.url;
  request.body = std::string(json_body);
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Bankrec-Delivery", delivery_id},
                     {"X-Bankrec-Timestamp", std::to_string(ts)},
                     {"X-Bankrec-Signature", sign_webhook(config_.key, ts, delivery_id, json_body)}};
  return http_->send(request);
}

}  // namespace bankrec::net
