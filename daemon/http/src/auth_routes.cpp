// REST routes of sign-in and user administration (issue 8). JSON in and out; every response
// of these routes is Cache-Control: no-store (the server adds it to every JSON response).
#include <boost/json.hpp>
#include <charconv>

#include "bankrec/http/auth_service.h"
#include "bankrec/store/audit_log.h"

namespace bankrec::http {
namespace {

namespace json = boost::json;

Response json_response(int status, const json::value& v) { return Response::json(status, json::serialize(v)); }

/// The request body as a JSON object; invalid_input otherwise (a form post from another site
/// cannot send application/json without a CORS preflight, which we never grant).
Result<json::object> body_object(const Request& request) {
  if (!request.header("Content-Type").starts_with("application/json"))
    return fail(Errc::invalid_input, "expected Content-Type: application/json");
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec);
  if (ec || !v.is_object()) return fail(Errc::invalid_input, "request body is not a JSON object");
  return std::move(v.as_object());
}

/// An optional string field; invalid_input when present with another type.
Result<std::optional<std::string>> string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return fail(Errc::invalid_input, "field '" + std::string(key) + "' must be a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

Result<std::optional<bool>> bool_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<bool>();
  if (!v->is_bool()) return fail(Errc::invalid_input, "field '" + std::string(key) + "' must be true or false");
  return std::optional<bool>(v->as_bool());
}

Result<std::string> required(const json::object& o, std::string_view key) {
  auto v = BANKREC_TRY(string_field(o, key));
  if (!v) return fail(Errc::invalid_input, "field '" + std::string(key) + "' is missing");
  return std::move(*v);
}

json::value optional_text(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

json::object user_json(const store::UserRecord& u) {
  json::object o;
  o["id"] = u.id;
  o["name"] = u.name;
  o["role"] = store::role_name(u.role);
  o["disabled"] = u.disabled;
  o["totp_enrolled"] = u.totp_enrolled;
  o["totp_required"] = role_requires_totp(u.role);
  o["recovery_codes_left"] = u.recovery_codes_left;
  o["locked_until"] = optional_text(u.locked_until);
  o["last_login_at"] = optional_text(u.last_login_at);
  o["password_changed_at"] = optional_text(u.password_changed_at);
  o["created_at"] = u.created_at;
  o["updated_at"] = u.updated_at;
  return o;
}

json::array permissions_of(Role role) {
  json::array out;
  for (auto p : {Permission::read, Permission::upload, Permission::review, Permission::approve, Permission::manage_users,
                 Permission::manage_connectors, Permission::manage_rules, Permission::manage_config})
    if (role_has(role, p)) out.emplace_back(permission_name(p));
  return out;
}

json::object session_json(const Principal& p) {
  json::object user;
  user["id"] = p.user_id;
  user["name"] = p.name;
  user["role"] = store::role_name(p.role);
  user["totp_enrolled"] = p.totp_enrolled;
  user["totp_required"] = role_requires_totp(p.role);
  user["permissions"] = permissions_of(p.role);
  json::object o;
  o["user"] = std::move(user);
  o["csrf_token"] = p.csrf_token;
  o["expires_at"] = store::utc_timestamp(p.session_expires_at);
  o["step_up_fresh"] = p.step_up_fresh;
  o["enrolment_needed"] = role_requires_totp(p.role) && !p.totp_enrolled;
  return o;
}

/// Runs `fn`, turning an Error into its JSON response.
template <class Fn>
Response respond(Fn&& fn) {
  Result<Response> r = fn();
  if (!r) return Response::error(r.error());
  return std::move(*r);
}

Result<std::int64_t> id_param(const Request& request) {
  const std::string_view text = request.param("id");
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0)
    return fail(Errc::not_found, "no user with id '" + std::string(text) + "'");
  return id;
}

Response login(AuthService& service, const Request& request) {
  return respond([&]() -> Result<Response> {
    const json::object body = BANKREC_TRY(body_object(request));
    LoginRequest login;
    login.name = BANKREC_TRY(required(body, "name"));
    login.password = BANKREC_TRY(required(body, "password"));
    login.totp = BANKREC_TRY(string_field(body, "totp")).value_or("");
    login.recovery_code = BANKREC_TRY(string_field(body, "recovery_code")).value_or("");
    login.remote_address = request.remote_address;
    const LoginOutcome out = BANKREC_TRY(service.login(login));
    if (out.failure == LoginFailure::throttled) {
      Response r = Response::error(429, "too_many_attempts", "too many failed sign-ins: try again later");
      r.headers.emplace_back("Retry-After", std::to_string(std::max<std::int64_t>(1, out.retry_after.count())));
      return r;
    }
    if (out.failure == LoginFailure::totp_required)
      return Response::error(401, "totp_required", "enter the code from your authenticator app");
    if (out.failure)
      return Response::error(401, "invalid_credentials", "wrong name, password or code");
    Response r = json_response(200, session_json(out.principal));
    r.headers.emplace_back("Set-Cookie", service.session_cookie(out.session_id));
    return r;
  });
}

Response logout(AuthService& service, const Request& request, bool everywhere) {
  return respond([&]() -> Result<Response> {
    json::object o;
    if (everywhere) {
      o["sessions_ended"] = BANKREC_TRY(service.logout_all(*request.principal));
    } else {
      BANKREC_TRY(service.logout(*request.principal));
      o["sessions_ended"] = 1;
    }
    Response r = json_response(200, o);
    r.headers.emplace_back("Set-Cookie", AuthService::clear_cookie());
    return r;
  });
}

Response totp_enrol(AuthService& service, const Request& request) {
  return respond([&]() -> Result<Response> {
    const Principal& p = *request.principal;
    // Replacing an enrolled device is a critical change: it needs a fresh code from the old one.
    if (p.totp_enrolled && !p.step_up_fresh)
      return Response::error(403, "step_up_required", "confirm with a fresh one-time code first");
    const TotpEnrolment e = BANKREC_TRY(service.begin_totp(p.user_id, p.name));
    json::object o;
    o["secret"] = e.secret_base32;
    o["otpauth_uri"] = e.otpauth_uri;
    o["qr_svg"] = e.qr_svg;
    return json_response(200, o);
  });
}

Response totp_confirm(AuthService& service, const Request& request) {
  return respond([&]() -> Result<Response> {
    const json::object body = BANKREC_TRY(body_object(request));
    const std::string code = BANKREC_TRY(required(body, "code"));
    const auto codes = BANKREC_TRY(service.confirm_totp(request.principal->user_id, code, request.principal->name));
    json::object o;
    json::array list;
    for (const auto& c : codes) list.emplace_back(c);
    o["recovery_codes"] = std::move(list);
    return json_response(200, o);
  });
}

Response step_up(AuthService& service, const Request& request) {
  return respond([&]() -> Result<Response> {
    const json::object body = BANKREC_TRY(body_object(request));
    const std::string code = BANKREC_TRY(required(body, "code"));
    if (auto r = service.step_up(*request.principal, code); !r)
      return Response::error(403, "invalid_code", r.error().message);
    json::object o;
    o["step_up_seconds"] = service.options().step_up_window.count();
    return json_response(200, o);
  });
}

Response list_users(AuthService& service) {
  return respond([&]() -> Result<Response> {
    const auto users = BANKREC_TRY(service.list_users());
    json::array list;
    for (const auto& u : users) list.emplace_back(user_json(u));
    json::object o;
    o["users"] = std::move(list);
    return json_response(200, o);
  });
}

Response get_user(AuthService& service, const Request& request) {
  return respond([&]() -> Result<Response> {
    const auto user = BANKREC_TRY(service.get_user(BANKREC_TRY(id_param(request))));
    return json_response(200, json::object{{"user", user_json(user)}});
  });
}

Response create_user(AuthService& service, const Request& request) {
  return respond([&]() -> Result<Response> {
    const json::object body = BANKREC_TRY(body_object(request));
    const std::string name = BANKREC_TRY(required(body, "name"));
    const Role role = BANKREC_TRY(store::parse_role(BANKREC_TRY(required(body, "role"))));
    const std::string password = BANKREC_TRY(required(body, "password"));
    const auto user = BANKREC_TRY(service.create_user(name, role, password, request.principal->name));
    return json_response(201, json::object{{"user", user_json(user)}});
  });
}

Response update_user(AuthService& service, const Request& request) {
  return respond([&]() -> Result<Response> {
    const std::int64_t id = BANKREC_TRY(id_param(request));
    const json::object body = BANKREC_TRY(body_object(request));
    UserChange change;
    if (auto role = BANKREC_TRY(string_field(body, "role"))) change.role = BANKREC_TRY(store::parse_role(*role));
    change.disabled = BANKREC_TRY(bool_field(body, "disabled"));
    change.password = BANKREC_TRY(string_field(body, "password"));
    change.unlock = BANKREC_TRY(bool_field(body, "unlock")).value_or(false);
    change.reset_totp = BANKREC_TRY(bool_field(body, "reset_totp")).value_or(false);
    for (const auto& [key, value] : body)
      if (key != "role" && key != "disabled" && key != "password" && key != "unlock" && key != "reset_totp")
        return fail(Errc::invalid_input, "unknown field '" + std::string(key) + "'");
    const auto user = BANKREC_TRY(service.update_user(id, change, request.principal->name));
    return json_response(200, json::object{{"user", user_json(user)}});
  });
}

}  // namespace

