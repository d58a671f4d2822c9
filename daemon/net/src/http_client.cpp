#include "bankrec/net/http_client.h"

#include <algorithm>
#include <array>
#include <string>

#include "bankrec/base/text.h"
#include "bankrec/net/redact.h"
#include "curl_global.h"

namespace bankrec::net {
namespace {

using namespace std::chrono;
using detail::EasyHandle;
using detail::Slist;

constexpr std::size_t kMaxUrlBytes = 8 * 1024;
constexpr std::size_t kMaxRequestHeaders = 100;
constexpr std::size_t kMaxResponseHeaders = 200;

/// Per-transfer state that curl's callbacks write into.
struct Transfer {
  std::string body;
  Headers headers;
  std::size_t max_body = 0;
  std::size_t max_header_bytes = 0;
  std::size_t header_bytes = 0;
  bool body_too_large = false;
  bool headers_too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t->body.size() + n > t->max_body) {
    t->body_too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  t->header_bytes += n;
  if (t->header_bytes > t->max_header_bytes || t->headers.size() >= kMaxResponseHeaders) {
    t->headers_too_large = true;
    return 0;
  }
  const std::string_view line = text::trim(std::string_view(data, n));
  if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue or a proxy CONNECT): start over
    t->headers.clear();
    return n;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;
  t->headers.emplace_back(std::string(text::trim(line.substr(0, colon))), std::string(text::trim(line.substr(colon + 1))));
  return n;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool has_crlf_or_nul(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; }

HttpError make_error(HttpErrc code, std::string message, std::string request_id = {}) {
  return HttpError{code, redact(message), std::move(request_id), std::nullopt};
}

HttpErrc classify(CURLcode rc, std::string_view detail) {
  // With TLS 1.3 a server refuses a client certificate after the client considers the handshake
  // done: curl then reports a read error carrying the TLS alert.
  if ((rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR) &&
      (detail.find("alert") != std::string_view::npos || detail.find("certificate") != std::string_view::npos))
    return HttpErrc::tls;
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT: return HttpErrc::timeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_USE_SSL_FAILED: return HttpErrc::tls;
    case CURLE_FILESIZE_EXCEEDED: return HttpErrc::too_large;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT: return HttpErrc::invalid_request;
    default: return HttpErrc::network;
  }
}

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient(HttpClientConfig config, const Clock& clock, HttpExchangeLogger logger)
      : config_(std::move(config)), clock_(clock), logger_(std::move(logger)) {}

  HttpResult send(const HttpRequest& request) override {
    const auto start = clock_.steady_now();
    std::string request_id;
    if (const auto given = find_header(request.headers, "X-Request-ID"); given && !given->empty())
      request_id = std::string(*given);
    else
      request_id = make_request_id();
    HttpResult result = perform(request, request_id);
    const auto elapsed = duration_cast<milliseconds>(clock_.steady_now() - start);
    if (result) result->elapsed = elapsed;
    if (logger_) {
      HttpExchangeLog log{request.method, redact(request.url), request_id, 0, std::nullopt, {}, elapsed};
      if (result) log.status = result->status;
      else {
        log.status = result.error().status();
        log.error = result.error().code;
        log.error_message = result.error().message;
      }
      logger_(log);
    }
    return result;
  }

