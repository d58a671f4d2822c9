#include "mime.h"

#include <ctime>
#include <string>

#include "bankrec/base/text.h"
#include "bankrec/net/smtp_client.h"

namespace bankrec::net {
namespace detail {

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8 |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t line_len = 0;
  auto emit = [&](std::string_view piece) {
    if (line_len + piece.size() > 75) {  // 75 + the soft-break '=' = 76
      out += "=\r\n";
      line_len = 0;
    }
    out += piece;
    line_len += piece.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;  // CRLF handled at '\n'
    if (c == '\n' || c == '\r') {
      out += "\r\n";
      line_len = 0;
      continue;
    }
    const bool at_line_end = i + 1 == text.size() || text[i + 1] == '\n' || text[i + 1] == '\r';
    const bool plain = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    if (plain) {
      const char ch = static_cast<char>(c);
      emit(std::string_view(&ch, 1));
    } else {
      const char enc[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      emit(std::string_view(enc, 3));
    }
  }
  return out;
}

}  // namespace detail

namespace {

bool is_plain_ascii(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 32 || c > 126) return false;
  }
  return true;
}

bool has_line_break(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; }

/// RFC 5322 display name: a quoted string when ASCII, else encoded words.
std::string format_address(const MailAddress& a) {
  if (a.display_name.empty()) return "<" + a.address + ">";
  if (!is_plain_ascii(a.display_name)) return encode_header_word(a.display_name) + " <" + a.address + ">";
  std::string quoted = "\"";
  for (const char c : a.display_name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\" <" + a.address + ">";
}

std::string rfc5322_date(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);  // C locale names in the daemon
  return buf;
}

}  // namespace

Result<void> validate_mail_address(std::string_view a) {
  if (a.empty() || a.size() > 254) return fail(Errc::invalid_input, "invalid e-mail address length");
  const std::size_t at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at != a.rfind('@') || at + 1 == a.size() || at > 64)
    return fail(Errc::invalid_input, "invalid e-mail address '" + std::string(a) + "'");
  for (const char ch : a) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 32 || c >= 127 || std::string_view("<>()[]\\,;:\"").find(ch) != std::string_view::npos)
      return fail(Errc::invalid_input, "invalid character in e-mail address '" + std::string(a) + "'");
  }
  const std::string_view domain = a.substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos ||
      a.substr(0, at).front() == '.' || a.substr(0, at).back() == '.')
    return fail(Errc::invalid_input, "invalid e-mail address '" + std::string(a) + "'");
  return ok();
}

std::string encode_header_word(std::string_view text) {
  if (is_plain_ascii(text)) return std::string(text);
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = std::min(text.size(), i + 39);  // 39 bytes → 52 base64 chars: 64 with the wrapper,
    // 73 after "Subject: ", within the 78 of RFC 5322
    while (end < text.size() && end > i && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + detail::base64(text.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

Result<std::string> build_mime_message(const MailMessage& m, std::chrono::system_clock::time_point date,
                                       const std::string& message_id, const std::string& boundary) {
  constexpr std::size_t kMaxBody = 4 * 1024 * 1024;
  BANKREC_TRY(validate_mail_address(m.from.address));
  if (m.to.empty()) return fail(Errc::invalid_input, "a message needs at least one recipient");
  if (m.to.size() > 100) return fail(Errc::invalid_input, "too many recipients");
  for (const auto& t : m.to) BANKREC_TRY(validate_mail_address(t.address));
  for (const std::string_view s : {std::string_view(m.subject), std::string_view(m.from.display_name)})
    if (has_line_break(s)) return fail(Errc::invalid_input, "line break in a header value");
  for (const auto& t : m.to)
    if (has_line_break(t.display_name)) return fail(Errc::invalid_input, "line break in a header value");
  for (const std::string_view s : {std::string_view(m.subject), std::string_view(m.text_body), std::string_view(m.html_body)})
    if (!text::is_valid_utf8(s)) return fail(Errc::invalid_input, "message text is not valid utf-8");
  if (m.text_body.size() + m.html_body.size() > kMaxBody) return fail(Errc::invalid_input, "message too large");
  if (m.subject.size() > 998) return fail(Errc::invalid_input, "subject too long");
  for (const auto& [name, value] : m.extra_headers) {
    if (name.empty() || name.size() > 64 || name.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
      return fail(Errc::invalid_input, "invalid header name '" + name.substr(0, 64) + "'");
    if (has_line_break(value) || !is_plain_ascii(value) || value.size() > 900)
      return fail(Errc::invalid_input, "invalid value for header '" + name + "'");
  }
  if (boundary.size() < 16 || boundary.size() > 70 || !is_plain_ascii(boundary))
    return fail(Errc::internal, "invalid mime boundary");

  std::string out;
  out += "Date: " + rfc5322_date(date) + "\r\n";
  out += "Message-ID: " + message_id + "\r\n";
  out += "From: " + format_address(m.from) + "\r\n";
  out += "To: ";
  for (std::size_t i = 0; i < m.to.size(); ++i) out += (i ? ",\r\n " : "") + format_address(m.to[i]);
  out += "\r\n";
  out += "Subject: " + encode_header_word(m.subject) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Auto-Submitted: auto-generated\r\n";  // RFC 3834: no auto-replies to alerts
  for (const auto& [name, value] : m.extra_headers) out += name + ": " + value + "\r\n";
  const std::string text_part = "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
                                detail::quoted_printable(m.text_body) + "\r\n";
  if (m.html_body.empty()) return out + text_part;
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "This is a multi-part message in MIME format.\r\n";
  out += "--" + boundary + "\r\n" + text_part;
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += detail::quoted_printable(m.html_body) + "\r\n";
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace bankrec::net
