#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/http/auth.h"
#include "bankrec/http/router.h"
#include "bankrec/store/console_admin_repo.h"
#include "bankrec/store/users_repo.h"

/// Console sign-in: login with throttling and lockout, sessions (hashed 256-bit ids in
/// `__Host-` cookies, idle timeout and absolute lifetime), CSRF tokens, TOTP enrolment, step-up,
/// and user administration. It is the Router's Guard. Thread-safe: one mutex serialises the
/// database (its own Store connection); Argon2id runs outside it.
namespace bankrec::http {

inline constexpr std::string_view kSessionCookie = "__Host-bankrec_session";
/// API tokens look like "brk_" and 43 base64url characters (256 random bits).
inline constexpr std::string_view kApiTokenPrefix = "brk_";

struct AuthOptions {
  std::chrono::seconds idle_timeout{30 * 60};
  std::chrono::seconds absolute_lifetime{12 * 3600};
  std::chrono::seconds step_up_window{5 * 60};  //!< how long a fresh TOTP code opens step-up routes
  store::ThrottlePolicy account{5, std::chrono::minutes(15), std::chrono::minutes(15)};
  store::ThrottlePolicy address{20, std::chrono::minutes(15), std::chrono::minutes(15)};
  auth::HashCost hash_cost = auth::HashCost::interactive();
  std::string issuer = "bankrec";  //!< shown in authenticator apps
  /// Called (outside the lock) when a key was just locked; bankrecd logs it and raises an alert.
  std::function<void(std::string_view scope, std::string_view key)> on_lockout;
};

/// A new API token: the token itself is returned once and never stored.
struct ApiTokenCreated {
  std::int64_t id = 0;
  std::string token;
};

/// The permissions an API token may carry: all but manage_users (people manage people).
bool token_may_have(Permission permission) noexcept;

struct LoginRequest {
  std::string name, password;
  std::string totp;           //!< 6 digits, when the user has TOTP
  std::string recovery_code;  //!< instead of `totp`
  std::string remote_address;
};

enum class LoginFailure : std::uint8_t {
  invalid_credentials,  //!< wrong name, password or code, or a disabled account: one answer for all
  totp_required,        //!< the password was right; send it again with a code
  throttled,            //!< too many failures for this account or address
};

struct LoginOutcome {
  std::optional<LoginFailure> failure;
  std::chrono::seconds retry_after{0};  //!< throttled: until the lock ends
  std::string session_id;               //!< the cookie value (never stored)
  Principal principal;
};

struct TotpEnrolment {
  std::string secret_base32, otpauth_uri, qr_svg;
};

/// Changes an admin may make to a user (PATCH /api/v1/users/{id}); absent fields stay.
struct UserChange {
  std::optional<Role> role;
  std::optional<bool> disabled;
  std::optional<std::string> password;
  bool unlock = false;
  bool reset_totp = false;
};

class AuthService final : public Guard {
 public:
  AuthService(store::Store& store, const store::SecretKey& secrets_key, const Clock& clock, AuthOptions options = {});

  Result<Principal> authenticate(const Request& request) const override;

  Result<LoginOutcome> login(const LoginRequest& request);
  Result<void> logout(const Principal& principal);
  /// Ends every session of the principal's user; returns how many.
  Result<std::int64_t> logout_all(const Principal& principal);
  /// A fresh TOTP code opens step-up routes for options.step_up_window. Failures count toward the
  /// account's lockout; permission_denied on a wrong or replayed code.
  Result<void> step_up(const Principal& principal, std::string_view code);

  /// A new secret (pending until confirmed); the enrolled one stays valid meanwhile.
  Result<TotpEnrolment> begin_totp(std::int64_t user_id, std::string_view actor);
  /// Confirms with a first code; returns the recovery codes (shown once, stored hashed).
  Result<std::vector<std::string>> confirm_totp(std::int64_t user_id, std::string_view code, std::string_view actor);

  Result<std::vector<store::UserRecord>> list_users();
  Result<store::UserRecord> get_user(std::int64_t id);
  /// Checks the password policy, hashes and stores.
  Result<store::UserRecord> create_user(std::string_view name, Role role, std::string_view password, std::string_view actor);
  /// Refuses (conflict) a change that leaves no enabled admin.
  Result<store::UserRecord> update_user(std::int64_t id, const UserChange& change, std::string_view actor);

  /// API tokens for machine clients (`Authorization: Bearer brk_...`), hashed at rest, audited.
  /// invalid_input for an empty name, no scope or a scope a token may not have.
  Result<ApiTokenCreated> create_token(std::string_view name, const std::vector<Permission>& scopes,
                                       std::string_view actor);
  Result<std::vector<store::ApiTokenRecord>> list_tokens();
  Result<void> revoke_token(std::int64_t id, std::string_view actor);

  /// A user's console preferences (language, locale).
  Result<store::UserPreferences> preferences(std::int64_t user_id);
  Result<void> set_preferences(std::int64_t user_id, const store::UserPreferences& preferences, std::string_view actor);
  /// Back to never chosen: the console follows the browser's language again.
  Result<void> clear_preferences(std::int64_t user_id, std::string_view actor);

  /// Replaces the options (limits from the config, the lockout alert). Only before the server
  /// starts serving: the options are read without a lock.
  void set_options(AuthOptions options) { options_ = std::move(options); }

  /// Removes expired and idle sessions; returns how many.
  Result<std::int64_t> purge_sessions();

  /// Set-Cookie values: the session cookie (HttpOnly, Secure, SameSite=Strict, __Host-) and its removal.
  std::string session_cookie(std::string_view session_id) const;
  static std::string clear_cookie();
  const AuthOptions& options() const { return options_; }

 private:
  Result<std::optional<std::int64_t>> check_totp(std::int64_t user_id, std::string_view code);
  Result<LoginOutcome> count_failure(const LoginRequest& request, std::string_view reason, bool known_user);
  Result<Principal> authenticate_token(std::string_view token) const;
  Result<Principal> start_session(const store::Credentials& user, const LoginRequest& request, bool stepped_up,
                                  std::string* session_id);
  Result<void> keep_an_admin(const store::UserRecord& user, const UserChange& change);
  std::int64_t unix_now() const;

  mutable std::mutex mutex_;
  store::Store& store_;
  mutable store::UsersRepo repo_;
  mutable store::ConsoleAdminRepo admin_repo_;
  const Clock& clock_;
  AuthOptions options_;
};

/// The auth and user routes (JSON in and out, errors as {"error":{"code","message"}}):
///   POST /api/v1/auth/login            anyone        {name, password, totp?, recovery_code?}
///   POST /api/v1/auth/logout           signed in     ends this session
///   POST /api/v1/auth/logout-all       signed in     ends every session of the user
///   GET  /api/v1/auth/me               signed in     user, permissions, csrf_token, expiry
///   POST /api/v1/auth/totp/enrol       signed in     {secret, otpauth_uri, qr_svg}
///   POST /api/v1/auth/totp/confirm     signed in     {code} → {recovery_codes}
///   POST /api/v1/auth/step-up          signed in     {code}
///   GET  /api/v1/users                 manage_users
///   GET  /api/v1/users/{id}            manage_users
///   POST /api/v1/users                 manage_users + step-up   {name, role, password}
///   PATCH /api/v1/users/{id}           manage_users + step-up   {role?, disabled?, password?, unlock?, reset_totp?}
/// and makes `service` the router's guard.
void install_auth_routes(Router& router, std::shared_ptr<AuthService> service);

}  // namespace bankrec::http
