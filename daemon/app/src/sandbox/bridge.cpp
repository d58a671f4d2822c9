// Bridge API v3 (/v3/aggregation/..., Bridge-Version 2025-01-15): users by external id, 2-hour
// user tokens, connect sessions, items, accounts and transactions with `next_uri` pagination.
#include <algorithm>
#include <boost/json.hpp>
#include <regex>

#include "sandbox/json_text.h"
#include "sandbox/sandbox.h"

namespace bankrec::app::sandbox {

namespace json = boost::json;

namespace {

constexpr auto kTokenLifetime = std::chrono::hours(2);
constexpr std::size_t kMaxLimit = 500;
constexpr std::size_t kMaxUsers = 1000;

Reply error(int status, std::string_view code, std::string_view message, std::string_view property = {}) {
  json::object o{{"code", code}, {"message", message}};
  if (!property.empty()) o["property"] = property;
  return json_reply(status, json::serialize(o));
}

std::string bridge_amount(std::int64_t minor) {
  // Bridge sends JSON numbers: -194, -12.5, 1190.37.
  std::string s = format_amount(minor);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::int64_t provider_of(std::string_view bank) { return bank == "sparkasse" ? 9002 : 9001; }

std::string uuid_text(std::uint64_t a, std::uint64_t b) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0xfff), static_cast<unsigned>(b >> 52), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

/// "2026-11-20" or "2026-11-20T06:00:00Z" / "...00.000Z" → our canonical "....T..:..:...mmmZ" text.
std::optional<std::string> canonical_time(std::string_view s) {
  if (s.size() == 10) {
    if (!parse_date_strict(s)) return std::nullopt;
    return std::string(s) + "T00:00:00.000Z";
  }
  static const std::regex kTime(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z)");
  if (s.size() > 40 || !std::regex_match(s.begin(), s.end(), kTime) || !parse_date_strict(s.substr(0, 10))) return std::nullopt;
  std::string out(s.substr(0, 19));
  std::string frac = s.size() > 20 && s[19] == '.' ? std::string(s.substr(20, s.size() - 21)) : std::string();
  frac.resize(3, '0');
  return out + "." + frac + "Z";
}

struct Row {
  std::string date;  // sort key
  std::int64_t id = 0;
  json::object body;
};

}  // namespace

Reply Sandbox::bridge(const http::Request& request, const Query& query) {
  const std::string& path = request.path;
  if (path.starts_with("/bridge/connect/")) {
    return Reply{200, "text/html; charset=utf-8", {},
                 "<!doctype html><title>Bridge Connect (sandbox)</title><p>Bank connection completed. You can close this window.</p>"};
  }
  const std::string_view version = request.header("Bridge-Version");
  if (version.empty()) return error(400, "missing_version_header", "The Bridge-Version header is required", "Bridge-Version");
  if (version != kBridgeVersion)
    return error(400, "invalid_version", "Unsupported Bridge-Version '" + std::string(version) + "'; use 2025-01-15", "Bridge-Version");
  if (request.header("Client-Id") != kBridgeClientId || request.header("Client-Secret") != kBridgeClientSecret)
    return error(401, "invalid_client_credentials", "The client credentials are invalid");
  if (!path.starts_with("/v3/aggregation/")) return error(404, "not_found", "Unknown resource");
  const std::string_view rest = std::string_view(path).substr(15);  // "/users", "/items", ...

  auto parse_body = [&](json::object& out) -> std::optional<Reply> {
    if (!request.header("Content-Type").starts_with("application/json"))
      return error(415, "unsupported_media_type", "Content-Type must be application/json");
    boost::system::error_code ec;
    json::value v = json::parse(request.body.empty() ? std::string_view("{}") : std::string_view(request.body), ec);
    if (ec || !v.is_object()) return error(422, "invalid_json", "The request body is not a JSON object");
    out = std::move(v.as_object());
    return std::nullopt;
  };
  auto user_json = [](const BridgeUser& u) { return json::object{{"uuid", u.uuid}, {"external_user_id", u.external_id}}; };
  auto find_user = [&](std::string_view uuid) -> BridgeUser* {
    for (BridgeUser& u : bridge_users_)
      if (u.uuid == uuid) return &u;
    return nullptr;
  };

  // App-level endpoints (client credentials only).
  if (rest == "/users" && request.method == "POST") {
    json::object body;
    if (auto e = parse_body(body)) return *e;
    const json::value* ext = body.if_contains("external_user_id");
    static const std::regex kExternalId(R"([A-Za-z0-9_-]{1,128})");
    if (!ext || !ext->is_string() || !std::regex_match(std::string(ext->as_string()), kExternalId))
      return error(400, "invalid_external_user_id", "external_user_id must match [a-zA-Z0-9-_]{1,128}", "external_user_id");
    for (const BridgeUser& u : bridge_users_)
      if (u.external_id == ext->as_string()) return error(409, "conflict", "A user with this external_user_id already exists", "external_user_id");
    if (bridge_users_.size() >= kMaxUsers) return error(429, "too_many_users", "Too many users in this sandbox");
    BridgeUser u;
    const std::uint64_t n = ++counter_;
    u.uuid = uuid_text(mix64(options_.seed ^ (0xb1d9e + n)), mix64(n * 7919));
    u.external_id = std::string(ext->as_string());
    u.created = now();
    bridge_users_.push_back(u);
    return json_reply(201, json::serialize(user_json(u)));
  }
  if (rest == "/users" && request.method == "GET") {
    json::array list;
    for (const BridgeUser& u : bridge_users_) list.push_back(user_json(u));
    return json_reply(200, json::serialize(json::object{{"resources", list}, {"pagination", json::object{{"next_uri", nullptr}}}}));
  }
  if (rest.starts_with("/users/")) {
    BridgeUser* u = find_user(rest.substr(7));
    if (!u) return error(404, "not_found", "User not found");
    if (request.method == "GET") return json_reply(200, json::serialize(user_json(*u)));
    if (request.method == "DELETE") {
      const std::string uuid = u->uuid;
      std::erase_if(bridge_users_, [&](const BridgeUser& x) { return x.uuid == uuid; });
      return Reply{204, "", {}, ""};
    }
    return error(405, "method_not_allowed", "Method not allowed");
  }
  if (rest == "/authorization/token") {
    if (request.method != "POST") return error(405, "method_not_allowed", "Method not allowed");
    json::object body;
    if (auto e = parse_body(body)) return *e;
    BridgeUser* u = nullptr;
    if (const json::value* id = body.if_contains("user_uuid"); id && id->is_string()) u = find_user(std::string_view(id->as_string()));
    else if (const json::value* ext = body.if_contains("external_user_id"); ext && ext->is_string()) {
      for (BridgeUser& x : bridge_users_)
        if (x.external_id == ext->as_string()) u = &x;
    } else {
      return error(400, "invalid_request", "user_uuid or external_user_id is required", "user_uuid");
    }
    if (!u) return error(404, "not_found", "User not found");
    if (bridge_tokens_.size() > 10000) std::erase_if(bridge_tokens_, [&](const auto& kv) { return kv.second.expires <= now(); });
    const std::string token = new_token("");
    const SysTime expires = now() + kTokenLifetime;
    bridge_tokens_[token] = Token{u->uuid, std::string(kBridgeClientId), "", expires};
    return json_reply(201, json::serialize(json::object{{"access_token", token}, {"expires_at", iso_time(expires)}, {"user", user_json(*u)}}));
  }

  // User-level endpoints (bearer token).
  const std::string_view auth = request.header("Authorization");
  if (!auth.starts_with("Bearer ")) return error(401, "missing_token", "An Authorization: Bearer token is required");
  auto tok = bridge_tokens_.find(std::string(auth.substr(7)));
  if (tok == bridge_tokens_.end() || tok->second.revoked) return error(401, "invalid_token", "The access token is invalid");
  if (tok->second.expires <= now()) return error(401, "token_expired", "The access token has expired");
  BridgeUser* user = find_user(tok->second.subject);
  if (!user) return error(401, "invalid_token", "The user of this token no longer exists");

  auto item_json = [&](const BridgeItem& item) {
    json::object o{{"id", item.id}, {"status", item.status}};
    o["status_code_info"] = item.status == 1010 ? json::value("otp_required") : json::value(nullptr);
    o["status_code_description"] =
        item.status == 1010 ? json::value("A strong customer authentication is required to refresh this item") : json::value(nullptr);
    o["provider_id"] = provider_of(item.bank);
    o["account_types"] = "all";
    o["last_successful_refresh"] = today_.iso() + "T05:00:00.000Z";
    o["last_try_refresh"] = today_.iso() + "T05:00:00.000Z";
    o["created_at"] = iso_time(item.created);
    o["authentication_expires_at"] = iso_time(item.created + std::chrono::days(180));
    return o;
  };
  auto user_accounts = [&]() {
    std::vector<std::pair<std::size_t, const BridgeItem*>> out;
    for (const BridgeItem& item : user->items)
      for (std::size_t i = 0; i < ledger_.accounts().size(); ++i)
        if (ledger_.accounts()[i].bank == item.bank) out.emplace_back(i, &item);
    return out;
  };
  auto account_json = [&](std::size_t i, const BridgeItem& item) {
    const Account& a = ledger_.accounts()[i];
    const std::int64_t booked = booked_balance_now(i), instant = booked + pending_sum(i);
    const char* type = a.kind == AccountKind::card ? "card" : a.kind == AccountKind::savings ? "savings" : "checking";
    json::object o{{"id", a.bridge_id},
                   {"name", a.name},
                   {"balance", raw_number(bridge_amount(a.kind == AccountKind::card ? instant : booked))},
                   {"accounting_balance", raw_number(bridge_amount(booked))},
                   {"instant_balance", raw_number(bridge_amount(instant))},
                   {"updated_at", today_.iso() + "T05:00:00.000Z"},
                   {"last_refresh_status", "succeeded"},
                   {"type", type},
                   {"currency_code", "EUR"},
                   {"item_id", item.id},
                   {"provider_id", provider_of(a.bank)},
                   {"data_access", "enabled"},
                   {"pro", true}};
    o["iban"] = a.iban.empty() ? json::value(nullptr) : json::value(a.iban);
    o["iban_filled_manually"] = false;
    return o;
  };

  if (rest == "/connect-sessions" && request.method == "POST") {
    // The sandbox completes the Connect flow at once: the user's items exist (again, status 0).
    json::object body;
    if (auto e = parse_body(body)) return *e;
    if (const json::value* email = body.if_contains("user_email"); email && (!email->is_string() || email->as_string().find('@') == json::string::npos))
      return error(400, "invalid_user_email", "user_email must be an e-mail address", "user_email");
    if (const json::value* item_id = body.if_contains("item_id")) {
      if (!item_id->is_int64()) return error(400, "invalid_item_id", "item_id must be an integer", "item_id");
      auto it = std::find_if(user->items.begin(), user->items.end(), [&](const BridgeItem& x) { return x.id == item_id->as_int64(); });
      if (it == user->items.end()) return error(404, "not_found", "Item not found", "item_id");
      it->status = 0;  // SCA renewed
      it->created = now();
    } else if (user->items.empty()) {
      user->items.push_back(BridgeItem{++bridge_item_ids_, "musterbank", 0, now()});
      user->items.push_back(BridgeItem{++bridge_item_ids_, "sparkasse", 0, now()});
    }
    const std::uint64_t n = ++counter_;
    const std::string id = uuid_text(mix64(options_.seed ^ (0xc0 + n)), mix64(n));
    return json_reply(201, json::serialize(json::object{{"id", id}, {"url", base_url_ + "/bridge/connect/" + id}}));
  }
  if (request.method != "GET") return error(405, "method_not_allowed", "Method not allowed");
  if (rest == "/items") {
    json::array list;
    for (const BridgeItem& item : user->items) list.push_back(item_json(item));
    return json_reply(200, json::serialize(json::object{{"resources", list}, {"pagination", json::object{{"next_uri", nullptr}}}}));
  }
  if (rest.starts_with("/items/")) {
    for (const BridgeItem& item : user->items)
      if (std::to_string(item.id) == rest.substr(7)) return json_reply(200, json::serialize(item_json(item)));
    return error(404, "not_found", "Item not found");
  }
  if (rest == "/accounts") {
    const std::string_view item_filter = query_get(query, "item_id");
    json::array list;
    for (const auto& [i, item] : user_accounts())
      if (item_filter.empty() || std::to_string(item->id) == item_filter) list.push_back(account_json(i, *item));
    return json_reply(200, to_json(json::object{{"resources", list}, {"pagination", json::object{{"next_uri", nullptr}}}}));
  }
  if (rest.starts_with("/accounts/")) {
    for (const auto& [i, item] : user_accounts())
      if (std::to_string(ledger_.accounts()[i].bridge_id) == rest.substr(10)) return json_reply(200, to_json(account_json(i, *item)));
    return error(404, "not_found", "Account not found");
  }
  if (rest != "/transactions") return error(404, "not_found", "Unknown resource");

  // GET /v3/aggregation/transactions?account_id&since&until&min_date&max_date&limit&after
  std::optional<std::string> since, until;
  std::optional<Date> min_date, max_date;
  if (query_has(query, "since") && !(since = canonical_time(query_get(query, "since"))))
    return error(400, "invalid_since", "since must be an ISO 8601 date or UTC timestamp", "since");
  if (query_has(query, "until") && !(until = canonical_time(query_get(query, "until"))))
    return error(400, "invalid_until", "until must be an ISO 8601 date or UTC timestamp", "until");
  if (query_has(query, "min_date") && !(min_date = parse_date_strict(query_get(query, "min_date"))))
    return error(400, "invalid_min_date", "min_date must be YYYY-MM-DD", "min_date");
  if (query_has(query, "max_date") && !(max_date = parse_date_strict(query_get(query, "max_date"))))
    return error(400, "invalid_max_date", "max_date must be YYYY-MM-DD", "max_date");
  std::size_t limit = options_.page_size;
  if (query_has(query, "limit")) {
    const std::string_view l = query_get(query, "limit");
    if (l.empty() || l.size() > 4 || !std::all_of(l.begin(), l.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoul(std::string(l)) < 1 || std::stoul(std::string(l)) > kMaxLimit)
      return error(400, "invalid_limit", "limit must be 1..500", "limit");
    limit = std::stoul(std::string(l));
  }
  std::size_t offset = 0;
  if (query_has(query, "after")) {
    // Opaque cursor: "o<offset>x<check>".
    const std::string_view after = query_get(query, "after");
    const auto x = after.find('x');
    bool good = after.size() > 3 && after.size() < 40 && after[0] == 'o' && x != std::string_view::npos && x > 1;
    if (good) {
      const std::string_view n = after.substr(1, x - 1);
      good = std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }) && n.size() < 9;
      if (good) {
        offset = std::stoul(std::string(n));
        char check[48];
        std::snprintf(check, sizeof check, "%08llx", static_cast<unsigned long long>(mix64(options_.seed ^ offset) & 0xffffffffULL));
        good = after.substr(x + 1) == check;
      }
    }
    if (!good) return error(400, "invalid_cursor", "The pagination cursor is invalid", "after");
  }
  const std::string_view account_filter = query_get(query, "account_id");
  if (take_fault(path, {FaultKind::pending_to_booked})) today_booked_ = true;

