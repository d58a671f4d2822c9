#include "bankrec/http/auth_service.h"

#include <algorithm>

#include "bankrec/domain/json.h"

namespace bankrec::http {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

constexpr std::size_t kSessionIdBytes = 32;  // 256 bits

Error not_signed_in(std::string message) { return Error{Errc::permission_denied, std::move(message), {}}; }

/// The name as it goes into the audit log: only a valid user name, else a placeholder (a password
/// typed into the name field must not end up in the log).
std::string loggable_name(std::string_view name) {
  return store::UsersRepo::validate_name(name) ? std::string(name) : std::string("(invalid name)");
}

bool looks_like_session_id(std::string_view id) {
  return id.size() == 43 && std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

}  // namespace

AuthService::AuthService(store::Store& store, const store::SecretKey& secrets_key, const Clock& clock,
                         AuthOptions options)
    : store_(store), repo_(store, secrets_key), admin_repo_(store), clock_(clock), options_(std::move(options)) {}

std::int64_t AuthService::unix_now() const {
  return duration_cast<seconds>(clock_.now().time_since_epoch()).count();
}

Result<Principal> AuthService::authenticate(const Request& request) const {
  if (const std::string_view authorization = request.header("Authorization"); !authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (!authorization.starts_with(kBearer)) return Unexpected{not_signed_in("unsupported Authorization scheme")};
    return authenticate_token(authorization.substr(kBearer.size()));
  }
  const std::string_view cookie = request.cookie(kSessionCookie);
  if (cookie.empty()) return Unexpected{not_signed_in("not signed in")};
  if (!looks_like_session_id(cookie)) return Unexpected{not_signed_in("session is not valid")};
  const std::string id_hash = auth::hash_hex(cookie);
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  const auto session = BANKREC_TRY(repo_.find_session(id_hash));
  if (!session) return Unexpected{not_signed_in("session has ended")};
  if (session->expires_at <= now || session->last_seen_at + options_.idle_timeout <= now) {
    BANKREC_TRY(repo_.delete_session(id_hash));
    return Unexpected{not_signed_in("session has expired")};
  }
  const auto user = BANKREC_TRY(repo_.get(session->user_id));
  if (user.disabled) {
    BANKREC_TRY(repo_.delete_sessions_of(user.id));
    return Unexpected{not_signed_in("account is disabled")};
  }
  // last_seen_at is written at most once a minute: not a database write per request.
  if (now - session->last_seen_at >= std::chrono::minutes(1)) BANKREC_TRY(repo_.touch_session(id_hash, now));
  Principal p;
  p.user_id = user.id;
  p.name = user.name;
  p.role = user.role;
  p.totp_enrolled = user.totp_enrolled;
  p.step_up_fresh = session->step_up_at && now - *session->step_up_at < options_.step_up_window && *session->step_up_at <= now;
  p.session_id_hash = id_hash;
  p.csrf_token = auth::keyed_token(cookie, "bankrec csrf v1");
  p.session_expires_at = session->expires_at;
  return p;
}

Result<std::optional<std::int64_t>> AuthService::check_totp(std::int64_t user_id, std::string_view code) {
  const auto secret = BANKREC_TRY(repo_.totp_secret(user_id));
  if (!secret) return std::optional<std::int64_t>();
  const auto step = auth::totp_match(*secret, code, auth::totp_step(unix_now()));
  if (!step) return std::optional<std::int64_t>();
  if (auto used = repo_.use_totp_step(user_id, *step); !used) {
    if (used.error().code == Errc::conflict) return std::optional<std::int64_t>();  // a replay
    return Unexpected{std::move(used).error()};
  }
  return step;
}

Result<LoginOutcome> AuthService::count_failure(const LoginRequest& request, std::string_view reason, bool known_user) {
  const bool count_address = !request.remote_address.empty();
  const auto now = clock_.now();
  const std::string name = loggable_name(request.name);
  LoginOutcome out;
  out.failure = LoginFailure::invalid_credentials;
  std::vector<std::pair<std::string, std::string>> locked;
  {
    std::lock_guard lock(mutex_);
    const auto account = BANKREC_TRY(repo_.record_failure(store::ThrottleScope::account, name, now, options_.account));
    if (account.locked_now) locked.emplace_back("account", name);
    if (count_address) {
      const auto address = BANKREC_TRY(repo_.record_failure(store::ThrottleScope::address, request.remote_address,
                                                            now, options_.address));
      if (address.locked_now) locked.emplace_back("address", request.remote_address);
    }
    BANKREC_TRY(repo_.audit({name, "auth.login_failed", "user", name,
                             "{\"reason\":" + domain::json_quote(reason) + ",\"known_user\":" +
                                 (known_user ? "true" : "false") + ",\"address\":" +
                                 domain::json_quote(request.remote_address) + "}"}));
  }
  if (options_.on_lockout)
    for (const auto& [scope, key] : locked) options_.on_lockout(scope, key);
  return out;
}

Result<Principal> AuthService::start_session(const store::Credentials& user, const LoginRequest& request,
                                             bool stepped_up, std::string* session_id) {
  const auto now = clock_.now();
  *session_id = auth::base64url(auth::random_bytes(kSessionIdBytes));
  store::SessionRecord s;
  s.id_hash = auth::hash_hex(*session_id);
  s.user_id = user.user_id;
  const std::string csrf = auth::keyed_token(*session_id, "bankrec csrf v1");
  s.csrf_token_hash = auth::hash_hex(csrf);
  s.created_at = s.last_seen_at = now;
  s.expires_at = now + options_.absolute_lifetime;
  if (stepped_up) s.step_up_at = now;
  s.client = request.remote_address;
  BANKREC_TRY(repo_.create_session(s));
  BANKREC_TRY(repo_.clear_failures(store::ThrottleScope::account, user.name));
  BANKREC_TRY(repo_.record_login(user.user_id, now));
  BANKREC_TRY(repo_.audit({user.name, "auth.login", "user", user.name,
                           "{\"address\":" + domain::json_quote(request.remote_address) +
                               ",\"second_factor\":" + (stepped_up ? "true" : "false") + "}"}));
  Principal p;
  p.user_id = user.user_id;
  p.name = user.name;
  p.role = user.role;
  p.totp_enrolled = user.totp_enrolled;
  p.step_up_fresh = stepped_up;
  p.session_id_hash = s.id_hash;
  p.csrf_token = csrf;
  p.session_expires_at = s.expires_at;
  return p;
}

Result<LoginOutcome> AuthService::login(const LoginRequest& request) {
  const auto now = clock_.now();
  const std::string name = loggable_name(request.name);
  std::optional<store::Credentials> user;
  {
    std::lock_guard lock(mutex_);
    const auto by_address = BANKREC_TRY(repo_.locked_until(store::ThrottleScope::address, request.remote_address, now));
    const auto by_account = BANKREC_TRY(repo_.locked_until(store::ThrottleScope::account, name, now));
    if (by_address || by_account) {
      LoginOutcome out;
      out.failure = LoginFailure::throttled;
      out.retry_after = duration_cast<seconds>(std::max(by_address.value_or(now), by_account.value_or(now)) - now);
      return out;
    }
    if (store::UsersRepo::validate_name(request.name)) user = BANKREC_TRY(repo_.credentials(request.name));
  }
  // Argon2id outside the lock; an unknown user costs the same time as a known one.
  const bool password_ok = user ? auth::verify_password(request.password, user->password_hash)
                                : (auth::verify_dummy(request.password, options_.hash_cost), false);
  if (!user) return count_failure(request, "unknown_user", false);
  if (!password_ok) return count_failure(request, "password", true);
  if (user->disabled) return count_failure(request, "disabled", true);
  std::unique_lock lock(mutex_);
  bool second_factor = false;
  if (user->totp_enrolled) {
    if (request.totp.empty() && request.recovery_code.empty()) {
      LoginOutcome out;
      out.failure = LoginFailure::totp_required;
      return out;
    }
    if (!request.totp.empty()) {
      second_factor = BANKREC_TRY(check_totp(user->user_id, request.totp)).has_value();
    } else {
      const auto used = repo_.use_recovery_code(user->user_id, auth::hash_hex(auth::normalise_recovery_code(request.recovery_code)));
      if (!used && used.error().code != Errc::not_found) return Unexpected{used.error()};
      second_factor = used.has_value();
    }
    if (!second_factor) {
      lock.unlock();
      return count_failure(request, "second_factor", true);
    }
  }
  if (auth::needs_rehash(user->password_hash, options_.hash_cost)) {
    lock.unlock();
    auto rehashed = auth::hash_password(request.password, options_.hash_cost);
    lock.lock();
    if (rehashed) BANKREC_TRY(repo_.upgrade_password_hash(user->user_id, *rehashed));
  }
  LoginOutcome out;
  out.principal = BANKREC_TRY(start_session(*user, request, second_factor, &out.session_id));
  return out;
}

Result<void> AuthService::logout(const Principal& principal) {
  std::lock_guard lock(mutex_);
  BANKREC_TRY(repo_.delete_session(principal.session_id_hash));
  return repo_.audit({principal.name, "auth.logout", "user", principal.name, "{}"});
}

Result<std::int64_t> AuthService::logout_all(const Principal& principal) {
  std::lock_guard lock(mutex_);
  const std::int64_t n = BANKREC_TRY(repo_.delete_sessions_of(principal.user_id));
  BANKREC_TRY(repo_.audit({principal.name, "auth.logout_all", "user", principal.name,
                           "{\"sessions\":" + std::to_string(n) + "}"}));
  return n;
}

Result<void> AuthService::step_up(const Principal& principal, std::string_view code) {
  const auto now = clock_.now();
  bool ok_code = false;
  {
    std::lock_guard lock(mutex_);
    if (BANKREC_TRY(repo_.locked_until(store::ThrottleScope::account, principal.name, now)))
      return fail(Errc::permission_denied, "too many wrong codes: the account is locked for a while");
    ok_code = BANKREC_TRY(check_totp(principal.user_id, code)).has_value();
    if (ok_code) {
      BANKREC_TRY(repo_.set_step_up(principal.session_id_hash, now));
      return repo_.audit({principal.name, "auth.step_up", "user", principal.name, "{}"});
    }
  }
  LoginRequest as_failure;
  as_failure.name = principal.name;
  // remote_address stays empty: a step-up failure counts toward the account only.
  BANKREC_TRY(count_failure(as_failure, "step_up", true));
  return fail(Errc::permission_denied, "wrong or already used code");
}

Result<TotpEnrolment> AuthService::begin_totp(std::int64_t user_id, std::string_view actor) {
  std::lock_guard lock(mutex_);
  const auto user = BANKREC_TRY(repo_.get(user_id));
  const std::string secret = auth::random_bytes(auth::kTotpSecretBytes);
  BANKREC_TRY(repo_.begin_totp(user_id, secret, actor));
  TotpEnrolment e;
  e.secret_base32 = auth::base32_encode(secret);
  e.otpauth_uri = auth::otpauth_uri(options_.issuer, user.name, secret);
  e.qr_svg = BANKREC_TRY(auth::qr_svg(e.otpauth_uri));
  return e;
}

Result<std::vector<std::string>> AuthService::confirm_totp(std::int64_t user_id, std::string_view code,
                                                           std::string_view actor) {
  std::lock_guard lock(mutex_);
  const auto secret = BANKREC_TRY(repo_.pending_totp_secret(user_id));
  if (!secret) return fail(Errc::conflict, "no two-factor enrolment is waiting: start one first");
  const auto step = auth::totp_match(*secret, code, auth::totp_step(unix_now()));
  if (!step) return fail(Errc::invalid_input, "the code does not match: check the device's time and try the next code");
  std::vector<std::string> codes = auth::make_recovery_codes();
  std::vector<std::string> hashes;
  for (const auto& c : codes) hashes.push_back(auth::hash_hex(auth::normalise_recovery_code(c)));
  BANKREC_TRY(repo_.confirm_totp(user_id, *step, hashes, actor));
  return codes;
}

Result<std::vector<store::UserRecord>> AuthService::list_users() {
  std::lock_guard lock(mutex_);
  return repo_.list();
}

Result<store::UserRecord> AuthService::get_user(std::int64_t id) {
  std::lock_guard lock(mutex_);
  return repo_.get(id);
}

Result<store::UserRecord> AuthService::create_user(std::string_view name, Role role, std::string_view password,
                                                   std::string_view actor) {
  BANKREC_TRY(store::UsersRepo::validate_name(name));
  BANKREC_TRY(auth::check_password_policy(password, name));
  const std::string hash = BANKREC_TRY(auth::hash_password(password, options_.hash_cost));
  std::lock_guard lock(mutex_);
  const std::int64_t id = BANKREC_TRY(repo_.create(name, role, hash, actor));
  return repo_.get(id);
}

Result<void> AuthService::keep_an_admin(const store::UserRecord& user, const UserChange& change) {
  const bool loses_admin = user.role == Role::admin && !user.disabled &&
                           ((change.role && *change.role != Role::admin) || (change.disabled && *change.disabled));
  if (!loses_admin) return ok();
  const auto users = BANKREC_TRY(repo_.list());
  const auto admins = std::count_if(users.begin(), users.end(),
                                    [](const store::UserRecord& u) { return u.role == Role::admin && !u.disabled; });
  if (admins <= 1) return fail(Errc::conflict, "'" + user.name + "' is the last enabled admin");
  return ok();
}

Result<store::UserRecord> AuthService::update_user(std::int64_t id, const UserChange& change, std::string_view actor) {
  std::optional<std::string> hash;
  if (change.password) {
    const auto user = BANKREC_TRY(get_user(id));
    BANKREC_TRY(auth::check_password_policy(*change.password, user.name));
    hash = BANKREC_TRY(auth::hash_password(*change.password, options_.hash_cost));
  }
  std::lock_guard lock(mutex_);
  const auto user = BANKREC_TRY(repo_.get(id));
  BANKREC_TRY(keep_an_admin(user, change));
  if (change.role) BANKREC_TRY(repo_.set_role(id, *change.role, actor));
  if (change.disabled) BANKREC_TRY(repo_.set_disabled(id, *change.disabled, actor));
  if (hash) BANKREC_TRY(repo_.set_password(id, *hash, actor));
  if (change.unlock) BANKREC_TRY(repo_.unlock(user.name, actor));
  if (change.reset_totp) BANKREC_TRY(repo_.remove_totp(id, actor));
  return repo_.get(id);
}

Result<std::int64_t> AuthService::purge_sessions() {
  std::lock_guard lock(mutex_);
  return repo_.purge_sessions(clock_.now(), options_.idle_timeout);
}

std::string AuthService::session_cookie(std::string_view session_id) const {
  // __Host-: Secure, Path=/ and no Domain, so no subdomain or plain-HTTP page can set or read it.
  return std::string(kSessionCookie) + "=" + std::string(session_id) + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(options_.absolute_lifetime.count());
}

std::string AuthService::clear_cookie() {
  return std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
}

}  // namespace bankrec::http
