// Bridge API (bridgeapi.io). v3 (the default, options.api_version: v3): aggregation endpoints under
// /v3/aggregation with `Bridge-Version: 2025-01-15`; one Bridge user per connector, found by its
// external user id; a bearer token from POST /authorization/token, valid two hours; Bridge Connect
// through connect sessions. v2 (api_version: v2, `Bridge-Version: 2021-06-01`), the legacy model of
// apps created before 23 Oct 2023: a user by e-mail and a password derived from an encrypted seed
// (bridge_v2.h), POST /v2/authenticate, Connect through /v2/connect/items/add (SCA renewal:
// /v2/connect/items/sync), and the v2 routes and field names. App authentication in both:
// `Client-Id` + `Client-Secret` headers on every call.
#include <algorithm>
#include <charconv>
#include <functional>
#include <set>

#include "bridge_common.h"
#include "bridge_map.h"
#include "bridge_v2.h"
#include "builtin.h"

namespace bankrec::connectors {

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using bridge::AccountInfo;
using bridge::ItemInfo;

constexpr std::string_view kDefaultBaseUrl = "https://api.bridgeapi.io";
constexpr std::string_view kVersion = "2025-01-15";
constexpr std::string_view kVersionV2 = "2021-06-01";
constexpr std::string_view kUserUuidV2 = "bridge_v2_user_uuid";
constexpr std::string_view kClientSecret = "client_secret";
constexpr std::string_view kAccessToken = "access_token";
constexpr std::string_view kUserUuid = "bridge_user_uuid";
constexpr std::string_view kConnectState = "bridge_connect_state";
constexpr auto kTokenLifetime = 2h;   // Bridge: user tokens are valid two hours
constexpr auto kTokenMargin = 5min;   // renew a little early so a run never starts with a dying token
constexpr int kBridgeMaxPages = 10000;
constexpr int kPageLimit = 500;       // Bridge's maximum `limit`

struct Options {
  bool v2 = false;  ///< the legacy v2 API with e-mail/password users
  std::string client_id;
  std::string external_user_id;
  std::string user_email;
  std::vector<std::string> account_types{"checking", "savings", "card"};
  int page_size = kPageLimit;
  bridge::MapOptions map;
};

bool is_external_id(std::string_view s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string part(text.substr(0, comma));
    std::erase(part, ' ');
    if (!part.empty()) out.push_back(part);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

Result<bool> parse_bool(const std::string& name, const std::string& key, const std::string& value) {
  if (value == "true" || value == "yes" || value == "1") return true;
  if (value == "false" || value == "no" || value == "0") return false;
  return fail(Errc::invalid_input, "connector '" + name + "': option " + key + " must be true or false, not '" + value + "'");
}

Result<Options> parse_options(const ConnectorSettings& s) {
  Options o;
  o.external_user_id = s.name;
  const std::string prefix = "connector '" + s.name + "': ";
  for (const auto& [key, value] : s.options) {
    if (key == "client_id") {
      o.client_id = value;
    } else if (key == "user_external_id") {
      o.external_user_id = value;
    } else if (key == "user_email") {
      if (value.find('@') == std::string::npos) return fail(Errc::invalid_input, prefix + "option user_email must be an e-mail address");
      o.user_email = value;
    } else if (key == "api_version") {
      if (value != "v2" && value != "v3")
        return fail(Errc::invalid_input, prefix + "option api_version must be 'v2' or 'v3', not '" + value + "'");
      o.v2 = value == "v2";
    } else if (key == "account_types") {
      o.account_types = split_list(value);
      if (o.account_types.empty()) return fail(Errc::invalid_input, prefix + "option account_types is empty");
    } else if (key == "use_clean_label") {
      o.map.use_clean_label = BANKREC_TRY(parse_bool(s.name, key, value));
    } else if (key == "page_size") {
      int n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > kPageLimit)
        return fail(Errc::invalid_input, prefix + "option page_size must be 1..500, not '" + value + "'");
      o.page_size = n;
    } else if (key == "card_date") {
      if (value != "operation" && value != "debit")
        return fail(Errc::invalid_input, prefix + "option card_date must be 'operation' or 'debit', not '" + value + "'");
      o.map.card_date = value == "debit" ? bridge::CardDate::debit : bridge::CardDate::operation;
    } else {
      return fail(Errc::invalid_input, prefix + "unknown option '" + key +
                                           "' for type bridge (known: client_id, user_external_id, user_email, "
                                           "account_types, use_clean_label, card_date, page_size, api_version)");
    }
  }
  if (o.client_id.empty()) return fail(Errc::invalid_input, prefix + "option client_id is required for type bridge");
  // v2 users are e-mail identifiers (need not be real, but must contain '@').
  if (o.v2 && o.user_email.empty()) o.user_email = s.name + "@bankrec.invalid";
  if (!is_external_id(o.external_user_id))
    return fail(Errc::invalid_input, prefix + "user_external_id '" + o.external_user_id + "' must match [a-zA-Z0-9_-]{1,128}");
  return o;
}

class BridgeConnector final : public Connector {
 public:
  BridgeConnector(const ConnectorSettings& settings, Options options)
      : name_(settings.name), base_url_(apiutil::base_url_or(settings, kDefaultBaseUrl)),
        configured_(settings.accounts), options_(std::move(options)) {
    for (std::string& iban : configured_) iban = bridge::normalize_iban(iban);
  }

