// Berlin Group NextGenPSD2 XS2A 1.3.x (AIS) with the OAuth, redirect and decoupled SCA approaches
// (the redirect and decoupled parts are in xs2a_sca_flow.cpp). Two bank profiles share
// the ledger: /v1/... ("musterbank": JSON, and camt.052 on Accept: application/xml) and
// /sparkasse/v1/... (Finanz Informatik behaviour: transactions only as camt.052, JSON gets 406).
#include <algorithm>
#include <boost/json.hpp>

#include "sandbox/json_text.h"
#include "sandbox/sandbox.h"

namespace bankrec::app::sandbox {

namespace json = boost::json;

namespace {

constexpr int kMaxFrequencyPerDay = 4;
constexpr int kMaxValidityDays = 180;
constexpr int kHistoryWithoutScaDays = 90;
constexpr auto kAccessTokenLifetime = std::chrono::minutes(15);
constexpr auto kCodeLifetime = std::chrono::minutes(2);
constexpr auto kFreshScaWindow = std::chrono::minutes(20);

Reply tpp_error(int status, std::string_view code, std::string_view text, std::string_view path = {}) {
  json::object msg{{"category", "ERROR"}, {"code", code}};
  if (!path.empty()) msg["path"] = path;
  msg["text"] = text;
  return json_reply(status, json::serialize(json::object{{"tppMessages", json::array{msg}}}));
}

json::object href(std::string link) { return json::object{{"href", std::move(link)}}; }

json::object amount(std::int64_t minor) { return json::object{{"currency", "EUR"}, {"amount", format_amount(minor)}}; }

Reply oauth_error(int status, std::string_view error, std::string_view description) {
  Reply r = json_reply(status, json::serialize(json::object{{"error", error}, {"error_description", description}}));
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

bool is_pkce_text(std::string_view s) {
  return s.size() >= 43 && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~';
         });
}

}  // namespace

json::object bg_transaction(const Txn& t, bool pending) {
  json::object o;
  o["transactionId"] = pending ? t.pending_id : t.id;
  if (!pending) o["entryReference"] = t.entry_reference;
  o["endToEndId"] = t.end_to_end_id;
  if (!t.mandate_id.empty()) o["mandateId"] = t.mandate_id;
  if (!t.creditor_id.empty()) o["creditorId"] = t.creditor_id;
  if (!pending) o["bookingDate"] = t.booking_date.iso();
  o["valueDate"] = t.value_date.iso();
  if (t.transaction_date != t.booking_date) o["transactionDate"] = t.transaction_date.iso();
  o["transactionAmount"] = amount(t.amount_minor);
  const bool credit = t.amount_minor > 0;
  o[credit ? "debtorName" : "creditorName"] = t.counterparty.name;
  if (!t.counterparty.iban.empty()) o[credit ? "debtorAccount" : "creditorAccount"] = json::object{{"iban", t.counterparty.iban}};
  if (!t.counterparty.bic.empty()) o[credit ? "debtorAgent" : "creditorAgent"] = t.counterparty.bic;
  o["remittanceInformationUnstructured"] = t.purpose;
  if (!t.purpose_code.empty()) o["purposeCode"] = t.purpose_code;
  o["bankTransactionCode"] = t.bank_transaction_code;
  if (!t.dk_code.empty()) o["proprietaryBankTransactionCode"] = t.dk_code;
  return o;
}

