#include "oauth.h"

#include <utility>

#include "bankrec/base/text.h"
#include "bankrec/net/redact.h"
#include "crypto_util.h"

namespace bankrec::connectors {

namespace {

std::string lookup(const std::map<std::string, std::string>& m, const std::string& key) {
  const auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

/// Constant-time comparison, so the state check leaks nothing through timing.
bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

bool OAuthClient::is_fresh(const ConnectorContext& ctx, const std::optional<SysTime>& expires) const {
  return !expires || ctx.clock().now() + settings_.expiry_margin < *expires;
}

Result<void> OAuthClient::add_client_auth(ConnectorContext& ctx, net::HttpRequest& request, Params& form) {
  if (settings_.client_secret_key.empty()) {
    form.emplace_back("client_id", settings_.client_id);
    return ok();
  }
  const auto secret = BANKREC_TRY(ctx.state().read(settings_.client_secret_key, /*secret=*/true));
  if (!secret)
    return fail(Errc::invalid_input, settings_.connector +
                                         ": no client secret stored (bankrec connector secret " +
                                         settings_.connector + " " + settings_.client_secret_key + ")");
  if (settings_.secret_in_body) {
    form.emplace_back("client_id", settings_.client_id);
    form.emplace_back("client_secret", secret->value);
    return ok();
  }
  // RFC 6749 2.3.1: both parts form-encoded before Basic.
  request.headers.emplace_back("Authorization", "Basic " + base64_encode(url_encode(settings_.client_id) +
                                                                         ":" + url_encode(secret->value)));
  return ok();
}

Result<TokenSet> OAuthClient::token_request(ConnectorContext& ctx, const std::string& endpoint, Params form,
                                            std::string_view operation) {
  if (endpoint.empty())
    return fail(Errc::invalid_input, settings_.connector + ": no OAuth token endpoint known");
  net::HttpRequest request;
  request.method = "POST";
  request.url = endpoint;
  request.max_response_bytes = 256 * 1024;
  BANKREC_TRY(add_client_auth(ctx, request, form));
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.headers.emplace_back("Accept", "application/json");
  request.body = form_encode(form);
  net::HttpResult result = ctx.send(request, operation);
  if (!result) {
    Error e = map_http_error(result.error(), settings_.connector, operation);
    // RFC 6749 5.2: only invalid_grant means the grant (consent) is gone; invalid_client and the
    // rest are configuration. 5xx and 429 stay transient.
    const ApiError api =
        result.error().response ? parse_api_error(result.error().response->body) : ApiError{};
    if (e.code != Errc::unavailable && result.error().code == net::HttpErrc::http_status)
      e.code = api.code == "invalid_grant" ? Errc::permission_denied : Errc::invalid_input;
    // Some servers echo the grant in their description: never let a token into a message.
    for (const auto& [name, value] : form)
      if ((name == "refresh_token" || name == "code" || name == "code_verifier" || name == "client_secret") &&
          value.size() >= 4)
        for (auto at = e.message.find(value); at != std::string::npos; at = e.message.find(value, at))
          e.message.replace(at, value.size(), net::kRedacted);
    return Unexpected{std::move(e)};
  }
  const std::string& request_id = result->request_id;
  auto body = parse_json_object(result->body, settings_.connector + ": " + std::string(operation));
  if (!body)
    return Unexpected{bad_response(settings_.connector, operation, body.error().message, request_id)};
  TokenSet out;
  out.access_token = get_string(*body, "access_token").value_or("");
  if (out.access_token.empty())
    return Unexpected{
        bad_response(settings_.connector, operation, "no access_token in the answer", request_id)};
  const std::string type = get_string(*body, "token_type").value_or("Bearer");
  if (!text::iequals_ascii(type, "bearer"))
    return fail(Errc::invalid_input, settings_.connector + ": " + std::string(operation) +
                                         ": unsupported token_type '" + type.substr(0, 20) + "'");
  const SysTime now = ctx.clock().now();
  if (const auto seconds = get_int(*body, "expires_in"); seconds && *seconds > 0)
    out.access_expires = now + std::chrono::seconds(*seconds);
  if (const auto seconds = get_int(*body, "refresh_expires_in"); seconds && *seconds > 0)
    out.refresh_expires = now + std::chrono::seconds(*seconds);
  out.refresh_token = get_string(*body, "refresh_token");
  out.scope = get_string(*body, "scope").value_or("");
  return out;
}

Result<std::string> OAuthClient::client_credentials(ConnectorContext& ctx, std::string_view token_endpoint,
                                                    std::string_view scope) {
  std::lock_guard lock(mutex_);
  Params form{{"grant_type", "client_credentials"}};
  if (!scope.empty()) form.emplace_back("scope", std::string(scope));
  TokenSet tokens = BANKREC_TRY(token_request(ctx, std::string(token_endpoint), std::move(form), "token"));
  BANKREC_TRY(ctx.state().write({{key("access_token"), tokens.access_token, true, tokens.access_expires}}));
  cached_ = Cached{tokens.access_token, tokens.access_expires};
  return tokens.access_token;
}

Result<AuthorisationStart> OAuthClient::begin(ConnectorContext& ctx, const OAuthEndpoints& endpoints,
                                              std::string_view redirect_uri, std::string_view scope,
                                              const Params& extra) {
  if (endpoints.authorization_endpoint.empty())
    return fail(Errc::invalid_input, settings_.connector + ": no OAuth authorization endpoint known");
  if (redirect_uri.empty())
    return fail(Errc::invalid_input, settings_.connector + ": no redirect URI for the authorisation");
  // RFC 7636 4.1: 32 random bytes give a 43-character verifier; the state is one-time, too.
  const std::string state = random_urlsafe(24);
  const std::string verifier = random_urlsafe(32);
  const SysTime until = ctx.clock().now() + settings_.authorisation_window;
  BANKREC_TRY(
      ctx.state().write({{key("oauth_state"), state, true, until},
                         {key("oauth_verifier"), verifier, true, until},
                         {key("oauth_redirect_uri"), std::string(redirect_uri), false, until},
                         {key("oauth_token_endpoint"), endpoints.token_endpoint, false, std::nullopt}}));
  Params params{{"response_type", "code"},
                {"client_id", settings_.client_id},
                {"redirect_uri", std::string(redirect_uri)},
                {"scope", std::string(scope)},
                {"state", state},
                {"code_challenge", pkce_challenge(verifier)},
                {"code_challenge_method", "S256"}};
  params.insert(params.end(), extra.begin(), extra.end());
  return AuthorisationStart{with_query(endpoints.authorization_endpoint, params), state};
}

Result<TokenSet> OAuthClient::finish(ConnectorContext& ctx,
                                     const std::map<std::string, std::string>& callback,
                                     std::vector<ConnectorState::Write> extra_writes) {
  std::lock_guard lock(mutex_);
  const auto state = BANKREC_TRY(ctx.state().read(key("oauth_state"), true));
  const auto verifier = BANKREC_TRY(ctx.state().read(key("oauth_verifier"), true));
  const auto redirect = BANKREC_TRY(ctx.state().read(key("oauth_redirect_uri"), false));
  const auto endpoint = BANKREC_TRY(ctx.state().read(key("oauth_token_endpoint"), false));
  const SysTime now = ctx.clock().now();
  if (!state || !verifier || !redirect || (state->expires && *state->expires <= now))
    return fail(Errc::invalid_input,
                settings_.connector + ": no authorisation is in progress (or it timed out); start it again");
  // RFC 6749 10.12 / RFC 9700 4.7: the callback must carry the state we sent.
  if (!same_secret(lookup(callback, "state"), state->value))
    return fail(Errc::invalid_input,
                settings_.connector + ": the callback's state does not match the authorisation in progress");
  // The state and verifier are single-use, whatever happens next.
  BANKREC_TRY(ctx.state().write({{key("oauth_state"), std::nullopt, true, std::nullopt},
                                 {key("oauth_verifier"), std::nullopt, true, std::nullopt}}));
  if (const std::string error = lookup(callback, "error"); !error.empty()) {
    const std::string description = lookup(callback, "error_description");
    return fail(error == "access_denied" ? Errc::permission_denied : Errc::invalid_input,
                settings_.connector +
                    ": the bank refused the authorisation: " + net::redact(error.substr(0, 60)) +
                    (description.empty() ? "" : " (" + net::redact(description.substr(0, 200)) + ")"));
  }
  const std::string code = lookup(callback, "code");
  if (code.empty()) return fail(Errc::invalid_input, settings_.connector + ": the callback carries no code");
  if (const std::string iss = lookup(callback, "iss");
      !iss.empty() && endpoint && url_origin(iss) != url_origin(endpoint->value))
    return fail(Errc::invalid_input,
                settings_.connector + ": the callback's issuer is not the bank's (mix-up defence, RFC 9207)");
  Params form{{"grant_type", "authorization_code"},
              {"code", code},
              {"redirect_uri", redirect->value},
              {"code_verifier", verifier->value}};
  TokenSet tokens =
      BANKREC_TRY(token_request(ctx, endpoint ? endpoint->value : std::string(), std::move(form), "token"));
  extra_writes.push_back({key("access_token"), tokens.access_token, true, tokens.access_expires});
  extra_writes.push_back({key("refresh_token"), tokens.refresh_token, true, tokens.refresh_expires});
  BANKREC_TRY(ctx.state().write(extra_writes));
  cached_ = Cached{tokens.access_token, tokens.access_expires};
  return tokens;
}

Result<std::string> OAuthClient::refresh_locked(ConnectorContext& ctx) {
  const auto refresh_token = BANKREC_TRY(ctx.state().read(key("refresh_token"), true));
  if (!refresh_token)
    return fail(Errc::permission_denied,
                settings_.connector +
                    ": no refresh token stored; re-authorise the connector (bankrec connector consent " +
                    settings_.connector + ")");
  const auto endpoint = BANKREC_TRY(ctx.state().read(key("oauth_token_endpoint"), false));
  Params form{{"grant_type", "refresh_token"}, {"refresh_token", refresh_token->value}};
  TokenSet tokens =
      BANKREC_TRY(token_request(ctx, endpoint ? endpoint->value : std::string(), std::move(form), "refresh"));
  // Persist before use (RFC 9700 4.14.2): the rotated refresh token and its access token are
  // committed together; only this write replaces the old refresh token.
  std::vector<ConnectorState::Write> writes{
      {key("access_token"), tokens.access_token, true, tokens.access_expires}};
  if (tokens.refresh_token)
    writes.push_back({key("refresh_token"), tokens.refresh_token, true,
                      tokens.refresh_expires ? tokens.refresh_expires : refresh_token->expires});
  BANKREC_TRY(ctx.state().write(writes));
  cached_ = Cached{tokens.access_token, tokens.access_expires};
  return tokens.access_token;
}

Result<std::string> OAuthClient::refresh(ConnectorContext& ctx) {
  std::lock_guard lock(mutex_);
  return refresh_locked(ctx);
}

Result<std::string> OAuthClient::access_token(ConnectorContext& ctx) {
  std::lock_guard lock(mutex_);
  if (cached_ && is_fresh(ctx, cached_->expires)) return cached_->token;
  const auto stored = BANKREC_TRY(ctx.state().read(key("access_token"), true));
  if (stored && is_fresh(ctx, stored->expires)) {
    cached_ = Cached{stored->value, stored->expires};
    return stored->value;
  }
  return refresh_locked(ctx);
}

Result<net::HttpResponse> OAuthClient::send(ConnectorContext& ctx, net::HttpRequest request,
                                            std::string_view operation, std::string_view account,
                                            const Prepare& prepare) {
  for (int attempt = 0;; ++attempt) {
    const std::string token = BANKREC_TRY(access_token(ctx));
    net::HttpRequest r = request;
    r.headers.emplace_back("Authorization", "Bearer " + token);
    if (prepare) BANKREC_TRY(prepare(r));
    net::HttpResult result = ctx.send(r, operation, account);
    if (result) return std::move(result).value();
    const net::HttpError& error = result.error();
    if (error.code != net::HttpErrc::http_status || error.status() != 401)
      return Unexpected{map_http_error(error, settings_.connector, operation, account)};
    const ApiError api = parse_api_error(error.response->body);
    if (is_consent_error_code(api.code) || is_certificate_error_code(api.code))
      return Unexpected{map_http_error(error, settings_.connector, operation, account)};
    if (attempt > 0) {
      Error e = map_http_error(error, settings_.connector, operation, account);
      e.code = Errc::permission_denied;
      e.message += " (still 401 after a token refresh)";
      return Unexpected{std::move(e)};
    }
    // The token was refused although it looked valid (revoked, or expired early): refresh once.
    {
      std::lock_guard lock(mutex_);
      if (cached_ && cached_->token == token) cached_.reset();
      const auto stored = BANKREC_TRY(ctx.state().read(key("access_token"), true));
      if (!stored || stored->value == token) BANKREC_TRY(refresh_locked(ctx));
    }
  }
}

}  // namespace bankrec::connectors
