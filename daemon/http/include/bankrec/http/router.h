#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/store/users_repo.h"

/// Requests, responses and the Router with per-route access rules (RBAC, CSRF, step-up).
/// Plain values: Beast and Asio stay in src/.
namespace bankrec::http {

using Headers = std::vector<std::pair<std::string, std::string>>;
using Role = store::Role;

/// What a role may do (DESIGN.md, "Security model"). Routes declare one; roles map to sets.
enum class Permission : std::uint8_t {
  read,               //!< every role: statements, entries, jobs, alerts, audit log
  upload,             //!< accountant and up: upload files
  review,             //!< accountant and up: resolve review items
  approve,            //!< approver and up: approve postings and write-offs
  manage_users,       //!< admin
  manage_connectors,  //!< admin
  manage_rules,       //!< admin
  manage_config,      //!< admin
};
const char* permission_name(Permission permission) noexcept;
/// The permission with this name; nullopt when none.
std::optional<Permission> parse_permission(std::string_view name) noexcept;
/// viewer: read; accountant: + upload, review; approver: + approve; admin: everything.
bool role_has(Role role, Permission permission) noexcept;
/// TOTP is mandatory for approver and admin: until enrolled they reach only enrolment routes.
bool role_requires_totp(Role role) noexcept;

/// The signed-in user behind a request, filled in by the Router's Guard.
struct Principal {
  std::int64_t user_id = 0;
  std::string name;
  Role role = Role::viewer;
  bool totp_enrolled = false;
  bool step_up_fresh = false;  //!< a TOTP code was given within the step-up window
  std::string session_id_hash;
  std::string csrf_token;      //!< what X-CSRF-Token must carry on state-changing requests
  std::chrono::system_clock::time_point session_expires_at{};
  /// Set for a machine client signed in with `Authorization: Bearer` (an API token): the token's id
  /// and scopes. Such a request needs no CSRF token, reaches only routes that name a permission in
  /// its scopes, and never a step-up route (a token has no second factor).
  std::optional<std::int64_t> token_id;
  std::vector<Permission> token_scopes;
};

struct Request {
  std::string method;  ///< "GET", "POST", ...
  std::string target;  ///< path and query as sent
  std::string path;    ///< percent-decoding is the handler's business (path parameters come decoded)
  std::string query;
  Headers headers;
  std::string body;
  std::string remote_address;
  std::vector<std::pair<std::string, std::string>> params;  ///< {name} segments of the matched route
  std::shared_ptr<const Principal> principal;                ///< set on routes that need a session
  /// Routes with a streamed body (Access::streamed): the private temp file holding it; `body` stays
  /// empty. The server deletes the file after the handler returned (a handler may rename it away).
  std::filesystem::path body_file;

  /// Case-insensitive header lookup; empty when absent.
  std::string_view header(std::string_view name) const;
  /// A path parameter ("id" for /users/{id}); empty when absent.
  std::string_view param(std::string_view name) const;
  /// The value of cookie `name` from the Cookie header; empty when absent.
  std::string_view cookie(std::string_view name) const;
};

/// A response body sent in pieces instead of held in Response::body (downloads of any size): the
/// server sends `Content-Length: size`, then asks `read` for the bytes from `offset` into a buffer of
/// its own (at most 256 KiB), on its blocking pool, until `size` bytes went out. `read` returns how
/// many bytes it wrote; 0 or an error before `size` ends the response by closing the connection, so
/// the client sees a short body, never a wrong one.
struct BodySource {
  std::uint64_t size = 0;
  std::function<Result<std::size_t>(std::uint64_t offset, std::span<char> out)> read;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;
  std::string body;
  std::shared_ptr<const BodySource> source = nullptr;  //!< set: the body comes from here; `body` is unused