Reply Sandbox::xs2a(const http::Request& request, const Query& query, std::string_view profile, std::string_view rest) {
  const std::string_view request_id = request.header("X-Request-ID");
  Reply r = [&]() -> Reply {
    if (request_id.empty()) return tpp_error(400, "FORMAT_ERROR", "The header X-Request-ID is missing.", "X-Request-ID");
    if (!is_uuid(request_id)) return tpp_error(400, "FORMAT_ERROR", "X-Request-ID must be a UUID.", "X-Request-ID");
    if (rest == "/consents") {
      if (request.method != "POST") return tpp_error(405, "SERVICE_INVALID", "Method not allowed on /consents.");
      return xs2a_create_consent(request, profile);
    }
    if (rest.starts_with("/consents/")) {
      std::string_view tail = rest.substr(10);
      const auto slash = tail.find('/');
      const std::string id(tail.substr(0, slash));
      const std::string_view sub = slash == std::string_view::npos ? std::string_view() : tail.substr(slash);
      auto it = consents_.find(id);
      if (it == consents_.end() || it->second.profile != profile)
        return tpp_error(403, "CONSENT_UNKNOWN", "The Consent-ID cannot be matched by the ASPSP relative to the TPP.");
      Consent& c = it->second;
      if (c.status == "valid" && c.valid_until < today_) c.status = "expired";
      const std::string self = std::string(profile == "sparkasse" ? "/sparkasse/v1" : "/v1") + "/consents/" + id;
      if (sub == "/status" && request.method == "GET") {
        tick_decoupled(c);
        return json_reply(200, json::serialize(json::object{{"consentStatus", c.status}}));
      }
      if (sub.starts_with("/authorisations"))
        return xs2a_authorisations(c, request, profile == "sparkasse" ? "/sparkasse/v1" : "/v1", sub);
      if (sub.empty() && request.method == "GET") {
        json::value access = json::parse(c.access_json);
        json::object o{{"access", access},
                       {"recurringIndicator", c.recurring},
                       {"validUntil", c.valid_until.iso()},
                       {"frequencyPerDay", c.frequency},
                       {"lastActionDate", c.last_action.iso()},
                       {"consentStatus", c.status},
                       {"_links", json::object{{"account", href(std::string(profile == "sparkasse" ? "/sparkasse/v1" : "/v1") + "/accounts")}}}};
        return json_reply(200, json::serialize(o));
      }
      if (sub.empty() && request.method == "DELETE") {
        c.status = "terminatedByTpp";
        for (auto& [token, t] : access_tokens_)
          if (t.subject == id) t.revoked = true;
        for (auto& [token, t] : refresh_tokens_)
          if (t.subject == id) t.revoked = true;
        return Reply{204, "", {}, ""};
      }
      return tpp_error(405, "SERVICE_INVALID", "Method or sub-resource not supported on consents.");
    }
    if (rest == "/accounts" || rest.starts_with("/accounts/")) return xs2a_accounts(request, query, profile, rest);
    return tpp_error(404, "RESOURCE_UNKNOWN", "The addressed resource is unknown.");
  }();
  if (!request_id.empty()) r.headers.emplace_back("X-Request-ID", std::string(request_id));
  return r;
}

