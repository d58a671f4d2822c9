#include "sandbox/sandbox.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "sandbox/json_text.h"

namespace bankrec::app::sandbox {

namespace json = boost::json;

// ---------------------------------------------------------------------------------------------
// Helpers

namespace {

constexpr std::size_t kMaxQueryParams = 32;

}  // namespace

std::optional<Query> parse_query(std::string_view text) {
  return url::parse_form(text, kMaxQueryParams);
}

std::string_view query_get(const Query& query, std::string_view key) {
  for (const auto& [k, v] : query)
    if (k == key) return v;
  return {};
}

bool query_has(const Query& query, std::string_view key) {
  return std::any_of(query.begin(), query.end(), [&](const auto& kv) { return kv.first == key; });
}

bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : std::isxdigit(static_cast<unsigned char>(text[i])) == 0) return false;
  }
  return true;
}

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string sha256(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string random_token(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1) std::abort();
  return base64url(raw);
}

std::string iso_time(SysTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

Date date_of(SysTime t) {
  const auto days = std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
  return Date::from_days(days);
}

std::optional<Date> parse_date_strict(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto d = domain::parse_iso_date(text);
  if (!d) return std::nullopt;
  return *d;
}

Reply json_reply(int status, std::string body) { return Reply{status, "application/json", {}, std::move(body)}; }

std::optional<FaultKind> fault_kind_from(std::string_view name) {
  static constexpr std::pair<std::string_view, FaultKind> kNames[] = {
      {"expired_token", FaultKind::expired_token},
      {"401", FaultKind::expired_token},
      {"rate_limit", FaultKind::rate_limit},
      {"429", FaultKind::rate_limit},
      {"server_error", FaultKind::server_error},
      {"500", FaultKind::server_error},
      {"unavailable", FaultKind::unavailable},
      {"503", FaultKind::unavailable},
      {"slow", FaultKind::slow},
      {"timeout", FaultKind::timeout},
      {"malformed_json", FaultKind::malformed_json},
      {"truncated_page", FaultKind::truncated_page},
      {"consent_expired", FaultKind::consent_expired},
      {"pending_to_booked", FaultKind::pending_to_booked},
      {"duplicate_across_pages", FaultKind::duplicate_across_pages},
  };
  for (const auto& [n, k] : kNames)
    if (n == name) return k;
  return std::nullopt;
}

std::string_view fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::expired_token: return "expired_token";
    case FaultKind::rate_limit: return "rate_limit";
    case FaultKind::server_error: return "server_error";
    case FaultKind::unavailable: return "unavailable";
    case FaultKind::slow: return "slow";
    case FaultKind::timeout: return "timeout";
    case FaultKind::malformed_json: return "malformed_json";
    case FaultKind::truncated_page: return "truncated_page";
    case FaultKind::consent_expired: return "consent_expired";
    case FaultKind::pending_to_booked: return "pending_to_booked";
    case FaultKind::duplicate_across_pages: return "duplicate_across_pages";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// The sandbox

Sandbox::Sandbox(const Options& options)
    : options_(options),
      ledger_(options.seed, options.today.add_days(-options.days), options.today),
      today_(options.today),
      xs2a_sca_(options.xs2a_sca),
      xs2a_download_(options.xs2a_download),
      bridge_redirect_url_(options.bridge_redirect_url) {}

SysTime Sandbox::now() const {
  // The wall clock moved to the sandbox's day (so --today and /_sandbox/advance move token and
  // consent expiry too), keeping the time of day.
  const auto real = std::chrono::system_clock::now();
  const auto real_day = date_of(real).to_days();
  return real + std::chrono::days(today_.to_days() - real_day);
}

std::string Sandbox::new_token(std::string_view prefix) { return std::string(prefix) + random_token(32); }

std::string Sandbox::next_id(std::string_view prefix) {
  const std::uint64_t v = mix64(options_.seed * 1000003 + ++counter_);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return std::string(prefix) + buf;
}

Result<void> Sandbox::add_fault_spec(std::string_view spec) {
  const auto eq = spec.rfind('=');
  if (eq == std::string_view::npos || eq == 0 || spec[0] != '/')
    return fail(Errc::invalid_input, "invalid fault '" + std::string(spec) + "' (expected /PATH-PATTERN=KIND[:COUNT])");
  std::string_view kind_text = spec.substr(eq + 1);
  int count = 1;
  if (const auto colon = kind_text.find(':'); colon != std::string_view::npos) {
    const std::string_view n = kind_text.substr(colon + 1);
    if (n.empty() || n.size() > 4 || !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return fail(Errc::invalid_input, "invalid fault count in '" + std::string(spec) + "'");
    count = std::stoi(std::string(n));
    kind_text = kind_text.substr(0, colon);
  }
  const auto kind = fault_kind_from(kind_text);
  if (!kind) return fail(Errc::invalid_input, "unknown fault kind '" + std::string(kind_text) + "'");
  std::lock_guard lock(mutex_);
  faults_.push_back(Fault{++fault_ids_, std::string(spec.substr(0, eq)), *kind, count, 2000, 2});
  return ok();
}

const Fault* Sandbox::take_fault(std::string_view path, std::initializer_list<FaultKind> kinds) {
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (std::find(kinds.begin(), kinds.end(), it->kind) == kinds.end() || !glob_match(it->pattern, path)) continue;
    static thread_local Fault taken;
    taken = *it;
    if (it->remaining > 0 && --it->remaining == 0) faults_.erase(it);
    return &taken;
  }
  return nullptr;
}

std::vector<Txn> Sandbox::booked_view(std::size_t account, Date from, Date to) const {
  const Date last = today_booked_ ? today_ : today_.add_days(-1);
  if (to > last) to = last;
  return ledger_.booked_between(account, from, to);
}

std::vector<Txn> Sandbox::pending_view(std::size_t account) const {
  if (ledger_.accounts()[account].kind == AccountKind::card) {
    // Card purchases of this month, not yet debited.
    const Date start{today_.year, today_.month, 1};
    std::vector<Txn> out;
    for (Txn& t : ledger_.card_purchases_between(account, start, today_))
      if (t.booking_date > today_ || (!today_booked_ && t.booking_date == today_)) out.push_back(std::move(t));
    return out;
  }
  if (today_booked_) return {};
  return ledger_.booked_on(account, today_);
}

std::int64_t Sandbox::booked_balance_now(std::size_t account) const {
  // Card purchases stay pending until the month's deferred debit settles them: booked 0.
  if (ledger_.accounts()[account].kind == AccountKind::card) return 0;
  return ledger_.booked_balance(account, today_booked_ ? today_ : today_.add_days(-1));
}

std::int64_t Sandbox::pending_sum(std::size_t account) const {
  std::int64_t sum = 0;
  for (const Txn& t : pending_view(account)) sum += t.amount_minor;
  return sum;
}

Reply Sandbox::handle(const http::Request& request) {
  std::lock_guard lock(mutex_);
  if (requests_.size() < 10000 || requests_.contains(request.path)) ++requests_[request.path];
  const auto query = parse_query(request.query);
  Reply reply;
  if (!query) {
    reply = json_reply(400, R"({"error":"malformed query string"})");
  } else {
    reply = dispatch(request, *query);
  }
  // Transport-level faults shape whatever the API answered.
  if (!request.path.starts_with("/_sandbox/")) {
    if (const Fault* f = take_fault(request.path, {FaultKind::slow, FaultKind::timeout, FaultKind::malformed_json,
                                                   FaultKind::truncated_page})) {
      switch (f->kind) {
        case FaultKind::slow: reply.delay = std::chrono::milliseconds(f->delay_ms); break;
        case FaultKind::timeout: reply.hang = true; break;
        case FaultKind::malformed_json: reply.body.resize(reply.body.size() / 2); break;
        case FaultKind::truncated_page: reply.truncate = true; break;
        default: break;
      }
    }
  }
  return reply;
}

Reply Sandbox::dispatch(const http::Request& request, const Query& query) {
  const std::string& path = request.path;
  if (path.starts_with("/_sandbox/")) return control(request, query);
  std::string_view api;
  if (path.starts_with("/v1/") || path.starts_with("/sparkasse/v1/") || path.starts_with("/oauth/") ||
      path.starts_with("/xs2a/") || path == "/.well-known/oauth-authorization-server")
    api = "xs2a";
  else if (path.starts_with("/v3/") || path.starts_with("/v2/") || path.starts_with("/bridge/"))
    api = "bridge";
  else if (path.starts_with("/api/v2/") || path.starts_with("/gocardless/"))
    api = "gocardless";
  if (api.empty()) return json_reply(404, R"({"error":"no such resource"})");

  if (const Fault* f = take_fault(path, {FaultKind::expired_token, FaultKind::rate_limit, FaultKind::server_error,
                                         FaultKind::unavailable, FaultKind::consent_expired}))
    return fault_reply(api, *f, request);

  if (api == "xs2a") {
    if (path.starts_with("/oauth/") || path.starts_with("/.well-known/")) return oauth(request, query);
    if (path.starts_with("/xs2a/sca/")) return xs2a_sca_page(request, query);
    if (path.starts_with("/sparkasse/v1/")) return xs2a(request, query, "sparkasse", std::string_view(path).substr(13));
    return xs2a(request, query, "musterbank", std::string_view(path).substr(3));
  }
  if (api == "bridge" && path.starts_with("/v2/")) return bridge_v2(request, query);
  if (api == "bridge" && path.starts_with("/bridge/connect/")) return bridge_connect_page(request);
  if (api == "bridge") return bridge(request, query);
  if (path.starts_with("/gocardless/link/")) return gocardless_link(request);
  return gocardless(request, query);
}

namespace {

std::string bearer_of(const http::Request& request) {
  const std::string_view auth = request.header("Authorization");
  if (auth.size() > 7 && (auth.starts_with("Bearer ") || auth.starts_with("bearer "))) return std::string(auth.substr(7));
  return {};
}

Reply xs2a_error(int status, std::string_view code, std::string_view text) {
  json::object msg{{"category", "ERROR"}, {"code", code}, {"text", text}};
  return json_reply(status, json::serialize(json::object{{"tppMessages", json::array{msg}}}));
}

Reply gc_error(int status, std::string_view summary, std::string_view detail, std::string_view type) {
  json::object o{{"summary", summary}, {"detail", detail}, {"status_code", status}};
  if (!type.empty()) o["type"] = type;
  return json_reply(status, json::serialize(o));
}

Reply bridge_error(int status, std::string_view code, std::string_view message) {
  return json_reply(status, json::serialize(json::object{{"code", code}, {"message", message}}));
}

}  // namespace

Reply Sandbox::fault_reply(std::string_view api, const Fault& fault, const http::Request& request) {
  const std::string token = bearer_of(request);
  Reply r;
  switch (fault.kind) {
    case FaultKind::expired_token:
      // The presented token really expires, so only a refreshed one gets through afterwards.
      if (auto it = access_tokens_.find(token); it != access_tokens_.end()) it->second.expires = now();
      if (auto it = bridge_tokens_.find(token); it != bridge_tokens_.end()) it->second.expires = now();
      if (auto it = gc_access_.find(token); it != gc_access_.end()) it->second.expires = now();
      if (api == "xs2a") r = xs2a_error(401, "TOKEN_EXPIRED", "The OAuth token has expired.");
      else if (api == "bridge") r = bridge_error(401, "token_expired", "The access token has expired");
      else r = gc_error(401, "Invalid token", "Token is invalid or expired", "InvalidToken");
      break;
    case FaultKind::rate_limit:
      if (api == "xs2a") r = xs2a_error(429, "ACCESS_EXCEEDED", "The access on the account has been exceeding the consented multiplicity per day.");
      else if (api == "bridge") r = bridge_error(429, "too_many_requests", "Too many requests, retry later");
      else
        r = gc_error(429, "Rate limit exceeded", "The rate limit for this resource is 4/day. Please try again in " +
                                                     std::to_string(fault.retry_after) + " seconds", "RateLimitError");
      if (api == "gocardless") {
        r.headers.emplace_back("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_LIMIT", "4");
        r.headers.emplace_back("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING", "0");
        r.headers.emplace_back("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET", std::to_string(fault.retry_after));
      } else {
        r.headers.emplace_back("Retry-After", std::to_string(fault.retry_after));
      }
      break;
    case FaultKind::server_error:
      if (api == "gocardless") r = gc_error(500, "Unknown Request Error", "Request to Institution returned an error", "UnknownRequestError");
      else if (api == "bridge") r = bridge_error(500, "internal_server_error", "An internal error occurred");
      else r = json_reply(500, R"({"tppMessages":[{"category":"ERROR","code":"INTERNAL_SERVER_ERROR","text":"Internal server error"}]})");
      break;
    case FaultKind::unavailable:
      if (api == "gocardless") r = gc_error(503, "Service Unavailable", "Institution service unavailable", "ServiceError");
      else if (api == "bridge") r = bridge_error(503, "service_unavailable", "The service is temporarily unavailable");
      else r = json_reply(503, R"({"tppMessages":[{"category":"ERROR","code":"SERVICE_UNAVAILABLE","text":"The ASPSP server is currently unavailable."}]})");
      r.headers.emplace_back("Retry-After", std::to_string(fault.retry_after));
      break;
    case FaultKind::consent_expired:
      if (api == "xs2a") {
        std::string consent(request.header("Consent-ID"));
        if (auto it = consents_.find(consent); it != consents_.end()) it->second.status = "expired";
        r = xs2a_error(401, "CONSENT_EXPIRED", "The consent was created by this TPP but has expired and needs to be renewed.");
      } else if (api == "bridge") {
        for (auto& user : bridge_users_)
          for (auto& item : user.items) item.status = 1010;
        r = bridge_error(403, "item_sca_required", "The item needs a strong customer authentication (status 1010)");
      } else {
        for (auto& [id, req] : gc_requisitions_) req.status = "EX";
        r = gc_error(401, "End User Agreement (EUA) has expired",
                     "Access has expired or it has been revoked. To restore access reconnect the account.", "AccessExpiredError");
      }
      break;
    default: break;
  }
  if (api == "xs2a" && !request.header("X-Request-ID").empty())
    r.headers.emplace_back("X-Request-ID", std::string(request.header("X-Request-ID")));
  if (api == "gocardless") {
    // A failure of an account endpoint counts toward the account's suspension.
    const std::string_view path = request.path;
    if (path.starts_with("/api/v2/accounts/") && (fault.kind == FaultKind::server_error || fault.kind == FaultKind::consent_expired)) {
      const auto id = path.substr(17, path.find('/', 17) - 17);
      for (std::size_t i = 0; i < ledger_.accounts().size(); ++i)
        if (ledger_.accounts()[i].resource_id == id && ++gc_accounts_[i].consecutive_failures >= 10) gc_accounts_[i].suspended = true;
    }
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Control endpoints

Reply Sandbox::control(const http::Request& request, const Query& query) {
  const std::string& path = request.path;
  if (path == "/_sandbox/state" && request.method == "GET") {
    json::object requests;
    for (const auto& [p, n] : requests_) requests[p] = n;
    json::array faults;
    for (const Fault& f : faults_)
      faults.push_back(json::object{{"id", f.id}, {"path", f.pattern}, {"fault", fault_kind_name(f.kind)}, {"remaining", f.remaining},
                                    {"delay_ms", f.delay_ms}, {"retry_after", f.retry_after}});
    json::array accounts;
    for (const Account& a : ledger_.accounts())
      accounts.push_back(json::object{{"resource_id", a.resource_id}, {"bridge_id", a.bridge_id},
                                      {"iban", a.iban.empty() ? json::value(nullptr) : json::value(a.iban)}, {"bank", a.bank},
                                      {"name", a.name}, {"type", a.cash_account_type}});
    json::object consents;
    for (const auto& [id, c] : consents_) consents[id] = json::object{{"status", c.status}, {"profile", c.profile}};
    json::object state{{"seed", options_.seed},
                       {"today", today_.iso()},
                       {"first_day", ledger_.first_day().iso()},
                       {"today_booked", today_booked_},
                       {"page_size", options_.page_size},
                       {"requests", requests},
                       {"faults", faults},
                       {"accounts", accounts},
                       {"consents", consents},
                       {"xs2a", json::object{{"sca_approach", xs2a_sca_},
                                             {"download", xs2a_download_},
                                             {"decoupled_polls", decoupled_polls_},
                                             {"decoupled_outcome", decoupled_outcome_}}},
                       {"bridge", json::object{{"redirect_url", bridge_redirect_url_}}},
                       {"credentials", json::object{{"bridge_client_id", kBridgeClientId},
                                                    {"bridge_client_secret", kBridgeClientSecret},
                                                    {"gocardless_secret_id", kGcSecretId},
                                                    {"gocardless_secret_key", kGcSecretKey}}}};
    return json_reply(200, json::serialize(state));
  }
  if (path == "/_sandbox/ledger" && request.method == "GET") {
    // The seeded truth, in a neutral form, for tests to compare the APIs against.
    const std::string_view id = query_get(query, "account");
    for (std::size_t i = 0; i < ledger_.accounts().size(); ++i) {
      const Account& a = ledger_.accounts()[i];
      if (a.resource_id != id && a.iban != id) continue;
      auto row = [](const Txn& t, bool pending) {
        return json::object{{"id", pending ? t.pending_id : t.id}, {"bridge_id", pending ? t.bridge_pending_id : t.bridge_id},
                            {"booking_date", t.booking_date.iso()}, {"transaction_date", t.transaction_date.iso()},
                            {"amount", format_amount(t.amount_minor)}, {"purpose", t.purpose}};
      };
      json::array booked, pending;
      for (const Txn& t : booked_view(i, ledger_.first_day(), today_)) booked.push_back(row(t, false));
      for (const Txn& t : pending_view(i)) pending.push_back(row(t, true));
      return json_reply(200, json::serialize(json::object{{"booked", booked},
                                                          {"pending", pending},
                                                          {"booked_balance", format_amount(booked_balance_now(i))},
                                                          {"pending_sum", format_amount(pending_sum(i))}}));
    }
    return json_reply(404, R"({"error":"unknown account"})");
  }
  if (path == "/_sandbox/xs2a" && request.method == "POST") return xs2a_settings(request);
  if (path == "/_sandbox/bridge" && request.method == "POST") return bridge_settings(request);
  if (path == "/_sandbox/faults" && request.method == "DELETE") {
    faults_.clear();
    return json_reply(200, R"({"faults":[]})");
  }
  if (path == "/_sandbox/faults" && request.method == "POST") {
    boost::system::error_code ec;
    const json::value body = json::parse(request.body, ec);
    if (ec || !body.is_object()) return json_reply(400, R"({"error":"body must be a JSON object"})");
    const json::object& o = body.as_object();
    Fault f;
    const json::value* p = o.if_contains("path");
    const json::value* k = o.if_contains("fault");
    if (!p || !p->is_string() || p->as_string().empty() || p->as_string()[0] != '/' || p->as_string().size() > 512)
      return json_reply(400, R"({"error":"'path' must be a path pattern starting with '/'"})");
    if (!k || !k->is_string() || !fault_kind_from(std::string_view(k->as_string())))
      return json_reply(400, R"({"error":"'fault' must be one of expired_token, rate_limit, server_error, unavailable, slow, timeout, malformed_json, truncated_page, consent_expired, pending_to_booked, duplicate_across_pages"})");
    f.pattern = std::string(p->as_string());
    f.kind = *fault_kind_from(std::string_view(k->as_string()));
    auto int_field = [&](const char* name, int lo, int hi, int& out) -> bool {
      const json::value* v = o.if_contains(name);
      if (!v) return true;
      if (!v->is_int64() || v->as_int64() < lo || v->as_int64() > hi) return false;
      out = static_cast<int>(v->as_int64());
      return true;
    };
    if (!int_field("count", 0, 10000, f.remaining)) return json_reply(400, R"x({"error":"'count' must be 0..10000 (0 = until cleared)"})x");
    if (!int_field("delay_ms", 0, 120000, f.delay_ms)) return json_reply(400, R"({"error":"'delay_ms' must be 0..120000"})");
    if (!int_field("retry_after", 0, 86400, f.retry_after)) return json_reply(400, R"({"error":"'retry_after' must be 0..86400"})");
    if (faults_.size() >= 256) return json_reply(409, R"({"error":"too many faults"})");
    f.id = ++fault_ids_;
    faults_.push_back(f);
    return json_reply(201, json::serialize(json::object{{"id", f.id}, {"path", f.pattern}, {"fault", fault_kind_name(f.kind)},
                                                        {"remaining", f.remaining}}));
  }
  if (path == "/_sandbox/advance" && request.method == "POST") {
    int days = 1;
    if (!request.body.empty()) {
      boost::system::error_code ec;
      const json::value body = json::parse(request.body, ec);
      const json::value* d = !ec && body.is_object() ? body.as_object().if_contains("days") : nullptr;
      if (ec || !body.is_object() || (d && (!d->is_int64() || d->as_int64() < 1 || d->as_int64() > 366)))
        return json_reply(400, R"({"error":"body must be {\"days\": 1..366}"})");
      if (d) days = static_cast<int>(d->as_int64());
    }
    today_ = today_.add_days(days);
    today_booked_ = false;
    for (auto& [id, c] : consents_)
      if (c.status == "valid" && c.valid_until < today_) c.status = "expired";
    return json_reply(200, json::serialize(json::object{{"today", today_.iso()}}));
  }
  return json_reply(404, R"({"error":"no such control endpoint"})");
}

}  // namespace bankrec::app::sandbox