 private:
  HttpResult perform(const HttpRequest& request, const std::string& request_id) {
    if (auto bad = validate(request)) return std::move(*bad);
    EasyHandle curl(curl_easy_init());
    if (!curl) return make_error(HttpErrc::network, "cannot create a curl handle", request_id);

    Transfer t;
    t.max_body = std::min(request.max_response_bytes.value_or(config_.max_response_bytes), config_.max_response_bytes);
    t.max_header_bytes = config_.max_header_bytes;
    Slist headers;
    bool ok_list = detail::slist_append(headers, "X-Request-ID: " + request_id);
    bool has_expect = false;
    for (const auto& [name, value] : request.headers) {
      if (text::iequals_ascii(name, "X-Request-ID")) continue;
      if (text::iequals_ascii(name, "Expect")) has_expect = true;
      ok_list = ok_list && detail::slist_append(headers, name + ": " + value);
    }
    if (!has_expect) ok_list = ok_list && detail::slist_append(headers, "Expect:");  // no 100-continue round trip
    if (!ok_list) return make_error(HttpErrc::network, "out of memory building headers", request_id);

    char errbuf[CURL_ERROR_SIZE] = {};
    CURLcode rc = CURLE_OK;
    auto set = [&](CURLoption opt, auto value) {
      if (rc == CURLE_OK) rc = curl_easy_setopt(curl.get(), opt, value);
    };
    CURL* c = curl.get();
    set(CURLOPT_ERRORBUFFER, errbuf);
    set(CURLOPT_URL, request.url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_FOLLOWLOCATION, 0L);
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_HTTPHEADER, headers.get());
    set(CURLOPT_USERAGENT, config_.user_agent.c_str());
    set(CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate/br as libcurl supports; the limit applies decoded
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout.count()));
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.value_or(config_.total_timeout).count()));
    set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t.max_body));
    set(CURLOPT_WRITEFUNCTION, &on_body);
    set(CURLOPT_WRITEDATA, &t);
    set(CURLOPT_HEADERFUNCTION, &on_header);
    set(CURLOPT_HEADERDATA, &t);
    set(CURLOPT_PROXY, config_.proxy.c_str());  // "" disables proxies, including *_proxy variables
    if (!config_.proxy.empty()) {
      const std::string& proxy_ca = config_.proxy_ca_file.empty() ? config_.tls.ca_file : config_.proxy_ca_file;
      if (!proxy_ca.empty()) set(CURLOPT_PROXY_CAINFO, proxy_ca.c_str());
      set(CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
      set(CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
      if (!config_.no_proxy.empty()) set(CURLOPT_NOPROXY, config_.no_proxy.c_str());
    }
    if (rc == CURLE_OK) rc = detail::apply_tls(c, config_.tls);
    apply_method(request, set);
    if (rc != CURLE_OK)
      return make_error(HttpErrc::invalid_request, std::string("cannot set up the request: ") + curl_easy_strerror(rc),
                        request_id);

    rc = curl_easy_perform(c);
    if (t.body_too_large || rc == CURLE_FILESIZE_EXCEEDED)
      return make_error(HttpErrc::too_large,
                        "response larger than " + std::to_string(t.max_body) + " bytes from " + request.url, request_id);
    if (t.headers_too_large)
      return make_error(HttpErrc::too_large, "response headers too large from " + request.url, request_id);
    if (rc != CURLE_OK) {
      const std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
      return make_error(classify(rc, detail), request.method + " " + request.url + ": " + detail, request_id);
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    HttpResponse response;
    response.status = static_cast<int>(status);
    response.headers = std::move(t.headers);
    response.body = std::move(t.body);
    response.request_id = request_id;
    if (const auto ra = response.header("Retry-After")) response.retry_after = parse_retry_after(*ra, clock_.now());
    if (response.is_success()) return response;
    HttpError error = make_error(HttpErrc::http_status,
                                 request.method + " " + request.url + " answered " + std::to_string(status), request_id);
    error.response = std::move(response);
    return error;
  }

  template <class Set>
  static void apply_method(const HttpRequest& request, Set& set) {
    if (request.method == "GET") {
      set(CURLOPT_HTTPGET, 1L);
      return;
    }
    if (request.method == "HEAD") {
      set(CURLOPT_NOBODY, 1L);
      return;
    }
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    set(CURLOPT_POSTFIELDS, request.body.data());
    if (request.method != "POST") set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  std::optional<HttpError> validate(const HttpRequest& request) const {
    static constexpr std::array<std::string_view, 6> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};
    if (std::find(kMethods.begin(), kMethods.end(), request.method) == kMethods.end())
      return make_error(HttpErrc::invalid_request, "unsupported method '" + request.method.substr(0, 16) + "'");
    if (request.url.size() > kMaxUrlBytes || has_crlf_or_nul(request.url) || request.url.find(' ') != std::string::npos)
      return make_error(HttpErrc::invalid_request, "malformed url");
    std::string scheme;
    const std::string host = detail::url_host(request.url, &scheme);
    if (host.empty()) return make_error(HttpErrc::invalid_request, "malformed url '" + request.url + "'");
    if (scheme != "https" && !(scheme == "http" && config_.allow_plain_http_loopback && detail::is_loopback_host(host)))
      return make_error(HttpErrc::invalid_request, "refusing " + scheme + ":// to '" + host + "': https is required");
    if (request.headers.size() > kMaxRequestHeaders) return make_error(HttpErrc::invalid_request, "too many headers");
    for (const auto& [name, value] : request.headers) {
      if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char))
        return make_error(HttpErrc::invalid_request, "invalid header name '" + name.substr(0, 64) + "'");
      if (has_crlf_or_nul(value))
        return make_error(HttpErrc::invalid_request, "header '" + name + "' contains a line break");
    }
    if ((request.method == "GET" || request.method == "HEAD") && !request.body.empty())
      return make_error(HttpErrc::invalid_request, request.method + " with a body");
    return std::nullopt;
  }

  const HttpClientConfig config_;
  const Clock& clock_;
  const HttpExchangeLogger logger_;
};

}  // namespace

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (text::iequals_ascii(n, name)) return std::string_view(v);
  return std::nullopt;
}

Result<std::unique_ptr<HttpClient>> make_http_client(const HttpClientConfig& config, const Clock& clock,
                                                     HttpExchangeLogger logger) {
  BANKREC_TRY(detail::ensure_curl());
  BANKREC_TRY(detail::check_tls_files(config.tls));
  if (!config.proxy_ca_file.empty()) BANKREC_TRY(detail::check_tls_files(TlsFiles{config.proxy_ca_file, {}, {}}));
  if (!config.proxy.empty()) {
    std::string scheme;
    if (detail::url_host(config.proxy, &scheme).empty() || (scheme != "http" && scheme != "https"))
      return fail(Errc::invalid_input, "expected an http:// or https:// proxy url", redact(config.proxy));
  }
  if (config.connect_timeout.count() <= 0 || config.total_timeout.count() <= 0)
    return fail(Errc::invalid_input, "timeouts must be positive");
  if (config.max_response_bytes == 0 || config.max_header_bytes < 1024)
    return fail(Errc::invalid_input, "response limits too small");
  if (has_crlf_or_nul(config.user_agent)) return fail(Errc::invalid_input, "invalid user agent");
  return std::unique_ptr<HttpClient>(std::make_unique<CurlHttpClient>(config, clock, std::move(logger)));
}

}  // namespace bankrec::net
