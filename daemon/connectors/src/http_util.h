#pragma once

// Shared helpers for every connector (XS2A, Bridge, GoCardless, ...): include "http_util.h" from
// any daemon/connectors/src/ file. JSON goes through Boost.JSON (private to this module, like
// domain/src/json_read.cpp), URLs and forms are built here, and every HTTP failure becomes an
// Error by map_http_error() so that all connectors follow the convention in connector.h.

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/base/url.h"
#include "bankrec/connectors/connector.h"
#include "bankrec/domain/date.h"
#include "bankrec/domain/money.h"
#include "bankrec/net/http_client.h"

namespace bankrec::connectors {

namespace json = boost::json;

using Params = std::vector<std::pair<std::string, std::string>>;

// ---------------------------------------------------------------------------------------------
// Bounds

inline constexpr std::size_t kMaxJsonBodyBytes = 8 * 1024 * 1024;   ///< one API page or token answer
inline constexpr std::size_t kMaxDocumentBytes = 64 * 1024 * 1024;  ///< one camt/MT940 document
inline constexpr std::size_t kMaxPages = 1000;                      ///< per account and run
inline constexpr std::size_t kMaxEntries = 500'000;                 ///< per account and run

// ---------------------------------------------------------------------------------------------
// URLs and forms

/// RFC 3986 percent-encoding of everything but unreserved characters (A-Z a-z 0-9 - . _ ~).
inline std::string url_encode(std::string_view text) { return url::encode(text); }
/// Inverse of url_encode, '+' as space (forms); nullopt on a bad escape.
inline std::optional<std::string> url_decode(std::string_view text) { return url::decode(text); }
/// "a=1&b=x%20y" from the pairs, in order.
std::string form_encode(const Params& params);
/// Appends the params as a query ("?" or "&" as needed).
std::string with_query(std::string url, const Params& params);
/// Splits a query or form body; nullopt on a bad escape. Later duplicates win.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);
/// "https://host:port" of an absolute URL; empty if `url` is not absolute http(s).
std::string url_origin(std::string_view url);
/// A link as APIs give it: absolute ("https://..."), root-relative ("/v1/..." → origin of `base`)
/// or relative ("accounts/1" → `base` + "/" + it).
std::string resolve_url(std::string_view base, std::string_view href);

// ---------------------------------------------------------------------------------------------
// JSON

/// Parses a bank's JSON body. Malformed JSON is Errc::unavailable (a broken or cut answer is
/// retried), naming `what` and the byte offset.
Result<json::value> parse_json(std::string_view body, std::string_view what);
/// Same, but the top level must be an object.
Result<json::object> parse_json_object(std::string_view body, std::string_view what);

const json::object* get_object(const json::object& o, std::string_view key);
const json::array* get_array(const json::object& o, std::string_view key);
/// A string value; numbers and booleans are given as their JSON text (banks are inconsistent:
/// N26 sends frequencyPerDay as "4"); nullopt when absent, null or another type. Blank = absent.
std::optional<std::string> get_string(const json::object& o, std::string_view key);
/// An integer, also from a string of digits ("4").
std::optional<std::int64_t> get_int(const json::object& o, std::string_view key);
/// A boolean, also from "true"/"false".
std::optional<bool> get_bool(const json::object& o, std::string_view key);
/// `o[key]["href"]` (the HAL-style links of XS2A and Bridge); nullopt when absent.
std::optional<std::string> get_href(const json::object& links, std::string_view key);
/// An ISO date field; nullopt when absent; invalid_input naming `where` when malformed.
Result<std::optional<domain::Date>> get_date(const json::object& o, std::string_view key,
                                             std::string_view where);
/// `{"currency": "EUR", "amount": "-12.50"}` (amount as string or number, '.' decimal) as Money.
Result<domain::Money> parse_amount_object(const json::object& o, std::string_view where);

// ---------------------------------------------------------------------------------------------
// Errors

/// What a provider said in an error body, whatever its style: Berlin Group `tppMessages[]`,
/// RFC 7807 problem+json (`code`/`title`/`detail`), OAuth (`error`/`error_description`),
/// GoCardless (`summary`/`detail`/`type`), Bridge (`code`/`message`). Empty when not JSON.
struct ApiError {
  std::string code;  ///< "CONSENT_EXPIRED", "invalid_grant", "AccessExpiredError", ...
  std::string text;  ///< human text, redacted and cut to 300 bytes
};
ApiError parse_api_error(std::string_view body);

/// Codes that mean "the consent (or access) is gone; a person must re-authorise".
bool is_consent_error_code(std::string_view code);
/// Codes that mean "our TPP certificate or signature is wrong" (configuration, not consent).
bool is_certificate_error_code(std::string_view code);

/// The convention of connector.h for one failed exchange:
///  * network, timeout; HTTP 408, 425, 429, 5xx → Errc::unavailable (retry; Retry-After is kept
///    by ConnectorContext::send)
///  * HTTP 401/403, and 400 with a consent code (CONSENT_*, AccessExpiredError, ...) → permission_denied,
///    except certificate/signature codes (CERTIFICATE_*, SIGNATURE_*) → invalid_input
///  * HTTP 404/410 → not_found
///  * tls, too_large, invalid_request, and every other 4xx → invalid_input
/// The message is "<connector>: <operation>[ account <account>]: http <status>[ <code>][: <text>]"
/// (or the transport message), redacted; `where` carries "request_id=...".
Error map_http_error(const net::HttpError& error, std::string_view connector, std::string_view operation,
                     std::string_view account = {});
/// The same for a 2xx answer whose body is unusable (malformed, truncated, wrong shape): unavailable.
Error bad_response(std::string_view connector, std::string_view operation, std::string_view detail,
                   std::string_view request_id = {});

// ---------------------------------------------------------------------------------------------
// Pagination

/// Guards a walk over `next` links: a link seen before (a loop), a page whose body repeats an earlier
/// page, or more than `max_pages` pages stop the walk with Errc::unavailable.
class PageGuard {
 public:
  explicit PageGuard(std::string connector, std::size_t max_pages = kMaxPages)
      : connector_(std::move(connector)), max_pages_(max_pages) {}
  /// Before fetching `url`.
  Result<void> visit(std::string_view url);
  /// After fetching a page's body.
  Result<void> check_body(std::string_view body);
  std::size_t pages() const { return pages_; }

 private:
  std::string connector_;
  std::size_t max_pages_;
  std::size_t pages_ = 0;
  std::set<std::string, std::less<>> urls_;
  std::set<std::size_t> bodies_;
};

/// Drops entries already delivered in this walk (a bank repeating an entry across page borders).
/// The key is the provider's id when it has one; entries without id are never dropped (two genuine
/// identical payments on one day must stay two).
class EntryDedup {
 public:
  /// True when `key` is new (or empty).
  bool insert(std::string_view status, std::string_view key);
  std::size_t dropped() const { return dropped_; }

 private:
  std::set<std::string, std::less<>> seen_;
  std::size_t dropped_ = 0;
};

/// Today's date (UTC) from the context's clock.
domain::Date today(const ConnectorContext& ctx);

}  // namespace bankrec::connectors
