#include <algorithm>
#include <cstdio>
#include <iterator>

#include "bankrec/base/check.h"
#include "bankrec/http/server.h"

namespace bankrec::http {
namespace {

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

Response Response::json(int status, std::string body) { return Response{status, "application/json", {}, std::move(body)}; }

Response Response::text(int status, std::string body, std::string content_type) {
  return Response{status, std::move(content_type), {}, std::move(body)};
}

int status_for(Errc code) {
  switch (code) {
    case Errc::invalid_input: return 400;
    case Errc::not_found: return 404;
    case Errc::conflict: return 409;
    case Errc::permission_denied: return 403;
    case Errc::unavailable: return 503;
    case Errc::internal: return 500;
  }
  return 500;
}

Response Response::error(const Error& error) {
  return json(status_for(error.code), std::string("{\"error\":{\"code\":\"") + errc_name(error.code) +
                                          "\",\"message\":\"" + json_escape(error.message) + "\"}}");
}

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= path.size()) {
    const auto slash = path.find('/', i);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.emplace_back(path.substr(i, end - i));
    if (slash == std::string_view::npos) break;
    i = slash + 1;
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

/// %XX decoding of one path segment; nullopt on a bad escape or a decoded '/' or NUL.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const auto hex = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '/' || c == '\0') return std::nullopt;
    out += c;
    i += 2;
  }
  return out;
}

bool is_state_changing(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

const char* permission_name(Permission permission) noexcept {
  switch (permission) {
    case Permission::read: return "read";
    case Permission::upload: return "upload";
    case Permission::review: return "review";
    case Permission::approve: return "approve";
    case Permission::manage_users: return "manage_users";
    case Permission::manage_connectors: return "manage_connectors";
    case Permission::manage_rules: return "manage_rules";
    case Permission::manage_config: return "manage_config";
  }
  return "?";
}

std::optional<Permission> parse_permission(std::string_view name) noexcept {
  for (auto p : {Permission::read, Permission::upload, Permission::review, Permission::approve, Permission::manage_users,
                 Permission::manage_connectors, Permission::manage_rules, Permission::manage_config})
    if (name == permission_name(p)) return p;
  return std::nullopt;
}

bool role_has(Role role, Permission permission) noexcept {
  switch (permission) {
    case Permission::read: return true;
    case Permission::upload:
    case Permission::review: return role >= Role::accountant;
    case Permission::approve: return role >= Role::approver;
    case Permission::manage_users:
    case Permission::manage_connectors:
    case Permission::manage_rules:
    case Permission::manage_config: return role == Role::admin;
  }
  return false;
}

bool role_requires_totp(Role role) noexcept { return role >= Role::approver; }

std::string_view Request::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

std::string_view Request::cookie(std::string_view name) const {
  std::string_view all = header("Cookie");
  while (!all.empty()) {
    const auto semi = all.find(';');
    std::string_view pair = all.substr(0, semi);
    all = semi == std::string_view::npos ? std::string_view() : all.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
  }
  return {};
}

Response Response::error(int status, std::string_view code, std::string_view message) {
  return json(status, "{\"error\":{\"code\":\"" + json_escape(code) + "\",\"message\":\"" + json_escape(message) +
                          "\"}}");
}

void Router::add(std::string method, std::string pattern, Handler handler) {
  BANKREC_CHECK(!pattern.starts_with("/api/"), "an API route must declare its access");
  add(std::move(method), std::move(pattern), Access::anyone(), std::move(handler));
}

void Router::add(std::string method, std::string pattern, Access access, Handler handler) {
  auto it = std::find_if(routes_.begin(), routes_.end(), [&](const Route& r) { return r.pattern == pattern; });
  if (it == routes_.end()) {
    Route route;
    route.segments = split_path(pattern);
    for (const auto& s : route.segments) route.literal_segments += is_param(s) ? 0 : 1;
    route.pattern = std::move(pattern);
    routes_.push_back(std::move(route));
    it = std::prev(routes_.end());
  }
  for (auto& [m, entry] : it->methods)
    if (m == method) {
      entry = {access, std::move(handler)};
      return;
    }
  it->methods.emplace_back(std::move(method), std::make_pair(access, std::move(handler)));
}

const Router::Route* Router::match(const std::string& path, std::vector<std::pair<std::string, std::string>>* params) const {
  const auto segments = split_path(path);
  const Route* best = nullptr;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    if (best != nullptr && best->literal_segments >= route.literal_segments) continue;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i)
      ok = is_param(route.segments[i]) ? !segments[i].empty() : route.segments[i] == segments[i];
    if (ok) best = &route;
  }
  if (best == nullptr || params == nullptr) return best;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (!is_param(best->segments[i])) continue;
    auto value = percent_decode(segments[i]);
    if (!value) return nullptr;
    params->emplace_back(best->segments[i].substr(1, best->segments[i].size() - 2), std::move(*value));
  }
  return best;
}