void install_auth_routes(Router& router, std::shared_ptr<AuthService> service) {
  router.set_guard(service);
  AuthService& s = *service;
  Access login_access = Access::anyone();
  login_access.blocking = true;  // Argon2id and the database
  router.add("POST", "/api/v1/auth/login", login_access, [&s](const Request& r) { return login(s, r); });
  const Access any_session = Access::signed_in().before_enrolment();
  router.add("POST", "/api/v1/auth/logout", any_session, [&s](const Request& r) { return logout(s, r, false); });
  router.add("POST", "/api/v1/auth/logout-all", any_session, [&s](const Request& r) { return logout(s, r, true); });
  router.add("GET", "/api/v1/auth/me", any_session,
             [](const Request& r) { return json_response(200, session_json(*r.principal)); });
  router.add("POST", "/api/v1/auth/totp/enrol", any_session, [&s](const Request& r) { return totp_enrol(s, r); });
  router.add("POST", "/api/v1/auth/totp/confirm", any_session, [&s](const Request& r) { return totp_confirm(s, r); });
  router.add("POST", "/api/v1/auth/step-up", Access::signed_in(), [&s](const Request& r) { return step_up(s, r); });
  const Access admin = Access::need(Permission::manage_users);
  router.add("GET", "/api/v1/users", admin, [&s](const Request&) { return list_users(s); });
  router.add("GET", "/api/v1/users/{id}", admin, [&s](const Request& r) { return get_user(s, r); });
  router.add("POST", "/api/v1/users", admin.with_step_up(), [&s](const Request& r) { return create_user(s, r); });
  router.add("PATCH", "/api/v1/users/{id}", admin.with_step_up(), [&s](const Request& r) { return update_user(s, r); });
}

}  // namespace bankrec::http
