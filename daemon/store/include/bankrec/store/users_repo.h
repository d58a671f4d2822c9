#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/store/audit_log.h"
#include "bankrec/store/secret_key.h"
#include "bankrec/store/store.h"

/// Console users, their sessions, TOTP and login throttling (tables `users`, `sessions`,
/// `user_recovery_codes`, `login_throttle`; schema steps 1 and 10). Storage only: password hashes,
/// session-id hashes and recovery-code hashes are made by the caller (http's auth library), which
/// also decides the policy. TOTP secrets are sealed once more inside the encrypted database
/// (XChaCha20-Poly1305 under a key derived from the secrets key, bound to the user id), so a copy of
/// the database without that key reveals none. Every change is audit-logged without any secret.
/// Each method is one short transaction; the Store is not thread-safe, callers serialise.
namespace bankrec::store {

using TimePoint = std::chrono::system_clock::time_point;

/// Ordered from least to most privileged. Stable names: stored and shown.
enum class Role : std::uint8_t { viewer, accountant, approver, admin };
const char* role_name(Role role) noexcept;
/// invalid_input naming the allowed values.
Result<Role> parse_role(std::string_view name);

struct UserRecord {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::viewer;
  bool disabled = false;
  bool totp_enrolled = false;
  bool totp_pending = false;  //!< an enrolment waits for its first code
  std::int64_t recovery_codes_left = 0;
  std::optional<std::string> totp_enrolled_at, last_login_at, password_changed_at;
  std::optional<std::string> locked_until;  //!< account lockout still running (UTC text)
  std::string created_at, updated_at;
};

/// What a login attempt needs.
struct Credentials {
  std::int64_t user_id = 0;
  std::string name;
  Role role = Role::viewer;
  bool disabled = false;
  bool totp_enrolled = false;
  std::string password_hash;  //!< crypto_pwhash_str output; empty when no password was set
};

struct SessionRecord {
  std::string id_hash;          //!< hex hash of the session id: the id itself is never stored
  std::int64_t user_id = 0;
  std::string csrf_token_hash;  //!< hex hash of the CSRF token
  TimePoint created_at{}, last_seen_at{}, expires_at{};  //!< expires_at: the absolute end
  std::optional<TimePoint> step_up_at;                   //!< last fresh TOTP code in this session
  std::string client;           //!< remote address, for the user's session list
};

enum class ThrottleScope : std::uint8_t { account, address };

struct ThrottlePolicy {
  std::int64_t max_failures = 5;          //!< failures within `window` that lock
  std::chrono::seconds window{15 * 60};   //!< failures older than this are forgotten
  std::chrono::seconds lockout{15 * 60};  //!< how long a lock lasts
};

struct ThrottleState {
  std::int64_t failures = 0;               //!< in the current window (0 right after a lock)
  std::optional<TimePoint> locked_until;   //!< set while locked
  bool locked_now = false;                 //!< this failure caused the lock (audited as auth.lockout)
};

class UsersRepo {
 public:
  static constexpr std::size_t kMaxNameBytes = 64;

  /// `secrets_key` seals TOTP secrets (the appliance's secrets key, connectors.key).
  UsersRepo(Store& store, const SecretKey& secrets_key) : store_(store), secrets_key_(secrets_key) {}

  /// [a-z0-9] then up to 63 of [a-z0-9._@-]: lower case, so a login name has one spelling.
  static Result<void> validate_name(std::string_view name);

  Result<std::int64_t> create(std::string_view name, Role role, std::string_view password_hash, std::string_view actor);
  Result<std::optional<UserRecord>> find(std::string_view name);
  Result<UserRecord> get(std::int64_t id);
  Result<std::vector<UserRecord>> list();
  /// nullopt when no such user (the caller must not tell the difference to a client).
  Result<std::optional<Credentials>> credentials(std::string_view name);

  /// Sets the hash and ends all of the user's sessions (audited user.password).
  Result<void> set_password(std::int64_t id, std::string_view password_hash, std::string_view actor);
  /// Replaces a hash made with weaker parameters after a successful login (audited user.password_rehash).
  Result<void> upgrade_password_hash(std::int64_t id, std::string_view password_hash);
  Result<void> set_role(std::int64_t id, Role role, std::string_view actor);
  /// Disabling also ends all of the user's sessions.
  Result<void> set_disabled(std::int64_t id, bool disabled, std::string_view actor);
  Result<void> record_login(std::int64_t id, TimePoint now);

  /// Stores a new secret as pending (the enrolled one, if any, stays valid until confirmation).
  Result<void> begin_totp(std::int64_t id, std::string_view secret, std::string_view actor);
  Result<std::optional<std::string>> pending_totp_secret(std::int64_t id);
  Result<std::optional<std::string>> totp_secret(std::int64_t id);
  /// The pending secret becomes the enrolled one, `step` the last used step, and `recovery_hashes`
  /// replace every earlier recovery code (audited user.totp_enrol).
  Result<void> confirm_totp(std::int64_t id, std::int64_t step, const std::vector<std::string>& recovery_hashes,
                            std::string_view actor);
  /// Removes TOTP and the recovery codes (an admin's reset; audited user.totp_reset).
  Result<void> remove_totp(std::int64_t id, std::string_view actor);
  /// Records `step` as used; conflict when it is not newer than the last accepted step (a replay).
  Result<void> use_totp_step(std::int64_t id, std::int64_t step);
  /// Marks an unused recovery code with this hash used (audited auth.recovery_code); not_found otherwise.
  Result<void> use_recovery_code(std::int64_t id, std::string_view code_hash);

  Result<void> create_session(const SessionRecord& session);
  Result<std::optional<SessionRecord>> find_session(std::string_view id_hash);
  Result<void> touch_session(std::string_view id_hash, TimePoint now);
  Result<void> set_step_up(std::string_view id_hash, TimePoint now);
  /// false when there was no such session.
  Result<bool> delete_session(std::string_view id_hash);
  /// Ends every session of the user; returns how many.
  Result<std::int64_t> delete_sessions_of(std::int64_t user_id);
  /// Removes sessions past their absolute end or idle for longer than `idle`.
  Result<std::int64_t> purge_sessions(TimePoint now, std::chrono::seconds idle);
  Result<std::int64_t> count_sessions(std::int64_t user_id);

  /// The end of a running lock for this key, or nullopt.
  Result<std::optional<TimePoint>> locked_until(ThrottleScope scope, std::string_view key, TimePoint now);
  /// Counts a failure; reaching policy.max_failures locks the key (audited auth.lockout, actor "system").
  Result<ThrottleState> record_failure(ThrottleScope scope, std::string_view key, TimePoint now,
                                       const ThrottlePolicy& policy);
  Result<void> clear_failures(ThrottleScope scope, std::string_view key);
  /// Lifts an account lock (audited user.unlock).
  Result<void> unlock(std::string_view name, std::string_view actor);

  /// Appends one audit entry in its own transaction (login outcomes and other events of the caller).
  Result<void> audit(const AuditRecord& record);

 private:
  Result<void> end_sessions_in_transaction(std::int64_t id);

  Store& store_;
  const SecretKey& secrets_key_;
};

}  // namespace bankrec::store
