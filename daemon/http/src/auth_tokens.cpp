// API tokens for machine clients and user preferences: the parts of AuthService beside sign-in.
#include <algorithm>

#include "bankrec/http/auth_service.h"

namespace bankrec::http {
namespace {

constexpr std::size_t kTokenBytes = 32;  // 256 bits
constexpr std::size_t kTokenChars = 43;  // base64url of 32 bytes, unpadded
constexpr std::size_t kMaxTokenNameBytes = 64;

Error not_signed_in(std::string message) { return Error{Errc::permission_denied, std::move(message), {}}; }

bool looks_like_token(std::string_view token) {
  if (!token.starts_with(kApiTokenPrefix)) return false;
  const std::string_view rest = token.substr(kApiTokenPrefix.size());
  return rest.size() == kTokenChars && std::all_of(rest.begin(), rest.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

/// The least role that has every scope: a token never gets more than its scopes need.
Role role_for(const std::vector<Permission>& scopes) {
  Role role = Role::viewer;
  for (const Permission p : scopes)
    for (Role r : {Role::viewer, Role::accountant, Role::approver, Role::admin})
      if (role_has(r, p)) {
        role = std::max(role, r);
        break;
      }
  return role;
}

Result<void> validate_token_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxTokenNameBytes)
    return fail(Errc::invalid_input, "token name must have 1 to 64 characters");
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return fail(Errc::invalid_input, "token name '" + std::string(name) + "' may only use letters, digits and -_.");
  return ok();
}

}  // namespace

bool token_may_have(Permission permission) noexcept { return permission != Permission::manage_users; }

Result<Principal> AuthService::authenticate_token(std::string_view token) const {
  if (!looks_like_token(token)) return Unexpected{not_signed_in("API token is not valid")};
  const std::string hash = auth::hash_hex(token);
  const auto now = clock_.now();
  std::lock_guard lock(mutex_);
  const auto record = BANKREC_TRY(admin_repo_.find_live_token(hash));
  if (!record) return Unexpected{not_signed_in("API token is unknown or revoked")};
  Principal p;
  p.name = "token:" + record->name;
  p.token_id = record->id;
  for (const auto& name : record->scopes)
    if (const auto permission = parse_permission(name); permission && token_may_have(*permission))
      p.token_scopes.push_back(*permission);
  p.role = role_for(p.token_scopes);
  p.totp_enrolled = true;  // the token stands in for both factors; step-up stays closed to it
  // last_used_at at most once a minute: not a database write per request.
  const bool stale = !record->last_used_at || *record->last_used_at < store::utc_timestamp(now - std::chrono::minutes(1));
  if (stale) BANKREC_TRY(admin_repo_.touch_token(record->id, now));
  return p;
}

Result<ApiTokenCreated> AuthService::create_token(std::string_view name, const std::vector<Permission>& scopes,
                                                  std::string_view actor) {
  BANKREC_TRY(validate_token_name(name));
  if (scopes.empty()) return fail(Errc::invalid_input, "a token needs at least one scope");
  store::NewApiToken t;
  t.name = std::string(name);
  for (const Permission p : scopes) {
    if (!token_may_have(p))
      return fail(Errc::invalid_input, std::string("scope '") + permission_name(p) + "' cannot be given to a token");
    if (std::find(t.scopes.begin(), t.scopes.end(), permission_name(p)) == t.scopes.end())
      t.scopes.emplace_back(permission_name(p));
  }
  ApiTokenCreated out;
  out.token = std::string(kApiTokenPrefix) + auth::base64url(auth::random_bytes(kTokenBytes));
  t.token_hash = auth::hash_hex(out.token);
  t.prefix = out.token.substr(0, kApiTokenPrefix.size() + 6);
  std::lock_guard lock(mutex_);
  out.id = BANKREC_TRY(admin_repo_.create_token(t, actor));
  return out;
}

Result<std::vector<store::ApiTokenRecord>> AuthService::list_tokens() {
  std::lock_guard lock(mutex_);
  return admin_repo_.list_tokens();
}

Result<void> AuthService::revoke_token(std::int64_t id, std::string_view actor) {
  std::lock_guard lock(mutex_);
  return admin_repo_.revoke_token(id, actor);
}

Result<store::UserPreferences> AuthService::preferences(std::int64_t user_id) {
  std::lock_guard lock(mutex_);
  return admin_repo_.preferences(user_id);
}

Result<void> AuthService::set_preferences(std::int64_t user_id, const store::UserPreferences& preferences,
                                          std::string_view actor) {
  std::lock_guard lock(mutex_);
  return admin_repo_.set_preferences(user_id, preferences, actor);
}

Result<void> AuthService::clear_preferences(std::int64_t user_id, std::string_view actor) {
  std::lock_guard lock(mutex_);
  return admin_repo_.clear_preferences(user_id, actor);
}

}  // namespace bankrec::http
