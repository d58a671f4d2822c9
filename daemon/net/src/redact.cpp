#include "bankrec/net/redact.h"

#include <array>
#include <cctype>
#include <string>

#include "bankrec/base/text.h"

namespace bankrec::net {
namespace {

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
  return text::to_lower_ascii(haystack).find(needle) != std::string::npos;
}

/// Keys whose value is a secret whatever the separator.
constexpr std::array<std::string_view, 21> kSecretKeys = {
    "access_token", "refresh_token", "id_token", "token",  "client_secret", "client_assertion", "password",
    "passwd",       "pass",          "secret",   "api_key", "apikey",       "pin",              "otp",
    "tan",          "code_verifier", "assertion", "authorization", "pwd", "private_key", "session"};
constexpr std::array<std::string_view, 8> kSecretSuffixes = {"_password", "_secret", "_token", "_key",
                                                             "-password", "-secret", "-token", "-key"};

bool is_secret_key(std::string_view key, char separator) {
  const std::string k = text::to_lower_ascii(key);
  if (k == "code") return separator == '=';  // OAuth authorization code; "code": in JSON is an error code
  for (const auto s : kSecretKeys)
    if (k == s) return true;
  for (const auto s : kSecretSuffixes)
    if (k.size() > s.size() && k.ends_with(s)) return true;
  return false;
}

bool is_value_end(char c) {
  return c == '&' || c == ',' || c == ';' || c == '"' || c == '\'' || c == '}' || c == ']' || c == '<' ||
         c == '>' || std::isspace(static_cast<unsigned char>(c)) != 0;
}

/// "Bearer X" / "Basic X" → "Bearer <redacted>".
std::string redact_auth_schemes(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    std::size_t word = 0;
    for (const std::string_view scheme : {std::string_view("bearer"), std::string_view("basic")}) {
      if (in.size() - i > scheme.size() && text::iequals_ascii(in.substr(i, scheme.size()), scheme) &&
          (i == 0 || !is_key_char(in[i - 1])) && (in[i + scheme.size()] == ' ' || in[i + scheme.size()] == '\t'))
        word = scheme.size();
    }
    if (word == 0) {
      out += in[i++];
      continue;
    }
    std::size_t j = i + word;
    while (j < in.size() && (in[j] == ' ' || in[j] == '\t')) ++j;
    std::size_t end = j;
    while (end < in.size() && !std::isspace(static_cast<unsigned char>(in[end])) && in[end] != '"' &&
           in[end] != '\'' && in[end] != ',')
      ++end;
    out.append(in.substr(i, j - i));
    if (end > j) out += kRedacted;
    i = end;
  }
  return out;
}

/// scheme://user:password@host → scheme://user:<redacted>@host
std::string redact_userinfo(std::string_view in) {
  std::string out;
  std::size_t i = 0;
  while (true) {
    const std::size_t sep = in.find("://", i);
    if (sep == std::string_view::npos) break;
    const std::size_t start = sep + 3;
    std::size_t end = start;
    while (end < in.size() && in[end] != '/' && in[end] != '?' && in[end] != '#' &&
           !std::isspace(static_cast<unsigned char>(in[end])) && in[end] != '"')
      ++end;
    const std::string_view authority = in.substr(start, end - start);
    const std::size_t at = authority.rfind('@');
    out.append(in.substr(i, start - i));
    if (at != std::string_view::npos) {
      const std::string_view userinfo = authority.substr(0, at);
      const std::size_t colon = userinfo.find(':');
      out.append(userinfo.substr(0, colon == std::string_view::npos ? userinfo.size() : colon));
      if (colon != std::string_view::npos) {
        out += ':';
        out += kRedacted;
      }
      out.append(authority.substr(at));
    } else {
      out.append(authority);
    }
    i = end;
  }
  out.append(in.substr(i));
  return out;
}

/// key=value, key: value, "key": "value" → the value redacted when the key is secret.
std::string redact_key_values(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t copied = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char sep = in[i];
    if (sep != '=' && sep != ':') continue;
    // the key before the separator, past spaces and one closing quote
    std::size_t k_end = i;
    while (k_end > copied && (in[k_end - 1] == ' ' || in[k_end - 1] == '\t')) --k_end;
    if (k_end > copied && (in[k_end - 1] == '"' || in[k_end - 1] == '\'')) --k_end;
    std::size_t k_start = k_end;
    while (k_start > copied && is_key_char(in[k_start - 1])) --k_start;
    if (k_start == k_end || !is_secret_key(in.substr(k_start, k_end - k_start), sep)) continue;
    // the value after it
    std::size_t v = i + 1;
    while (v < in.size() && (in[v] == ' ' || in[v] == '\t')) ++v;
    if (sep == ':' && v + 1 < in.size() && in[v] == '/' && in[v + 1] == '/') continue;  // a URL scheme
    std::size_t v_end = v;
    if (v < in.size() && (in[v] == '"' || in[v] == '\'')) {
      const char quote = in[v++];
      v_end = v;
      while (v_end < in.size() && in[v_end] != quote) v_end += (in[v_end] == '\\' && v_end + 1 < in.size()) ? 2 : 1;
      v_end = std::min(v_end, in.size());
    } else {
      while (v_end < in.size() && !is_value_end(in[v_end])) ++v_end;
    }
    if (v_end == v) continue;
    out.append(in.substr(copied, v - copied));
    out += kRedacted;
    copied = v_end;
    i = v_end == 0 ? 0 : v_end - 1;
  }
  out.append(in.substr(copied));
  return out;
}

}  // namespace

bool is_secret_header(std::string_view name) {
  const std::string n = text::to_lower_ascii(name);
  if (n == "authorization" || n == "proxy-authorization" || n == "cookie" || n == "set-cookie") return true;
  for (const std::string_view part : {"secret", "token", "password", "api-key", "apikey", "signature", "session"})
    if (contains_ci(n, part)) return true;
  return false;
}

std::string redact_header(std::string_view name, std::string_view value) {
  std::string line(name);
  line += ": ";
  if (is_secret_header(name)) line += kRedacted;
  else line += redact(value);
  return line;
}

std::string redact(std::string_view text) {
  return redact_key_values(redact_userinfo(redact_auth_schemes(text)));
}

}  // namespace bankrec::net
