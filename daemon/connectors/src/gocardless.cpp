// GoCardless Bank Account Data (ex-Nordigen), API v2 under /api/v2/ (every path ends with '/').
// Tokens: POST token/new/ with secret_id + secret_key gives an access JWT (24 h) and a refresh JWT
// (30 days, not rotated); token/refresh/ renews the access JWT. Consent: an end-user agreement
// (history days, access days, scopes) and a requisition whose `link` the person opens; status LN
// means linked. Since March 2025 an account allows 4 successful calls per rolling 24 h per scope
// (details, balances, transactions); the headers HTTP_X_RATELIMIT_* (no Retry-After) tell when it
// resets, and 10 consecutive failures suspend the account until it is reconnected.
#include <algorithm>
#include <charconv>

#include "bridge_common.h"
#include "builtin.h"
#include "gocardless_map.h"

namespace bankrec::connectors {

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kDefaultBaseUrl = "https://bankaccountdata.gocardless.com";
constexpr std::string_view kSecretKey = "secret_key";
constexpr std::string_view kAccessToken = "access_token";
constexpr std::string_view kRefreshToken = "refresh_token";
constexpr std::string_view kRequisition = "requisition_id";
constexpr std::string_view kAgreement = "agreement_id";
constexpr std::string_view kPendingRequisition = "pending_requisition_id";
constexpr std::string_view kPendingAgreement = "pending_agreement_id";
constexpr std::string_view kReference = "gocardless_reference";
constexpr auto kTokenMargin = 2min;
constexpr int kDailyAccessLimit = 4;  // per account and scope, rolling 24 h (since 10 March 2025)

struct Options {
  std::string secret_id;
  std::string institution_id;
  std::string redirect_uri;
  std::string user_language;
  int max_historical_days = 90;
  int access_valid_for_days = 90;
  std::vector<std::string> access_scope{"balances", "details", "transactions"};
};

Result<int> parse_days(const std::string& prefix, const std::string& key, const std::string& value, int max) {
  int out = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || out < 1 || out > max)
    return fail(Errc::invalid_input, prefix + "option " + key + " must be 1.." + std::to_string(max) + ", not '" + value + "'");
  return out;
}

Result<Options> parse_options(const ConnectorSettings& s) {
  Options o;
  const std::string prefix = "connector '" + s.name + "': ";
  for (const auto& [key, value] : s.options) {
    if (key == "secret_id") {
      o.secret_id = value;
    } else if (key == "institution_id") {
      o.institution_id = value;
    } else if (key == "redirect_uri") {
      o.redirect_uri = value;
    } else if (key == "user_language") {
      o.user_language = value;
    } else if (key == "max_historical_days") {
      o.max_historical_days = BANKREC_TRY(parse_days(prefix, key, value, 730));
    } else if (key == "access_valid_for_days") {
      o.access_valid_for_days = BANKREC_TRY(parse_days(prefix, key, value, 180));
    } else if (key == "access_scope") {
      o.access_scope.clear();
      std::string_view rest = value;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string part(rest.substr(0, comma));
        std::erase(part, ' ');
        if (part != "balances" && part != "details" && part != "transactions")
          return fail(Errc::invalid_input, prefix + "option access_scope: unknown scope '" + part + "' (balances, details, transactions)");
        o.access_scope.push_back(part);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
      if (std::find(o.access_scope.begin(), o.access_scope.end(), "transactions") == o.access_scope.end())
        return fail(Errc::invalid_input, prefix + "option access_scope must include transactions");
    } else {
      return fail(Errc::invalid_input, prefix + "unknown option '" + key +
                                           "' for type gocardless (known: secret_id, institution_id, redirect_uri, "
                                           "user_language, max_historical_days, access_valid_for_days, access_scope)");
    }
  }
  if (o.secret_id.empty()) return fail(Errc::invalid_input, prefix + "option secret_id is required for type gocardless");
  if (o.institution_id.empty()) return fail(Errc::invalid_input, prefix + "option institution_id is required for type gocardless");
  return o;
}

