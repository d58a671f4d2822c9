// Bridge API v2 (Bridge-Version 2021-06-01), the legacy user model that customers created before
// 23 Oct 2023 still have: users by e-mail and password (POST /v2/users), POST /v2/authenticate for a
// two-hour token, Bridge Connect through POST /v2/connect/items/add (and GET /v2/connect/items/sync
// for an SCA renewal), and the v2 field names (bank_id, bank_description, is_deleted, is_future).
// Connect ends on the app's redirect URL, a dashboard setting here (--bridge-redirect-url or
// POST /_sandbox/bridge).
#include <algorithm>
#include <boost/json.hpp>

#include "sandbox/json_text.h"
#include "sandbox/sandbox.h"

namespace bankrec::app::sandbox {

namespace json = boost::json;

namespace {

constexpr std::string_view kVersionV2 = "2021-06-01";
constexpr auto kTokenLifetime = std::chrono::hours(2);
constexpr std::size_t kMaxLimit = 500;
constexpr std::size_t kMaxUsers = 1000;

Reply error(int status, std::string_view type, std::string_view message) {
  return json_reply(status, json::serialize(json::object{{"type", type}, {"message", message}, {"documentation_url", nullptr}}));
}

std::string amount_text(std::int64_t minor) {
  std::string s = format_amount(minor);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::int64_t bank_of(std::string_view bank) { return bank == "sparkasse" ? 9002 : 9001; }

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string v2_uuid(std::uint64_t a, std::uint64_t b) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-a%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff), static_cast<unsigned>(b >> 52),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string cursor_check(std::uint64_t seed, std::size_t offset) {
  char check[48];
  std::snprintf(check, sizeof check, "%08llx", static_cast<unsigned long long>(mix64(seed ^ (offset * 31 + 2)) & 0xffffffffULL));
  return check;
}

}  // namespace

Reply Sandbox::bridge_connect_page(const http::Request& request) {
  const std::string id(std::string_view(request.path).substr(16));
  const auto session = bridge_v2_sessions_.find(id);
  if (session != bridge_v2_sessions_.end() && !bridge_redirect_url_.empty()) {
    // End of the v2 Connect funnel: back to the app's redirect URL with user_uuid, item_id, success
    // and the context the app passed in (docs "Out of the Bridge Connect").
    std::string item;
    for (const BridgeUser& u : bridge_users_)
      if (u.uuid == session->second.first && !u.items.empty()) item = std::to_string(u.items.front().id);
    std::string target = bridge_redirect_url_ + (bridge_redirect_url_.find('?') == std::string::npos ? "?" : "&") +
                         "user_uuid=" + url_encode(session->second.first) + "&item_id=" + item + "&success=true&source=connect";
    if (!session->second.second.empty()) target += "&context=" + url_encode(session->second.second);
    bridge_v2_sessions_.erase(session);
    Reply r{302, "text/html; charset=utf-8", {}, ""};
    r.headers.emplace_back("Location", target);
    return r;
  }
  return Reply{200, "text/html; charset=utf-8", {},
               "<!doctype html><title>Bridge Connect (sandbox)</title><p>Bank connection completed. You can close this window.</p>"};
}

Reply Sandbox::bridge_settings(const http::Request& request) {
  boost::system::error_code ec;
  const json::value body = json::parse(request.body, ec);
  const json::value* url = !ec && body.is_object() ? body.as_object().if_contains("redirect_url") : nullptr;
  if (!url || !url->is_string() || url->as_string().size() > 512 ||
      !(url->as_string().starts_with("https://") || url->as_string().starts_with("http://127.0.0.1")))
    return json_reply(400, R"({"error":"body must be {\"redirect_url\": \"https://...\" or \"http://127.0.0.1:...\"}"})");
  bridge_redirect_url_ = std::string(url->as_string());
  return json_reply(200, json::serialize(json::object{{"redirect_url", bridge_redirect_url_}}));
}

Reply Sandbox::bridge_v2(const http::Request& request, const Query& query) {
  const std::string& path = request.path;
  const std::string_view version = request.header("Bridge-Version");
  if (version != kVersionV2)
    return error(400, "invalid_version", "Bridge-Version must be 2021-06-01 on /v2 (got '" + std::string(version) + "')");
  if (request.header("Client-Id") != kBridgeClientId || request.header("Client-Secret") != kBridgeClientSecret)
    return error(401, "invalid_client", "The client credentials are invalid");
  const std::string_view rest = std::string_view(path).substr(3);

  auto parse_body = [&](json::object& out) -> std::optional<Reply> {
    if (!request.header("Content-Type").starts_with("application/json"))
      return error(415, "unsupported_media_type", "Content-Type must be application/json");
    boost::system::error_code ec;
    json::value v = json::parse(request.body.empty() ? std::string_view("{}") : std::string_view(request.body), ec);
    if (ec || !v.is_object()) return error(422, "invalid_json", "The request body is not a JSON object");
    out = std::move(v.as_object());
    return std::nullopt;
  };
  auto text = [](const json::object& o, const char* key) {
    const json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  auto find_by_email = [&](const std::string& email) -> BridgeUser* {
    for (BridgeUser& u : bridge_users_)
      if (!u.email.empty() && u.email == email) return &u;
    return nullptr;
  };

  if (rest == "/users" && request.method == "POST") {
    json::object body;
    if (auto e = parse_body(body)) return *e;
    const std::string email = text(body, "email"), password = text(body, "password");
    if (email.find('@') == std::string::npos || email.size() > 254) return error(400, "invalid_email", "email must contain '@'");
    if (password.size() < 6 || password.size() > 71)
      return error(400, "invalid_password", "password must be at least 6 and less than 72 characters");
    if (find_by_email(email)) return error(409, "conflict", "A user with this email already exists");
    if (bridge_users_.size() >= kMaxUsers) return error(429, "too_many_users", "Too many users in this sandbox");
    BridgeUser u;
    const std::uint64_t n = ++counter_;
    u.uuid = v2_uuid(mix64(options_.seed ^ (0xb2 + n)), mix64(n * 104729));
    u.email = email;
    u.password_hash = hex(sha256(password));
    u.created = now();
    bridge_users_.push_back(u);
    return json_reply(201, json::serialize(json::object{{"uuid", u.uuid}, {"email", u.email}}));
  }
  if (rest == "/authenticate" && request.method == "POST") {
    json::object body;
    if (auto e = parse_body(body)) return *e;
    BridgeUser* u = find_by_email(text(body, "email"));
    if (!u || u->password_hash != hex(sha256(text(body, "password"))))
      return error(401, "invalid_credentials", "The email or the password is invalid");
    const std::string token = new_token("");
    const SysTime expires = now() + kTokenLifetime;
    bridge_tokens_[token] = Token{u->uuid, std::string(kBridgeClientId), "", expires};
    return json_reply(200, json::serialize(json::object{
                               {"access_token", token}, {"expires_at", iso_time(expires)},
                               {"user", json::object{{"uuid", u->uuid}, {"email", u->email}}}}));
  }

  const std::string_view auth = request.header("Authorization");
  if (!auth.starts_with("Bearer ")) return error(401, "unauthorized", "An Authorization: Bearer token is required");
  auto tok = bridge_tokens_.find(std::string(auth.substr(7)));
  if (tok == bridge_tokens_.end() || tok->second.revoked) return error(401, "unauthorized", "The access token is invalid");
  if (tok->second.expires <= now()) return error(401, "token_expired", "The access token has expired");
  BridgeUser* user = nullptr;
  for (BridgeUser& u : bridge_users_)
    if (u.uuid == tok->second.subject && !u.email.empty()) user = &u;
  if (!user) return error(401, "unauthorized", "The user of this token is no v2 user");

  auto session = [&](std::string context) {
    const std::uint64_t n = ++counter_;
    const std::string id = v2_uuid(mix64(options_.seed ^ (0xc2 + n)), mix64(n));
    if (bridge_v2_sessions_.size() > 1000) bridge_v2_sessions_.clear();
    bridge_v2_sessions_[id] = {user->uuid, std::move(context)};
    return json_reply(200, json::serialize(json::object{{"redirect_url", base_url_ + "/bridge/connect/" + id}}));
  };
  if (rest == "/connect/items/add" && request.method == "POST") {
    json::object body;
    if (auto e = parse_body(body)) return *e;
    if (user->items.empty()) {
      user->items.push_back(BridgeItem{++bridge_item_ids_, "musterbank", 0, now()});
      user->items.push_back(BridgeItem{++bridge_item_ids_, "sparkasse", 0, now()});
    }
    return session(text(body, "context"));
  }
  if (rest == "/connect/items/sync" && request.method == "GET") {
    const std::string item_id(query_get(query, "item_id"));
    auto it = std::find_if(user->items.begin(), user->items.end(), [&](const BridgeItem& x) { return std::to_string(x.id) == item_id; });
    if (it == user->items.end()) return error(404, "not_found", "Item not found");
    it->status = 0;  // the SCA is renewed when the person completes Connect
    it->created = now();
    return session(std::string(query_get(query, "context")));
  }
  if (request.method != "GET") return error(405, "method_not_allowed", "Method not allowed");

  auto item_json = [&](const BridgeItem& item) {
    json::object o{{"id", item.id}, {"status", item.status}};
    o["status_code_info"] = item.status == 1010 ? json::value("otp_required") : json::value(nullptr);
    o["status_code_description"] = item.status == 1010 ? json::value("SCA required") : json::value(nullptr);
    o["bank_id"] = bank_of(item.bank);
    return o;
  };
  auto accounts_of_user = [&]() {
    std::vector<std::pair<std::size_t, const BridgeItem*>> out;
    for (const BridgeItem& item : user->items)
      for (std::size_t i = 0; i < ledger_.accounts().size(); ++i)
        if (ledger_.accounts()[i].bank == item.bank) out.emplace_back(i, &item);
    return out;
  };
  auto account_json = [&](std::size_t i, const BridgeItem& item) {
    const Account& a = ledger_.accounts()[i];
    const std::int64_t booked = booked_balance_now(i);
    const char* type = a.kind == AccountKind::card ? "card" : a.kind == AccountKind::savings ? "savings" : "checking";
    json::object o{{"id", a.bridge_id},
                   {"name", a.name},
                   {"balance", raw_number(amount_text(a.kind == AccountKind::card ? booked + pending_sum(i) : booked))},
                   {"status", 0},
                   {"status_code_info", nullptr},
                   {"status_code_description", nullptr},
                   {"updated_at", today_.iso() + "T05:00:00.000Z"},
                   {"type", type},
                   {"currency_code", "EUR"},
                   {"item_id", item.id},
                   {"bank_id", bank_of(a.bank)},
                   {"loan_details", nullptr},
                   {"savings_details", nullptr},
                   {"is_pro", true}};
    o["iban"] = a.iban.empty() ? json::value(nullptr) : json::value(a.iban);
    return o;
  };
  const json::object no_pages{{"previous_uri", nullptr}, {"next_uri", nullptr}};
  if (rest == "/items") {
    json::array list;
    for (const BridgeItem& item : user->items) list.push_back(item_json(item));
    return json_reply(200, json::serialize(json::object{{"resources", list}, {"pagination", no_pages}}));
  }
  if (rest.starts_with("/items/")) {
    for (const BridgeItem& item : user->items)
      if (std::to_string(item.id) == rest.substr(7)) return json_reply(200, json::serialize(item_json(item)));
    return error(404, "not_found", "Item not found");
  }
  if (rest == "/accounts") {
    json::array list;
    for (const auto& [i, item] : accounts_of_user()) list.push_back(account_json(i, *item));
    return json_reply(200, to_json(json::object{{"resources", list}, {"pagination", no_pages}}));
  }
  if (!rest.starts_with("/accounts/")) return error(404, "not_found", "Unknown resource");
  std::string_view tail = rest.substr(10);
  const auto slash = tail.find('/');
  const std::string id(tail.substr(0, slash));
  const std::string_view sub = slash == std::string_view::npos ? std::string_view() : tail.substr(slash);
  std::optional<std::pair<std::size_t, const BridgeItem*>> found;
  for (const auto& entry : accounts_of_user())
    if (std::to_string(ledger_.accounts()[entry.first].bridge_id) == id) found = entry;
  if (!found) return error(404, "not_found", "Account not found");
  const auto [i, item] = *found;
  if (sub.empty()) return json_reply(200, to_json(account_json(i, *item)));
  if (sub != "/transactions") return error(404, "not_found", "Unknown resource");

  // GET /v2/accounts/{id}/transactions?since=YYYY-MM-DD&until=YYYY-MM-DD&limit=&after=
  std::optional<Date> since, until;
  if (query_has(query, "since") && !(since = parse_date_strict(query_get(query, "since"))))
    return error(400, "invalid_since", "since must be YYYY-MM-DD");
  if (query_has(query, "until") && !(until = parse_date_strict(query_get(query, "until"))))
    return error(400, "invalid_until", "until must be YYYY-MM-DD");
  std::size_t limit = options_.page_size, offset = 0;
  if (query_has(query, "limit")) {
    const std::string_view l = query_get(query, "limit");
    if (l.empty() || l.size() > 4 || !std::all_of(l.begin(), l.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoul(std::string(l)) < 1 || std::stoul(std::string(l)) > kMaxLimit)
      return error(400, "invalid_limit", "limit must be 1..500");
    limit = std::stoul(std::string(l));
  }
  if (query_has(query, "after")) {
    const std::string_view after = query_get(query, "after");
    const auto x = after.find('x');
    const std::string_view n = x == std::string_view::npos ? std::string_view() : after.substr(0, x);
    if (n.empty() || n.size() > 8 || !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        after.substr(x + 1) != cursor_check(options_.seed, std::stoul(std::string(n))))
      return error(400, "invalid_cursor", "The pagination cursor is invalid");
    offset = std::stoul(std::string(n));
  }
  if (take_fault(path, {FaultKind::pending_to_booked})) today_booked_ = true;
  const Account& a = ledger_.accounts()[i];
  struct Row {
    std::string date;
    std::int64_t id;
    json::object body;
  };
  std::vector<Row> rows;
  auto row = [&](const Txn& t, bool future) {
    const bool card = a.kind == AccountKind::card;
    const Date date = card || !future ? t.booking_date : t.transaction_date;
    if ((since && date < *since) || (until && date > *until)) return;
    const std::int64_t tid = future ? t.bridge_pending_id : t.bridge_id;
    json::object o{{"id", tid},
                   {"clean_description", t.clean_label},
                   {"bank_description", t.bank_label},
                   {"amount", raw_number(amount_text(t.amount_minor))},
                   {"date", date.iso()}};
    if (!future || card) o["booking_date"] = t.booking_date.iso();
    o["transaction_date"] = t.transaction_date.iso();
    o["value_date"] = t.value_date.iso();
    o["updated_at"] = (future ? t.transaction_date.iso() + "T08:00:00.000Z" : t.booking_date.iso() + "T22:00:00.000Z");
    o["currency_code"] = "EUR";
    o["is_deleted"] = false;
    o["category_id"] = t.amount_minor > 0 ? 2 : 1;
    o["account_id"] = a.bridge_id;
    o["is_future"] = future;
    o["show_client_side"] = true;
    rows.push_back(Row{date.iso(), tid, std::move(o)});
  };
  const Date from = since ? std::max(*since, ledger_.first_day()) : ledger_.first_day();
  for (const Txn& t : booked_view(i, from, today_)) row(t, false);
  for (const Txn& t : pending_view(i)) row(t, true);
  std::stable_sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) { return x.date != y.date ? x.date > y.date : x.id > y.id; });
  if (offset > rows.size()) return error(400, "invalid_cursor", "The pagination cursor is invalid");
  std::size_t begin = offset;
  if (offset > 0 && take_fault(path, {FaultKind::duplicate_across_pages})) --begin;
  const std::size_t end = std::min(rows.size(), offset + limit);
  json::array resources;
  for (std::size_t k = begin; k < end; ++k) resources.push_back(rows[k].body);
  json::value next = nullptr;
  if (end < rows.size()) {
    std::string uri = "/v2/accounts/" + id + "/transactions?";
    for (const char* key : {"since", "until"})
      if (query_has(query, key)) uri += std::string(key) + "=" + url_encode(query_get(query, key)) + "&";
    uri += "after=" + std::to_string(end) + "x" + cursor_check(options_.seed, end) + "&limit=" + std::to_string(limit);
    next = json::value(uri);
  }
  return json_reply(200, to_json(json::object{{"resources", resources}, {"pagination", json::object{{"previous_uri", nullptr}, {"next_uri", next}}}}));
}

}  // namespace bankrec::app::sandbox
