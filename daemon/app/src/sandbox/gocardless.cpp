// GoCardless Bank Account Data (ex-Nordigen) API v2: JWT pair from secrets, end-user agreements,
// requisitions, accounts with details/balances/transactions, the per-account rolling 24 h limit of
// 4 successful calls per scope (HTTP_X_RATELIMIT_* headers, no Retry-After) and suspension after
// 10 consecutive failures.
#include <algorithm>
#include <boost/json.hpp>

#include "sandbox/json_text.h"
#include "sandbox/sandbox.h"

namespace bankrec::app::sandbox {

namespace json = boost::json;

namespace {

constexpr auto kAccessLifetime = std::chrono::hours(24);
constexpr auto kRefreshLifetime = std::chrono::days(30);
constexpr std::size_t kDailyAccountLimit = 4;
constexpr int kSuspendAfterFailures = 10;
constexpr std::size_t kMaxObjects = 10000;

Reply error(int status, std::string_view summary, std::string_view detail, std::string_view type = {}) {
  json::object o{{"summary", summary}, {"detail", detail}};
  if (!type.empty()) o["type"] = type;
  o["status_code"] = status;
  return json_reply(status, json::serialize(o));
}

struct Institution {
  std::string id, name, bic, bank;
};

std::vector<Institution> institutions() {
  return {{"MUSTERBANK_MUSTDEBB", "Musterbank AG", "MUSTDEBB", "musterbank"},
          {"SPARKASSE_MUSTERSTADT_SPKMDE21", "Sparkasse Musterstadt", "SPKMDE21", "sparkasse"}};
}

std::optional<Institution> institution(std::string_view id) {
  for (const Institution& i : institutions())
    if (i.id == id) return i;
  return std::nullopt;
}

json::object institution_json(const Institution& i) {
  return json::object{{"id", i.id},
                      {"name", i.name},
                      {"bic", i.bic},
                      {"transaction_total_days", "730"},
                      {"max_access_valid_for_days", "180"},
                      {"countries", json::array{"DE"}},
                      {"logo", "https://cdn-logos.gocardless.com/ais/" + i.id + ".png"}};
}

json::object agreement_json(const GcAgreement& a) {
  json::array scope;
  for (const std::string& s : a.scope) scope.push_back(json::value(s));
  return json::object{{"id", a.id},
                      {"created", a.created},
                      {"institution_id", a.institution_id},
                      {"max_historical_days", a.max_historical_days},
                      {"access_valid_for_days", a.access_valid_for_days},
                      {"access_scope", scope},
                      {"accepted", a.accepted ? json::value(a.accepted->iso() + "T06:00:00.000000Z") : json::value(nullptr)}};
}

}  // namespace

Reply Sandbox::gocardless(const http::Request& request, const Query& query) {
  const std::string& path = request.path;
  const std::string_view rest = std::string_view(path).substr(7);  // after "/api/v2"
  auto parse_body = [&](json::object& out) -> std::optional<Reply> {
    boost::system::error_code ec;
    json::value v = json::parse(request.body, ec);
    if (ec || !v.is_object()) return error(400, "Invalid request", "The request body must be a JSON object");
    out = std::move(v.as_object());
    return std::nullopt;
  };
  auto jwt = [&](std::string_view type, SysTime expires) {
    const auto exp = std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
    return base64url(R"({"alg":"HS256","typ":"JWT"})") + "." +
           base64url(R"({"token_type":")" + std::string(type) + R"(","exp":)" + std::to_string(exp) + R"(,"jti":")" + random_token(12) +
                     R"("})") +
           "." + random_token(32);
  };

  if (rest == "/token/new/" && request.method == "POST") {
    json::object body;
    if (auto e = parse_body(body)) return *e;
    const json::value* id = body.if_contains("secret_id");
    const json::value* key = body.if_contains("secret_key");
    if (!id || !id->is_string() || !key || !key->is_string())
      return json_reply(400, R"({"secret_id":["This field is required."],"secret_key":["This field is required."],"status_code":400})");
    if (id->as_string() != kGcSecretId || key->as_string() != kGcSecretKey)
      return error(401, "Authentication failed", "No active account found with the given credentials");
    if (gc_access_.size() > kMaxObjects) gc_access_.clear();
    if (gc_refresh_.size() > kMaxObjects) gc_refresh_.clear();
    const std::string access = jwt("access", now() + kAccessLifetime), refresh = jwt("refresh", now() + kRefreshLifetime);
    gc_access_[access] = Token{"gocardless", std::string(kGcSecretId), "", now() + kAccessLifetime};
    gc_refresh_[refresh] = Token{"gocardless", std::string(kGcSecretId), "", now() + kRefreshLifetime};
    return json_reply(200, json::serialize(json::object{
                               {"access", access}, {"access_expires", 86400}, {"refresh", refresh}, {"refresh_expires", 2592000}}));
  }
  if (rest == "/token/refresh/" && request.method == "POST") {
    json::object body;
    if (auto e = parse_body(body)) return *e;
    const json::value* refresh = body.if_contains("refresh");
    if (!refresh || !refresh->is_string()) return json_reply(400, R"({"refresh":["This field is required."],"status_code":400})");
    auto it = gc_refresh_.find(std::string(refresh->as_string()));
    if (it == gc_refresh_.end() || it->second.expires <= now()) return error(401, "Invalid token", "Token is invalid or expired", "InvalidToken");
    // No rotation: the refresh token stays valid until it expires.
    const std::string access = jwt("access", now() + kAccessLifetime);
    gc_access_[access] = Token{"gocardless", std::string(kGcSecretId), "", now() + kAccessLifetime};
    return json_reply(200, json::serialize(json::object{{"access", access}, {"access_expires", 86400}}));
  }

  const std::string_view auth = request.header("Authorization");
  if (!auth.starts_with("Bearer ")) return error(401, "Authentication credentials were not provided.", "Authentication credentials were not provided.");
  auto tok = gc_access_.find(std::string(auth.substr(7)));
  if (tok == gc_access_.end() || tok->second.expires <= now()) return error(401, "Invalid token", "Token is invalid or expired", "InvalidToken");

  if (rest == "/institutions/" && request.method == "GET") {
    const std::string_view country = query_get(query, "country");
    json::array list;
    if (country.empty() || country == "de" || country == "DE")
      for (const Institution& i : institutions()) list.push_back(institution_json(i));
    return json_reply(200, json::serialize(list));
  }
  if (rest.starts_with("/institutions/") && rest.ends_with("/") && request.method == "GET") {
    if (auto i = institution(rest.substr(14, rest.size() - 15))) return json_reply(200, json::serialize(institution_json(*i)));
    return error(404, "Not found.", "Institution not found", "NotFound");
  }
  if (rest == "/agreements/enduser/" && request.method == "POST") {
    json::object body;
    if (auto e = parse_body(body)) return *e;
    GcAgreement a;
    const json::value* inst = body.if_contains("institution_id");
    if (!inst || !inst->is_string() || !institution(std::string_view(inst->as_string())))
      return error(400, "Unknown Institution ID", "Get Institution IDs from /institutions/?country={$COUNTRY_CODE}");
    a.institution_id = std::string(inst->as_string());
    if (const json::value* v = body.if_contains("max_historical_days")) {
      if (!v->is_int64() || v->as_int64() < 1 || v->as_int64() > 730)
        return error(400, "Incorrect max_historical_days", "max_historical_days must be > 0 and <= 730");
      a.max_historical_days = static_cast<int>(v->as_int64());
    }
    if (const json::value* v = body.if_contains("access_valid_for_days")) {
      if (!v->is_int64() || v->as_int64() < 1 || v->as_int64() > 180)
        return error(400, "Incorrect access_valid_for_days", "access_valid_for_days must be > 0 and <= 180");
      a.access_valid_for_days = static_cast<int>(v->as_int64());
    }
    a.scope = {"balances", "details", "transactions"};
    if (const json::value* v = body.if_contains("access_scope")) {
      if (!v->is_array() || v->as_array().empty() || v->as_array().size() > 3) return error(400, "Invalid access_scope", "access_scope must list balances, details, transactions");
      a.scope.clear();
      for (const json::value& s : v->as_array()) {
        if (!s.is_string() || (s.as_string() != "balances" && s.as_string() != "details" && s.as_string() != "transactions"))
          return error(400, "Unknown value in access_scope", "Choose one or several of 'balances', 'details', 'transactions'");
        a.scope.emplace_back(s.as_string());
      }
    }
    if (gc_agreements_.size() >= kMaxObjects) return error(429, "Rate limit exceeded", "Too many agreements in this sandbox", "RateLimitError");
    const std::string id = next_id("");
    a.id = id.substr(0, 8) + "-" + id.substr(8, 4) + "-4" + id.substr(13, 3) + "-9" + next_id("").substr(0, 3) + "-" + next_id("").substr(0, 12);
    a.created = today_.iso() + "T06:00:00.000000Z";
    gc_agreements_[a.id] = a;
    return json_reply(201, json::serialize(agreement_json(a)));
  }
  if (rest == "/agreements/enduser/" && request.method == "GET") {
    json::array list;
    for (const auto& [id, a] : gc_agreements_) list.push_back(agreement_json(a));
    return json_reply(200, json::serialize(json::object{{"count", list.size()}, {"next", nullptr}, {"previous", nullptr}, {"results", list}}));
  }
  if (rest.starts_with("/agreements/enduser/") && rest.ends_with("/")) {
    const std::string id(rest.substr(20, rest.size() - 21));
    auto it = gc_agreements_.find(id);
    if (it == gc_agreements_.end()) return error(404, "Not found.", "End User Agreement not found", "NotFound");
    if (request.method == "GET") return json_reply(200, json::serialize(agreement_json(it->second)));
    if (request.method == "DELETE") {
      if (it->second.accepted) return error(400, "Cannot delete accepted End User Agreement", "Accepted End User Agreements cannot be deleted");
      gc_agreements_.erase(it);
      return json_reply(200, R"({"summary":"End User Agreement deleted","detail":"End User Agreement deleted"})");
    }
  }
  auto requisition_json = [&](GcRequisition& r) {
    if (r.status == "LN") {
      auto a = gc_agreements_.find(r.agreement);
      if (a != gc_agreements_.end() && a->second.accepted && a->second.accepted->add_days(a->second.access_valid_for_days) <= today_)
        r.status = "EX";
    }
    json::array accounts;
    for (std::size_t i : r.accounts) accounts.push_back(json::value(ledger_.accounts()[i].resource_id));
    return json::object{{"id", r.id},
                        {"created", r.created},
                        {"redirect", r.redirect},
                        {"status", r.status},
                        {"institution_id", r.institution_id},
                        {"agreement", r.agreement},
                        {"reference", r.reference},
                        {"accounts", accounts},
                        {"user_language", r.user_language},
                        {"link", base_url_ + "/gocardless/link/" + r.id},
                        {"ssn", nullptr},
                        {"account_selection", false},
                        {"redirect_immediate", false}};
  };
  if (rest == "/requisitions/" && request.method == "POST") {
    json::object body;
    if (auto e = parse_body(body)) return *e;
    GcRequisition r;
    const json::value* redirect = body.if_contains("redirect");
    const json::value* inst = body.if_contains("institution_id");
    if (!redirect || !redirect->is_string() || !(redirect->as_string().starts_with("https://") || redirect->as_string().starts_with("http://")))
      return json_reply(400, R"({"redirect":{"summary":"Invalid redirect","detail":"Enter a valid URL."},"status_code":400})");
    if (!inst || !inst->is_string() || !institution(std::string_view(inst->as_string())))
      return error(400, "Unknown Institution ID", "Get Institution IDs from /institutions/?country={$COUNTRY_CODE}");
    r.redirect = std::string(redirect->as_string());
    r.institution_id = std::string(inst->as_string());
    if (const json::value* v = body.if_contains("agreement")) {
      if (!v->is_string() || !gc_agreements_.contains(std::string(v->as_string())))
        return json_reply(400, R"({"agreement":{"summary":"Invalid agreement","detail":"End User Agreement not found"},"status_code":400})");
      r.agreement = std::string(v->as_string());
      if (gc_agreements_.at(r.agreement).institution_id != r.institution_id)
        return json_reply(400, R"({"agreement":{"summary":"Incorrect Institution ID","detail":"Provided Institution ID is different from the one in the End User Agreement"},"status_code":400})");
    } else {
      // The provider's default agreement: 90 days of history, 90 days of access, every scope.
      GcAgreement a;
      a.id = "default-" + next_id("");
      a.institution_id = r.institution_id;
      a.scope = {"balances", "details", "transactions"};
      a.created = today_.iso() + "T06:00:00.000000Z";
      gc_agreements_[a.id] = a;
      r.agreement = a.id;
    }
    if (const json::value* v = body.if_contains("reference")) {
      if (!v->is_string() || v->as_string().empty() || v->as_string().size() > 256)
        return json_reply(400, R"({"reference":{"summary":"Invalid reference","detail":"reference must be 1..256 characters"},"status_code":400})");
      r.reference = std::string(v->as_string());
      for (const auto& [id, other] : gc_requisitions_)
        if (other.reference == r.reference)
          return json_reply(400, R"({"reference":{"summary":"Client reference must be unique","detail":"Client reference must be unique"},"status_code":400})");
    }
    if (const json::value* v = body.if_contains("user_language"); v && v->is_string()) r.user_language = std::string(v->as_string());
    if (gc_requisitions_.size() >= kMaxObjects) return error(429, "Rate limit exceeded", "Too many requisitions in this sandbox", "RateLimitError");
    const std::string raw = next_id("") + next_id("");
    r.id = raw.substr(0, 8) + "-" + raw.substr(8, 4) + "-4" + raw.substr(12, 3) + "-a" + raw.substr(15, 3) + "-" + raw.substr(18, 12);
    if (r.reference.empty()) r.reference = r.id;
    r.created = today_.iso() + "T06:00:00.000000Z";
    auto& stored = gc_requisitions_[r.id] = r;
    return json_reply(201, json::serialize(requisition_json(stored)));
  }
  if (rest == "/requisitions/" && request.method == "GET") {
    json::array list;
    for (auto& [id, r] : gc_requisitions_) list.push_back(requisition_json(r));
    return json_reply(200, json::serialize(json::object{{"count", list.size()}, {"next", nullptr}, {"previous", nullptr}, {"results", list}}));
  }
  if (rest.starts_with("/requisitions/") && rest.ends_with("/")) {
    const std::string id(rest.substr(14, rest.size() - 15));
    auto it = gc_requisitions_.find(id);
    if (it == gc_requisitions_.end()) return error(404, "Not found.", "Requisition not found", "NotFound");
    if (request.method == "GET") return json_reply(200, json::serialize(requisition_json(it->second)));
    if (request.method == "DELETE") {
      gc_requisitions_.erase(it);
      return json_reply(200, R"({"summary":"Requisition deleted","detail":"Requisition and its end user agreement deleted"})");
    }
  }
  if (rest.starts_with("/accounts/") && rest.ends_with("/") && request.method == "GET") {
    std::string_view tail = rest.substr(10, rest.size() - 11);
    const auto slash = tail.find('/');
    const std::string id(tail.substr(0, slash));
    const std::string_view scope = slash == std::string_view::npos ? std::string_view() : tail.substr(slash + 1);
    if (!scope.empty() && scope != "details" && scope != "balances" && scope != "transactions")
      return error(404, "Not found.", "Not found.", "NotFound");
    return gocardless_account(request, query, id, scope);
  }
  return error(404, "Not found.", "Not found.", "NotFound");
}