class GoCardlessConnector final : public Connector {
 public:
  GoCardlessConnector(const ConnectorSettings& settings, Options options)
      : name_(settings.name), base_url_(apiutil::base_url_or(settings, kDefaultBaseUrl)),
        configured_(settings.accounts), options_(std::move(options)) {
    for (std::string& iban : configured_) std::erase(iban, ' ');
  }

  std::string_view type() const override { return "gocardless"; }
  int daily_access_limit() const override { return kDailyAccessLimit; }

  Result<ConsentStatus> consent(ConnectorContext& ctx) override;
  Result<AuthorisationStart> begin_authorisation(ConnectorContext& ctx, std::string_view redirect_uri) override;
  Result<ConsentStatus> finish_authorisation(ConnectorContext& ctx,
                                             const std::map<std::string, std::string>& callback) override;
  Result<std::vector<BankAccount>> accounts(ConnectorContext& ctx) override;
  Result<TransactionsBatch> transactions(ConnectorContext& ctx, const TransactionsRequest& request) override;

 private:
  struct Call {
    std::string method = "GET";
    std::string path;  ///< below /api/v2, with the trailing '/'
    std::string body;
    std::string operation;
    std::string account;
    bool note_rate_limit = true;  ///< report a 429's reset to the runner
  };

  std::string what(std::string_view operation) const { return "gocardless connector '" + name_ + "': " + std::string(operation); }
  Result<net::HttpResponse> post_token(ConnectorContext& ctx, std::string_view path, const std::string& body, std::string_view secret);
  Result<std::string> access_token(ConnectorContext& ctx);
  Result<net::HttpResponse> send(ConnectorContext& ctx, const Call& call);
  Error map_error(ConnectorContext& ctx, const net::HttpError& error, const Call& call) const;
  Result<ConsentStatus> status_of(ConnectorContext& ctx, const gocardless::Requisition& requisition);
  Result<gocardless::Requisition> linked_requisition(ConnectorContext& ctx, std::string_view operation);
  std::string scrub(std::string text) const { return apiutil::scrub(std::move(text), {secret_, access_, refresh_}); }

  std::string name_;
  std::string base_url_;
  std::vector<std::string> configured_;
  Options options_;
  std::string secret_, access_, refresh_;  ///< this run's secrets, only to scrub them from messages
};

Result<net::HttpResponse> GoCardlessConnector::post_token(ConnectorContext& ctx, std::string_view path, const std::string& body,
                                                          std::string_view secret) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = base_url_ + "/api/v2/token/" + std::string(path) + "/";
  request.headers = {{"Accept", "application/json"}, {"Content-Type", "application/json"}};
  request.body = body;
  net::HttpResult result = ctx.send(request, "token");
  if (result) return std::move(result).value();
  Error e = map_error(ctx, result.error(), Call{"POST", "token/" + std::string(path) + "/", {}, "token", {}, true});
  if (result.error().status() == 401 && path == "new") {
    e.code = Errc::invalid_input;  // wrong secrets: configuration, not consent
    e.message += " (check option secret_id and the stored secret secret_key)";
  }
  e.message = apiutil::scrub(std::move(e.message), {secret});
  return Unexpected{std::move(e)};
}

