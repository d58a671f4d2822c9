#pragma once

// Helpers shared by the admin API's route files: JSON bodies and fields, money text, pagination.
#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "bankrec/base/result.h"
#include "api_json.h"
#include "bankrec/domain/money.h"
#include "bankrec/http/api_admin.h"

namespace bankrec::http::admin {

namespace json = boost::json;

using http::json_response;
using http::respond;

/// The request body as a JSON object (Content-Type: application/json required).
inline Result<json::object> body_object(const Request& request) {
  if (!request.header("Content-Type").starts_with("application/json"))
    return fail(Errc::invalid_input, "expected Content-Type: application/json");
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec);
  if (ec || !v.is_object()) return fail(Errc::invalid_input, "request body is not a JSON object");
  return std::move(v.as_object());
}

inline Result<std::optional<std::string>> string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return fail(Errc::invalid_input, "field '" + std::string(key) + "' must be a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

inline Result<std::string> required_string(const json::object& o, std::string_view key) {
  auto v = BANKREC_TRY(string_field(o, key));
  if (!v) return fail(Errc::invalid_input, "field '" + std::string(key) + "' is missing");
  return std::move(*v);
}

inline Result<std::optional<std::int64_t>> int_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::int64_t>();
  if (v->is_int64()) return std::optional<std::int64_t>(v->as_int64());
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->as_uint64()));
  return fail(Errc::invalid_input, "field '" + std::string(key) + "' must be a whole number");
}

/// A decimal integer of the whole text; nullopt otherwise.
inline std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

/// A positive id from a path parameter; not_found (naming `what`) otherwise.
inline Result<std::int64_t> id_param(const Request& request, std::string_view name, std::string_view what) {
  const auto v = parse_int(request.param(name));
  if (!v || *v <= 0) return fail(Errc::not_found, "no " + std::string(what) + " '" + std::string(request.param(name)) + "'");
  return *v;
}

/// %XX and '+' decoding of a query value.
inline std::string query_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      const auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && end == s.data() + i + 3) {
        out += static_cast<char>(v);
        i += 2;
      } else {
        out += s[i];
      }
    } else {
      out += s[i];
    }
  }
  return out;
}

/// Every query parameter, decoded (the last of repeated names wins).
inline std::map<std::string, std::string> query_params(const Request& request) {
  std::map<std::string, std::string> out;
  std::string_view q = request.query;
  if (q.starts_with('?')) q.remove_prefix(1);
  while (!q.empty()) {
    const auto amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    const auto eq = pair.find('=');
    if (!pair.empty())
      out[query_decode(pair.substr(0, eq))] = eq == std::string_view::npos ? std::string() : query_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

inline std::string param_or(const std::map<std::string, std::string>& params, const std::string& key,
                            std::string fallback = {}) {
  const auto it = params.find(key);
  return it == params.end() ? fallback : it->second;
}

/// limit=1..500 (default 50); invalid_input otherwise.
inline Result<std::size_t> limit_param(const std::map<std::string, std::string>& params) {
  const std::string text = param_or(params, "limit");
  if (text.empty()) return std::size_t{50};
  const auto v = parse_int(text);
  if (!v || *v < 1 || *v > 500) return fail(Errc::invalid_input, "limit must be a whole number from 1 to 500");
  return static_cast<std::size_t>(*v);
}

/// after=ID (an opaque cursor to clients; here the last id of the previous page).
inline Result<std::int64_t> after_param(const std::map<std::string, std::string>& params) {
  const std::string text = param_or(params, "after");
  if (text.empty()) return std::int64_t{0};
  const auto v = parse_int(text);
  if (!v || *v < 0) return fail(Errc::invalid_input, "after is not a cursor of this list");
  return *v;
}

/// Minor units as decimal text in the currency's exponent ("-1190.00").
inline std::string money_text(std::int64_t minor, std::string_view currency) {
  const auto cur = domain::Currency::parse(currency);
  return domain::format_minor(minor, cur ? cur->exponent : 2);
}

/// Decimal text ("119.00", '.' separator) in `currency` as minor units.
inline Result<std::int64_t> parse_money(std::string_view text, std::string_view currency, std::string_view field) {
  const auto cur = BANKREC_TRY(domain::Currency::parse(currency));
  auto minor = domain::parse_decimal(text, '.', cur.exponent);
  if (!minor) return fail(Errc::invalid_input, "field '" + std::string(field) + "': " + minor.error().message);
  return *minor;
}

inline json::value text_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }
inline json::value text_or_null(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

/// {"items": [...], "next": "ID" | null}: next is set when the page is full.
inline json::object page(json::array items, std::size_t limit, std::int64_t last_id) {
  json::object o;
  const bool full = items.size() == limit;
  o["items"] = std::move(items);
  o["next"] = full ? json::value(std::to_string(last_id)) : json::value(nullptr);
  return o;
}

void install_review_routes(Router& router, std::shared_ptr<const AdminApi> api);
void install_rules_routes(Router& router, std::shared_ptr<const AdminApi> api);
void install_connector_routes(Router& router, std::shared_ptr<const AdminApi> api);
void install_account_routes(Router& router, std::shared_ptr<const AdminApi> api);

}  // namespace bankrec::http::admin