  std::string_view type() const override { return "bridge"; }

  Result<ConsentStatus> consent(ConnectorContext& ctx) override;
  Result<AuthorisationStart> begin_authorisation(ConnectorContext& ctx, std::string_view redirect_uri) override;
  Result<ConsentStatus> finish_authorisation(ConnectorContext& ctx,
                                             const std::map<std::string, std::string>& callback) override;
  Result<std::vector<BankAccount>> accounts(ConnectorContext& ctx) override;
  Result<TransactionsBatch> transactions(ConnectorContext& ctx, const TransactionsRequest& request) override;

 private:
  struct Call {
    std::string method = "GET";
    std::string target;  ///< path below the base URL, or an absolute URL on it (next_uri)
    std::string body;
    std::string operation;
    std::string account;
    bool user = true;  ///< send the user's bearer token (renewed once on 401)
  };

  std::string what(std::string_view operation) const { return "bridge connector '" + name_ + "': " + std::string(operation); }
  Result<std::string> client_secret(ConnectorContext& ctx);
  Result<net::HttpResponse> send(ConnectorContext& ctx, const Call& call);
  Error map_error(const net::HttpError& error, const Call& call, std::string_view secret, std::string_view token) const;
  Result<std::string> user_token(ConnectorContext& ctx);
  Result<std::string> authenticate(ConnectorContext& ctx);
  Result<std::string> authenticate_v2(ConnectorContext& ctx);
  Result<AuthorisationStart> begin_v2(ConnectorContext& ctx);
  /// The v3 path, or its v2 equivalent when options.api_version is v2.
  std::string route(std::string v3, std::string v2) const { return options_.v2 ? std::move(v2) : std::move(v3); }
  std::string_view uuid_key() const { return options_.v2 ? kUserUuidV2 : kUserUuid; }
  Result<std::string> ensure_user(ConnectorContext& ctx);
  Result<std::string> store_token(ConnectorContext& ctx, const net::HttpResponse& response, std::string_view what);
  Result<void> walk(ConnectorContext& ctx, Call call,
                    const std::function<Result<std::optional<std::string>>(const std::string& body, int page)>& on_page);
  Result<std::vector<ItemInfo>> items(ConnectorContext& ctx);
  Result<std::vector<AccountInfo>> all_accounts(ConnectorContext& ctx);
  Result<AccountInfo> find_account(ConnectorContext& ctx, const BankAccount& account);
  bool wanted_type(const std::string& type) const {
    return std::find(options_.account_types.begin(), options_.account_types.end(), type) != options_.account_types.end();
  }