Result<std::string> GoCardlessConnector::access_token(ConnectorContext& ctx) {
  const auto now = ctx.clock().now();
  const auto access = BANKREC_TRY(ctx.state().read(kAccessToken, /*secret=*/true));
  if (access && !access->value.empty() && access->expires && *access->expires > now + kTokenMargin) return access_ = access->value;
  const auto refresh = BANKREC_TRY(ctx.state().read(kRefreshToken, /*secret=*/true));
  if (refresh && !refresh->value.empty() && refresh->expires && *refresh->expires > now + kTokenMargin) {
    refresh_ = refresh->value;
    auto response = post_token(ctx, "refresh", json::serialize(json::object{{"refresh", refresh->value}}), refresh->value);
    if (response) {
      const json::value body = BANKREC_TRY(apiutil::parse_json(response->body, what("token refresh")));
      const auto token = apiutil::string_member(body, "access");
      const auto seconds = apiutil::int_member(body, "access_expires");
      if (!token || !seconds) return fail(Errc::unavailable, what("token refresh") + ": response without access and access_expires");
      BANKREC_TRY(ctx.state().write({{std::string(kAccessToken), *token, true, now + std::chrono::seconds(*seconds)}}));
      return access_ = *token;
    }
    // A refused refresh token (revoked, or our clock was wrong): start over with the secrets.
    if (response.error().code != Errc::permission_denied) return Unexpected{std::move(response).error()};
  }
  const auto key = BANKREC_TRY(ctx.state().read(kSecretKey, /*secret=*/true));
  if (!key || key->value.empty())
    return fail(Errc::invalid_input, what("token") + ": no secret 'secret_key' stored (bankrec connector secret " + name_ + " secret_key)");
  secret_ = key->value;
  const auto response = BANKREC_TRY(post_token(
      ctx, "new", json::serialize(json::object{{"secret_id", options_.secret_id}, {"secret_key", key->value}}), key->value));
  const json::value body = BANKREC_TRY(apiutil::parse_json(response.body, what("token new")));
  const auto token = apiutil::string_member(body, "access");
  const auto token_seconds = apiutil::int_member(body, "access_expires");
  const auto refresh_token = apiutil::string_member(body, "refresh");
  const auto refresh_seconds = apiutil::int_member(body, "refresh_expires");
  if (!token || !token_seconds || !refresh_token || !refresh_seconds)
    return fail(Errc::unavailable, what("token new") + ": response without access/refresh and their expiry");
  // Both land together: a crash in between cannot leave a refresh token without its access token.
  BANKREC_TRY(ctx.state().write({{std::string(kAccessToken), *token, true, now + std::chrono::seconds(*token_seconds)},
                                 {std::string(kRefreshToken), *refresh_token, true, now + std::chrono::seconds(*refresh_seconds)}}));
  refresh_ = *refresh_token;
  return access_ = *token;
}

Error GoCardlessConnector::map_error(ConnectorContext& ctx, const net::HttpError& error, const Call& call) const {
  const std::string prefix = apiutil::call_prefix(what(call.operation), call.account);
  if (error.code != net::HttpErrc::http_status) return apiutil::transport_error(error, prefix);
  const int status = error.status();
  const json::value body = apiutil::error_body(error);
  const std::string summary = apiutil::string_member(body, "summary").value_or("");
  const std::string detail = apiutil::string_member(body, "detail").value_or("");
  const std::string type = apiutil::string_member(body, "type").value_or("");
  Errc errc = apiutil::errc_for_status(status);
  std::string hint;
  const std::string reconnect = " (reconnect: run 'bankrec connector consent " + name_ + "')";
  if (status == 429) {
    if (error.response && call.note_rate_limit) {
      const auto reset = gocardless::rate_limit_reset(*error.response);
      ctx.note_retry_after(reset.value_or(std::chrono::seconds(86400)));
    }
    hint = " (rate limit: 4 successful calls per account and scope in 24 h)";
  } else if (status == 409 && type == "AccountSuspendedError") {
    errc = Errc::permission_denied;  // suspended after repeated failures: only a new requisition helps
    hint = reconnect;
  } else if (status == 409) {
    errc = Errc::unavailable;  // AccountStateError: the account is still PROCESSING or in ERROR
  } else if (status == 401 || status == 403) {
    hint = type == "InvalidToken" ? " (the access token was refused after a renewal)" : reconnect;
  }
  return apiutil::exchange_error(errc, scrub(apiutil::http_status_message(prefix, status, type, {summary, detail}, hint)),
                                 error);
}

