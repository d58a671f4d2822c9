// Berlin Group NextGenPSD2 XS2A 1.3.x AIS with the OAuth SCA approach (bank-apis.md section 1):
// consent → OAuth authorisation code with PKCE (scope AIS:<consentId>) → accounts, balances and
// transactions (bookingStatus=both, pages via _links.next). Savings banks deliver camt.052 only.
//
// ConnectorState keys: consent_id, consent_valid_until, pending_consent_id (plain) and the OAuth
// keys of oauth.h. Nothing here logs; errors are redacted by map_http_error.
#include <algorithm>
#include <utility>

#include "builtin.h"
#include "oauth.h"
#include "xs2a.h"

namespace bankrec::connectors {

namespace {

using xs2a::Options;
using xs2a::Profile;

constexpr auto kPendingConsentLifetime = std::chrono::hours(1);

class Xs2aConnector final : public Connector {
 public:
  Xs2aConnector(ConnectorSettings settings, Options options)
      : settings_(std::move(settings)),
        options_(std::move(options)),
        base_(trim_slash(settings_.base_url)),
        oauth_(OAuthSettings{.connector = settings_.name, .client_id = options_.client_id}) {}

  std::string_view type() const override { return "xs2a"; }
  int daily_access_limit() const override { return options_.frequency_per_day; }

  Result<ConsentStatus> consent(ConnectorContext& ctx) override;
  Result<AuthorisationStart> begin_authorisation(ConnectorContext& ctx,
                                                 std::string_view redirect_uri) override;
  Result<ConsentStatus> finish_authorisation(ConnectorContext& ctx,
                                             const std::map<std::string, std::string>& callback) override;
  Result<std::vector<BankAccount>> accounts(ConnectorContext& ctx) override;
  Result<TransactionsBatch> transactions(ConnectorContext& ctx, const TransactionsRequest& request) override;