  std::vector<Row> rows;
  bool account_found = account_filter.empty();
  for (const auto& [i, item] : user_accounts()) {
    const Account& a = ledger_.accounts()[i];
    if (!account_filter.empty() && std::to_string(a.bridge_id) != account_filter) continue;
    account_found = true;
    auto row = [&](const Txn& t, bool future, bool deleted) {
      const bool card = a.kind == AccountKind::card;
      const Date date = card || !future ? t.booking_date : t.transaction_date;
      const std::string updated = deleted || (!future && !card) ? t.booking_date.iso() + "T22:00:00.000Z"
                                  : card && !future           ? t.booking_date.iso() + "T22:00:00.000Z"
                                                              : t.transaction_date.iso() + "T08:00:00.000Z";
      json::object o{{"id", future || deleted ? t.bridge_pending_id : t.bridge_id},
                     {"clean_description", t.clean_label},
                     {"provider_description", t.bank_label},
                     {"amount", raw_number(bridge_amount(t.amount_minor))},
                     {"date", date.iso()}};
      if (!future || card) o["booking_date"] = t.booking_date.iso();
      o["transaction_date"] = t.transaction_date.iso();
      o["value_date"] = t.value_date.iso();
      o["updated_at"] = updated;
      o["currency_code"] = "EUR";
      o["deleted"] = deleted;
      o["category_id"] = t.amount_minor > 0 ? 2 : 1;
      o["operation_type"] = t.operation_type.empty() ? "unknown" : t.operation_type;
      o["account_id"] = a.bridge_id;
      o["future"] = future;
      if ((min_date && date < *min_date) || (max_date && date > *max_date)) return;
      if ((since && updated <= *since) || (until && updated > *until)) return;
      const std::int64_t id = o["id"].as_int64();
      rows.push_back(Row{date.iso(), id, std::move(o)});
    };
    const Date from = min_date ? std::max(*min_date, ledger_.first_day()) : ledger_.first_day();
    for (const Txn& t : booked_view(i, from, today_)) {
      row(t, false, false);
      // Pending rows are deleted and recreated with a new id once booked; a delta shows both.
      if (since && a.kind != AccountKind::card) row(t, false, true);
    }
    for (const Txn& t : pending_view(i)) row(t, true, false);
  }
  if (!account_found) return error(404, "not_found", "Account not found", "account_id");
  std::stable_sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) { return x.date != y.date ? x.date > y.date : x.id > y.id; });
  if (offset > rows.size()) return error(400, "invalid_cursor", "The pagination cursor is invalid", "after");
  std::size_t begin = offset;
  if (offset > 0 && take_fault(path, {FaultKind::duplicate_across_pages})) --begin;
  const std::size_t end = std::min(rows.size(), offset + limit);
  json::array resources;
  for (std::size_t k = begin; k < end; ++k) resources.push_back(rows[k].body);
  json::value next = nullptr;
  if (end < rows.size()) {
    std::string uri = "/v3/aggregation/transactions?";
    for (const char* key : {"account_id", "since", "until", "min_date", "max_date"})
      if (query_has(query, key)) uri += std::string(key) + "=" + url_encode(query_get(query, key)) + "&";
    char check[48];
    std::snprintf(check, sizeof check, "%08llx", static_cast<unsigned long long>(mix64(options_.seed ^ end) & 0xffffffffULL));
    uri += "after=o" + std::to_string(end) + "x" + check + "&limit=" + std::to_string(limit);
    next = json::value(uri);
  }
  return json_reply(200, to_json(json::object{{"resources", resources}, {"pagination", json::object{{"next_uri", next}}}}));
}

}  // namespace bankrec::app::sandbox
