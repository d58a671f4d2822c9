// Berlin Group NextGenPSD2 XS2A 1.3.x AIS (bank-apis.md section 1): consent → SCA → accounts, balances
// and transactions (bookingStatus=both, pages via _links.next). The SCA approach is the bank's
// choice, announced by its answer to POST /consents: OAuth (authorisation code with PKCE, scope
// AIS:<consentId>), redirect (the PSU's browser goes to _links.scaRedirect; we then poll the consent
// status) or decoupled (the PSU approves in the bank's app; we poll with a bounded backoff). Savings
// banks deliver camt.052 only; big reports may come as a _links.download to a camt file.
//
// ConnectorState keys: consent_id, consent_sca_approach ("oauth" when absent), consent_valid_until,
// pending_consent_id, pending_sca_approach (plain) and the OAuth keys of oauth.h. Nothing here logs;
// errors are redacted by map_http_error.
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

/// At most `max` bytes of a bank's text for a message, without control characters.
std::string clip_text(std::string_view text, std::size_t max = 200) {
  std::string out;
  for (const char c : text.substr(0, max)) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  if (text.size() > max) out += "...";
  return out;
}

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
  Result<net::HttpResponse> send_ais(ConnectorContext& ctx, net::HttpRequest r, std::string_view operation,
                                     std::string_view account = {});
  void add_sca_headers(net::HttpRequest& r, const std::string& redirect_uri) const;
  Result<xs2a::ScaLinks> start_explicit(ConnectorContext& ctx, const xs2a::ScaLinks& links,
                                        const std::string& redirect_uri);
  Result<xs2a::PollReading> probe_consent(ConnectorContext& ctx, const std::string& id);
  Result<ConsentStatus> finish_polled(ConnectorContext& ctx, const std::string& id, const std::string& approach,
                                      const std::map<std::string, std::string>& callback);
  Result<TransactionsBatch> document_batch(ConnectorContext& ctx, net::HttpResponse response,
                                           const TransactionsRequest& request, std::string format_id,
                                           std::string_view suffix);
  Result<TransactionsBatch> fetch_download(ConnectorContext& ctx, const std::string& consent,
                                           const std::string& url, const TransactionsRequest& request);
  OAuthClient::Prepare signer() const {
    if (!options_.sign()) return {};
    return [this](net::HttpRequest& r) { return xs2a::sign_request(options_, r); };
  }
  Result<net::HttpRequest> request(std::string method, std::string url, const std::string& consent,
                                   std::string accept);
  Result<OAuthEndpoints> discover(ConnectorContext& ctx, const std::string& sca_oauth);
  Result<std::string> resolve_account(ConnectorContext& ctx, const BankAccount& account);
  Result<void> fetch_json(ConnectorContext& ctx, const std::string& consent, const std::string& first_url,
                          const TransactionsRequest& request, domain::Statement& statement,
                          std::string& download);
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