 private:
  static std::string trim_slash(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  Result<std::string> consent_id(ConnectorContext& ctx);
  OAuthClient::Prepare signer() const {
    if (!options_.sign()) return {};
    return [this](net::HttpRequest& r) { return xs2a::sign_request(options_, r); };
  }
  Result<net::HttpRequest> request(std::string method, std::string url, const std::string& consent,
                                   std::string accept);
  Result<OAuthEndpoints> discover(ConnectorContext& ctx, const std::string& sca_oauth);
  Result<std::string> resolve_account(ConnectorContext& ctx, const BankAccount& account);
  Result<void> fetch_json(ConnectorContext& ctx, const std::string& consent, const std::string& first_url,
                          const TransactionsRequest& request, domain::Statement& statement);
  Result<TransactionsBatch> fetch_xml(ConnectorContext& ctx, const std::string& consent,
                                      const std::string& url, const TransactionsRequest& request);
  domain::Date covered_to(ConnectorContext& ctx, const TransactionsRequest& request,
                          const std::optional<domain::Balance>& closing) const;

  ConnectorSettings settings_;
  Options options_;
  std::string base_;
  OAuthClient oauth_;
};

Result<std::string> Xs2aConnector::consent_id(ConnectorContext& ctx) {
  const auto id = BANKREC_TRY(ctx.state().read("consent_id", false));
  if (!id || id->value.empty())
    return fail(Errc::permission_denied,
                settings_.name + ": no consent yet (bankrec connector consent " + settings_.name + ")");
  return id->value;
}

Result<net::HttpRequest> Xs2aConnector::request(std::string method, std::string url,
                                                const std::string& consent, std::string accept) {
  net::HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  if (!consent.empty()) r.headers.emplace_back("Consent-ID", consent);
  r.headers.emplace_back("Accept", std::move(accept));
  r.max_response_bytes = kMaxJsonBodyBytes;
  return r;
}

Result<ConsentStatus> Xs2aConnector::consent(ConnectorContext& ctx) {
  ConsentStatus out;
  const auto id = BANKREC_TRY(ctx.state().read("consent_id", false));
  if (!id || id->value.empty()) {
    out.detail = "no consent yet: run 'bankrec connector consent " + settings_.name + "'";
    return out;
  }
  out.id = id->value;
  net::HttpRequest r =
      BANKREC_TRY(request("GET", base_ + "/consents/" + url_encode(out.id), {}, "application/json"));
  BANKREC_TRY(xs2a::sign_request(options_, r));
  net::HttpResult result = ctx.send(r, "consent");
  if (!result) {
    Error e = map_http_error(result.error(), settings_.name, "consent");
    if (e.code != Errc::permission_denied) return Unexpected{std::move(e)};
    const ApiError api = parse_api_error(result.error().response->body);
    out.state = api.code == "CONSENT_EXPIRED" ? ConsentStatus::State::expired : ConsentStatus::State::revoked;
    out.detail = "the bank answered " + api.code + ": re-authorise with 'bankrec connector consent " +
                 settings_.name + "'";
    return out;
  }
  auto body = parse_json_object(result->body, settings_.name + ": consent");
  if (!body)
    return Unexpected{bad_response(settings_.name, "consent", body.error().message, result->request_id)};
  const std::string status = get_string(*body, "consentStatus").value_or("");
  const auto valid_until = get_date(*body, "validUntil", "consent");
  if (valid_until && *valid_until) out.valid_until = **valid_until;
  if (status == "valid")
    out.state = ConsentStatus::State::valid;
  else if (status == "received" || status == "partiallyAuthorised")
    out.state = ConsentStatus::State::pending;
  else if (status == "expired")
    out.state = ConsentStatus::State::expired;
  else
    out.state = ConsentStatus::State::revoked;  // rejected, revokedByPsu, terminatedByTpp
  if (out.state == ConsentStatus::State::valid && out.valid_until && *out.valid_until < today(ctx))
    out.state = ConsentStatus::State::expired;
  if (out.state != ConsentStatus::State::valid)
    out.detail =
        "consent is '" + status + "': re-authorise with 'bankrec connector consent " + settings_.name + "'";
  // The bank adjusts validUntil: keep its value, not the requested one (bank-apis.md 1.3 step 5).
  if (out.valid_until)
    BANKREC_TRY(ctx.state().write({{"consent_valid_until", out.valid_until->iso(), false, std::nullopt}}));
  return out;
}

Result<OAuthEndpoints> Xs2aConnector::discover(ConnectorContext& ctx, const std::string& sca_oauth) {
  // Per spec scaOAuth is the RFC 8414 metadata URL; some banks put the authorize URL there.
  net::HttpRequest r;
  r.url = sca_oauth;
  r.headers.emplace_back("Accept", "application/json");
  r.max_response_bytes = 256 * 1024;
  net::HttpResult result = ctx.send(r, "oauth-metadata");
  if (result) {
    auto meta = parse_json_object(result->body, "oauth metadata");
    if (meta) {
      OAuthEndpoints out{get_string(*meta, "authorization_endpoint").value_or(""),
                         get_string(*meta, "token_endpoint").value_or("")};
      if (!options_.token_url.empty()) out.token_endpoint = options_.token_url;
      if (!out.authorization_endpoint.empty() && !out.token_endpoint.empty()) return out;
    }
  } else if (result.error().is_retryable()) {
    return Unexpected{map_http_error(result.error(), settings_.name, "oauth-metadata")};
  }
  if (options_.token_url.empty())
    return fail(
        Errc::invalid_input,
        settings_.name + ": the bank's scaOAuth link is no OAuth metadata document; set options.token_url");
  return OAuthEndpoints{sca_oauth, options_.token_url};
}

Result<AuthorisationStart> Xs2aConnector::begin_authorisation(ConnectorContext& ctx,
                                                              std::string_view redirect_uri_arg) {
  const std::string redirect_uri =
      redirect_uri_arg.empty() ? options_.redirect_uri : std::string(redirect_uri_arg);
  if (redirect_uri.empty())
    return fail(Errc::invalid_input, settings_.name + ": no redirect URI (options.redirect_uri)");
  // Minimal scope: only the configured IBANs; none configured = a bank-offered consent where the
  // PSU picks the accounts at the bank.
  json::array refs;
  for (const std::string& iban : settings_.accounts) refs.push_back(json::object{{"iban", iban}});
  const json::object body{
      {"access", json::object{{"accounts", refs}, {"balances", refs}, {"transactions", refs}}},
      {"recurringIndicator", true},
      {"validUntil", today(ctx).add_days(options_.consent_days - 1).iso()},
      {"frequencyPerDay", options_.frequency_per_day},
      {"combinedServiceIndicator", false}};
  net::HttpRequest r = BANKREC_TRY(request("POST", base_ + "/consents", {}, "application/json"));
  r.body = json::serialize(body);
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("PSU-IP-Address", options_.psu_ip_address);  // the PSU triggers this call
  if (!options_.psu_id.empty()) r.headers.emplace_back("PSU-ID", options_.psu_id);
  r.headers.emplace_back("TPP-Redirect-URI", redirect_uri);
  r.headers.emplace_back("TPP-Nok-Redirect-URI", redirect_uri);
  r.headers.emplace_back("TPP-Redirect-Preferred", "true");
  BANKREC_TRY(xs2a::sign_request(options_, r));
  net::HttpResult result = ctx.send(r, "consent");
  if (!result) return Unexpected{map_http_error(result.error(), settings_.name, "consent")};
  auto answer = parse_json_object(result->body, settings_.name + ": consent");
  if (!answer)
    return Unexpected{bad_response(settings_.name, "consent", answer.error().message, result->request_id)};
  const auto id = get_string(*answer, "consentId");
  if (!id)
    return Unexpected{
        bad_response(settings_.name, "consent", "the answer carries no consentId", result->request_id)};
  const json::object* links = get_object(*answer, "_links");
  const auto sca_oauth = links ? get_href(*links, "scaOAuth") : std::nullopt;
  if (!sca_oauth)
    return fail(Errc::invalid_input,
                settings_.name + ": the bank offers no OAuth SCA for this consent (ASPSP-SCA-Approach " +
                    std::string(result->header("ASPSP-SCA-Approach").value_or("?")) +
                    "); only the OAuth approach is supported");
  const OAuthEndpoints endpoints = BANKREC_TRY(discover(ctx, resolve_url(base_, *sca_oauth)));
  BANKREC_TRY(
      ctx.state().write({{"pending_consent_id", *id, false, ctx.clock().now() + kPendingConsentLifetime}}));
  return oauth_.begin(ctx, endpoints, redirect_uri, "AIS:" + *id);
}

Result<ConsentStatus> Xs2aConnector::finish_authorisation(
    ConnectorContext& ctx, const std::map<std::string, std::string>& callback) {
  const auto pending = BANKREC_TRY(ctx.state().read("pending_consent_id", false));
  if (!pending || (pending->expires && *pending->expires <= ctx.clock().now()))
    return fail(Errc::invalid_input,
                settings_.name + ": no consent is waiting for authorisation; start again");
  // The new consent id and its tokens replace the old ones in one write: a crash leaves either the
  // old consent with its tokens or the new one with its tokens.
  BANKREC_TRY(oauth_.finish(ctx, callback,
                            {{"consent_id", pending->value, false, std::nullopt},
                             {"pending_consent_id", std::nullopt, false, std::nullopt}}));
  return consent(ctx);
}

Result<std::vector<BankAccount>> Xs2aConnector::accounts(ConnectorContext& ctx) {
  const std::string consent = BANKREC_TRY(consent_id(ctx));
  net::HttpRequest r = BANKREC_TRY(request("GET", base_ + "/accounts", consent, "application/json"));
  const net::HttpResponse response = BANKREC_TRY(oauth_.send(ctx, r, "accounts", {}, signer()));
  auto body = parse_json_object(response.body, settings_.name + ": accounts");
  if (!body)
    return Unexpected{bad_response(settings_.name, "accounts", body.error().message, response.request_id)};
  const json::array* list = get_array(*body, "accounts");
  if (!list)
    return Unexpected{
        bad_response(settings_.name, "accounts", "the answer has no accounts array", response.request_id)};
  std::vector<BankAccount> all;
  for (const json::value& a : *list)
    if (a.is_object()) all.push_back(xs2a::map_account(a.as_object()));
  if (settings_.accounts.empty()) return all;
  std::vector<BankAccount> out;
  for (const std::string& iban : settings_.accounts) {
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const BankAccount& a) { return a.iban == iban; });
    if (it == all.end())
      return fail(Errc::not_found, settings_.name + ": the consent does not cover account " + iban,
                  "connectors." + settings_.name + ".accounts");
    out.push_back(*it);
  }
  return out;
}

Result<std::string> Xs2aConnector::resolve_account(ConnectorContext& ctx, const BankAccount& account) {
  if (!account.provider_id.empty()) return account.provider_id;
  // resourceIds are stable only for one consent: re-map by IBAN (bank-apis.md 1.5).
  for (const BankAccount& a : BANKREC_TRY(accounts(ctx)))
    if (!account.iban.empty() && a.iban == account.iban) return a.provider_id;
  return fail(Errc::not_found, settings_.name + ": the bank does not offer account " + account.iban);
}

domain::Date Xs2aConnector::covered_to(ConnectorContext& ctx, const TransactionsRequest& request,
                                       const std::optional<domain::Balance>& closing) const {
  // Booked data are complete up to the closing balance's day (else yesterday), never past `to`.
  domain::Date last = today(ctx).add_days(-1);
  if (closing && closing->date) last = *closing->date;
  return std::min(last, request.to);
}

Result<void> Xs2aConnector::fetch_json(ConnectorContext& ctx, const std::string& consent,
                                       const std::string& first_url, const TransactionsRequest& request,
                                       domain::Statement& statement) {
  const std::string account =
      request.account.iban.empty() ? request.account.provider_id : request.account.iban;
  PageGuard guard(settings_.name);
  EntryDedup dedup;
  std::string url = first_url;
  while (!url.empty()) {
    BANKREC_TRY(guard.visit(url));
    net::HttpRequest r = BANKREC_TRY(this->request("GET", url, consent, "application/json"));
    const net::HttpResponse response = BANKREC_TRY(oauth_.send(ctx, r, "transactions", account, signer()));
    BANKREC_TRY(guard.check_body(response.body));
    const std::string page = "page " + std::to_string(guard.pages());
    auto body = parse_json_object(response.body, settings_.name + ": transactions " + page);
    if (!body)
      return Unexpected{
          bad_response(settings_.name, "transactions", body.error().message, response.request_id)};
    const json::object* tx = get_object(*body, "transactions");
    if (!tx) {
      const json::object* links = get_object(*body, "_links");
      if (links && get_href(*links, "download"))
        return fail(
            Errc::invalid_input,
            settings_.name + ": the bank offers the transactions only as a download link (not supported)");
      return Unexpected{bad_response(settings_.name, "transactions", page + " has no transactions object",
                                     response.request_id)};
    }
    if (const json::array* balances = get_array(*body, "balances"); balances && guard.pages() == 1)
      BANKREC_TRY(xs2a::map_balances(*balances, statement));
    for (const auto& [list, status] : {std::pair{"booked", domain::EntryStatus::booked},
                                       std::pair{"pending", domain::EntryStatus::pending}}) {
      const json::array* entries = get_array(*tx, list);
      if (!entries) continue;
      for (std::size_t i = 0; i < entries->size(); ++i) {
        if (!(*entries)[i].is_object()) continue;
        const json::object& t = (*entries)[i].as_object();
        if (!dedup.insert(list, xs2a::transaction_key(t))) continue;  // repeated across a page border
        const std::string where =
            settings_.name + ": transactions " + page + " " + list + "[" + std::to_string(i) + "]";
        statement.entries.push_back(BANKREC_TRY(xs2a::map_transaction(t, status, where)));
      }
    }
    if (statement.entries.size() > kMaxEntries)
      return fail(Errc::invalid_input, settings_.name + ": more than " + std::to_string(kMaxEntries) +
                                           " entries for account " + account);
    const json::object* links = get_object(*tx, "_links");
    const auto next = links ? get_href(*links, "next") : std::nullopt;
    url = next ? resolve_url(base_, *next) : std::string();
  }
  return ok();
}

Result<TransactionsBatch> Xs2aConnector::fetch_xml(ConnectorContext& ctx, const std::string& consent,
                                                   const std::string& url,
                                                   const TransactionsRequest& request) {
  const std::string account =
      request.account.iban.empty() ? request.account.provider_id : request.account.iban;
  net::HttpRequest r = BANKREC_TRY(this->request("GET", url, consent, "application/xml"));
  r.max_response_bytes = kMaxDocumentBytes;
  net::HttpResponse response = BANKREC_TRY(oauth_.send(ctx, r, "transactions", account, signer()));
  // A cut document would parse as an error later; say here that the bank's answer was incomplete.
  const std::string_view text = response.body;
  const auto end = text.find_last_not_of(" \t\r\n");
  if (text.find("<Document") == std::string_view::npos || end == std::string_view::npos ||
      !text.substr(0, end + 1).ends_with("</Document>"))
    return Unexpected{bad_response(settings_.name, "transactions",
                                   "the camt document for " + account + " is incomplete",
                                   response.request_id)};
  TransactionsBatch batch;
  RawDocument doc;
  doc.name =
      "xs2a-" + settings_.name + "-" + account + "-" + request.from.iso() + "-" + request.to.iso() + ".xml";
  doc.format_id = "camt.052";
  doc.content = std::move(response.body);
  batch.documents.push_back(std::move(doc));
  batch.covered_to = covered_to(ctx, request, std::nullopt);
  return batch;
}

Result<TransactionsBatch> Xs2aConnector::transactions(ConnectorContext& ctx,
                                                      const TransactionsRequest& request) {
  if (request.to < request.from)
    return fail(Errc::invalid_input, settings_.name + ": dateFrom " + request.from.iso() +
                                         " lies after dateTo " + request.to.iso());
  const std::string consent = BANKREC_TRY(consent_id(ctx));
  const std::string id = BANKREC_TRY(resolve_account(ctx, request.account));
  // No PSU-IP-Address: this is an unattended access and counts against frequencyPerDay.
  const bool xml = options_.profile == Profile::sparkasse;
  Params query{{"bookingStatus", "both"}, {"dateFrom", request.from.iso()}, {"dateTo", request.to.iso()}};
  if (!xml) query.emplace_back("withBalance", "true");
  const std::string url = with_query(base_ + "/accounts/" + url_encode(id) + "/transactions", query);
  if (xml) return fetch_xml(ctx, consent, url, request);

  domain::Statement statement;
  statement.account.iban =
      request.account.iban.empty() ? std::nullopt : std::optional<std::string>(request.account.iban);
  if (!request.account.currency.empty() && request.account.currency != "XXX")
    statement.account.currency = request.account.currency;
  statement.from_date = request.from;
  statement.to_date = request.to;
  BANKREC_TRY(fetch_json(ctx, consent, url, request, statement));
  TransactionsBatch batch;
  batch.covered_to = covered_to(ctx, request, statement.closing_balance);
  batch.statements.push_back(std::move(statement));
  return batch;
}

}  // namespace

Result<std::unique_ptr<Connector>> make_xs2a_connector(const ConnectorSettings& settings) {
  Options options = BANKREC_TRY(xs2a::parse_options(settings));
  return std::unique_ptr<Connector>(std::make_unique<Xs2aConnector>(settings, std::move(options)));
}

}  // namespace bankrec::connectors