  std::string name_;
  std::string base_url_;
  std::vector<std::string> configured_;
  Options options_;
  std::string secret_;  ///< the client secret of this run, only to scrub it from messages
  std::string token_;   ///< the last user token, only to scrub it from messages
  std::string password_;  ///< v2: the derived user password of this run, only to scrub it from messages
};

Result<std::string> BridgeConnector::client_secret(ConnectorContext& ctx) {
  const auto stored = BANKREC_TRY(ctx.state().read(kClientSecret, /*secret=*/true));
  if (!stored || stored->value.empty())
    return fail(Errc::invalid_input, what("credentials") + ": no secret 'client_secret' stored (bankrec connector secret " +
                                         name_ + " client_secret)");
  secret_ = stored->value;
  return stored->value;
}

Error BridgeConnector::map_error(const net::HttpError& error, const Call& call, std::string_view secret,
                                 std::string_view token) const {
  const std::string prefix = apiutil::call_prefix(what(call.operation), call.account);
  if (error.code != net::HttpErrc::http_status) return apiutil::transport_error(error, prefix);
  const int status = error.status();
  const json::value body = apiutil::error_body(error);
  const std::string code =
      apiutil::string_member(body, "code").value_or(apiutil::string_member(body, "type").value_or(""));
  const std::string message = apiutil::string_member(body, "message").value_or("");
  Errc errc = apiutil::errc_for_status(status);
  std::string hint;
  if (status == 401 && (code == "invalid_client_credentials" || code == "invalid_client")) {
    errc = Errc::invalid_input;
    hint = " (check option client_id and the stored secret client_secret)";
  } else if (status == 401) {
    hint = " (the user token was refused after a renewal)";
  } else if (status == 403) {
    hint = " (renew access: run 'bankrec connector consent " + name_ + "')";
  }
  const std::string text = apiutil::http_status_message(prefix, status, code, {message}, hint);
  return apiutil::exchange_error(errc, apiutil::scrub(text, {secret, token, password_}), error);
}

Result<net::HttpResponse> BridgeConnector::send(ConnectorContext& ctx, const Call& call) {
  const std::string secret = BANKREC_TRY(client_secret(ctx));
  net::HttpRequest request;
  request.method = call.method;
  if (call.target.starts_with("/")) {
    request.url = base_url_ + call.target;
  } else if (call.target.starts_with(base_url_ + "/")) {
    request.url = call.target;
  } else {
    // A next_uri on another host would receive our client secret: refuse it.
    return fail(Errc::invalid_input, what(call.operation) + ": refusing to follow a link outside " + base_url_);
  }
  for (int attempt = 0;; ++attempt) {
    std::string token;
    if (call.user) token = BANKREC_TRY(user_token(ctx));
    request.headers = {{"Bridge-Version", std::string(options_.v2 ? kVersionV2 : kVersion)},
                       {"Client-Id", options_.client_id},
                       {"Client-Secret", secret},
                       {"Accept", "application/json"}};
    if (!call.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    if (call.user) request.headers.emplace_back("Authorization", "Bearer " + token);
    request.body = call.body;
    net::HttpResult result = ctx.send(request, call.operation, call.account);
    if (result) return std::move(result).value();
    const net::HttpError& error = result.error();
    const bool expired = error.code == net::HttpErrc::http_status && error.status() == 401;
    if (call.user && expired && attempt == 0 &&
        (!error.response || error.response->body.find("invalid_client_credentials") == std::string::npos)) {
      // The token expired early or was revoked: renew it once, then give up (401 → token once).
      BANKREC_TRY(ctx.state().write({{std::string(kAccessToken), std::nullopt, true, std::nullopt}}));
      continue;
    }
    return Unexpected{map_error(error, call, secret, token)};
  }
}

Result<std::string> BridgeConnector::user_token(ConnectorContext& ctx) {
  const auto stored = BANKREC_TRY(ctx.state().read(kAccessToken, /*secret=*/true));
  if (stored && !stored->value.empty() && stored->expires && *stored->expires > ctx.clock().now() + kTokenMargin) {
    token_ = stored->value;
    return stored->value;
  }
  return authenticate(ctx);
}

Result<std::string> BridgeConnector::store_token(ConnectorContext& ctx, const net::HttpResponse& response,
                                                 std::string_view what_text) {
  const json::value body = BANKREC_TRY(apiutil::parse_json(response.body, what_text));
  const auto token = apiutil::string_member(body, "access_token");
  if (!token) return fail(Errc::unavailable, std::string(what_text) + ": response has no access_token");
  const auto expires_text = apiutil::string_member(body, "expires_at");
  auto expires = expires_text ? apiutil::parse_utc_timestamp(*expires_text) : std::nullopt;
  if (!expires) expires = ctx.clock().now() + kTokenLifetime;
  std::vector<ConnectorState::Write> writes{{std::string(kAccessToken), *token, true, *expires}};
  if (const json::value* user = apiutil::member(body, "user"))
    if (const auto uuid = apiutil::string_member(*user, "uuid")) writes.push_back({std::string(uuid_key()), *uuid, false, std::nullopt});
  BANKREC_TRY(ctx.state().write(writes));
  token_ = *token;
  return *token;
}

Result<std::string> BridgeConnector::authenticate_v2(ConnectorContext& ctx) {
  const std::string password = BANKREC_TRY(bridge::v2_password(ctx.state(), options_.user_email));
  password_ = password;
  const std::string credentials = json::serialize(json::object{{"email", options_.user_email}, {"password", password}});
  const auto stored = BANKREC_TRY(ctx.state().read(kUserUuidV2, /*secret=*/false));
  if (!stored || stored->value.empty()) {
    auto created = send(ctx, Call{"POST", "/v2/users", credentials, "user", {}, false});
    if (created) {
      const json::value body = BANKREC_TRY(apiutil::parse_json(created->body, what("user")));
      const auto uuid = apiutil::string_member(body, "uuid");
      if (!uuid) return fail(Errc::unavailable, what("user") + ": response has no uuid");
      BANKREC_TRY(ctx.state().write({{std::string(kUserUuidV2), *uuid, false, std::nullopt}}));
    } else if (created.error().code != Errc::conflict && created.error().message.find("http 409") == std::string::npos) {
      return Unexpected{std::move(created).error()};
    }
    // 409: the user exists (state lost, or made by an earlier install): the derived password opens it.
  }
  auto token = send(ctx, Call{"POST", "/v2/authenticate", credentials, "token", {}, false});
  if (!token && token.error().message.find("http 401") != std::string::npos &&
      token.error().message.find("invalid_client") == std::string::npos)
    return fail(Errc::invalid_input,
                what("token") + ": bridge refuses the password of v2 user " + options_.user_email +
                    " (for a user made elsewhere store its password with 'bankrec connector secret " + name_ +
                    " user_password'; else restore the secret password_seed it was derived from)");
  if (!token) return Unexpected{std::move(token).error()};
  return store_token(ctx, *token, what("token"));
}

Result<std::string> BridgeConnector::authenticate(ConnectorContext& ctx) {
  if (options_.v2) return authenticate_v2(ctx);
  for (int attempt = 0;; ++attempt) {
    const std::string uuid = BANKREC_TRY(ensure_user(ctx));
    Call call{"POST", "/v3/aggregation/authorization/token", json::serialize(json::object{{"user_uuid", uuid}}), "token", {}, false};
    auto response = send(ctx, call);
    if (!response && response.error().code == Errc::not_found && attempt == 0) {
      // The user was deleted at Bridge (dashboard clean-up): find or create it again by external id.
      BANKREC_TRY(ctx.state().write({{std::string(kUserUuid), std::nullopt, false, std::nullopt}}));
      continue;
    }
    if (!response) return Unexpected{std::move(response).error()};
    return store_token(ctx, *response, what("token"));
  }
}

Result<std::string> BridgeConnector::ensure_user(ConnectorContext& ctx) {
  const auto stored = BANKREC_TRY(ctx.state().read(kUserUuid, /*secret=*/false));
  if (stored && !stored->value.empty()) return stored->value;
  const std::string external = json::serialize(json::object{{"external_user_id", options_.external_user_id}});
  auto created = send(ctx, Call{"POST", "/v3/aggregation/users", external, "user", {}, false});
  if (created) {
    const json::value body = BANKREC_TRY(apiutil::parse_json(created->body, what("user")));
    const auto uuid = apiutil::string_member(body, "uuid");
    if (!uuid) return fail(Errc::unavailable, what("user") + ": response has no uuid");
    BANKREC_TRY(ctx.state().write({{std::string(kUserUuid), *uuid, false, std::nullopt}}));
    return *uuid;
  }
  if (created.error().code != Errc::conflict && created.error().message.find("http 409") == std::string::npos)
    return Unexpected{std::move(created).error()};
  // 409: the user exists already (state lost or a second appliance): authenticate by external id,
  // which also tells us its uuid.
  auto token = send(ctx, Call{"POST", "/v3/aggregation/authorization/token", external, "token", {}, false});
  if (!token) return Unexpected{std::move(token).error()};
  BANKREC_TRY(store_token(ctx, *token, what("token")));
  const auto uuid = BANKREC_TRY(ctx.state().read(kUserUuid, /*secret=*/false));
  if (!uuid || uuid->value.empty()) return fail(Errc::unavailable, what("token") + ": response names no user uuid");
  return uuid->value;
}

Result<void> BridgeConnector::walk(
    ConnectorContext& ctx, Call call,
    const std::function<Result<std::optional<std::string>>(const std::string& body, int page)>& on_page) {
  std::set<std::string> seen;
  for (int page = 1; page <= kBridgeMaxPages; ++page) {
    if (!seen.insert(call.target).second)
      return fail(Errc::unavailable, what(call.operation) + ": pagination loops (next_uri repeats at page " + std::to_string(page) + ")");
    const net::HttpResponse response = BANKREC_TRY(send(ctx, call));
    const auto next = BANKREC_TRY(on_page(response.body, page));
    if (!next) return ok();
    call.target = *next;
  }
  return fail(Errc::unavailable, what(call.operation) + ": more than " + std::to_string(kBridgeMaxPages) + " pages");
}

Result<std::vector<ItemInfo>> BridgeConnector::items(ConnectorContext& ctx) {
  std::vector<ItemInfo> out;
  BANKREC_TRY(walk(ctx, Call{"GET", route("/v3/aggregation/items?limit=" + std::to_string(kPageLimit), "/v2/items"), {}, "items", {}, true},
                   [&](const std::string& body, int page) -> Result<std::optional<std::string>> {
                     auto parsed = BANKREC_TRY(bridge::parse_items_page(body, what("items page " + std::to_string(page))));
                     out.insert(out.end(), parsed.items.begin(), parsed.items.end());
                     return parsed.next_uri;
                   }));
  return out;
}

Result<std::vector<AccountInfo>> BridgeConnector::all_accounts(ConnectorContext& ctx) {
  std::vector<AccountInfo> out;
  BANKREC_TRY(walk(ctx, Call{"GET", route("/v3/aggregation/accounts?limit=" + std::to_string(kPageLimit), "/v2/accounts"), {}, "accounts", {}, true},
                   [&](const std::string& body, int page) -> Result<std::optional<std::string>> {
                     auto parsed = BANKREC_TRY(bridge::parse_accounts_page(body, what("accounts page " + std::to_string(page))));
                     out.insert(out.end(), parsed.accounts.begin(), parsed.accounts.end());
                     return parsed.next_uri;
                   }));
  return out;
}

Result<ConsentStatus> BridgeConnector::consent(ConnectorContext& ctx) {
  const auto list = BANKREC_TRY(items(ctx));
  ConsentStatus status;
  if (list.empty()) {
    status.detail = "no bank connected at Bridge: run 'bankrec connector consent " + name_ + "'";
    return status;
  }
  status.state = ConsentStatus::State::valid;
  bool blocked = false;
  for (const ItemInfo& item : list) {
    status.id += (status.id.empty() ? "" : ",") + std::to_string(item.id);
    if (item.authentication_expires && (!status.valid_until || *item.authentication_expires < *status.valid_until))
      status.valid_until = item.authentication_expires;
    const auto verdict = bridge::classify_item_status(item.status, name_);
    if (verdict.blocks_sync && !blocked) {
      blocked = true;
      status.state = verdict.state;
      status.detail = "item " + std::to_string(item.id) + ": " + verdict.detail;
    } else if (!blocked && !verdict.detail.empty() && status.detail.empty()) {
      status.detail = "item " + std::to_string(item.id) + ": " + verdict.detail;
    }
  }
  return status;
}

Result<AuthorisationStart> BridgeConnector::begin_authorisation(ConnectorContext& ctx, std::string_view redirect_uri) {
  if (options_.v2) return begin_v2(ctx);
  json::object body;
  if (!options_.user_email.empty()) body["user_email"] = options_.user_email;
  if (!redirect_uri.empty()) body["callback_url"] = redirect_uri;
  AuthorisationStart start;
  start.state = apiutil::random_state();
  body["context"] = start.state;  // comes back on the callback URL
  // An item that needs SCA or new credentials is renewed in place (same item, same accounts).
  for (const ItemInfo& item : BANKREC_TRY(items(ctx)))
    if (bridge::classify_item_status(item.status, name_).blocks_sync) {
      body["item_id"] = item.id;
      break;
    }
  const net::HttpResponse response =
      BANKREC_TRY(send(ctx, Call{"POST", "/v3/aggregation/connect-sessions", json::serialize(body), "consent", {}, true}));
  const json::value session = BANKREC_TRY(apiutil::parse_json(response.body, what("consent")));
  const auto url = apiutil::string_member(session, "url");
  if (!url) return fail(Errc::unavailable, what("consent") + ": connect session without url");
  BANKREC_TRY(ctx.state().write({{std::string(kConnectState), start.state, false, std::nullopt}}));
  start.url = *url;
  return start;
}

Result<AuthorisationStart> BridgeConnector::begin_v2(ConnectorContext& ctx) {
  AuthorisationStart start;
  start.state = apiutil::random_state();
  std::optional<std::int64_t> renew;
  for (const ItemInfo& item : BANKREC_TRY(items(ctx)))
    if (!renew && bridge::classify_item_status(item.status, name_).blocks_sync) renew = item.id;
  // v2 Connect ends on the redirect URL set in the Bridge dashboard; `context` comes back on it.
  const Call call = renew ? Call{"GET", "/v2/connect/items/sync?item_id=" + std::to_string(*renew) + "&context=" + start.state,
                                 {}, "consent", {}, true}
                          : Call{"POST", "/v2/connect/items/add",
                                 json::serialize(json::object{{"prefill_email", options_.user_email}, {"context", start.state}}),
                                 "consent", {}, true};
  const net::HttpResponse response = BANKREC_TRY(send(ctx, call));
  const json::value session = BANKREC_TRY(apiutil::parse_json(response.body, what("consent")));
  const auto url = apiutil::string_member(session, "redirect_url");
  if (!url) return fail(Errc::unavailable, what("consent") + ": bridge connect answered without redirect_url");
  BANKREC_TRY(ctx.state().write({{std::string(kConnectState), start.state, false, std::nullopt}}));
  start.url = *url;
  start.message = "complete Bridge Connect in the browser; it returns to the redirect URL set in the Bridge dashboard";
  return start;
}

Result<ConsentStatus> BridgeConnector::finish_authorisation(ConnectorContext& ctx,
                                                            const std::map<std::string, std::string>& callback) {
  const auto expected = BANKREC_TRY(ctx.state().read(kConnectState, /*secret=*/false));
  if (const auto it = callback.find("context"); it != callback.end() && (!expected || it->second != expected->value))
    return fail(Errc::invalid_input, what("consent") + ": the callback's context does not match the connect session started last");
  BANKREC_TRY(ctx.state().write({{std::string(kConnectState), std::nullopt, false, std::nullopt}}));
  ConsentStatus status = BANKREC_TRY(consent(ctx));
  if (const auto it = callback.find("success"); it != callback.end() && it->second == "false") {
    const auto step = callback.find("step");
    const std::string left = "bridge connect was left" + (step == callback.end() ? std::string() : " at step '" + apiutil::clip(step->second, 40) + "'");
    status.detail = status.detail.empty() ? left : left + "; " + status.detail;
  }
  return status;
}

Result<std::vector<BankAccount>> BridgeConnector::accounts(ConnectorContext& ctx) {
  const auto all = BANKREC_TRY(all_accounts(ctx));
  if (all.empty())
    return fail(Errc::permission_denied, what("accounts") + ": no bank connected at Bridge: run 'bankrec connector consent " + name_ + "'");
  // Items that hold a configured IBAN: their IBAN-less accounts (deferred debit cards) belong to it.
  std::set<std::int64_t> items_of_configured;
  for (const AccountInfo& a : all)
    if (!a.iban.empty() && std::find(configured_.begin(), configured_.end(), a.iban) != configured_.end())
      items_of_configured.insert(a.item_id);
  std::vector<BankAccount> out;
  for (const AccountInfo& a : all) {
    if (!wanted_type(a.type)) continue;
    const bool listed = std::find(configured_.begin(), configured_.end(), a.iban) != configured_.end();
    if (!configured_.empty() && !listed && !(a.iban.empty() && items_of_configured.contains(a.item_id))) continue;
    out.push_back(BankAccount{a.iban, std::to_string(a.id), a.currency, a.name, a.type});
  }
  for (const std::string& iban : configured_)
    if (std::none_of(all.begin(), all.end(), [&](const AccountInfo& a) { return a.iban == iban; }))
      return fail(Errc::not_found, what("accounts") + ": configured account " + iban +
                                       " is not among the accounts Bridge reports (" + std::to_string(all.size()) +
                                       "); connect its bank with 'bankrec connector consent " + name_ + "'");
  return out;
}

Result<AccountInfo> BridgeConnector::find_account(ConnectorContext& ctx, const BankAccount& account) {
  if (!account.provider_id.empty()) {
    const std::string label = account.iban.empty() ? account.provider_id : account.iban;
    const auto response = BANKREC_TRY(send(ctx, Call{"GET", route("/v3/aggregation/accounts/", "/v2/accounts/") + apiutil::url_encode(account.provider_id),
                                                     {}, "account", label, true}));
    return bridge::parse_account(response.body, what("account " + label));
  }
  const std::string iban = bridge::normalize_iban(account.iban);
  for (const AccountInfo& a : BANKREC_TRY(all_accounts(ctx)))
    if (!iban.empty() && a.iban == iban) return a;
  return fail(Errc::not_found, what("transactions") + ": account " + iban + " is not among the accounts Bridge reports");
}

Result<TransactionsBatch> BridgeConnector::transactions(ConnectorContext& ctx, const TransactionsRequest& request) {
  const AccountInfo account = BANKREC_TRY(find_account(ctx, request.account));
  const std::string label = account.iban.empty() ? std::to_string(account.id) : account.iban;
  domain::Statement statement;
  if (account.item_id != 0) {
    const auto response = BANKREC_TRY(send(ctx, Call{"GET", route("/v3/aggregation/items/", "/v2/items/") + std::to_string(account.item_id), {}, "item", label, true}));
    const ItemInfo item = BANKREC_TRY(bridge::parse_item(response.body, what("item")));
    const auto verdict = bridge::classify_item_status(item.status, name_);
    // Check the item before trusting an empty delta: Bridge keeps serving the last data it has.
    if (verdict.blocks_sync)
      return fail(Errc::permission_denied, what("transactions") + " (account " + label + "): item " + std::to_string(item.id) + ": " + verdict.detail);
    if (!verdict.detail.empty()) statement.warnings.push_back("item " + std::to_string(item.id) + ": " + verdict.detail);
  }
  const domain::Date now_day = today(ctx);
  std::string target = "/v3/aggregation/transactions?account_id=" + std::to_string(account.id) +
                       "&min_date=" + request.from.iso() + "&limit=" + std::to_string(options_.page_size);
  if (request.to < now_day) target += "&max_date=" + request.to.iso();
  if (options_.v2) {
    // v2 lists per account, by the `date` of each line (since/until inclusive).
    target = "/v2/accounts/" + std::to_string(account.id) + "/transactions?since=" + request.from.iso() +
             "&limit=" + std::to_string(options_.page_size);
    if (request.to < now_day) target += "&until=" + request.to.iso();
  }
  const bool card = account.type == "card";
  std::set<std::int64_t> seen;
  std::vector<std::pair<std::int64_t, domain::Entry>> rows;
  int deleted = 0, duplicates = 0;
  BANKREC_TRY(walk(ctx, Call{"GET", target, {}, "transactions", label, true},
                   [&](const std::string& body, int page) -> Result<std::optional<std::string>> {
                     auto parsed = BANKREC_TRY(bridge::parse_transactions_page(
                         body, card, options_.map, what("transactions page " + std::to_string(page) + " (account " + label + ")")));
                     deleted += parsed.deleted;
                     for (std::size_t i = 0; i < parsed.entries.size(); ++i) {
                       // Pages can shift while we read (new rows at the top): an id seen twice is one line.
                       if (!seen.insert(parsed.ids[i]).second) {
                         ++duplicates;
                         continue;
                       }
                       rows.emplace_back(parsed.ids[i], std::move(parsed.entries[i]));
                     }
                     return parsed.next_uri;
                   }));
  std::stable_sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) {
    if (x.second.status != y.second.status) return x.second.status < y.second.status;  // booked first
    if (x.second.booking_date != y.second.booking_date) return x.second.booking_date < y.second.booking_date;
    return x.first < y.first;
  });
  for (auto& [id, entry] : rows) statement.entries.push_back(std::move(entry));
  if (deleted > 0) statement.warnings.push_back(std::to_string(deleted) + " deleted transaction(s) skipped");
  if (duplicates > 0) statement.warnings.push_back(std::to_string(duplicates) + " transaction(s) repeated across pages skipped");

  const auto currency = domain::Currency::find(account.currency).value_or(domain::kEur);
  if (!account.iban.empty()) statement.account.iban = account.iban;
  else statement.account.number = std::to_string(account.id);
  statement.account.currency = std::string(currency.str());
  if (!account.name.empty()) statement.account.name = account.name;
  statement.from_date = request.from;
  statement.to_date = request.to;
  TransactionsBatch batch = apiutil::one_statement_batch(std::move(statement), request, now_day);
  domain::Statement& filled = batch.statements.front();
  if (account.accounting_balance_minor)
    filled.closing_balance = domain::Balance{domain::Money(*account.accounting_balance_minor, currency), batch.covered_to, "CLBD"};
  if (account.instant_balance_minor)
    filled.other_balances.push_back(domain::Balance{domain::Money(*account.instant_balance_minor, currency), now_day, "ITAV"});
  return batch;
}

}  // namespace

Result<std::unique_ptr<Connector>> make_bridge_connector(const ConnectorSettings& settings) {
  return make_connector<BridgeConnector>(settings, parse_options);
}

}  // namespace bankrec::connectors
