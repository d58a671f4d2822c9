#include "bridge_common.h"

#include <charconv>
#include <cmath>
#include <ctime>

namespace bankrec::connectors::apiutil {

const json::value* member(const json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  return v.as_object().if_contains(key);
}

std::optional<std::string> string_member(const json::value& v, std::string_view key) {
  const json::value* m = member(v, key);
  if (!m || !m->is_string()) return std::nullopt;
  std::string s(m->as_string());
  if (s.find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
  return s;
}

std::optional<std::int64_t> int_member(const json::value& v, std::string_view key) {
  const json::value* m = member(v, key);
  if (!m) return std::nullopt;
  if (m->is_int64()) return m->as_int64();
  if (m->is_uint64() && m->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(m->as_uint64());
  if (m->is_string()) {
    const std::string_view s = m->as_string();
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return out;
  }
  return std::nullopt;
}

bool bool_member(const json::value& v, std::string_view key, bool fallback) {
  const json::value* m = member(v, key);
  return m && m->is_bool() ? m->as_bool() : fallback;
}

std::optional<domain::Date> date_member(const json::value& v, std::string_view key) {
  const auto s = string_member(v, key);
  if (!s) return std::nullopt;
  auto d = domain::parse_iso_date(*s);
  if (!d) return std::nullopt;
  return *d;
}

Result<std::int64_t> amount_minor(const json::value& v, int exponent, std::string_view what) {
  if (v.is_string()) {
    auto r = domain::parse_decimal(std::string_view(v.as_string()), '.', exponent);
    if (!r) return fail(Errc::invalid_input, std::string(what) + ": " + r.error().message);
    return *r;
  }
  std::int64_t scale = 1;
  for (int i = 0; i < exponent; ++i) scale *= 10;
  if (v.is_int64()) {
    const std::int64_t units = v.as_int64();
    if (units > INT64_MAX / scale || units < INT64_MIN / scale)
      return fail(Errc::invalid_input, std::string(what) + ": amount out of range");
    return units * scale;
  }
  if (!v.is_double()) return fail(Errc::invalid_input, std::string(what) + ": amount is not a number or a string");
  const double d = v.as_double();
  if (!std::isfinite(d) || std::fabs(d) >= 1e13)
    return fail(Errc::invalid_input, std::string(what) + ": amount out of range");
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  if (ec != std::errc()) return fail(Errc::invalid_input, std::string(what) + ": amount not representable");
  const std::string_view text(buf, static_cast<std::size_t>(end - buf));
  std::size_t digits = 0;
  bool leading = true;
  for (char c : text) {
    if (c < '0' || c > '9') continue;
    if (leading && c == '0') continue;
    leading = false;
    ++digits;
  }
  if (digits > 15)
    return fail(Errc::invalid_input, std::string(what) + ": amount " + std::string(text) + " has more than 15 digits");
  auto r = domain::parse_decimal(text, '.', exponent);
  if (!r) return fail(Errc::invalid_input, std::string(what) + ": " + r.error().message);
  return *r;
}

std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text) {
  if (text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':') return std::nullopt;
  const auto date = domain::parse_iso_date(text.substr(0, 10));
  if (!date) return std::nullopt;
  auto two = [&](std::size_t at) -> int {
    const char a = text[at], b = text[at + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
    return (a - '0') * 10 + (b - '0');
  };
  const int h = two(11), m = two(14), s = two(17);
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60) return std::nullopt;
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    const auto end = rest.find_first_not_of("0123456789", 1);
    if (end == 1 || end == std::string_view::npos) return std::nullopt;
    rest = rest.substr(end);
  }
  if (rest != "Z" && rest != "+00:00" && rest != "+0000") return std::nullopt;
  using namespace std::chrono;
  return system_clock::time_point(days(date->to_days()) + hours(h) + minutes(m) + seconds(s));
}

std::string random_state() {
  std::string id = net::make_request_id();
  std::erase(id, '-');
  return id;
}

std::string scrub(std::string text, std::initializer_list<std::string_view> secrets) {
  for (const std::string_view secret : secrets) {
    if (secret.size() < 4) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
      text.replace(at, secret.size(), "***");
  }
  return text;
}

std::string clip(std::string_view text, std::size_t max) {
  std::string out;
  for (const char c : text.substr(0, max)) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  if (text.size() > max) out += "...";
  return out;
}

Error transport_error(const net::HttpError& error, std::string_view what) {
  Errc code = Errc::invalid_input;
  if (error.code == net::HttpErrc::network || error.code == net::HttpErrc::timeout) code = Errc::unavailable;
  return exchange_error(code, std::string(what) + ": " + net::http_errc_name(error.code) + ": " + error.message, error);
}

Errc errc_for_status(int status) {
  if (status == 408 || status == 425 || status == 429 || status >= 500) return Errc::unavailable;
  if (status == 401 || status == 403) return Errc::permission_denied;
  if (status == 404 || status == 410) return Errc::not_found;
  if (status == 409) return Errc::conflict;
  return Errc::invalid_input;
}

std::string call_prefix(std::string what, std::string_view account) {
  if (!account.empty()) what += " (account " + std::string(account) + ")";
  return what;
}

json::value error_body(const net::HttpError& error) {
  if (!error.response) return nullptr;
  boost::system::error_code ec;
  json::value body = json::parse(error.response->body, ec);
  if (ec) return nullptr;
  return body;
}

std::string http_status_message(std::string_view prefix, int status, std::string_view type,
                                std::initializer_list<std::string_view> texts, std::string_view hint) {
  std::string out = std::string(prefix) + ": http " + std::to_string(status);
  if (!type.empty()) out += " " + clip(type, 64);
  for (const std::string_view text : texts)
    if (!text.empty()) out += ": " + clip(text);
  return out + std::string(hint);
}

Error exchange_error(Errc code, std::string message, const net::HttpError& error) {
  Error e{code, std::move(message), {}};
  if (!error.request_id.empty()) e.where = "request_id=" + error.request_id;
  return e;
}

std::string base_url_or(const ConnectorSettings& settings, std::string_view fallback) {
  std::string url = settings.base_url.empty() ? std::string(fallback) : settings.base_url;
  while (url.ends_with('/')) url.pop_back();
  return url;
}

TransactionsBatch one_statement_batch(domain::Statement statement, const TransactionsRequest& request,
                                      domain::Date today) {
  TransactionsBatch batch;
  batch.covered_to = request.to < today ? request.to : today.add_days(-1);
  batch.statements.push_back(std::move(statement));
  return batch;
}

}  // namespace bankrec::connectors::apiutil
