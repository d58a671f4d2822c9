// API tokens, the signed-in user's preferences and the read-only settings view; and
// install_admin_routes(), which registers every admin route.
#include <regex>

#include "api_admin_util.h"

namespace bankrec::http {
namespace admin {
namespace {

json::object token_json(const store::ApiTokenRecord& t) {
  json::array scopes;
  for (const auto& s : t.scopes) scopes.emplace_back(s);
  return json::object{{"id", t.id},
                      {"name", t.name},
                      {"prefix", t.prefix},
                      {"scopes", std::move(scopes)},
                      {"created_at", t.created_at},
                      {"created_by", t.created_by},
                      {"last_used_at", text_or_null(t.last_used_at)},
                      {"revoked", t.revoked_at.has_value()},
                      {"revoked_at", text_or_null(t.revoked_at)}};
}

Response list_tokens(const AdminApi& api) {
  return respond([&]() -> Result<Response> {
    json::array items;
    for (const auto& t : BANKREC_TRY(api.auth->list_tokens())) items.push_back(token_json(t));
    return json_response(200, json::object{{"items", std::move(items)}, {"next", nullptr}});
  });
}

Response create_token(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const json::object body = BANKREC_TRY(body_object(request));
    const std::string name = BANKREC_TRY(required_string(body, "name"));
    const auto* list = body.if_contains("scopes");
    if (list == nullptr || !list->is_array()) return fail(Errc::invalid_input, "field 'scopes' must be a list of permission names");
    std::vector<Permission> scopes;
    for (const auto& v : list->as_array()) {
      const auto p = v.is_string() ? parse_permission(v.as_string()) : std::nullopt;
      if (!p) return fail(Errc::invalid_input, "unknown scope " + json::serialize(v));
      scopes.push_back(*p);
    }
    const auto created = BANKREC_TRY(api.auth->create_token(name, scopes, request.principal->name));
    json::array names;
    for (const Permission p : scopes) names.emplace_back(permission_name(p));
    return json_response(201, json::object{{"id", created.id}, {"name", name}, {"token", created.token}, {"scopes", names}});
  });
}

Response revoke_token(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const std::int64_t id = BANKREC_TRY(id_param(request, "id", "token"));
    BANKREC_TRY(api.auth->revoke_token(id, request.principal->name));
    return Response::text(204, {});
  });
}

json::object preferences_json(const store::UserPreferences& p) {
  return json::object{{"language", p.language}, {"locale", p.locale}, {"chosen", p.chosen}};
}

Response get_preferences(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    return json_response(200, preferences_json(BANKREC_TRY(api.auth->preferences(request.principal->user_id))));
  });
}

Response put_preferences(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const json::object body = BANKREC_TRY(body_object(request));
    store::UserPreferences p = BANKREC_TRY(api.auth->preferences(request.principal->user_id));
    if (auto language = BANKREC_TRY(string_field(body, "language"))) p.language = *language;
    if (auto locale = BANKREC_TRY(string_field(body, "locale"))) p.locale = *locale;
    for (const auto& [key, value] : body)
      if (key != "language" && key != "locale") return fail(Errc::invalid_input, "unknown field '" + std::string(key) + "'");
    if (p.language != "de" && p.language != "en") return fail(Errc::invalid_input, "language must be de or en");
    static const std::regex kLocale("[a-z]{2,3}(-[A-Z]{2})?");
    if (!std::regex_match(p.locale, kLocale))
      return fail(Errc::invalid_input, "locale '" + p.locale + "' is not a tag like de-DE or en-GB");
    BANKREC_TRY(api.auth->set_preferences(request.principal->user_id, p, request.principal->name));
    p.chosen = true;
    return json_response(200, preferences_json(p));
  });
}

Response clear_preferences(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    BANKREC_TRY(api.auth->clear_preferences(request.principal->user_id, request.principal->name));
    return json_response(200, preferences_json(BANKREC_TRY(api.auth->preferences(request.principal->user_id))));
  });
}

Response settings(const AdminApi& api) {
  return respond([&]() -> Result<Response> {
    if (!api.settings_json) return fail(Errc::unavailable, "settings are not available");
    boost::system::error_code ec;
    json::value v = json::parse(api.settings_json(), ec);
    if (ec || !v.is_object()) return fail(Errc::internal, "settings are not a JSON object");
    return json_response(200, v);
  });
}

}  // namespace

void install_account_routes(Router& router, std::shared_ptr<const AdminApi> api) {
  const Access users = Access::need(Permission::manage_users);
  router.add("GET", "/api/v1/tokens", users, [api](const Request&) { return list_tokens(*api); });
  router.add("POST", "/api/v1/tokens", users.with_step_up(), [api](const Request& r) { return create_token(*api, r); });
  router.add("DELETE", "/api/v1/tokens/{id}", users.with_step_up(), [api](const Request& r) { return revoke_token(*api, r); });
  router.add("GET", "/api/v1/me/preferences", Access::signed_in(), [api](const Request& r) { return get_preferences(*api, r); });
  router.add("PUT", "/api/v1/me/preferences", Access::signed_in(), [api](const Request& r) { return put_preferences(*api, r); });
  router.add("DELETE", "/api/v1/me/preferences", Access::signed_in(), [api](const Request& r) { return clear_preferences(*api, r); });
  router.add("GET", "/api/v1/settings", Access::need(Permission::manage_config), [api](const Request&) { return settings(*api); });
}

}  // namespace admin

void install_admin_routes(Router& router, std::shared_ptr<const AdminApi> api) {
  admin::install_review_routes(router, api);
  admin::install_rules_routes(router, api);
  admin::install_connector_routes(router, api);
  admin::install_account_routes(router, api);
}

}  // namespace bankrec::http
