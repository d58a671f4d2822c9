#pragma once

#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api_json.h"
#include "bankrec/domain/money.h"
#include "bankrec/http/router.h"
#include "bankrec/store/console_data_repo.h"

// Helpers of the data routes (api_data*.cpp): query strings, JSON shapes, error mapping.
namespace bankrec::http::data {

namespace json = boost::json;

using http::json_response;
using http::respond;

/// %XX decoding (and '+' as a space when `plus_is_space`); nullopt on a bad escape.
inline std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
    std::string r;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+' && plus_is_space) {
        r += ' ';
        continue;
      }
      if (s[i] != '%') {
        r += s[i];
        continue;
      }
      if (i + 2 >= s.size()) return std::nullopt;
      int v = 0;
      const auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec != std::errc() || end != s.data() + i + 3) return std::nullopt;
      r += static_cast<char>(v);
      i += 2;
    }
    return r;
}

/// The decoded parameters of a query string ("a=1&b=x%20y"); '+' is a space. nullopt on a bad escape.
inline std::optional<std::map<std::string, std::string, std::less<>>> parse_query(std::string_view query) {
  std::map<std::string, std::string, std::less<>> out;
  const auto decode = [](std::string_view s) { return percent_decode(s, /*plus_is_space=*/true); };
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = decode(pair.substr(0, eq));
    auto value = decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key || !value) return std::nullopt;
    out[std::move(*key)] = std::move(*value);
  }
  return out;
}

/// The query parameters of a request, with the names a route knows; invalid_input names an unknown one.
class Query {
 public:
  static Result<Query> of(const Request& request, std::initializer_list<std::string_view> known) {
    auto params = parse_query(request.query);
    if (!params) return fail(Errc::invalid_input, "invalid percent-escape in the query string");
    for (const auto& [k, v] : *params) {
      bool found = false;
      for (auto n : known) found = found || n == k;
      if (!found) return fail(Errc::invalid_input, "unknown query parameter '" + k + "'");
    }
    Query q;
    q.params_ = std::move(*params);
    return q;
  }
  /// The value; nullopt when absent or empty.
  std::optional<std::string> text(std::string_view key) const {
    const auto it = params_.find(key);
    if (it == params_.end() || it->second.empty()) return std::nullopt;
    return it->second;
  }
  Result<std::optional<std::string>> date(std::string_view key) const {
    auto v = text(key);
    if (!v) return v;
    const bool ok = v->size() == 10 && (*v)[4] == '-' && (*v)[7] == '-';
    if (!ok) return fail(Errc::invalid_input, "query parameter '" + std::string(key) + "' must be a date YYYY-MM-DD");
    return v;
  }
  /// A decimal amount ("-12.50") in minor units with two decimals.
  Result<std::optional<std::int64_t>> amount(std::string_view key) const {
    auto v = text(key);
    if (!v) return std::optional<std::int64_t>();
    auto minor = domain::parse_decimal(*v, '.', 2);
    if (!minor)
      return fail(Errc::invalid_input, "query parameter '" + std::string(key) + "' must be an amount like 12.50");
    return std::optional<std::int64_t>(*minor);
  }
  Result<store::PageRequest> page() const {
    store::PageRequest p;
    if (auto l = text("limit")) {
      const auto [end, ec] = std::from_chars(l->data(), l->data() + l->size(), p.limit);
      if (ec != std::errc() || end != l->data() + l->size() || p.limit < 1 || p.limit > 500)
        return fail(Errc::invalid_input, "limit must be a number from 1 to 500");
    }
    p.after = text("after").value_or("");
    return p;
  }

 private:
  std::map<std::string, std::string, std::less<>> params_;
};

inline json::value opt(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

/// "-1190.00" in the currency's exponent (2 when the code is unknown).
inline std::string money_text(std::int64_t minor, std::string_view currency) {
  const auto c = domain::Currency::find(currency);
  return domain::format_minor(minor, c ? c->exponent : 2);
}

inline json::value opt_money(const std::optional<std::int64_t>& minor, std::string_view currency) {
  return minor ? json::value(money_text(*minor, currency)) : json::value(nullptr);
}

template <class T, class Fn>
json::object page_json(const store::Page<T>& page, Fn&& item) {
  json::array items;
  for (const auto& row : page.items) items.emplace_back(item(row));
  json::object o;
  o["items"] = std::move(items);
  o["next"] = opt(page.next);
  return o;
}

inline Result<std::int64_t> id_param(const Request& request, std::string_view what) {
  const std::string_view text = request.param("id");
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0)
    return fail(Errc::not_found, "no " + std::string(what) + " with id '" + std::string(text) + "'");
  return id;
}

}  // namespace bankrec::http::data