Reply Sandbox::xs2a_create_consent(const http::Request& request, std::string_view profile) {
  if (request.header("PSU-IP-Address").empty())
    return tpp_error(400, "FORMAT_ERROR", "The header PSU-IP-Address is mandatory for consent creation.", "PSU-IP-Address");
  if (!request.header("Content-Type").starts_with("application/json"))
    return tpp_error(400, "FORMAT_ERROR", "Content-Type must be application/json.", "Content-Type");
  boost::system::error_code ec;
  const json::value body = json::parse(request.body, ec);
  if (ec || !body.is_object()) return tpp_error(400, "FORMAT_ERROR", "The request body is not a JSON object.");
  const json::object& o = body.as_object();
  const json::value* access = o.if_contains("access");
  const json::value* recurring = o.if_contains("recurringIndicator");
  const json::value* valid_until = o.if_contains("validUntil");
  const json::value* frequency = o.if_contains("frequencyPerDay");
  const json::value* combined = o.if_contains("combinedServiceIndicator");
  if (!access || !access->is_object()) return tpp_error(400, "FORMAT_ERROR", "access is missing or not an object.", "access");
  if (!recurring || !recurring->is_bool())
    return tpp_error(400, "FORMAT_ERROR", "recurringIndicator is missing or not a boolean.", "recurringIndicator");
  if (!valid_until || !valid_until->is_string() || !parse_date_strict(std::string_view(valid_until->as_string())))
    return tpp_error(400, "FORMAT_ERROR", "validUntil is missing or not an ISODate.", "validUntil");
  if (!frequency || !frequency->is_int64() || frequency->as_int64() < 1)
    return tpp_error(400, "FORMAT_ERROR", "frequencyPerDay is missing or not a positive integer.", "frequencyPerDay");
  if (!combined || !combined->is_bool())
    return tpp_error(400, "FORMAT_ERROR", "combinedServiceIndicator is missing or not a boolean.", "combinedServiceIndicator");
  if (combined->as_bool()) return tpp_error(400, "SESSIONS_NOT_SUPPORTED", "Combined service sessions are not supported.");

  Consent c;
  c.profile = std::string(profile);
  c.recurring = recurring->as_bool();
  c.valid_until = *parse_date_strict(std::string_view(valid_until->as_string()));
  if (c.valid_until < today_) return tpp_error(400, "PERIOD_INVALID", "validUntil lies in the past.", "validUntil");
  // The ASPSP adjusts: at most 180 days, at most 4 unattended accesses, 1 for a one-off consent.
  const Date max_until = today_.add_days(kMaxValidityDays - 1);
  if (c.valid_until > max_until) c.valid_until = max_until;
  c.frequency = c.recurring ? static_cast<int>(std::min<std::int64_t>(frequency->as_int64(), kMaxFrequencyPerDay)) : 1;
  c.last_action = today_;
  c.redirect_uri = std::string(request.header("TPP-Redirect-URI"));

  const json::object& a = access->as_object();
  auto resolve = [&](const char* key, std::vector<std::size_t>& out) -> std::optional<Reply> {
    const json::value* list = a.if_contains(key);
    if (!list) return std::nullopt;
    if (!list->is_array() || list->as_array().size() > 50)
      return tpp_error(400, "FORMAT_ERROR", std::string("access.") + key + " must be an array of account references.");
    for (const json::value& ref : list->as_array()) {
      const json::value* iban = ref.is_object() ? ref.as_object().if_contains("iban") : nullptr;
      if (!iban || !iban->is_string())
        return tpp_error(400, "FORMAT_ERROR", std::string("access.") + key + " entries must be {\"iban\": ...}.");
      std::optional<std::size_t> found;
      for (std::size_t i = 0; i < ledger_.accounts().size(); ++i)
        if (ledger_.accounts()[i].iban == iban->as_string() && ledger_.accounts()[i].bank == profile) found = i;
      if (!found) return tpp_error(400, "RESOURCE_UNKNOWN", "Unknown account " + std::string(iban->as_string()) + ".");
      if (std::find(out.begin(), out.end(), *found) == out.end()) out.push_back(*found);
    }
    return std::nullopt;
  };
  for (const auto& [key, value] : a) {
    if (key != "accounts" && key != "balances" && key != "transactions" && key != "availableAccounts" && key != "allPsd2" &&
        key != "availableAccountsWithBalance")
      return tpp_error(400, "FORMAT_ERROR", "Unsupported access attribute '" + std::string(key) + "'.", "access");
  }
  if (auto e = resolve("accounts", c.accounts)) return *e;
  if (auto e = resolve("balances", c.balances)) return *e;
  if (auto e = resolve("transactions", c.transactions)) return *e;
  auto all_of = [&](const char* key) {
    const json::value* v = a.if_contains(key);
    return v && v->is_string() && (v->as_string() == "allAccounts" || v->as_string() == "allAccountsWithOwnerName");
  };
  if (all_of("allPsd2")) {
    c.all_accounts = true;
  } else if (all_of("availableAccounts") || all_of("availableAccountsWithBalance")) {
    c.list_only = true;
  } else if (c.accounts.empty() && c.balances.empty() && c.transactions.empty()) {
    if (!a.contains("accounts") && !a.contains("balances") && !a.contains("transactions"))
      return tpp_error(400, "FORMAT_ERROR", "access names no accounts.", "access");
    c.all_accounts = true;  // bank-offered consent: the PSU picks at the bank; the sandbox grants all
  }
  for (std::size_t i : c.balances)
    if (std::find(c.accounts.begin(), c.accounts.end(), i) == c.accounts.end()) c.accounts.push_back(i);
  for (std::size_t i : c.transactions)
    if (std::find(c.accounts.begin(), c.accounts.end(), i) == c.accounts.end()) c.accounts.push_back(i);
  if (c.all_accounts) {
    c.accounts.clear();
    for (std::size_t i = 0; i < ledger_.accounts().size(); ++i)
      if (ledger_.accounts()[i].bank == profile && ledger_.accounts()[i].kind != AccountKind::card) c.accounts.push_back(i);
    c.balances = c.transactions = c.accounts;
  }
  json::object granted;
  if (c.list_only) {
    granted["availableAccounts"] = "allAccounts";
  } else {
    auto refs = [&](const std::vector<std::size_t>& v) {
      json::array out;
      for (std::size_t i : v) out.push_back(json::object{{"iban", ledger_.accounts()[i].iban}});
      return out;
    };
    granted["accounts"] = refs(c.accounts);
    granted["balances"] = refs(c.balances);
    granted["transactions"] = refs(c.transactions);
  }
  c.access_json = json::serialize(granted);
  if (consents_.size() >= 10000) return tpp_error(400, "SERVICE_BLOCKED", "Too many consents in this sandbox.");
  c.sca_approach = choose_sca_approach(request);
  c.nok_redirect_uri = std::string(request.header("TPP-Nok-Redirect-URI"));
  c.psu_id = std::string(request.header("PSU-ID"));
  if (c.sca_approach == "REDIRECT" && c.redirect_uri.empty())
    return tpp_error(400, "FORMAT_ERROR", "TPP-Redirect-URI is required for the redirect SCA approach.", "TPP-Redirect-URI");
  c.id = next_id("cns-");
  const std::string prefix = profile == "sparkasse" ? "/sparkasse/v1" : "/v1";
  auto inserted = consents_.emplace(c.id, c);
  return xs2a_consent_links(inserted.first->second, request, prefix);
}

