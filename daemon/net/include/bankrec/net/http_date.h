#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace bankrec::net {

/// An HTTP-date (RFC 9110 §5.6.7): IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") and the obsolete
/// RFC 850 and asctime forms; nullopt when malformed or not a real date. parse_retry_after() in
/// http_client.h and jobs' Retry-After reader both use it.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value);

}  // namespace bankrec::net
