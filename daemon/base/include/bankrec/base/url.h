#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// URL percent-encoding (RFC 3986) and forms, shared by the connectors' HTTP calls and the sandbox's
/// bank front ends.
namespace bankrec::url {

/// Percent-encoding of everything but unreserved characters (A-Z a-z 0-9 - . _ ~), upper-case hex.
std::string encode(std::string_view text);
/// Inverse of encode(), '+' as space (forms); nullopt on a bad or cut escape.
std::optional<std::string> decode(std::string_view text);
/// Splits "a=1&b=x%20y" (a query without its '?', or an application/x-www-form-urlencoded body) into
/// decoded pairs, in order, duplicates kept; empty parts are skipped. nullopt on a bad escape or when
/// there are more than `max_pairs` pairs.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(
    std::string_view text, std::size_t max_pairs = std::numeric_limits<std::size_t>::max());

}  // namespace bankrec::url