Result<net::HttpResponse> Xs2aConnector::send_ais(ConnectorContext& ctx, net::HttpRequest r,
                                                  std::string_view operation, std::string_view account) {
  const auto approach = BANKREC_TRY(ctx.state().read("consent_sca_approach", false));
  if (!approach || approach->value == "oauth") return oauth_.send(ctx, std::move(r), operation, account, signer());
  // Redirect and decoupled consents: the Consent-ID alone authorises the access (no bearer token).
  BANKREC_TRY(xs2a::sign_request(options_, r));
  net::HttpResult result = ctx.send(r, operation, account);
  if (!result) return Unexpected{map_http_error(result.error(), settings_.name, operation, account)};
  return std::move(result).value();
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

void Xs2aConnector::add_sca_headers(net::HttpRequest& r, const std::string& redirect_uri) const {
  if (!redirect_uri.empty()) {
    r.headers.emplace_back("TPP-Redirect-URI", redirect_uri);
    // The bank sends the PSU here when the authorisation fails or is cancelled.
    r.headers.emplace_back("TPP-Nok-Redirect-URI", with_query(redirect_uri, {{"sca_outcome", "nok"}}));
  }
  // BG 1.3.12 TPP-Redirect-Preferred / TPP-Decoupled-Preferred: our wish; the bank decides.
  if (options_.sca == xs2a::ScaPreference::decoupled) {
    r.headers.emplace_back("TPP-Redirect-Preferred", "false");
    r.headers.emplace_back("TPP-Decoupled-Preferred", "true");
  } else {
    r.headers.emplace_back("TPP-Redirect-Preferred", "true");
  }
}

Result<xs2a::ScaLinks> Xs2aConnector::start_explicit(ConnectorContext& ctx, const xs2a::ScaLinks& links,
                                                     const std::string& redirect_uri) {
  // Consent response examples 1b/3: an explicit POST .../authorisations starts the SCA, with the PSU
  // identified (decoupled needs to know whose app to push to).
  net::HttpRequest r = BANKREC_TRY(request("POST", links.start_authorisation, {}, "application/json"));
  r.body = "{}";
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("PSU-IP-Address", options_.psu_ip_address);
  if (!options_.psu_id.empty()) r.headers.emplace_back("PSU-ID", options_.psu_id);
  add_sca_headers(r, redirect_uri);
  BANKREC_TRY(xs2a::sign_request(options_, r));
  net::HttpResult result = ctx.send(r, "consent-authorisation");
  if (!result) return Unexpected{map_http_error(result.error(), settings_.name, "consent-authorisation")};
  auto answer = parse_json_object(result->body, settings_.name + ": consent authorisation");
  if (!answer)
    return Unexpected{
        bad_response(settings_.name, "consent-authorisation", answer.error().message, result->request_id)};
  xs2a::ScaLinks started =
      xs2a::read_sca_links(*answer, result->header("ASPSP-SCA-Approach").value_or(links.approach), base_);
  if (started.approach.empty()) started.approach = links.approach;
  started.start_authorisation.clear();
  return started;
}

Result<AuthorisationStart> Xs2aConnector::begin_authorisation(ConnectorContext& ctx,
                                                              std::string_view redirect_uri_arg) {
  const std::string redirect_uri =
      redirect_uri_arg.empty() ? options_.redirect_uri : std::string(redirect_uri_arg);
  const bool decoupled = options_.sca == xs2a::ScaPreference::decoupled;
  if (redirect_uri.empty() && !decoupled)
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
  add_sca_headers(r, redirect_uri);
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
  xs2a::ScaLinks links = xs2a::read_sca_links(*answer, result->header("ASPSP-SCA-Approach").value_or(""), base_);
  if (xs2a::sca_flow(links).empty() && !links.start_authorisation.empty())
    links = BANKREC_TRY(start_explicit(ctx, links, redirect_uri));
  const std::string flow = xs2a::sca_flow(links);
  if (flow.empty())
    return fail(Errc::invalid_input,
                settings_.name + ": the bank offers no supported SCA approach for this consent (ASPSP-SCA-Approach " +
                    (links.approach.empty() ? std::string("?") : links.approach) +
                    "); supported: OAUTH, REDIRECT, DECOUPLED (embedded SCA would pass the PSU's credentials "
                    "through bankrec)");
  const auto pending_until = ctx.clock().now() + kPendingConsentLifetime;
  BANKREC_TRY(ctx.state().write({{"pending_consent_id", *id, false, pending_until},
                                 {"pending_sca_approach", flow, false, pending_until}}));
  if (flow == "oauth") {
    if (redirect_uri.empty())
      return fail(Errc::invalid_input, settings_.name + ": the bank chose OAuth SCA, which needs options.redirect_uri");
    const OAuthEndpoints endpoints = BANKREC_TRY(discover(ctx, links.sca_oauth));
    return oauth_.begin(ctx, endpoints, redirect_uri, "AIS:" + *id);
  }
  AuthorisationStart start;
  const std::string wait = std::to_string(options_.sca_timeout.count());
  const std::string bank_says = links.psu_message.empty() ? "" : " (the bank says: " + clip_text(links.psu_message) + ")";
  if (flow == "redirect") {
    start.url = links.sca_redirect;
    start.message = "open the bank's page and approve the access" + bank_says +
                    "; bankrec then checks the consent status for up to " + wait + " s";
    return start;
  }
  start.message = "approve the access in the banking app of " +
                  (options_.psu_id.empty() ? std::string("the account holder") : "PSU " + options_.psu_id) + bank_says +
                  "; waiting up to " + wait + " s for the bank's confirmation";
  return start;
}

Result<xs2a::PollReading> Xs2aConnector::probe_consent(ConnectorContext& ctx, const std::string& id) {
  net::HttpRequest r =
      BANKREC_TRY(request("GET", base_ + "/consents/" + url_encode(id) + "/status", {}, "application/json"));
  BANKREC_TRY(xs2a::sign_request(options_, r));
  net::HttpResult result = ctx.send(r, "consent-status");
  if (!result) return Unexpected{map_http_error(result.error(), settings_.name, "consent-status")};
  auto body = parse_json_object(result->body, settings_.name + ": consent status");
  if (!body)
    return Unexpected{bad_response(settings_.name, "consent-status", body.error().message, result->request_id)};
  const std::string status = get_string(*body, "consentStatus").value_or("");
  if (status.empty())
    return Unexpected{
        bad_response(settings_.name, "consent-status", "the answer carries no consentStatus", result->request_id)};
  return xs2a::PollReading{xs2a::consent_verdict(status), clip_text(status, 40)};
}

Result<ConsentStatus> Xs2aConnector::finish_polled(ConnectorContext& ctx, const std::string& id,
                                                   const std::string& approach,
                                                   const std::map<std::string, std::string>& callback) {
  auto value = [&](const char* key) {
    const auto it = callback.find(key);
    return it == callback.end() ? std::string() : it->second;
  };
  // The redirect back to us is only a hint; the consent status at the bank decides.
  const bool nok = value("sca_outcome") == "nok" || !value("error").empty();
  const auto probe = [&] { return probe_consent(ctx, id); };
  const xs2a::PollReading reading =
      nok ? BANKREC_TRY(probe()) : BANKREC_TRY(xs2a::poll_until_decided(ctx, probe, options_.sca_poll, options_.sca_timeout));
  const std::vector<ConnectorState::Write> clear_pending{{"pending_consent_id", std::nullopt, false, std::nullopt},
                                                         {"pending_sca_approach", std::nullopt, false, std::nullopt}};
  if (reading.verdict == xs2a::ScaVerdict::valid) {
    // The new consent replaces the old one (and its OAuth tokens, useless now) in one write.
    std::vector<ConnectorState::Write> writes{{"consent_id", id, false, std::nullopt},
                                              {"consent_sca_approach", approach, false, std::nullopt},
                                              {oauth_.key("access_token"), std::nullopt, true, std::nullopt},
                                              {oauth_.key("refresh_token"), std::nullopt, true, std::nullopt}};
    writes.insert(writes.end(), clear_pending.begin(), clear_pending.end());
    BANKREC_TRY(ctx.state().write(writes));
    oauth_.reset();
    return consent(ctx);
  }
  const std::string again = "; start again with 'bankrec connector consent " + settings_.name + "'";
  if (reading.verdict == xs2a::ScaVerdict::rejected || nok) {
    BANKREC_TRY(ctx.state().write(clear_pending));
    return fail(Errc::permission_denied,
                settings_.name + ": the bank did not grant consent " + id + " (status '" + reading.status + "': " +
                    (approach == "decoupled" ? "the approval in the banking app was refused or cancelled"
                                             : "the authorisation at the bank was cancelled or failed") +
                    ")" + again);
  }
  return fail(Errc::unavailable,
              settings_.name + ": no decision from the bank within " + std::to_string(options_.sca_timeout.count()) +
                  " s (consent " + id + " is still '" + (reading.status.empty() ? "unknown" : reading.status) + "'; " +
                  (approach == "decoupled" ? "was the approval in the banking app confirmed?"
                                           : "was the authorisation at the bank completed?") +
                  ")" + again);
}

Result<ConsentStatus> Xs2aConnector::finish_authorisation(
    ConnectorContext& ctx, const std::map<std::string, std::string>& callback) {
  const auto pending = BANKREC_TRY(ctx.state().read("pending_consent_id", false));
  if (!pending || (pending->expires && *pending->expires <= ctx.clock().now()))
    return fail(Errc::invalid_input,
                settings_.name + ": no consent is waiting for authorisation; start again");
  const auto approach = BANKREC_TRY(ctx.state().read("pending_sca_approach", false));
  if (approach && approach->value != "oauth") return finish_polled(ctx, pending->value, approach->value, callback);
  // The new consent id and its tokens replace the old ones in one write: a crash leaves either the
  // old consent with its tokens or the new one with its tokens.
  BANKREC_TRY(oauth_.finish(ctx, callback,
                            {{"consent_id", pending->value, false, std::nullopt},
                             {"consent_sca_approach", "oauth", false, std::nullopt},
                             {"pending_consent_id", std::nullopt, false, std::nullopt},
                             {"pending_sca_approach", std::nullopt, false, std::nullopt}}));
  return consent(ctx);
}

Result<std::vector<BankAccount>> Xs2aConnector::accounts(ConnectorContext& ctx) {
  const std::string consent = BANKREC_TRY(consent_id(ctx));
  net::HttpRequest r = BANKREC_TRY(request("GET", base_ + "/accounts", consent, "application/json"));
  const net::HttpResponse response = BANKREC_TRY(send_ais(ctx, std::move(r), "accounts"));
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
                                       domain::Statement& statement, std::string& download) {
  const std::string account =
      request.account.iban.empty() ? request.account.provider_id : request.account.iban;
  PageGuard guard(settings_.name);
  EntryDedup dedup;
  std::string url = first_url;
  while (!url.empty()) {
    BANKREC_TRY(guard.visit(url));
    net::HttpRequest r = BANKREC_TRY(this->request("GET", url, consent, "application/json"));
    const net::HttpResponse response = BANKREC_TRY(send_ais(ctx, std::move(r), "transactions", account));
    BANKREC_TRY(guard.check_body(response.body));
    const std::string page = "page " + std::to_string(guard.pages());
    auto body = parse_json_object(response.body, settings_.name + ": transactions " + page);
    if (!body)
      return Unexpected{
          bad_response(settings_.name, "transactions", body.error().message, response.request_id)};
    const json::object* tx = get_object(*body, "transactions");
    if (!tx) {
      // Too much data for one answer: the bank offers the report as a camt file to download
      // (BG 1.3.12 transactionsExample2_Download_json); only the first page can say so.
      const json::object* links = get_object(*body, "_links");
      if (links && get_href(*links, "download") && guard.pages() == 1) {
        download = *get_href(*links, "download");
        return ok();
      }
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

Result<TransactionsBatch> Xs2aConnector::document_batch(ConnectorContext& ctx, net::HttpResponse response,
                                                        const TransactionsRequest& request, std::string format_id,
                                                        std::string_view suffix) {
  const std::string account =
      request.account.iban.empty() ? request.account.provider_id : request.account.iban;
  // A cut document would parse as an error later; say here that the bank's answer was incomplete.
  const std::string_view text = response.body;
  const auto end = text.find_last_not_of(" \t\r\n");
  if (text.find("<Document") == std::string_view::npos || end == std::string_view::npos ||
      !text.substr(0, end + 1).ends_with("</Document>"))
    return Unexpected{bad_response(settings_.name, "transactions",
                                   "the camt document for " + account + " is incomplete (or no camt XML at all)",
                                   response.request_id)};
  TransactionsBatch batch;
  RawDocument doc;
  doc.name = "xs2a-" + settings_.name + "-" + account + "-" + request.from.iso() + "-" + request.to.iso() +
             std::string(suffix) + ".xml";
  doc.format_id = std::move(format_id);
  doc.content = std::move(response.body);
  batch.documents.push_back(std::move(doc));
  batch.covered_to = covered_to(ctx, request, std::nullopt);
  return batch;
}

Result<TransactionsBatch> Xs2aConnector::fetch_xml(ConnectorContext& ctx, const std::string& consent,
                                                   const std::string& url,
                                                   const TransactionsRequest& request) {
  const std::string account =
      request.account.iban.empty() ? request.account.provider_id : request.account.iban;
  net::HttpRequest r = BANKREC_TRY(this->request("GET", url, consent, "application/xml"));
  r.max_response_bytes = kMaxDocumentBytes;
  net::HttpResponse response = BANKREC_TRY(send_ais(ctx, std::move(r), "transactions", account));
  return document_batch(ctx, std::move(response), request, "camt.052", "");
}

Result<TransactionsBatch> Xs2aConnector::fetch_download(ConnectorContext& ctx, const std::string& consent,
                                                        const std::string& href,
                                                        const TransactionsRequest& request) {
  const std::string account =
      request.account.iban.empty() ? request.account.provider_id : request.account.iban;
  const std::string url = resolve_url(base_, href);
  // The download is fetched with the Consent-ID (and bearer token): only from the bank's own origin.
  if (url_origin(url) != url_origin(base_))
    return fail(Errc::invalid_input, settings_.name + ": the bank's download link for " + account +
                                         " points to another origin (" + url_origin(url) +
                                         "); refusing to send the consent there");
  net::HttpRequest r =
      BANKREC_TRY(this->request("GET", url, consent, "application/xml, text/xml;q=0.9, */*;q=0.1"));
  r.max_response_bytes = kMaxDocumentBytes;
  net::HttpResponse response = BANKREC_TRY(send_ais(ctx, std::move(r), "transactions-download", account));
  std::string format = xs2a::camt_format_of(response.body);
  return document_batch(ctx, std::move(response), request, std::move(format), "-download");
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
  std::string download;
  BANKREC_TRY(fetch_json(ctx, consent, url, request, statement, download));
  if (!download.empty()) return fetch_download(ctx, consent, download, request);
  TransactionsBatch batch;
  batch.covered_to = covered_to(ctx, request, statement.closing_balance);
  batch.statements.push_back(std::move(statement));
  return batch;
}

}  // namespace

Result<std::unique_ptr<Connector>> make_xs2a_connector(const ConnectorSettings& settings) {
  return make_connector<Xs2aConnector>(settings, xs2a::parse_options);
}

}  // namespace bankrec::connectors
