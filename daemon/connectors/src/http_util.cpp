#include "http_util.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <functional>

#include "bankrec/net/redact.h"

namespace bankrec::connectors {

namespace {

std::string cut(std::string text, std::size_t max) {
  if (text.size() > max) text = text.substr(0, max) + "...";
  return text;
}

}  // namespace

std::string form_encode(const Params& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += url_encode(key) + "=" + url_encode(value);
  }
  return out;
}

std::string with_query(std::string url, const Params& params) {
  if (params.empty()) return url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  return url + form_encode(params);
}

std::optional<std::map<std::string, std::string>> parse_query(std::string_view query) {
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  auto pairs = url::parse_form(query);
  if (!pairs) return std::nullopt;
  std::map<std::string, std::string> out;
  for (auto& [key, value] : *pairs) out.insert_or_assign(std::move(key), std::move(value));  // later ones win
  return out;
}

std::string url_origin(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  const std::string_view s = url.substr(0, scheme);
  if (s != "https" && s != "http") return {};
  const auto path = url.find_first_of("/?#", scheme + 3);
  return std::string(url.substr(0, path));
}

std::string resolve_url(std::string_view base, std::string_view href) {
  if (href.starts_with("https://") || href.starts_with("http://")) return std::string(href);
  if (href.starts_with("/")) return url_origin(base) + std::string(href);
  std::string out(base);
  if (!out.empty() && out.back() != '/') out += '/';
  return out + std::string(href);
}

Result<json::value> parse_json(std::string_view body, std::string_view what) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  json::stream_parser parser({}, options);
  const std::size_t used = parser.write_some(body.data(), body.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec || !parser.done())
    return fail(Errc::unavailable, std::string(what) + ": malformed JSON at byte " + std::to_string(used) +
                                       " of " + std::to_string(body.size()) + " (" + ec.message() + ")");
  return parser.release();
}

Result<json::object> parse_json_object(std::string_view body, std::string_view what) {
  json::value v = BANKREC_TRY(parse_json(body, what));
  if (!v.is_object()) return fail(Errc::unavailable, std::string(what) + ": expected a JSON object");
  return std::move(v.as_object());
}

const json::object* get_object(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

const json::array* get_array(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_array() ? &v->as_array() : nullptr;
}

std::optional<std::string> get_string(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  std::string out;
  if (v->is_string())
    out = std::string(v->as_string());
  else if (v->is_int64() || v->is_uint64() || v->is_double() || v->is_bool())
    out = json::serialize(*v);
  if (out.find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
  return out;
}

std::optional<std::int64_t> get_int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->as_uint64());
  if (!v->is_string()) return std::nullopt;
  const std::string_view s = v->as_string();
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return out;
}

std::optional<bool> get_bool(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_bool()) return v->as_bool();
  if (v->is_string() && v->as_string() == "true") return true;
  if (v->is_string() && v->as_string() == "false") return false;
  return std::nullopt;
}

std::optional<std::string> get_href(const json::object& links, std::string_view key) {
  const json::object* link = get_object(links, key);
  if (link) return get_string(*link, "href");
  // Some banks write the link as a plain string.
  return get_string(links, key);
}

Result<std::optional<domain::Date>> get_date(const json::object& o, std::string_view key,
                                             std::string_view where) {
  const auto text = get_string(o, key);
  if (!text) return std::optional<domain::Date>();
  // Date-times ("2026-11-20T10:00:00Z") carry the date first.
  auto date = domain::parse_iso_date(std::string_view(*text).substr(0, 10));
  if (!date)
    return fail(Errc::invalid_input, "invalid date '" + cut(*text, 40) + "'",
                std::string(where) + "." + std::string(key));
  return std::optional<domain::Date>(*date);
}

Result<domain::Money> parse_amount_object(const json::object& o, std::string_view where) {
  const auto currency_text = get_string(o, "currency");
  const auto amount_text = get_string(o, "amount");
  if (!currency_text || !amount_text)
    return fail(Errc::invalid_input, "amount without currency or amount", std::string(where));
  auto currency = domain::Currency::parse(*currency_text);
  if (!currency)
    return fail(Errc::invalid_input, "unknown currency '" + cut(*currency_text, 10) + "'",
                std::string(where) + ".currency");
  auto minor = domain::parse_decimal(*amount_text, '.', currency->exponent);
  if (!minor)
    return fail(Errc::invalid_input, "invalid amount '" + cut(*amount_text, 40) + "'",
                std::string(where) + ".amount");
  return domain::Money(*minor, *currency);
}