  static Response json(int status, std::string body);
  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  /// {"error": {"code": "not_found", "message": ...}} with the status Errc maps to.
  static Response error(const Error& error);
  /// {"error": {"code": code, "message": message}} with an explicit status (401, 403 with a reason).
  static Response error(int status, std::string_view code, std::string_view message);
};

/// HTTP status for an error class (invalid_input 400, not_found 404, conflict 409,
/// permission_denied 403, unavailable 503, internal 500).
int status_for(Errc code);

using Handler = std::function<Response(const Request&)>;

/// A route whose request body goes to a private temp file (mode 0600) instead of memory (uploads).
struct StreamedBody {
  std::size_t max_bytes = 0;  //!< larger bodies are answered 413 before or while they arrive
  std::filesystem::path dir;  //!< where the temp file is made; created when missing (mode 0700)
};

/// Who may call a route. The default is deny: a route must say who may use it.
struct Access {
  enum class Kind : std::uint8_t { deny, anyone, signed_in };
  Kind kind = Kind::deny;
  std::optional<Permission> permission;  //!< signed_in routes: what the role must have (nullopt: any role)
  bool step_up = false;      //!< needs a fresh TOTP code (POST /api/v1/auth/step-up) within the window
  bool before_totp = false;  //!< open to a user whose mandatory TOTP is not enrolled yet
  bool csrf = true;          //!< state-changing methods need X-CSRF-Token equal to the session's token
  bool blocking = false;     //!< run on the server's blocking pool (always so for signed_in routes)
  /// Set: the body is streamed to disk (Request::body_file) within its own limit, and the access
  /// checks run on the headers before any of the body is read.
  std::shared_ptr<const StreamedBody> streamed;

  static Access anyone() { return {Kind::anyone}; }
  static Access signed_in() { return {Kind::signed_in}; }
  static Access need(Permission p) { return {Kind::signed_in, p}; }
  Access with_step_up() const {
    Access a = *this;
    a.step_up = true;
    return a;
  }
  Access before_enrolment() const {
    Access a = *this;
    a.before_totp = true;
    return a;
  }
};

/// Authenticates a request from its session cookie (bankrec's AuthService implements it).
class Guard {
 public:
  virtual ~Guard() = default;
  /// The principal, or an error: permission_denied for no/expired/unknown session (answered 401),
  /// anything else as Response::error.
  virtual Result<Principal> authenticate(const Request& request) const = 0;
};

/// Dispatches on method and path. Patterns are exact ("/healthz") or have {name} segments
/// ("/api/v1/users/{id}"); where several match, the one with more literal segments wins.
/// Unknown path → 404, known path with another method → 405 with Allow. Then the route's Access:
/// deny → 403; signed_in → the Guard (401 without a valid session), mandatory TOTP not enrolled
/// → 403 totp_enrolment_required, missing or wrong X-CSRF-Token on POST/PUT/PATCH/DELETE → 403
/// csrf, permission → 403 forbidden, step-up → 403 step_up_required. An API token (bearer) skips
/// the CSRF check and gets 403 forbidden on a route without a permission or outside its scopes.
class Router {
 public:
  /// A public route that needs no login: only for /healthz, /readyz, /metrics and static files.
  /// Paths under /api/ must declare their access (a BANKREC_CHECK failure otherwise).
  void add(std::string method, std::string pattern, Handler handler);
  void add(std::string method, std::string pattern, Access access, Handler handler);
  /// Signed-in routes fail closed (403) while no guard is set.
  void set_guard(std::shared_ptr<const Guard> guard) { guard_ = std::move(guard); }

  Response dispatch(Request request) const;
  /// Whether the route for this request may block (database, password hashing): the server then
  /// runs dispatch() on its blocking pool instead of an I/O thread.
  bool is_blocking(const Request& request) const;
  /// The access rule of the route this request goes to; nullopt when no route takes it.
  std::optional<Access> access_of(const Request& request) const;
  /// Runs the route's access checks (guard, CSRF, role, step-up) without its handler: the refusal,
  /// or nullopt when the handler would run (or no route matches). For checks before a body arrives.
  std::optional<Response> check_access(Request request) const;

  /// Every registered (method, pattern, access), for the RBAC test over all routes.
  struct RouteInfo {
    std::string method, pattern;
    Access access;
  };
  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" for a parameter
    int literal_segments = 0;
    std::vector<std::pair<std::string, std::pair<Access, Handler>>> methods;
  };
  const Route* match(const std::string& path, std::vector<std::pair<std::string, std::string>>* params) const;
  Response guarded(const Access& access, const Handler& handler, Request request) const;

  std::vector<Route> routes_;
  std::shared_ptr<const Guard> guard_;
};

}  // namespace bankrec::http
