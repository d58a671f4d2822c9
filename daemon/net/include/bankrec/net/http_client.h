#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"

/// Outbound HTTP(S) for bank connectors and webhooks. libcurl stays in src/: callers see plain values.
/// TLS peer and host verification are always on; there is deliberately no switch to turn them off.
namespace bankrec::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// Case-insensitive lookup of the first header called `name`; nullopt when absent.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

/// TLS material, all PEM files. Empty paths mean "not used" (the system CA store for `ca_file`).
struct TlsFiles {
  std::string ca_file;           ///< trust anchors for the server (replaces the system store when set)
  std::string client_cert_file;  ///< client certificate for mutual TLS (PSD2 eIDAS QWAC), with its chain
  std::string client_key_file;   ///< its private key (unencrypted PEM, mode 0600)
};

struct HttpClientConfig {
  TlsFiles tls;
  /// "http://proxy:3128" or "https://proxy:3129" (user:password@ allowed, redacted in logs).
  /// Empty: no proxy at all, and the *_proxy environment variables are ignored too.
  std::string proxy;
  std::string proxy_ca_file;  ///< CA of an https:// proxy; defaults to tls.ca_file
  std::string no_proxy;       ///< comma-separated hosts that bypass the proxy
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
  std::size_t max_response_bytes = 16 * 1024 * 1024;  ///< body; the transfer is aborted beyond it
  std::size_t max_header_bytes = 64 * 1024;           ///< all response headers together
  std::string user_agent = "bankrec/0.1";             ///< some banks (N26) refuse requests without one
  /// Plain http:// is refused except to loopback hosts (127.0.0.1, ::1, localhost).
  bool allow_plain_http_loopback = true;
};

struct HttpRequest {
  std::string method = "GET";  ///< GET, POST, PUT, PATCH, DELETE, HEAD
  std::string url;
  Headers headers;  ///< an X-Request-ID given here is kept; otherwise a fresh UUID is sent
  std::string body;
  std::optional<std::chrono::milliseconds> total_timeout;  ///< overrides the client's for this request
  std::optional<std::size_t> max_response_bytes;          ///< overrides the client's (can only lower it)
};

struct HttpResponse {
  int status = 0;
  Headers headers;  ///< of the final response, names as sent
  std::string body;
  std::string request_id;  ///< the X-Request-ID we sent, for connection logs
  std::optional<std::chrono::seconds> retry_after;  ///< parsed Retry-After (seconds or HTTP-date)
  std::chrono::milliseconds elapsed{0};

  bool is_success() const { return status >= 200 && status < 300; }
  std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
};

/// What went wrong, coarse enough for a retry policy.
enum class HttpErrc : std::uint8_t {
  invalid_request,  ///< bad URL, scheme, method, header: a bug or bad config, never retried
  network,          ///< DNS, connect refused/reset, proxy failure, broken transfer: retry
  tls,              ///< handshake, unknown CA, host name mismatch, client certificate refused: config
  timeout,          ///< connect or total timeout: retry
  too_large,        ///< response beyond max_response_bytes or max_header_bytes: never retried
  http_status,      ///< the server answered with a non-2xx status (see `response`)
};

/// Stable lower-case name ("network", "tls", ...), for logs and metrics labels.
const char* http_errc_name(HttpErrc code) noexcept;

struct HttpError {
  HttpErrc code = HttpErrc::network;
  std::string message;     ///< lower-case, redacted: safe to log
  std::string request_id;  ///< empty when no request was sent
  std::optional<HttpResponse> response;  ///< set for http_status (status, headers, body)

  int status() const { return response ? response->status : 0; }
  std::optional<std::chrono::seconds> retry_after() const {
    return response ? response->retry_after : std::nullopt;
  }
  /// Worth retrying later: network, timeout, and statuses 408, 425, 429, 500, 502, 503, 504.
  bool is_retryable() const;
  /// The generic error (network/timeout/5xx/429 unavailable, tls/too_large/4xx invalid_input, ...).
  Error to_error() const;
};

/// Either a response or an HttpError (shaped like Result<HttpResponse>).
class [[nodiscard]] HttpResult {
 public:
  HttpResult(HttpResponse response) : v_(std::move(response)) {}
  HttpResult(HttpError error) : v_(std::move(error)) {}
  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  HttpResponse& value() & { return std::get<0>(v_); }
  const HttpResponse& value() const& { return std::get<0>(v_); }
  HttpResponse&& value() && { return std::get<0>(std::move(v_)); }
  const HttpResponse* operator->() const { return &value(); }
  HttpResponse* operator->() { return &value(); }
  const HttpError& error() const& { return std::get<1>(v_); }
  HttpError&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<HttpResponse, HttpError> v_;
};

/// One line per exchange for connection logs, already redacted.
struct HttpExchangeLog {
  std::string method;
  std::string url;  ///< redacted
  std::string request_id;
  int status = 0;                  ///< 0 when no response
  std::optional<HttpErrc> error;   ///< set when the exchange failed
  std::string error_message;       ///< redacted
  std::chrono::milliseconds elapsed{0};

  /// "http method=GET url=... status=200 request_id=... elapsed_ms=12" (plus error=... message=...).
  std::string to_string() const;
};
using HttpExchangeLogger = std::function<void(const HttpExchangeLog&)>;

/// Blocking client; send() may be called from several threads at once.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  /// Transport errors and non-2xx statuses both come back as HttpError (http_status carries the
  /// response, so a connector can read a bank's error body).
  virtual HttpResult send(const HttpRequest& request) = 0;
};

/// The libcurl implementation. Checks that the TLS files exist and are readable; `clock` dates
/// Retry-After, `logger` (optional) receives one redacted line per exchange.
Result<std::unique_ptr<HttpClient>> make_http_client(const HttpClientConfig& config, const Clock& clock,
                                                     HttpExchangeLogger logger = {});

/// Retry-After as a delay from `now`: delta-seconds ("120") or an HTTP-date
/// ("Wed, 21 Oct 2015 07:28:00 GMT", also the obsolete RFC 850 and asctime forms). A date in the
/// past gives 0 s; anything malformed, negative or absurd (more than 30 days) gives nullopt.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

/// A random RFC 4122 version 4 UUID ("7f0c1b2e-4a57-4e3f-9a0d-1b2c3d4e5f60") from the OS CSPRNG.
std::string make_request_id();

}  // namespace bankrec::net