Reply Sandbox::gocardless_link(const http::Request& request) {
  // The bank's consent pages, completed at once by the simulated PSU.
  const std::string id = request.path.substr(17);
  auto it = gc_requisitions_.find(id);
  if (it == gc_requisitions_.end()) return Reply{404, "text/plain; charset=utf-8", {}, "unknown requisition\n"};
  GcRequisition& r = it->second;
  if (r.status == "CR") {
    const auto inst = institution(r.institution_id);
    for (std::size_t i = 0; i < ledger_.accounts().size(); ++i)
      if (inst && ledger_.accounts()[i].bank == inst->bank && ledger_.accounts()[i].kind != AccountKind::card) r.accounts.push_back(i);
    r.status = "LN";
    if (auto a = gc_agreements_.find(r.agreement); a != gc_agreements_.end()) a->second.accepted = today_;
  }
  Reply reply{302, "", {}, ""};
  reply.headers.emplace_back("Location", r.redirect + (r.redirect.find('?') == std::string::npos ? "?" : "&") + "ref=" + url_encode(r.reference));
  return reply;
}

Reply Sandbox::gocardless_account(const http::Request& request, const Query& query, const std::string& id, std::string_view scope) {
  if (!is_uuid(id)) return error(400, "Invalid Account ID", id + " is not a valid Account UUID. ");
  // The account must belong to a linked requisition.
  std::optional<std::size_t> index;
  const GcRequisition* requisition = nullptr;
  for (auto& [rid, r] : gc_requisitions_)
    for (std::size_t i : r.accounts)
      if (ledger_.accounts()[i].resource_id == id) {
        index = i;
        requisition = &r;
      }
  if (!index) return error(404, "Not found.", "Account ID " + id + " not found", "NotFound");
  const std::size_t i = *index;
  const Account& acc = ledger_.accounts()[i];
  GcAccountState& state = gc_accounts_[i];
  const GcAgreement* agreement = nullptr;
  if (auto a = gc_agreements_.find(requisition->agreement); a != gc_agreements_.end()) agreement = &a->second;
  const bool expired = requisition->status == "EX" || !agreement || !agreement->accepted ||
                       agreement->accepted->add_days(agreement->access_valid_for_days) <= today_;

  if (scope.empty()) {
    json::object meta{{"id", acc.resource_id},
                      {"created", ledger_.first_day().iso() + "T06:00:00.000000Z"},
                      {"last_accessed", today_.iso() + "T06:00:00.000000Z"},
                      {"iban", acc.iban},
                      {"institution_id", requisition->institution_id},
                      {"status", state.suspended ? "SUSPENDED" : expired ? "EXPIRED" : "READY"},
                      {"owner_name", acc.owner_name}};
    return json_reply(200, json::serialize(meta));
  }

  // Per account and scope: 4 successful calls in a rolling 24 hours.
  auto& successes = state.successes[std::string(scope)];
  const SysTime t = now();
  while (!successes.empty() && successes.front() + std::chrono::hours(24) <= t) successes.pop_front();
  const long reset = successes.empty() ? 86400
                                       : static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(
                                                               successes.front() + std::chrono::hours(24) - t).count());
  auto with_headers = [&](Reply r) {
    const std::size_t used = successes.size();
    r.headers.emplace_back("HTTP_X_RATELIMIT_LIMIT", "100");
    r.headers.emplace_back("HTTP_X_RATELIMIT_REMAINING", "99");
    r.headers.emplace_back("HTTP_X_RATELIMIT_RESET", "60");
    r.headers.emplace_back("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_LIMIT", std::to_string(kDailyAccountLimit));
    r.headers.emplace_back("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING", std::to_string(used >= kDailyAccountLimit ? 0 : kDailyAccountLimit - used));
    r.headers.emplace_back("HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET", std::to_string(reset));
    return r;
  };
  auto failure = [&](Reply r) {
    if (++state.consecutive_failures >= kSuspendAfterFailures) state.suspended = true;
    return with_headers(std::move(r));
  };
  if (state.suspended)
    return with_headers(error(409, "Account suspended",
                              "Account " + id + " is suspended due to numerous errors that occurred while accessing it.", "AccountSuspendedError"));
  if (expired)
    return failure(error(401, "End User Agreement (EUA) " + requisition->agreement + " has expired",
                         "Access has expired or it has been revoked. To restore access reconnect the account.", "AccessExpiredError"));
  if (std::find(agreement->scope.begin(), agreement->scope.end(), scope) == agreement->scope.end())
    return failure(error(403, "End User Agreement (EUA) scope error",
                         "Your EUA doesn't allow access to " + std::string(scope) + ". Create a new EUA with the required access_scope.",
                         "AccountAccessForbidden"));
  if (successes.size() >= kDailyAccountLimit)
    return with_headers(error(429, "Rate limit exceeded",
                              "The rate limit for this resource is 4/day. Please try again in " + std::to_string(reset) + " seconds",
                              "RateLimitError"));

  Reply reply;
  if (scope == "details") {
    reply = json_reply(200, json::serialize(json::object{{"account", json::object{{"resourceId", acc.resource_id},
                                                                                    {"iban", acc.iban},
                                                                                    {"currency", "EUR"},
                                                                                    {"ownerName", acc.owner_name},
                                                                                    {"name", acc.name},
                                                                                    {"product", acc.product},
                                                                                    {"cashAccountType", acc.cash_account_type},
                                                                                    {"bic", acc.bic}}}}));
  } else if (scope == "balances") {
    const std::int64_t booked = booked_balance_now(i);
    auto balance = [](std::int64_t minor, const char* type, Date date) {
      return json::object{{"balanceAmount", json::object{{"amount", format_amount(minor)}, {"currency", "EUR"}}},
                          {"balanceType", type},
                          {"referenceDate", date.iso()}};
    };
    reply = json_reply(200, json::serialize(json::object{
                                {"balances", json::array{balance(booked, "closingBooked", today_booked_ ? today_ : today_.add_days(-1)),
                                                         balance(booked + pending_sum(i), "interimAvailable", today_)}}}));
  } else {
    Date from = today_.add_days(-agreement->max_historical_days), to = today_;
    if (query_has(query, "date_from")) {
      const auto d = parse_date_strict(query_get(query, "date_from"));
      if (!d) return failure(error(400, "Invalid date_from", "date_from must be YYYY-MM-DD"));
      from = std::max(*d, from);
    }
    if (query_has(query, "date_to")) {
      const auto d = parse_date_strict(query_get(query, "date_to"));
      if (!d) return failure(error(400, "Invalid date_to", "date_to must be YYYY-MM-DD"));
      to = *d;
    }
    if (from > to)
      return failure(error(400, "Incorrect date range", "Starting date '" + from.iso() + "' is greater than end date '" + to.iso() + "'"));
    if (take_fault(request.path, {FaultKind::pending_to_booked})) today_booked_ = true;
    json::array booked, pending;
    for (const Txn& t : booked_view(i, from, to)) {
      json::object o = bg_transaction(t, false);
      char internal[64];
      std::uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across builds
      for (char c : t.id) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
      std::snprintf(internal, sizeof internal, "%016llx%016llx", static_cast<unsigned long long>(mix64(options_.seed ^ h)),
                    static_cast<unsigned long long>(mix64(h)));
      o["internalTransactionId"] = internal;
      o["remittanceInformationUnstructuredArray"] = json::array{json::value(t.purpose)};
      booked.push_back(std::move(o));
    }
    if (to >= today_)
      for (const Txn& t : pending_view(i)) {
        json::object o = bg_transaction(t, true);
        o["remittanceInformationUnstructuredArray"] = json::array{json::value(t.purpose)};
        pending.push_back(std::move(o));
      }
    reply = json_reply(200, json::serialize(json::object{{"transactions", json::object{{"booked", booked}, {"pending", pending}}},
                                                         {"last_updated", today_.iso() + "T05:00:00.000000Z"}}));
  }
  successes.push_back(t);
  state.consecutive_failures = 0;
  return with_headers(std::move(reply));  // the reset still counts from the oldest success
}

}  // namespace bankrec::app::sandbox
