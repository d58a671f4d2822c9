#pragma once

#include <string>
#include <string_view>

namespace bankrec::net::detail {

/// Quoted-printable (RFC 2045 §6.7) of UTF-8 text; line ends become CRLF, lines at most 76 chars.
std::string quoted_printable(std::string_view text);
/// Standard base64 with padding, no line breaks.
std::string base64(std::string_view bytes);

}  // namespace bankrec::net::detail
