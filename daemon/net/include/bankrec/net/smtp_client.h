#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/net/http_client.h"

/// Outbound e-mail through libcurl: smtps:// (implicit TLS) or smtp:// with STARTTLS required.
/// A server that does not offer STARTTLS is refused: credentials never travel in plain text.
namespace bankrec::net {

struct SmtpConfig {
  std::string url;  ///< smtps://HOST[:465] or smtp://HOST[:587]; no path, no credentials in it
  std::string username;  ///< empty: no AUTH
  std::string password;  ///< read by the caller from a password_file; never logged
  TlsFiles tls;          ///< ca_file for a private mail server; client cert for servers that want one
  std::string helo_domain = "bankrec.localdomain";  ///< EHLO name and the Message-ID domain
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
};

struct MailAddress {
  std::string address;       ///< addr-spec, ASCII: local@domain
  std::string display_name;  ///< optional, UTF-8 (RFC 2047-encoded when not plain ASCII)
};

struct MailMessage {
  MailAddress from;
  std::vector<MailAddress> to;
  std::string subject;    ///< UTF-8
  std::string text_body;  ///< UTF-8, the text/plain part
  std::string html_body;  ///< UTF-8, the text/html part; empty → a single text/plain message
  Headers extra_headers;  ///< e.g. X-Bankrec-Alert; names [A-Za-z0-9-], values without CR/LF
};

/// Checks an addr-spec: ASCII, one '@', a non-empty local part and a dotted-or-single-label domain,
/// no spaces, angle brackets, quotes or control characters, at most 254 bytes.
Result<void> validate_mail_address(std::string_view address);

/// An RFC 2047 encoded-word ("=?UTF-8?B?...?=", split to keep lines short) when `text` is not
/// printable ASCII, else `text` itself.
std::string encode_header_word(std::string_view text);

/// The full RFC 5322 message with CRLF line ends: Date, Message-ID, From, To, Subject,
/// MIME-Version, and multipart/alternative (text then HTML, quoted-printable, UTF-8) or a single
/// text/plain part. Dot-stuffing is left to the transport.
Result<std::string> build_mime_message(const MailMessage& message, std::chrono::system_clock::time_point date,
                                       const std::string& message_id, const std::string& boundary);

struct SmtpSendResult {
  std::string message_id;  ///< "<...@helo_domain>" as written in the Message-ID header
};

class SmtpClient {
 public:
  virtual ~SmtpClient() = default;
  /// Sends one message to every recipient in `message.to`. Errors: invalid_input (bad address,
  /// header injection, recipient refused), permission_denied (auth failed), unavailable (network,
  /// timeout, TLS, STARTTLS not offered, temporary server failure: retry later).
  virtual Result<SmtpSendResult> send(const MailMessage& message) = 0;
};

/// The libcurl implementation; validates the URL (scheme, host, no credentials) and the TLS files.
Result<std::unique_ptr<SmtpClient>> make_smtp_client(const SmtpConfig& config, const Clock& clock);

}  // namespace bankrec::net
