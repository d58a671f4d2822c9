#pragma once

#include <string>
#include <string_view>

/// Redaction: every log line about an outbound request (URL, headers, bodies, error messages)
/// goes through these functions, so that credentials never reach journald or the connection log.
namespace bankrec::net {

inline constexpr std::string_view kRedacted = "<redacted>";

/// True for headers whose values are secrets: Authorization, Proxy-Authorization, Cookie,
/// Set-Cookie, and any name containing "secret", "token", "password", "api-key"/"apikey",
/// "signature" or "session" (Client-Secret, X-Api-Key, TPP-Signature-Certificate, ...).
bool is_secret_header(std::string_view name);

/// "Name: value" with the value replaced by <redacted> when is_secret_header(name).
std::string redact_header(std::string_view name, std::string_view value);

/// Removes secrets from free text (a URL, a form or JSON body, an error message):
///  * user:password@ in URLs → user:<redacted>@
///  * "Bearer X", "Basic X" (any case) → "Bearer <redacted>"
///  * key=value (query strings, form bodies) and "key": "value" / "key":value (JSON) for the keys
///    code, access_token, refresh_token, id_token, token, client_secret, client_assertion,
///    password, passwd, pass, secret, api_key, apikey, pin, otp, tan, code_verifier, assertion,
///    authorization (case-insensitive); also any key ending in _password, _secret, _token, _key,
///    -password, -secret, -token, -key (smtp_password, client-secret, webhook_key).
/// The result never contains the original secret; it is meant for humans, not for parsing.
std::string redact(std::string_view text);

}  // namespace bankrec::net
