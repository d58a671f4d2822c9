#pragma once

// OAuth 2.0 client for every connector (RFC 6749, PKCE RFC 7636, RFC 9700 practice): client
// credentials, authorization code with PKCE S256, refresh with rotation, bearer requests with one
// refresh-and-retry on 401. Any daemon/connectors/src/ file may include "oauth.h".
//
// State keys in ConnectorState (each prefixed with OAuthSettings::key_prefix):
//   access_token (secret, expires), refresh_token (secret), oauth_state and oauth_verifier (secret,
//   expire with the authorisation window), oauth_redirect_uri and oauth_token_endpoint (plain).

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/connectors/connector.h"
#include "bankrec/net/http_client.h"
#include "http_util.h"

namespace bankrec::connectors {

struct OAuthSettings {
  std::string connector;  ///< name, for messages
  std::string client_id;
  /// ConnectorState key of the client secret (secret); empty: a client without secret (PSD2 mTLS
  /// client authentication, RFC 8705 tls_client_auth), which sends only client_id in the form.
  std::string client_secret_key;
  bool secret_in_body = false;             ///< client_secret_post instead of HTTP Basic (client_secret_basic)
  std::string key_prefix;                  ///< "" or e.g. "bank_" to keep two token sets apart
  std::chrono::seconds expiry_margin{60};  ///< refresh this long before expiry
  std::chrono::seconds authorisation_window{30 * 60};  ///< how long a started authorisation stays valid
};

struct OAuthEndpoints {
  std::string authorization_endpoint;
  std::string token_endpoint;
};

/// Tokens as the token endpoint gave them (RFC 6749 5.1).
struct TokenSet {
  std::string access_token;
  std::optional<std::string> refresh_token;
  std::optional<SysTime> access_expires;
  std::optional<SysTime> refresh_expires;
  std::string scope;
};

class OAuthClient {
 public:
  explicit OAuthClient(OAuthSettings settings) : settings_(std::move(settings)) {}

  /// Client credentials grant (RFC 6749 4.4); the token is stored as access_token and returned.
  Result<std::string> client_credentials(ConnectorContext& ctx, std::string_view token_endpoint,
                                         std::string_view scope);

  /// Starts an authorization code grant with PKCE S256: a fresh state and verifier are stored (with
  /// the redirect URI and token endpoint) until the callback; returns the URL for the browser.
  Result<AuthorisationStart> begin(ConnectorContext& ctx, const OAuthEndpoints& endpoints,
                                   std::string_view redirect_uri, std::string_view scope,
                                   const Params& extra = {});

  /// The callback: checks `state` (and `error`), exchanges the code with the verifier, and stores the
  /// tokens together with `extra_writes` in one ConnectorState::write (e.g. the new consent id).
  Result<TokenSet> finish(ConnectorContext& ctx, const std::map<std::string, std::string>& callback,
                          std::vector<ConnectorState::Write> extra_writes = {});

  /// A valid access token: the stored one, or a refreshed one when it expired (or is about to).
  Result<std::string> access_token(ConnectorContext& ctx);

  /// Refresh grant. A rotated refresh token is committed together with the new access token before
  /// either is used; `invalid_grant` is Errc::permission_denied (re-authorisation needed).
  Result<std::string> refresh(ConnectorContext& ctx);

  /// Sends with "Authorization: Bearer"; on 401 (unless its code says the consent is gone) refreshes
  /// once and retries once; a second 401 is Errc::permission_denied. Other failures: map_http_error.
  /// `prepare` runs on each attempt's copy after the Authorization header is set (e.g. HTTP message
  /// signing, which must cover a fresh X-Request-ID per attempt).
  using Prepare = std::function<Result<void>(net::HttpRequest&)>;
  Result<net::HttpResponse> send(ConnectorContext& ctx, net::HttpRequest request, std::string_view operation,
                                 std::string_view account = {}, const Prepare& prepare = {});

  /// Forgets the in-memory token (the next call reads ConnectorState again).
  void reset() { cached_.reset(); }
  std::string key(std::string_view name) const { return settings_.key_prefix + std::string(name); }

 private:
  struct Cached {
    std::string token;
    std::optional<SysTime> expires;
  };
  Result<TokenSet> token_request(ConnectorContext& ctx, const std::string& endpoint, Params form,
                                 std::string_view operation);
  Result<void> add_client_auth(ConnectorContext& ctx, net::HttpRequest& request, Params& form);
  bool is_fresh(const ConnectorContext& ctx, const std::optional<SysTime>& expires) const;
  Result<std::string> refresh_locked(ConnectorContext& ctx);

  OAuthSettings settings_;
  std::mutex mutex_;  ///< single-flight refresh: two concurrent refreshes would trip reuse detection
  std::optional<Cached> cached_;
};

}  // namespace bankrec::connectors