Reply Sandbox::xs2a_accounts(const http::Request& request, const Query& query, std::string_view profile, std::string_view rest) {
  const std::string consent_id(request.header("Consent-ID"));
  if (consent_id.empty()) return tpp_error(400, "FORMAT_ERROR", "The header Consent-ID is missing.", "Consent-ID");
  auto it = consents_.find(consent_id);
  if (it == consents_.end() || it->second.profile != profile)
    return tpp_error(403, "CONSENT_UNKNOWN", "The Consent-ID cannot be matched by the ASPSP relative to the TPP.", "Consent-ID");
  Consent& c = it->second;
  if (c.status == "valid" && c.valid_until < today_) c.status = "expired";
  if (c.status == "expired")
    return tpp_error(401, "CONSENT_EXPIRED", "The consent was created by this TPP but has expired and needs to be renewed.");
  if (c.status != "valid")
    return tpp_error(401, "CONSENT_INVALID", "The consent is not valid (status " + c.status + ").", "Consent-ID");
  if (c.sca_approach == "OAUTH") {
    // Only consents authorised through OAuth need the bearer token; redirect and decoupled
    // consents are used with the Consent-ID alone.
    const std::string_view auth = request.header("Authorization");
    if (!auth.starts_with("Bearer ")) return tpp_error(401, "TOKEN_INVALID", "An OAuth bearer token is required.", "Authorization");
    auto tok = access_tokens_.find(std::string(auth.substr(7)));
    if (tok == access_tokens_.end() || tok->second.revoked || tok->second.subject != consent_id)
      return tpp_error(401, "TOKEN_INVALID", "The OAuth token is not valid for this consent.", "Authorization");
    if (tok->second.expires <= now()) return tpp_error(401, "TOKEN_EXPIRED", "The OAuth token has expired.", "Authorization");
  }
  if (request.method != "GET") return tpp_error(405, "SERVICE_INVALID", "Only GET is supported on accounts.");

  const std::string prefix = profile == "sparkasse" ? "/sparkasse/v1" : "/v1";
  const bool unattended = request.header("PSU-IP-Address").empty();
  auto count_access = [&](std::string_view account, std::string_view endpoint) -> bool {
    // frequencyPerDay binds unattended accesses per consent, account and endpoint per calendar day.
    if (!unattended) return true;
    int& n = access_counts_[today_.iso()][consent_id + "|" + std::string(account) + "|" + std::string(endpoint)];
    if (n >= c.frequency) return false;
    ++n;
    return true;
  };
  const Reply exceeded = tpp_error(429, "ACCESS_EXCEEDED", "The access on the account has been exceeding the consented multiplicity per day.");
  auto allowed = [&](const std::vector<std::size_t>& v, std::size_t i) { return std::find(v.begin(), v.end(), i) != v.end(); };
  auto balances_json = [&](std::size_t i) {
    const std::int64_t booked = booked_balance_now(i);
    return json::array{
        json::object{{"balanceAmount", amount(booked)},
                     {"balanceType", "closingBooked"},
                     {"referenceDate", (today_booked_ ? today_ : today_.add_days(-1)).iso()}},
        json::object{{"balanceAmount", amount(booked + pending_sum(i))},
                     {"balanceType", "interimAvailable"},
                     {"creditLimitIncluded", false},
                     {"referenceDate", today_.iso()}},
    };
  };
  auto account_json = [&](std::size_t i, bool with_balance) {
    const Account& a = ledger_.accounts()[i];
    json::object links;
    if (allowed(c.balances, i)) links["balances"] = href(prefix + "/accounts/" + a.resource_id + "/balances");
    if (allowed(c.transactions, i)) links["transactions"] = href(prefix + "/accounts/" + a.resource_id + "/transactions");
    json::object o{{"resourceId", a.resource_id}, {"iban", a.iban},       {"currency", "EUR"},
                   {"ownerName", a.owner_name},   {"name", a.name},       {"product", a.product},
                   {"cashAccountType", a.cash_account_type}, {"status", "enabled"}, {"usage", "ORGA"},
                   {"bic", a.bic}};
    if (with_balance && allowed(c.balances, i)) o["balances"] = balances_json(i);
    o["_links"] = links;
    return o;
  };
  const bool with_balance = query_get(query, "withBalance") == "true";
  c.last_action = today_;

  if (rest == "/accounts") {
    if (!count_access("*", "accounts")) return exceeded;
    json::array list;
    for (std::size_t i : c.accounts) list.push_back(account_json(i, with_balance));
    return json_reply(200, json::serialize(json::object{{"accounts", list}}));
  }
  std::string_view tail = rest.substr(10);
  const auto slash = tail.find('/');
  const std::string id(tail.substr(0, slash));
  const std::string_view sub = slash == std::string_view::npos ? std::string_view() : tail.substr(slash);
  std::optional<std::size_t> index;
  for (std::size_t i = 0; i < ledger_.accounts().size(); ++i)
    if (ledger_.accounts()[i].resource_id == id && ledger_.accounts()[i].bank == profile) index = i;
  if (!index) return tpp_error(404, "RESOURCE_UNKNOWN", "The account id is unknown.", "account-id");
  const std::size_t i = *index;
  const Account& acc = ledger_.accounts()[i];
  if (!allowed(c.accounts, i)) return tpp_error(401, "CONSENT_INVALID", "The consent does not cover this account.", "account-id");

  if (sub.empty()) {
    if (!count_access(id, "account")) return exceeded;
    return json_reply(200, json::serialize(json::object{{"account", account_json(i, with_balance)}}));
  }
  if (sub == "/balances") {
    if (!allowed(c.balances, i)) return tpp_error(401, "CONSENT_INVALID", "The consent does not cover balances of this account.");
    if (!count_access(id, "balances")) return exceeded;
    return json_reply(200, json::serialize(json::object{{"account", json::object{{"iban", acc.iban}}}, {"balances", balances_json(i)}}));
  }
  if (!sub.starts_with("/transactions")) return tpp_error(404, "RESOURCE_UNKNOWN", "The addressed resource is unknown.");
  if (!allowed(c.transactions, i)) return tpp_error(401, "CONSENT_INVALID", "The consent does not cover transactions of this account.");
  if (sub.starts_with("/transactions/download/")) return xs2a_download(c, i, sub.substr(23));
  if (sub.starts_with("/transactions/")) {
    const std::string_view tx = sub.substr(14);
    if (!count_access(id, "transaction-details")) return exceeded;
    for (const Txn& t : booked_view(i, ledger_.first_day(), today_))
      if (t.id == tx) return json_reply(200, json::serialize(json::object{{"transactionsDetails", bg_transaction(t, false)}}));
    for (const Txn& t : pending_view(i))
      if (t.pending_id == tx) return json_reply(200, json::serialize(json::object{{"transactionsDetails", bg_transaction(t, true)}}));
    return tpp_error(404, "RESOURCE_UNKNOWN", "The transaction id is unknown.", "transactionId");
  }
  if (sub != "/transactions") return tpp_error(404, "RESOURCE_UNKNOWN", "The addressed resource is unknown.");

  // GET /v1/accounts/{id}/transactions
  const std::string_view status = query_get(query, "bookingStatus");
  if (status.empty()) return tpp_error(400, "PARAMETER_NOT_SUPPORTED", "bookingStatus is required.", "bookingStatus");
  if (status != "booked" && status != "pending" && status != "both")
    return tpp_error(400, "PARAMETER_NOT_SUPPORTED", "bookingStatus '" + std::string(status) + "' is not supported.", "bookingStatus");
  if (query_has(query, "entryReferenceFrom") || query_has(query, "deltaList"))
    return tpp_error(400, "PARAMETER_NOT_SUPPORTED", "Delta access is not supported.");
  const auto from = parse_date_strict(query_get(query, "dateFrom"));
  if (!from) return tpp_error(400, "FORMAT_ERROR", "dateFrom is missing or not an ISODate.", "dateFrom");
  Date to = today_;
  if (query_has(query, "dateTo")) {
    const auto t = parse_date_strict(query_get(query, "dateTo"));
    if (!t) return tpp_error(400, "FORMAT_ERROR", "dateTo is not an ISODate.", "dateTo");
    to = *t;
  }
  if (*from > to) return tpp_error(400, "PERIOD_INVALID", "dateFrom lies after dateTo.", "dateFrom");
  if (*from < today_.add_days(-kHistoryWithoutScaDays) && now() - c.authorised_at > kFreshScaWindow)
    return tpp_error(400, "PERIOD_INVALID", "Without a fresh SCA only the last 90 days can be read.", "dateFrom");
  std::size_t page = 0, per_page = options_.page_size;
  auto parse_count = [](std::string_view s, std::size_t max, std::size_t& out) {
    if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) return false;
    out = std::stoul(std::string(s));
    return out <= max;
  };
  if (query_has(query, "pageIndex") && !parse_count(query_get(query, "pageIndex"), 100000, page))
    return tpp_error(400, "FORMAT_ERROR", "pageIndex must be a non-negative integer.", "pageIndex");
  if (query_has(query, "itemsPerPage") && (!parse_count(query_get(query, "itemsPerPage"), 500, per_page) || per_page == 0))
    return tpp_error(400, "FORMAT_ERROR", "itemsPerPage must be 1..500.", "itemsPerPage");

  // Which representation: JSON, or camt.052 XML (the only one at the savings bank).
  const std::string_view accept = request.header("Accept");
  const bool json_ok = accept.empty() || accept.find("application/json") != std::string_view::npos || accept.find("*/*") != std::string_view::npos;
  const bool xml_ok = accept.find("application/xml") != std::string_view::npos || accept.find("text/xml") != std::string_view::npos ||
                      (profile == "sparkasse" && (accept.empty() || accept.find("*/*") != std::string_view::npos));
  bool xml = false;
  if (profile == "sparkasse") {
    if (!xml_ok) return tpp_error(406, "REQUESTED_FORMATS_INVALID", "Transactions are only available as camt.052 (application/xml).");
    xml = true;
  } else {
    if (!json_ok && !xml_ok) return tpp_error(406, "REQUESTED_FORMATS_INVALID", "Supported formats: application/json, application/xml.");
    xml = !json_ok;
  }

  if (page == 0 && !count_access(id, "transactions")) return exceeded;
  if (take_fault(request.path, {FaultKind::pending_to_booked})) today_booked_ = true;
  std::vector<Txn> booked, pending;
  if (status != "pending") booked = booked_view(i, *from, to);
  if (status != "booked" && to >= today_) pending = pending_view(i);

  if (xml) {
    const Date last = today_booked_ ? today_ : today_.add_days(-1);
    const Date start = std::max(*from, ledger_.first_day());
    const std::int64_t opening = ledger_.booked_balance(i, start.add_days(-1));
    const std::int64_t closing = ledger_.booked_balance(i, std::min(to, last));
    Reply r{200, "application/xml", {},
            camt052(acc, next_id("camt052-"), *from, to, booked, pending, opening, closing, today_)};
    return r;
  }

  if (xs2a_download_) {
    // The report is "too large" for JSON: offer it as a camt file to download (BG 1.3.12
    // transactionsExample2_Download_json), the whole period in one document.
    const Date last = today_booked_ ? today_ : today_.add_days(-1);
    const Date start = std::max(*from, ledger_.first_day());
    const std::int64_t opening = ledger_.booked_balance(i, start.add_days(-1));
    const std::int64_t closing = ledger_.booked_balance(i, std::min(to, last));
    return xs2a_download_link(c, i, prefix, camt052(acc, next_id("camt052-"), *from, to, booked, pending, opening, closing, today_));
  }
  const std::size_t total = booked.size() + pending.size();
  const std::size_t pages = std::max<std::size_t>(1, (total + per_page - 1) / per_page);
  if (page >= pages) return tpp_error(400, "FORMAT_ERROR", "pageIndex lies beyond the last page.", "pageIndex");
  std::size_t begin = page * per_page;
  const std::size_t end = std::min(total, begin + per_page);
  if (page > 0 && take_fault(request.path, {FaultKind::duplicate_across_pages})) --begin;
  json::array booked_json, pending_json;
  for (std::size_t k = begin; k < end; ++k) {
    if (k < booked.size()) booked_json.push_back(bg_transaction(booked[k], false));
    else pending_json.push_back(bg_transaction(pending[k - booked.size()], true));
  }
  auto link = [&](std::size_t p) {
    std::string q = prefix + "/accounts/" + id + "/transactions?bookingStatus=" + std::string(status) + "&dateFrom=" + from->iso();
    if (query_has(query, "dateTo")) q += "&dateTo=" + to.iso();
    if (query_has(query, "itemsPerPage")) q += "&itemsPerPage=" + std::to_string(per_page);
    if (with_balance) q += "&withBalance=true";
    return href(q + "&pageIndex=" + std::to_string(p));
  };
  json::object links{{"account", href(prefix + "/accounts/" + id)}, {"first", link(0)}};
  if (page > 0) links["previous"] = link(page - 1);
  if (page + 1 < pages) links["next"] = link(page + 1);
  links["last"] = link(pages - 1);
  json::object transactions;
  if (status != "pending") transactions["booked"] = booked_json;
  if (status != "booked") transactions["pending"] = pending_json;
  transactions["_links"] = links;
  json::object out{{"account", json::object{{"iban", acc.iban}}}, {"transactions", transactions}};
  if (with_balance && allowed(c.balances, i)) out["balances"] = balances_json(i);
  return json_reply(200, json::serialize(out));
}