Result<net::HttpResponse> GoCardlessConnector::send(ConnectorContext& ctx, const Call& call) {
  for (int attempt = 0;; ++attempt) {
    const std::string token = BANKREC_TRY(access_token(ctx));
    net::HttpRequest request;
    request.method = call.method;
    request.url = base_url_ + "/api/v2/" + call.path;
    request.headers = {{"Accept", "application/json"}, {"Authorization", "Bearer " + token}};
    if (!call.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = call.body;
    net::HttpResult result = ctx.send(request, call.operation, call.account);
    if (result) return std::move(result).value();
    const net::HttpError& error = result.error();
    const bool invalid_token = error.status() == 401 && error.response &&
                               error.response->body.find("InvalidToken") != std::string::npos;
    if (invalid_token && attempt == 0) {
      BANKREC_TRY(ctx.state().write({{std::string(kAccessToken), std::nullopt, true, std::nullopt}}));
      continue;  // renew once (refresh token, else new secrets), then give up
    }
    return Unexpected{map_error(ctx, error, call)};
  }
}

Result<ConsentStatus> GoCardlessConnector::status_of(ConnectorContext& ctx, const gocardless::Requisition& requisition) {
  using State = ConsentStatus::State;
  ConsentStatus status;
  status.id = requisition.id;
  const std::string renew = "run 'bankrec connector consent " + name_ + "'";
  if (requisition.status == "LN") {
    status.state = State::valid;
    if (!requisition.agreement.empty()) {
      const auto response = BANKREC_TRY(send(ctx, Call{"GET", "agreements/enduser/" + apiutil::url_encode(requisition.agreement) + "/", {}, "consent", {}, true}));
      const json::value eua = BANKREC_TRY(apiutil::parse_json(response.body, what("consent")));
      const auto accepted = apiutil::date_member(eua, "accepted");
      const auto days = apiutil::int_member(eua, "access_valid_for_days");
      if (accepted && days) status.valid_until = accepted->add_days(*days);
      if (status.valid_until && *status.valid_until <= today(ctx)) {
        status.state = State::expired;
        status.detail = "the end-user agreement expired on " + status.valid_until->iso() + ": " + renew;
      }
    }
  } else if (requisition.status == "EX") {
    status.state = State::expired;
    status.detail = "the access granted at the bank expired (requisition EX): " + renew;
  } else if (requisition.status == "RJ" || requisition.status == "SU" || requisition.status == "ER") {
    status.state = State::revoked;
    status.detail = "the bank link was rejected or suspended (requisition " + requisition.status + "): " + renew;
  } else {
    status.state = State::pending;
    status.detail = "the bank authorisation is not finished (requisition " + requisition.status + ")";
  }
  return status;
}

Result<ConsentStatus> GoCardlessConnector::consent(ConnectorContext& ctx) {
  const auto id = BANKREC_TRY(ctx.state().read(kRequisition, /*secret=*/false));
  if (!id || id->value.empty()) {
    ConsentStatus status;
    const auto pending = BANKREC_TRY(ctx.state().read(kPendingRequisition, /*secret=*/false));
    if (pending && !pending->value.empty()) {
      status.state = ConsentStatus::State::pending;
      status.id = pending->value;
    }
    status.detail = "no linked bank at GoCardless: run 'bankrec connector consent " + name_ + "'";
    return status;
  }
  auto response = send(ctx, Call{"GET", "requisitions/" + apiutil::url_encode(id->value) + "/", {}, "consent", {}, true});
  if (!response && response.error().code == Errc::not_found) {
    ConsentStatus status;
    status.id = id->value;
    status.state = ConsentStatus::State::revoked;
    status.detail = "the requisition was deleted at GoCardless: run 'bankrec connector consent " + name_ + "'";
    return status;
  }
  if (!response) return Unexpected{std::move(response).error()};
  return status_of(ctx, BANKREC_TRY(gocardless::parse_requisition(response->body, what("consent"))));
}

Result<AuthorisationStart> GoCardlessConnector::begin_authorisation(ConnectorContext& ctx, std::string_view redirect_uri) {
  const std::string redirect = redirect_uri.empty() ? options_.redirect_uri : std::string(redirect_uri);
  if (redirect.empty()) return fail(Errc::invalid_input, what("consent") + ": no redirect URI (option redirect_uri)");
  json::array scope;
  for (const std::string& s : options_.access_scope) scope.emplace_back(s);
  const json::object eua{{"institution_id", options_.institution_id},
                         {"max_historical_days", options_.max_historical_days},
                         {"access_valid_for_days", options_.access_valid_for_days},
                         {"access_scope", scope}};
  const auto eua_response = BANKREC_TRY(send(ctx, Call{"POST", "agreements/enduser/", json::serialize(eua), "consent", {}, true}));
  const json::value agreement = BANKREC_TRY(apiutil::parse_json(eua_response.body, what("consent")));
  const auto agreement_id = apiutil::string_member(agreement, "id");
  if (!agreement_id) return fail(Errc::unavailable, what("consent") + ": end-user agreement without id");
  AuthorisationStart start;
  start.state = apiutil::random_state();  // the requisition's unique reference, returned as ?ref=
  json::object body{{"redirect", redirect},
                    {"institution_id", options_.institution_id},
                    {"agreement", *agreement_id},
                    {"reference", start.state}};
  if (!options_.user_language.empty()) body["user_language"] = options_.user_language;
  const auto response = BANKREC_TRY(send(ctx, Call{"POST", "requisitions/", json::serialize(body), "consent", {}, true}));
  const auto requisition = BANKREC_TRY(gocardless::parse_requisition(response.body, what("consent")));
  if (requisition.link.empty()) return fail(Errc::unavailable, what("consent") + ": requisition without link");
  BANKREC_TRY(ctx.state().write({{std::string(kPendingRequisition), requisition.id, false, std::nullopt},
                                 {std::string(kPendingAgreement), *agreement_id, false, std::nullopt},
                                 {std::string(kReference), start.state, false, std::nullopt}}));
  start.url = requisition.link;
  return start;
}

Result<ConsentStatus> GoCardlessConnector::finish_authorisation(ConnectorContext& ctx,
                                                                const std::map<std::string, std::string>& callback) {
  const auto pending = BANKREC_TRY(ctx.state().read(kPendingRequisition, /*secret=*/false));
  const auto reference = BANKREC_TRY(ctx.state().read(kReference, /*secret=*/false));
  if (!pending || pending->value.empty()) return fail(Errc::invalid_input, what("consent") + ": no bank authorisation in progress");
  const auto ref = callback.find("ref");
  if (ref == callback.end() || !reference || ref->second != reference->value)
    return fail(Errc::invalid_input, what("consent") + ": the callback's ref does not match the requisition started last");
  const auto response = BANKREC_TRY(send(ctx, Call{"GET", "requisitions/" + apiutil::url_encode(pending->value) + "/", {}, "consent", {}, true}));
  const auto requisition = BANKREC_TRY(gocardless::parse_requisition(response.body, what("consent")));
  const bool linked = requisition.status == "LN";
  const bool dead = requisition.status == "RJ" || requisition.status == "EX" || requisition.status == "SU" || requisition.status == "ER";
  if (linked || dead) {
    std::vector<ConnectorState::Write> writes{{std::string(kPendingRequisition), std::nullopt, false, std::nullopt},
                                              {std::string(kPendingAgreement), std::nullopt, false, std::nullopt},
                                              {std::string(kReference), std::nullopt, false, std::nullopt}};
    if (linked) {
      writes.push_back({std::string(kRequisition), requisition.id, false, std::nullopt});
      writes.push_back({std::string(kAgreement), requisition.agreement, false, std::nullopt});
    }
    BANKREC_TRY(ctx.state().write(writes));
  }
  ConsentStatus status = BANKREC_TRY(status_of(ctx, requisition));
  if (const auto error = callback.find("error"); error != callback.end() && !linked)
    status.detail = "the bank reported '" + apiutil::clip(error->second, 80) + "'; " + status.detail;
  return status;
}

Result<gocardless::Requisition> GoCardlessConnector::linked_requisition(ConnectorContext& ctx, std::string_view operation) {
  const auto id = BANKREC_TRY(ctx.state().read(kRequisition, /*secret=*/false));
  if (!id || id->value.empty())
    return fail(Errc::permission_denied, what(operation) + ": no linked bank at GoCardless: run 'bankrec connector consent " + name_ + "'");
  const auto response = BANKREC_TRY(send(ctx, Call{"GET", "requisitions/" + apiutil::url_encode(id->value) + "/", {}, std::string(operation), {}, true}));
  auto requisition = BANKREC_TRY(gocardless::parse_requisition(response.body, what(operation)));
  if (requisition.status != "LN") {
    const ConsentStatus status = BANKREC_TRY(status_of(ctx, requisition));
    return fail(Errc::permission_denied, what(operation) + ": " + status.detail);
  }
  return requisition;
}

Result<std::vector<BankAccount>> GoCardlessConnector::accounts(ConnectorContext& ctx) {
  const auto requisition = BANKREC_TRY(linked_requisition(ctx, "accounts"));
  std::vector<BankAccount> out;
  std::vector<std::string> seen;
  for (const std::string& id : requisition.accounts) {
    // Account metadata does not count against the per-scope daily limit (details would).
    const auto response = BANKREC_TRY(send(ctx, Call{"GET", "accounts/" + apiutil::url_encode(id) + "/", {}, "accounts", id, true}));
    const auto meta = BANKREC_TRY(gocardless::parse_account_meta(response.body, what("account " + id)));
    seen.push_back(meta.iban);
    if (!configured_.empty() && std::find(configured_.begin(), configured_.end(), meta.iban) == configured_.end()) continue;
    if (meta.status == "SUSPENDED" || meta.status == "EXPIRED")
      return fail(Errc::permission_denied, what("accounts") + " (account " + (meta.iban.empty() ? id : meta.iban) + "): status " + meta.status +
                                               ": reconnect with 'bankrec connector consent " + name_ + "'");
    out.push_back(BankAccount{meta.iban, meta.id, "", meta.owner_name, ""});
  }
  for (const std::string& iban : configured_)
    if (std::find(seen.begin(), seen.end(), iban) == seen.end())
      return fail(Errc::not_found, what("accounts") + ": configured account " + iban + " is not in the linked requisition (" +
                                       std::to_string(seen.size()) + " accounts); link it with 'bankrec connector consent " + name_ + "'");
  return out;
}

Result<TransactionsBatch> GoCardlessConnector::transactions(ConnectorContext& ctx, const TransactionsRequest& request) {
  std::string id = request.account.provider_id;
  std::string iban = request.account.iban;
  if (id.empty()) {
    for (const BankAccount& a : BANKREC_TRY(accounts(ctx)))
      if (a.iban == iban) id = a.provider_id;
    if (id.empty()) return fail(Errc::not_found, what("transactions") + ": account " + iban + " is not in the linked requisition");
  }
  const std::string label = iban.empty() ? id : iban;
  const std::string base = "accounts/" + apiutil::url_encode(id) + "/";
  const auto response = BANKREC_TRY(send(ctx, Call{"GET", base + "transactions/?date_from=" + request.from.iso() + "&date_to=" + request.to.iso(),
                                                   {}, "transactions", label, true}));
  auto parsed = BANKREC_TRY(gocardless::parse_transactions(response.body, what("transactions (account " + label + ")")));
  domain::Statement statement;
  if (parsed.duplicates > 0) statement.warnings.push_back(std::to_string(parsed.duplicates) + " repeated transaction(s) skipped");
  // Balances are a separate scope with their own daily budget: a failure there costs the statement
  // its balances, never its lines.
  if (std::find(options_.access_scope.begin(), options_.access_scope.end(), "balances") != options_.access_scope.end()) {
    auto balances = send(ctx, Call{"GET", base + "balances/", {}, "balances", label, false});
    if (balances) {
      auto b = gocardless::parse_balances(balances->body, what("balances (account " + label + ")"));
      if (b) {
        statement.closing_balance = b->closing;
        statement.other_balances = b->others;
      } else {
        statement.warnings.push_back(b.error().message);
      }
    } else if (balances.error().code == Errc::permission_denied) {
      return Unexpected{std::move(balances).error()};
    } else {
      statement.warnings.push_back("balances not fetched: " + balances.error().message);
    }
  }
  if (!iban.empty()) statement.account.iban = iban;
  else statement.account.number = id;
  if (parsed.currency) statement.account.currency = parsed.currency;
  else if (statement.closing_balance) statement.account.currency = std::string(statement.closing_balance->amount.currency().str());
  if (!request.account.name.empty()) statement.account.owner = request.account.name;
  statement.from_date = request.from;
  statement.to_date = request.to;
  for (auto& e : parsed.booked) statement.entries.push_back(std::move(e));
  for (auto& e : parsed.pending) statement.entries.push_back(std::move(e));
  return apiutil::one_statement_batch(std::move(statement), request, today(ctx));
}

}  // namespace

Result<std::unique_ptr<Connector>> make_gocardless_connector(const ConnectorSettings& settings) {
  return make_connector<GoCardlessConnector>(settings, parse_options);
}

}  // namespace bankrec::connectors