namespace {

const std::pair<Access, Handler>* find_method(const std::vector<std::pair<std::string, std::pair<Access, Handler>>>& methods,
                                              std::string_view method) {
  for (const auto& [m, entry] : methods)
    if (m == method) return &entry;
  if (method == "HEAD") return find_method(methods, "GET");
  return nullptr;
}

}  // namespace

Response Router::dispatch(Request request) const {
  const Route* route = match(request.path, &request.params);
  if (route == nullptr) return Response::error(Error{Errc::not_found, "no such resource", {}});
  const auto* entry = find_method(route->methods, request.method);
  if (entry == nullptr) {
    Response r = Response::json(405, R"({"error":{"code":"method_not_allowed","message":"method not allowed"}})");
    std::string allow;
    for (const auto& [m, h] : route->methods) allow += (allow.empty() ? "" : ", ") + m;
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  return guarded(entry->first, entry->second, std::move(request));
}

Response Router::guarded(const Access& access, const Handler& handler, Request request) const {
  switch (access.kind) {
    case Access::Kind::anyone: return handler(request);
    case Access::Kind::deny: return Response::error(403, "forbidden", "this route is not open to anyone");
    case Access::Kind::signed_in: break;
  }
  if (!guard_) return Response::error(403, "forbidden", "sign-in is not available");
  auto principal = guard_->authenticate(request);
  if (!principal) {
    if (principal.error().code == Errc::permission_denied)
      return Response::error(401, "unauthenticated", principal.error().message);
    return Response::error(principal.error());
  }
  // A token is no browser session: no cookie, so no CSRF; it reaches only what its scopes name.
  if (principal->token_id) {
    const auto& scopes = principal->token_scopes;
    if (!access.permission || access.before_totp ||
        std::find(scopes.begin(), scopes.end(), *access.permission) == scopes.end())
      return Response::error(403, "forbidden", "this API token's scopes do not cover this route");
  }
  // CSRF first: a cross-site request learns nothing about roles or step-up state.
  if (access.csrf && !principal->token_id && is_state_changing(request.method) &&
      !constant_time_equal(request.header("X-CSRF-Token"), principal->csrf_token))
    return Response::error(403, "csrf", "missing or wrong X-CSRF-Token header");
  if (role_requires_totp(principal->role) && !principal->totp_enrolled && !access.before_totp)
    return Response::error(403, "totp_enrolment_required", "this role needs two-factor authentication: enrol first");
  if (access.permission && !role_has(principal->role, *access.permission))
    return Response::error(403, "forbidden", "your role may not do this");
  if (access.step_up && !principal->step_up_fresh)
    return Response::error(403, "step_up_required", "confirm with a fresh one-time code first");
  request.principal = std::make_shared<const Principal>(std::move(*principal));
  return handler(request);
}

bool Router::is_blocking(const Request& request) const {
  const Route* route = match(request.path, nullptr);
  if (route == nullptr) return false;
  const auto* entry = find_method(route->methods, request.method);
  return entry != nullptr && (entry->first.blocking || entry->first.kind == Access::Kind::signed_in);
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& route : routes_)
    for (const auto& [m, entry] : route.methods) out.push_back({m, route.pattern, entry.first});
  return out;
}

std::optional<Access> Router::access_of(const Request& request) const {
  const Route* route = match(request.path, nullptr);
  const auto* entry = route == nullptr ? nullptr : find_method(route->methods, request.method);
  if (entry == nullptr) return std::nullopt;
  return entry->first;
}

std::optional<Response> Router::check_access(Request request) const {
  const Route* route = match(request.path, &request.params);
  const auto* entry = route == nullptr ? nullptr : find_method(route->methods, request.method);
  if (entry == nullptr) return std::nullopt;
  Response r = guarded(entry->first, [](const Request&) { return Response{0}; }, std::move(request));
  if (r.status == 0) return std::nullopt;
  return r;
}

Result<std::pair<std::string, std::uint16_t>> parse_listen_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return fail(Errc::invalid_input, "invalid listen address '" + std::string(text) + "' (expected ADDR:PORT)");
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  if (port_text.empty() || port_text.size() > 5) return fail(Errc::invalid_input, "invalid port in '" + std::string(text) + "'");
  for (char c : port_text) {
    if (c < '0' || c > '9') return fail(Errc::invalid_input, "invalid port in '" + std::string(text) + "'");
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port > 65535) return fail(Errc::invalid_input, "port out of range in '" + std::string(text) + "'");
  return std::pair<std::string, std::uint16_t>{std::move(host), static_cast<std::uint16_t>(port)};
}

}  // namespace bankrec::http