// ---------------------------------------------------------------------------------------------
// The ASPSP's OAuth 2.0 authorisation server (RFC 6749, RFC 7636 PKCE S256, RFC 8414 metadata)

Reply Sandbox::oauth(const http::Request& request, const Query& query) {
  const std::string& path = request.path;
  if (path == "/.well-known/oauth-authorization-server" && request.method == "GET") {
    json::object meta{{"issuer", base_url_},
                      {"authorization_endpoint", base_url_ + "/oauth/authorize"},
                      {"token_endpoint", base_url_ + "/oauth/token"},
                      {"response_types_supported", json::array{"code"}},
                      {"grant_types_supported", json::array{"authorization_code", "refresh_token"}},
                      {"code_challenge_methods_supported", json::array{"S256"}},
                      {"token_endpoint_auth_methods_supported", json::array{"tls_client_auth", "none"}},
                      {"scopes_supported", json::array{"AIS"}}};
    return json_reply(200, json::serialize(meta));
  }
  if (path == "/oauth/authorize" && request.method == "GET") {
    // The PSU's browser lands here; the sandbox plays the PSU and approves at once (or rejects
    // with psu_decision=reject), then redirects back to the TPP.
    const std::string redirect_uri(query_get(query, "redirect_uri"));
    const std::string_view scope = query_get(query, "scope");
    const std::string consent_id = scope.starts_with("AIS:") ? std::string(scope.substr(4)) : std::string();
    auto it = consents_.find(consent_id);
    if (redirect_uri.empty() || !(redirect_uri.starts_with("https://") || redirect_uri.starts_with("http://127.0.0.1") ||
                                  redirect_uri.starts_with("http://localhost")))
      return oauth_error(400, "invalid_request", "redirect_uri is missing or not an absolute https URI");
    if (it != consents_.end() && !it->second.redirect_uri.empty() && it->second.redirect_uri != redirect_uri)
      return oauth_error(400, "invalid_request", "redirect_uri does not match the TPP-Redirect-URI of the consent");
    auto redirect = [&](std::string params) {
      const std::string_view state = query_get(query, "state");
      if (!state.empty()) params += "&state=" + url_encode(state);
      Reply r{302, "", {}, ""};
      r.headers.emplace_back("Location", redirect_uri + (redirect_uri.find('?') == std::string::npos ? "?" : "&") + params);
      return r;
    };
    if (query_get(query, "response_type") != "code") return redirect("error=unsupported_response_type");
    const std::string client_id(query_get(query, "client_id"));
    if (client_id.empty()) return redirect("error=invalid_request&error_description=client_id%20is%20missing");
    if (it == consents_.end() || it->second.status != "received" || it->second.sca_approach != "OAUTH")
      return redirect("error=invalid_scope");
    const std::string_view challenge = query_get(query, "code_challenge");
    if (query_get(query, "code_challenge_method") != "S256" || challenge.size() != 43 || !is_pkce_text(challenge))
      return redirect("error=invalid_request&error_description=PKCE%20with%20code_challenge_method%3DS256%20is%20required");
    if (query_get(query, "psu_decision") == "reject") {
      it->second.status = "rejected";
      return redirect("error=access_denied");
    }
    approve_consent(it->second);
    if (codes_.size() > 10000) codes_.clear();
    const std::string code = new_token("");
    codes_[code] = OAuthCode{consent_id, client_id, redirect_uri, std::string(challenge), now() + kCodeLifetime};
    return redirect("code=" + code);
  }
  if (path == "/oauth/token" && request.method == "POST") {
    if (!request.header("Content-Type").starts_with("application/x-www-form-urlencoded"))
      return oauth_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    const auto form = parse_query(request.body);
    if (!form) return oauth_error(400, "invalid_request", "malformed form body");
    const std::string_view grant = query_get(*form, "grant_type");
    const std::string client_id(query_get(*form, "client_id"));
    if (client_id.empty()) return oauth_error(401, "invalid_client", "client_id is missing");
    auto issue = [&](const std::string& consent, const std::string& family) {
      const std::string access = new_token("at-"), refresh = new_token("rt-");
      const auto& c = consents_.at(consent);
      access_tokens_[access] = Token{consent, client_id, family, now() + kAccessTokenLifetime};
      refresh_tokens_[refresh] = Token{consent, client_id, family, now() + std::chrono::days(c.valid_until.to_days() - today_.to_days() + 1)};
      json::object o{{"access_token", access},   {"token_type", "Bearer"}, {"expires_in", 900},
                     {"refresh_token", refresh}, {"scope", "AIS:" + consent}};
      return json_reply(200, json::serialize(o));
    };
    if (grant == "authorization_code") {
      auto it = codes_.find(std::string(query_get(*form, "code")));
      if (it == codes_.end()) return oauth_error(400, "invalid_grant", "unknown or already used authorization code");
      const OAuthCode code = it->second;
      codes_.erase(it);  // single use, even when the exchange fails
      if (code.expires <= now()) return oauth_error(400, "invalid_grant", "authorization code expired");
      if (code.client_id != client_id) return oauth_error(400, "invalid_grant", "code was issued to another client");
      if (code.redirect_uri != query_get(*form, "redirect_uri")) return oauth_error(400, "invalid_grant", "redirect_uri mismatch");
      const std::string_view verifier = query_get(*form, "code_verifier");
      if (!is_pkce_text(verifier)) return oauth_error(400, "invalid_grant", "code_verifier is missing or malformed");
      if (base64url(sha256(verifier)) != code.challenge)
        return oauth_error(400, "invalid_grant", "PKCE verification failed: code_verifier does not match code_challenge");
      return issue(code.consent, next_id("fam-"));
    }
    if (grant == "refresh_token") {
      auto it = refresh_tokens_.find(std::string(query_get(*form, "refresh_token")));
      if (it == refresh_tokens_.end() || it->second.revoked) return oauth_error(400, "invalid_grant", "unknown or revoked refresh token");
      Token& old = it->second;
      if (old.client_id != client_id) return oauth_error(400, "invalid_grant", "refresh token was issued to another client");
      if (old.used) {
        // Reuse of a rotated refresh token: revoke the whole family (RFC 9700 4.14.2).
        const std::string family = old.family;
        for (auto& [k, t] : refresh_tokens_)
          if (t.family == family) t.revoked = true;
        for (auto& [k, t] : access_tokens_)
          if (t.family == family) t.revoked = true;
        return oauth_error(400, "invalid_grant", "refresh token was already used; the token family is revoked");
      }
      if (old.expires <= now()) return oauth_error(400, "invalid_grant", "refresh token expired");
      auto c = consents_.find(old.subject);
      if (c == consents_.end() || c->second.status != "valid") return oauth_error(400, "invalid_grant", "the consent is no longer valid");
      old.used = true;
      return issue(old.subject, old.family);
    }
    return oauth_error(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
  }
  return oauth_error(404, "invalid_request", "unknown OAuth endpoint");
}

}  // namespace bankrec::app::sandbox
