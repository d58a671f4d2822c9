#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/connectors/connector.h"
#include "bankrec/domain/date.h"
#include "bankrec/domain/money.h"
#include "bankrec/net/http_client.h"
#include "http_util.h"

/// Helpers the aggregator connectors (Bridge, GoCardless) share on top of the core's http_util.h:
/// JSON access on any value, exact amounts from JSON numbers (Bridge sends -12.5 as a number; the
/// core's get_string() would serialise a double as "-1.25E1"), UTC timestamps, transport-error
/// mapping and secret scrubbing.
namespace bankrec::connectors::apiutil {

namespace json = boost::json;

// From the connector core (http_util.h): malformed JSON is Errc::unavailable; RFC 3986 encoding.
using connectors::parse_json;
using connectors::url_encode;

/// Member `key` of an object, or nullptr (also when `v` is not an object).
const json::value* member(const json::value& v, std::string_view key);
/// A non-blank string member.
std::optional<std::string> string_member(const json::value& v, std::string_view key);
/// An integer member (JSON integer, or a string of digits as some APIs send ids).
std::optional<std::int64_t> int_member(const json::value& v, std::string_view key);
bool bool_member(const json::value& v, std::string_view key, bool fallback = false);
/// A "YYYY-MM-DD" member (also the date part of a date-time).
std::optional<domain::Date> date_member(const json::value& v, std::string_view key);

/// Exact minor units of an amount given as a JSON string ("-12.50") or number (-12.5, -194). A
/// number is taken from its shortest round-trip decimal form, which is the text the server wrote
/// for amounts of up to 15 significant digits; anything longer is refused instead of rounded.
Result<std::int64_t> amount_minor(const json::value& v, int exponent, std::string_view what);

/// "2026-11-20T08:00:00.000Z", "2026-11-20T08:00:00Z", "...+00:00"; nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text);
/// 32 hex digits from the OS CSPRNG, for OAuth-like `state` values and unique references.
std::string random_state();

/// `text` with every occurrence of each non-empty secret replaced by "***".
std::string scrub(std::string text, std::initializer_list<std::string_view> secrets);
/// At most `max` bytes of a provider's text for an error message (no control characters).
std::string clip(std::string_view text, std::size_t max = 200);

/// Transport failures (no HTTP status): network and timeout are unavailable, TLS, oversized
/// responses and bad requests are configuration errors.
Error transport_error(const net::HttpError& error, std::string_view what);
/// Generic mapping of an HTTP status without provider knowledge.
Errc errc_for_status(int status);

/// "<what>" or "<what> (account <account>)": how every message about one call starts.
std::string call_prefix(std::string what, std::string_view account);
/// The JSON body of a failed exchange; null when it has none or it is not JSON.
json::value error_body(const net::HttpError& error);
/// "<prefix>: http <status>[ <type>][: <text>]...<hint>": the provider's type cut to 64 bytes and each
/// non-empty text to 200 (clip()); the caller scrubs its secrets from the result.
std::string http_status_message(std::string_view prefix, int status, std::string_view type,
                                std::initializer_list<std::string_view> texts, std::string_view hint);
/// An Error of `code` with `message`; `where` is "request_id=..." when the exchange had one.
Error exchange_error(Errc code, std::string message, const net::HttpError& error);

/// A provider's base URL from the settings (`fallback` when not set), without trailing '/'.
std::string base_url_or(const ConnectorSettings& settings, std::string_view fallback);

/// The answer to a transactions request of one account, as one statement: complete up to the
/// request's `to`, or up to yesterday when `to` reaches `today` (today's bookings may still grow).
TransactionsBatch one_statement_batch(domain::Statement statement, const TransactionsRequest& request,
                                      domain::Date today);

}  // namespace bankrec::connectors::apiutil