ApiError parse_api_error(std::string_view body) {
  ApiError out;
  boost::system::error_code ec;
  const json::value v = json::parse(body.substr(0, 64 * 1024), ec);
  if (ec || !v.is_object()) return out;
  const json::object& o = v.as_object();
  if (const json::array* messages = get_array(o, "tppMessages");
      messages && !messages->empty() && messages->front().is_object()) {
    const json::object& m = messages->front().as_object();
    out.code = get_string(m, "code").value_or("");
    out.text = get_string(m, "text").value_or("");
  } else if (const auto error = get_string(o, "error"); error && o.if_contains("error")->is_string()) {
    out.code = *error;  // OAuth 2.0 (RFC 6749 5.2)
    out.text = get_string(o, "error_description").value_or("");
  } else if (const auto type = get_string(o, "type"); type && o.contains("summary")) {
    out.code = *type;  // GoCardless
    out.text = get_string(o, "summary").value_or("") + ": " + get_string(o, "detail").value_or("");
  } else {
    out.code = get_string(o, "code").value_or("");  // problem+json, Bridge
    out.text = get_string(o, "detail")
                   .value_or(get_string(o, "message").value_or(get_string(o, "title").value_or("")));
  }
  // problem+json "type": "https://berlingroup.com/error-codes/CONSENT_EXPIRED"
  if (out.code.empty())
    if (const auto type = get_string(o, "type")) out.code = type->substr(type->rfind('/') + 1);
  out.code = cut(net::redact(out.code), 60);
  out.text = cut(net::redact(out.text), 300);
  return out;
}

bool is_consent_error_code(std::string_view code) {
  return code.starts_with("CONSENT_") || code == "RESOURCE_EXPIRED" || code == "AccessExpiredError" ||
         code == "invalid_grant" || code == "item_sca_required" || code == "EUA_EXPIRED";
}

bool is_certificate_error_code(std::string_view code) {
  return code.starts_with("CERTIFICATE_") || code.starts_with("SIGNATURE_") || code == "ROLE_INVALID";
}

Error map_http_error(const net::HttpError& error, std::string_view connector, std::string_view operation,
                     std::string_view account) {
  std::string message = std::string(connector) + ": " + std::string(operation);
  if (!account.empty()) message += " account " + std::string(account);
  message += ": ";
  Errc code = Errc::invalid_input;
  if (error.code != net::HttpErrc::http_status) {
    code = error.is_retryable() ? Errc::unavailable : Errc::invalid_input;
    message += std::string(net::http_errc_name(error.code)) + ": " + error.message;
  } else {
    const int status = error.status();
    const ApiError api = parse_api_error(error.response->body);
    if (error.is_retryable() || status >= 500)
      code = Errc::unavailable;
    else if (is_certificate_error_code(api.code))
      code = Errc::invalid_input;
    else if (status == 401 || status == 403 || is_consent_error_code(api.code))
      code = Errc::permission_denied;
    else if (status == 404 || status == 410)
      code = Errc::not_found;
    message += "http " + std::to_string(status);
    if (!api.code.empty()) message += " " + api.code;
    if (!api.text.empty()) message += ": " + api.text;
    if (code == Errc::permission_denied)
      message += " (re-authorise the connector: bankrec connector consent " + std::string(connector) + ")";
  }
  Error e{code, net::redact(message), {}};
  if (!error.request_id.empty()) e.where = "request_id=" + error.request_id;
  return e;
}

Error bad_response(std::string_view connector, std::string_view operation, std::string_view detail,
                   std::string_view request_id) {
  Error e{Errc::unavailable,
          std::string(connector) + ": " + std::string(operation) + ": " + net::redact(detail),
          {}};
  if (!request_id.empty()) e.where = "request_id=" + std::string(request_id);
  return e;
}

Result<void> PageGuard::visit(std::string_view url) {
  if (pages_ >= max_pages_)
    return fail(Errc::unavailable,
                connector_ + ": more than " + std::to_string(max_pages_) + " pages; stopped");
  if (!urls_.insert(std::string(url)).second)
    return fail(Errc::unavailable,
                connector_ + ": the next link repeats an earlier page (" + net::redact(url) + ")");
  ++pages_;
  return ok();
}

Result<void> PageGuard::check_body(std::string_view body) {
  if (!bodies_.insert(std::hash<std::string_view>{}(body)).second)
    return fail(Errc::unavailable,
                connector_ + ": page " + std::to_string(pages_) + " repeats an earlier page");
  return ok();
}

bool EntryDedup::insert(std::string_view status, std::string_view key) {
  if (key.empty()) return true;
  std::string k(status);
  k += '|';
  k += key;
  if (seen_.insert(std::move(k)).second) return true;
  ++dropped_;
  return false;
}

domain::Date today(const ConnectorContext& ctx) {
  const auto days = std::chrono::floor<std::chrono::days>(ctx.clock().now()).time_since_epoch().count();
  return domain::Date::from_days(days);
}

}  // namespace bankrec::connectors
