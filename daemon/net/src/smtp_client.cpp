#include "bankrec/net/smtp_client.h"

#include <algorithm>
#include <cstring>

#include "bankrec/net/redact.h"
#include "curl_global.h"
#include "random.h"

namespace bankrec::net {
namespace {

using detail::EasyHandle;
using detail::Slist;

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* u = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, u->data.size() - u->offset);
  std::memcpy(buffer, u->data.data() + u->offset, n);
  u->offset += n;
  return n;
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

Unexpected smtp_error(CURLcode rc, long reply, const char* errbuf, const std::string& where) {
  const std::string detail = redact(errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
  const std::string suffix = reply > 0 ? " (smtp reply " + std::to_string(reply) + ")" : "";
  switch (rc) {
    case CURLE_LOGIN_DENIED: return fail(Errc::permission_denied, "smtp authentication failed: " + detail + suffix, where);
    case CURLE_USE_SSL_FAILED:
      return fail(Errc::unavailable, "smtp server does not offer starttls; refusing to send in plain text" + suffix, where);
    default: break;
  }
  if (reply >= 500 && reply < 600)
    return fail(Errc::invalid_input, "smtp server refused the message: " + detail + suffix, where);
  return fail(Errc::unavailable, "smtp delivery failed: " + detail + suffix, where);
}

class CurlSmtpClient final : public SmtpClient {
 public:
  CurlSmtpClient(SmtpConfig config, const Clock& clock) : config_(std::move(config)), clock_(clock) {}

  Result<SmtpSendResult> send(const MailMessage& message) override {
    const std::string message_id = "<" + detail::random_hex(16) + "@" + config_.helo_domain + ">";
    const std::string boundary = "=_bankrec_" + detail::random_hex(12);
    const std::string mime = BANKREC_TRY(build_mime_message(message, clock_.now(), message_id, boundary));

    EasyHandle curl(curl_easy_init());
    if (!curl) return fail(Errc::internal, "cannot create a curl handle");
    Slist rcpts;
    for (const auto& to : message.to)
      if (!detail::slist_append(rcpts, "<" + to.address + ">")) return fail(Errc::internal, "out of memory");
    const std::string from = "<" + message.from.address + ">";
    const std::string url = config_.url + "/" + config_.helo_domain;  // curl sends the path as the EHLO name
    Upload upload{mime, 0};
    char errbuf[CURL_ERROR_SIZE] = {};
    CURLcode rc = CURLE_OK;
    auto set = [&](CURLoption opt, auto value) {
      if (rc == CURLE_OK) rc = curl_easy_setopt(curl.get(), opt, value);
    };
    set(CURLOPT_ERRORBUFFER, errbuf);
    set(CURLOPT_URL, url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    set(CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));  // STARTTLS or fail; never plain text
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_PROXY, "");
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout.count()));
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(config_.total_timeout.count()));
    set(CURLOPT_MAIL_FROM, from.c_str());
    set(CURLOPT_MAIL_RCPT, rcpts.get());
    set(CURLOPT_UPLOAD, 1L);
    set(CURLOPT_READFUNCTION, &on_read);
    set(CURLOPT_READDATA, &upload);
    set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mime.size()));
    set(CURLOPT_WRITEFUNCTION, &discard);
    if (!config_.username.empty()) {
      set(CURLOPT_USERNAME, config_.username.c_str());
      set(CURLOPT_PASSWORD, config_.password.c_str());
    }
    if (rc == CURLE_OK) rc = detail::apply_tls(curl.get(), config_.tls);
    if (rc != CURLE_OK) return fail(Errc::internal, std::string("cannot set up smtp: ") + curl_easy_strerror(rc));

    rc = curl_easy_perform(curl.get());
    if (rc != CURLE_OK) {
      long reply = 0;
      curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply);
      return smtp_error(rc, reply, errbuf, redact(config_.url));
    }
    return SmtpSendResult{message_id};
  }

 private:
  const SmtpConfig config_;
  const Clock& clock_;
};

Result<void> validate_url(const std::string& url) {
  std::string scheme;
  const std::string host = detail::url_host(url, &scheme);
  if (host.empty() || (scheme != "smtp" && scheme != "smtps"))
    return fail(Errc::invalid_input, "expected smtps://HOST[:PORT] or smtp://HOST[:PORT]", redact(url));
  const std::size_t authority = url.find("://") + 3;
  const std::string_view rest = std::string_view(url).substr(authority);
  if (rest.find('@') != std::string_view::npos)
    return fail(Errc::invalid_input, "credentials belong in username and password_file, not in the url", redact(url));
  if (rest.find_first_of("/?#") != std::string_view::npos)
    return fail(Errc::invalid_input, "the smtp url takes no path or query", redact(url));
  return ok();
}

}  // namespace

Result<std::unique_ptr<SmtpClient>> make_smtp_client(const SmtpConfig& config, const Clock& clock) {
  BANKREC_TRY(detail::ensure_curl());
  BANKREC_TRY(validate_url(config.url));
  BANKREC_TRY(detail::check_tls_files(config.tls));
  if (config.helo_domain.empty() || config.helo_domain.size() > 253 ||
      config.helo_domain.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
          std::string::npos)
    return fail(Errc::invalid_input, "invalid helo domain '" + config.helo_domain.substr(0, 64) + "'");
  if (!config.username.empty() && config.password.empty())
    return fail(Errc::invalid_input, "smtp username given without a password");
  if (config.username.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos ||
      config.password.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
    return fail(Errc::invalid_input, "smtp credentials contain a line break");
  if (config.connect_timeout.count() <= 0 || config.total_timeout.count() <= 0)
    return fail(Errc::invalid_input, "timeouts must be positive");
  return std::unique_ptr<SmtpClient>(std::make_unique<CurlSmtpClient>(config, clock));
}

}  // namespace bankrec::net
