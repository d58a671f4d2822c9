#include "bankrec/store/users_repo.h"

#include <array>
#include <cstdio>

#include "bankrec/domain/json.h"
#include "hex.h"
#include "sodium_init.h"

namespace bankrec::store {
namespace {

constexpr std::array<const char*, 4> kRoleNames = {"viewer", "accountant", "approver", "admin"};

constexpr std::string_view kUserColumns =
    "u.id, u.name, u.role, u.disabled, u.totp_enrolled_at, u.totp_pending IS NOT NULL, u.last_login_at, "
    "u.password_changed_at, u.created_at, u.updated_at, "
    "(SELECT count(*) FROM user_recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL), "
    "(SELECT t.locked_until FROM login_throttle t WHERE t.scope = 'account' AND t.key = u.name)";

std::optional<std::string> opt_text(const Query& q, int i) {
  if (q.column_is_null(i)) return std::nullopt;
  return q.column_text(i);
}

std::optional<TimePoint> parse_time(std::string_view text) {
  // utc_timestamp() writes "YYYY-MM-DDTHH:MM:SS.mmmZ".
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &d, &h, &mi, &s, &ms) < 6) return std::nullopt;
  const auto day = std::chrono::sys_days{std::chrono::year{y} / mo / d};
  return TimePoint(day) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s) +
         std::chrono::milliseconds(ms);
}

TimePoint time_or_epoch(const Query& q, int i) {
  if (q.column_is_null(i)) return TimePoint{};
  return parse_time(q.column_text_view(i)).value_or(TimePoint{});
}

UserRecord read_user(const Query& q, TimePoint now) {
  UserRecord u;
  u.id = q.column_int(0);
  u.name = q.column_text(1);
  u.role = parse_role(q.column_text_view(2)).value_or(Role::viewer);
  u.disabled = q.column_int(3) != 0;
  u.totp_enrolled_at = opt_text(q, 4);
  u.totp_enrolled = u.totp_enrolled_at.has_value();
  u.totp_pending = q.column_int(5) != 0;
  u.last_login_at = opt_text(q, 6);
  u.password_changed_at = opt_text(q, 7);
  u.created_at = q.column_text(8);
  u.updated_at = q.column_text(9);
  u.recovery_codes_left = q.column_int(10);
  if (auto locked = opt_text(q, 11); locked && parse_time(*locked).value_or(TimePoint{}) > now) u.locked_until = locked;
  return u;
}

const char* scope_name(ThrottleScope scope) { return scope == ThrottleScope::account ? "account" : "address"; }

/// The TOTP sealing key: a subkey of the secrets key, so it is never used for anything else.
std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_KEYBYTES> totp_key(const SecretKey& master) {
  ensure_sodium();
  std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_KEYBYTES> key{};
  crypto_kdf_derive_from_key(key.data(), key.size(), 1, "bkusers1", master.bytes().data());
  return key;
}

std::string bound_to(std::int64_t id) { return "totp:" + std::to_string(id); }

std::string seal(const SecretKey& master, std::int64_t id, std::string_view secret) {
  auto key = totp_key(master);
  std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  std::vector<unsigned char> sealed(secret.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long sealed_len = 0;
  const std::string ad = bound_to(id);
  crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.data(), &sealed_len,
                                             reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
                                             nonce.data(), key.data());
  sodium_memzero(key.data(), key.size());
  return "v1:" + to_hex(nonce) + ":" + to_hex(std::span(sealed.data(), sealed_len));
}

Result<std::string> unseal(const SecretKey& master, std::int64_t id, std::string_view text) {
  const std::string where = "users[" + std::to_string(id) + "].totp";
  if (!text.starts_with("v1:") || text.size() < 3 + 2 * crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + 1)
    return fail(Errc::internal, "stored totp secret is malformed", where);
  std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
  const std::string_view nonce_hex = text.substr(3, 2 * nonce.size());
  const auto sealed = from_hex(text.substr(4 + nonce_hex.size()));
  if (!from_hex(nonce_hex, nonce) || !sealed || sealed->size() < crypto_aead_xchacha20poly1305_ietf_ABYTES)
    return fail(Errc::internal, "stored totp secret is malformed", where);
  auto key = totp_key(master);
  std::string plain(sealed->size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long plain_len = 0;
  const std::string ad = bound_to(id);
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(plain.data()), &plain_len, nullptr, sealed->data(), sealed->size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce.data(), key.data());
  sodium_memzero(key.data(), key.size());
  if (rc != 0)
    return fail(Errc::permission_denied,
                "stored totp secret does not decrypt (wrong secrets key, or the row belongs to another user)", where);
  plain.resize(plain_len);
  return plain;
}

std::string quote(std::string_view s) { return domain::json_quote(s); }

}  // namespace

const char* role_name(Role role) noexcept { return kRoleNames[static_cast<std::size_t>(role)]; }

Result<Role> parse_role(std::string_view name) {
  for (std::size_t i = 0; i < kRoleNames.size(); ++i)
    if (name == kRoleNames[i]) return static_cast<Role>(i);
  return fail(Errc::invalid_input,
              "unknown role '" + std::string(name) + "' (expected viewer, accountant, approver or admin)");
}

Result<void> UsersRepo::validate_name(std::string_view name) {
  const auto bad = [&] {
    return fail(Errc::invalid_input, "invalid user name '" + std::string(name.substr(0, kMaxNameBytes)) +
                                         "' (1 to 64 of a-z 0-9 . _ @ -, starting with a letter or digit)");
  };
  if (name.empty() || name.size() > kMaxNameBytes) return bad();
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '@' && c != '-'))) return bad();
  }
  return ok();
}

Result<std::int64_t> UsersRepo::create(std::string_view name, Role role, std::string_view password_hash,
                                       std::string_view actor) {
  BANKREC_TRY(validate_name(name));
  std::int64_t id = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    Query exists = BANKREC_TRY(db.prepare("SELECT id FROM users WHERE name = ?1"));
    exists.bind(1, name);
    if (BANKREC_TRY(exists.step())) return fail(Errc::conflict, "user '" + std::string(name) + "' already exists");
    const std::string now = utc_timestamp(store_.clock().now());
    Query q = BANKREC_TRY(db.prepare(
        "INSERT INTO users(name, role, password_hash, password_changed_at, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?4, ?4)"));
    q.bind(1, name).bind(2, role_name(role)).bind(4, now);
    if (password_hash.empty()) q.bind_null(3); else q.bind(3, password_hash);
    BANKREC_TRY(q.run());
    id = db.last_insert_rowid();
    BANKREC_TRY(store_.audit().append({std::string(actor), "user.create", "user", std::string(name),
                                       "{\"role\":\"" + std::string(role_name(role)) + "\"}"}));
    return ok();
  }));
  return id;
}

Result<std::optional<UserRecord>> UsersRepo::find(std::string_view name) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kUserColumns) + " FROM users u WHERE u.name = ?1"));
  q.bind(1, name);
  if (!BANKREC_TRY(q.step())) return std::optional<UserRecord>();
  return std::optional<UserRecord>(read_user(q, store_.clock().now()));
}

Result<UserRecord> UsersRepo::get(std::int64_t id) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kUserColumns) + " FROM users u WHERE u.id = ?1"));
  q.bind(1, id);
  if (!BANKREC_TRY(q.step())) return fail(Errc::not_found, "no user with id " + std::to_string(id));
  return read_user(q, store_.clock().now());
}

Result<std::vector<UserRecord>> UsersRepo::list() {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kUserColumns) + " FROM users u ORDER BY u.name"));
  std::vector<UserRecord> out;
  const auto now = store_.clock().now();
  while (BANKREC_TRY(q.step())) out.push_back(read_user(q, now));
  return out;
}

Result<std::optional<Credentials>> UsersRepo::credentials(std::string_view name) {
  Query q = BANKREC_TRY(store_.db().prepare(
      "SELECT id, name, role, disabled, totp_enrolled_at IS NOT NULL, coalesce(password_hash, '') FROM users "
      "WHERE name = ?1"));
  q.bind(1, name);
  if (!BANKREC_TRY(q.step())) return std::optional<Credentials>();
  Credentials c;
  c.user_id = q.column_int(0);
  c.name = q.column_text(1);
  c.role = parse_role(q.column_text_view(2)).value_or(Role::viewer);
  c.disabled = q.column_int(3) != 0;
  c.totp_enrolled = q.column_int(4) != 0;
  c.password_hash = q.column_text(5);
  return std::optional<Credentials>(std::move(c));
}

Result<void> UsersRepo::end_sessions_in_transaction(std::int64_t id) {
  Query q = BANKREC_TRY(store_.db().prepare("DELETE FROM sessions WHERE user_id = ?1"));
  q.bind(1, id);
  return q.run();
}

Result<void> UsersRepo::set_password(std::int64_t id, std::string_view password_hash, std::string_view actor) {
  const UserRecord user = BANKREC_TRY(get(id));
  return store_.write([&]() -> Result<void> {
    const std::string now = utc_timestamp(store_.clock().now());
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE users SET password_hash = ?2, password_changed_at = ?3, updated_at = ?3 WHERE id = ?1"));
    q.bind(1, id).bind(2, password_hash).bind(3, now);
    BANKREC_TRY(q.run());
    BANKREC_TRY(end_sessions_in_transaction(id));
    BANKREC_TRY(store_.audit().append({std::string(actor), "user.password", "user", user.name, "{}"}));
    return ok();
  });
}

Result<void> UsersRepo::upgrade_password_hash(std::int64_t id, std::string_view password_hash) {
  const UserRecord user = BANKREC_TRY(get(id));
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare("UPDATE users SET password_hash = ?2 WHERE id = ?1"));
    q.bind(1, id).bind(2, password_hash);
    BANKREC_TRY(q.run());
    BANKREC_TRY(store_.audit().append({"system", "user.password_rehash", "user", user.name, "{}"}));
    return ok();
  });
}

Result<void> UsersRepo::set_role(std::int64_t id, Role role, std::string_view actor) {
  const UserRecord user = BANKREC_TRY(get(id));
  if (user.role == role) return ok();
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare("UPDATE users SET role = ?2, updated_at = ?3 WHERE id = ?1"));
    q.bind(1, id).bind(2, role_name(role)).bind(3, utc_timestamp(store_.clock().now()));
    BANKREC_TRY(q.run());
    BANKREC_TRY(store_.audit().append({std::string(actor), "user.role", "user", user.name,
                                       "{\"before\":\"" + std::string(role_name(user.role)) + "\",\"after\":\"" +
                                           role_name(role) + "\"}"}));
    return ok();
  });
}

Result<void> UsersRepo::set_disabled(std::int64_t id, bool disabled, std::string_view actor) {
  const UserRecord user = BANKREC_TRY(get(id));
  if (user.disabled == disabled) return ok();
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare("UPDATE users SET disabled = ?2, updated_at = ?3 WHERE id = ?1"));
    q.bind(1, id).bind(2, std::int64_t{disabled ? 1 : 0}).bind(3, utc_timestamp(store_.clock().now()));
    BANKREC_TRY(q.run());
    if (disabled) BANKREC_TRY(end_sessions_in_transaction(id));
    BANKREC_TRY(store_.audit().append({std::string(actor), disabled ? "user.disable" : "user.enable", "user", user.name, "{}"}));
    return ok();
  });
}

Result<void> UsersRepo::record_login(std::int64_t id, TimePoint now) {
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare("UPDATE users SET last_login_at = ?2 WHERE id = ?1"));
    q.bind(1, id).bind(2, utc_timestamp(now));
    return q.run();
  });
}

Result<void> UsersRepo::begin_totp(std::int64_t id, std::string_view secret, std::string_view actor) {
  const UserRecord user = BANKREC_TRY(get(id));
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare("UPDATE users SET totp_pending = ?2, updated_at = ?3 WHERE id = ?1"));
    q.bind(1, id).bind(2, seal(secrets_key_, id, secret)).bind(3, utc_timestamp(store_.clock().now()));
    BANKREC_TRY(q.run());
    BANKREC_TRY(store_.audit().append({std::string(actor), "user.totp_begin", "user", user.name, "{}"}));
    return ok();
  });
}

Result<std::optional<std::string>> UsersRepo::pending_totp_secret(std::int64_t id) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT totp_pending FROM users WHERE id = ?1 AND totp_pending IS NOT NULL"));
  q.bind(1, id);
  if (!BANKREC_TRY(q.step())) return std::optional<std::string>();
  return std::optional<std::string>(BANKREC_TRY(unseal(secrets_key_, id, q.column_text_view(0))));
}

Result<std::optional<std::string>> UsersRepo::totp_secret(std::int64_t id) {
  Query q = BANKREC_TRY(store_.db().prepare(
      "SELECT totp_secret FROM users WHERE id = ?1 AND totp_secret IS NOT NULL AND totp_enrolled_at IS NOT NULL"));
  q.bind(1, id);
  if (!BANKREC_TRY(q.step())) return std::optional<std::string>();
  return std::optional<std::string>(BANKREC_TRY(unseal(secrets_key_, id, q.column_text_view(0))));
}

Result<void> UsersRepo::confirm_totp(std::int64_t id, std::int64_t step, const std::vector<std::string>& recovery_hashes,
                                     std::string_view actor) {
  const UserRecord user = BANKREC_TRY(get(id));
  return store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    Query q = BANKREC_TRY(db.prepare(
        "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_enrolled_at = ?2, "
        "totp_last_step = ?3, updated_at = ?2 WHERE id = ?1 AND totp_pending IS NOT NULL"));
    q.bind(1, id).bind(2, now).bind(3, step);
    BANKREC_TRY(q.run());
    if (db.changes() == 0) return fail(Errc::conflict, "no totp enrolment is waiting for user '" + user.name + "'");
    Query del = BANKREC_TRY(db.prepare("DELETE FROM user_recovery_codes WHERE user_id = ?1"));
    del.bind(1, id);
    BANKREC_TRY(del.run());
    Query add = BANKREC_TRY(db.prepare("INSERT INTO user_recovery_codes(user_id, code_hash, created_at) VALUES (?1, ?2, ?3)"));
    for (const auto& hash : recovery_hashes) {
      add.bind(1, id).bind(2, hash).bind(3, now);
      BANKREC_TRY(add.run());
    }
    BANKREC_TRY(store_.audit().append({std::string(actor), "user.totp_enrol", "user", user.name,
                                       "{\"recovery_codes\":" + std::to_string(recovery_hashes.size()) + "}"}));
    return ok();
  });
}

Result<void> UsersRepo::remove_totp(std::int64_t id, std::string_view actor) {
  const UserRecord user = BANKREC_TRY(get(id));
  return store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    Query q = BANKREC_TRY(db.prepare(
        "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_enrolled_at = NULL, totp_last_step = NULL, "
        "updated_at = ?2 WHERE id = ?1"));
    q.bind(1, id).bind(2, utc_timestamp(store_.clock().now()));
    BANKREC_TRY(q.run());
    Query del = BANKREC_TRY(db.prepare("DELETE FROM user_recovery_codes WHERE user_id = ?1"));
    del.bind(1, id);
    BANKREC_TRY(del.run());
    BANKREC_TRY(store_.audit().append({std::string(actor), "user.totp_reset", "user", user.name, "{}"}));
    return ok();
  });
}

Result<void> UsersRepo::use_totp_step(std::int64_t id, std::int64_t step) {
  return store_.write([&]() -> Result<void> {
    // Compare and set in one statement: two requests with the same code cannot both pass.
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE users SET totp_last_step = ?2 WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)"));
    q.bind(1, id).bind(2, step);
    BANKREC_TRY(q.run());
    if (store_.db().changes() == 0) return fail(Errc::conflict, "totp code was already used");
    return ok();
  });
}

Result<void> UsersRepo::use_recovery_code(std::int64_t id, std::string_view code_hash) {
  const UserRecord user = BANKREC_TRY(get(id));
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE user_recovery_codes SET used_at = ?3 WHERE user_id = ?1 AND code_hash = ?2 AND used_at IS NULL"));
    q.bind(1, id).bind(2, code_hash).bind(3, utc_timestamp(store_.clock().now()));
    BANKREC_TRY(q.run());
    if (store_.db().changes() == 0) return fail(Errc::not_found, "no such unused recovery code");
    BANKREC_TRY(store_.audit().append({user.name, "auth.recovery_code", "user", user.name,
                                       "{\"left\":" + std::to_string(user.recovery_codes_left - 1) + "}"}));
    return ok();
  });
}

Result<void> UsersRepo::create_session(const SessionRecord& s) {
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare(
        "INSERT INTO sessions(id, user_id, csrf_token_hash, created_at, last_seen_at, expires_at, step_up_at, client) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    q.bind(1, s.id_hash).bind(2, s.user_id).bind(3, s.csrf_token_hash).bind(4, utc_timestamp(s.created_at));
    q.bind(5, utc_timestamp(s.last_seen_at)).bind(6, utc_timestamp(s.expires_at)).bind(8, s.client);
    if (s.step_up_at) q.bind(7, utc_timestamp(*s.step_up_at)); else q.bind_null(7);
    return q.run();
  });
}

Result<std::optional<SessionRecord>> UsersRepo::find_session(std::string_view id_hash) {
  Query q = BANKREC_TRY(store_.db().prepare(
      "SELECT id, user_id, csrf_token_hash, created_at, last_seen_at, expires_at, step_up_at, coalesce(client, '') "
      "FROM sessions WHERE id = ?1"));
  q.bind(1, id_hash);
  if (!BANKREC_TRY(q.step())) return std::optional<SessionRecord>();
  SessionRecord s;
  s.id_hash = q.column_text(0);
  s.user_id = q.column_int(1);
  s.csrf_token_hash = q.column_text(2);
  s.created_at = time_or_epoch(q, 3);
  s.last_seen_at = time_or_epoch(q, 4);
  s.expires_at = time_or_epoch(q, 5);
  if (!q.column_is_null(6)) s.step_up_at = time_or_epoch(q, 6);
  s.client = q.column_text(7);
  return std::optional<SessionRecord>(std::move(s));
}

Result<void> UsersRepo::touch_session(std::string_view id_hash, TimePoint now) {
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare("UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1"));
    q.bind(1, id_hash).bind(2, utc_timestamp(now));
    return q.run();
  });
}

Result<void> UsersRepo::set_step_up(std::string_view id_hash, TimePoint now) {
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare("UPDATE sessions SET step_up_at = ?2, last_seen_at = ?2 WHERE id = ?1"));
    q.bind(1, id_hash).bind(2, utc_timestamp(now));
    return q.run();
  });
}

Result<bool> UsersRepo::delete_session(std::string_view id_hash) {
  bool found = false;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare("DELETE FROM sessions WHERE id = ?1"));
    q.bind(1, id_hash);
    BANKREC_TRY(q.run());
    found = store_.db().changes() > 0;
    return ok();
  }));
  return found;
}

Result<std::int64_t> UsersRepo::delete_sessions_of(std::int64_t user_id) {
  std::int64_t n = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    BANKREC_TRY(end_sessions_in_transaction(user_id));
    n = store_.db().changes();
    return ok();
  }));
  return n;
}

Result<std::int64_t> UsersRepo::purge_sessions(TimePoint now, std::chrono::seconds idle) {
  std::int64_t n = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2"));
    q.bind(1, utc_timestamp(now)).bind(2, utc_timestamp(now - idle));
    BANKREC_TRY(q.run());
    n = store_.db().changes();
    return ok();
  }));
  return n;
}

Result<std::int64_t> UsersRepo::count_sessions(std::int64_t user_id) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT count(*) FROM sessions WHERE user_id = ?1"));
  q.bind(1, user_id);
  BANKREC_TRY(q.step());
  return q.column_int(0);
}

Result<std::optional<TimePoint>> UsersRepo::locked_until(ThrottleScope scope, std::string_view key, TimePoint now) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT locked_until FROM login_throttle WHERE scope = ?1 AND key = ?2"));
  q.bind(1, scope_name(scope)).bind(2, key);
  if (!BANKREC_TRY(q.step()) || q.column_is_null(0)) return std::optional<TimePoint>();
  const auto until = parse_time(q.column_text_view(0));
  if (!until || *until <= now) return std::optional<TimePoint>();
  return until;
}

Result<ThrottleState> UsersRepo::record_failure(ThrottleScope scope, std::string_view key, TimePoint now,
                                                const ThrottlePolicy& policy) {
  ThrottleState state;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    Query read = BANKREC_TRY(db.prepare(
        "SELECT failures, window_start, locked_until, lockouts FROM login_throttle WHERE scope = ?1 AND key = ?2"));
    read.bind(1, scope_name(scope)).bind(2, key);
    std::int64_t failures = 0, lockouts = 0;
    TimePoint window_start = now;
    std::optional<TimePoint> locked;
    const bool exists = BANKREC_TRY(read.step());
    if (exists) {
      failures = read.column_int(0);
      window_start = time_or_epoch(read, 1);
      if (!read.column_is_null(2)) locked = time_or_epoch(read, 2);
      lockouts = read.column_int(3);
    }
    if (locked && *locked > now) {  // already locked: the attempt counts for nothing more
      state.locked_until = locked;
      return ok();
    }
    if (now - window_start >= policy.window) {
      failures = 0;
      window_start = now;
    }
    ++failures;
    locked.reset();
    if (failures >= policy.max_failures) {
      locked = now + policy.lockout;
      failures = 0;
      ++lockouts;
      state.locked_now = true;
    }
    Query del = BANKREC_TRY(db.prepare("DELETE FROM login_throttle WHERE scope = ?1 AND key = ?2"));
    del.bind(1, scope_name(scope)).bind(2, key);
    BANKREC_TRY(del.run());
    Query write = BANKREC_TRY(db.prepare(
        "INSERT INTO login_throttle(scope, key, failures, window_start, locked_until, lockouts) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    write.bind(1, scope_name(scope)).bind(2, key).bind(3, failures).bind(4, utc_timestamp(window_start));
    if (locked) write.bind(5, utc_timestamp(*locked)); else write.bind_null(5);
    write.bind(6, lockouts);
    BANKREC_TRY(write.run());
    state.failures = failures;
    state.locked_until = locked;
    if (state.locked_now)
      BANKREC_TRY(store_.audit().append({"system", "auth.lockout", scope == ThrottleScope::account ? "user" : "address",
                                         std::string(key),
                                         "{\"scope\":\"" + std::string(scope_name(scope)) + "\",\"until\":" +
                                             quote(utc_timestamp(*locked)) + ",\"lockouts\":" +
                                             std::to_string(lockouts) + "}"}));
    return ok();
  }));
  return state;
}

Result<void> UsersRepo::clear_failures(ThrottleScope scope, std::string_view key) {
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE login_throttle SET failures = 0 WHERE scope = ?1 AND key = ?2 AND failures > 0"));
    q.bind(1, scope_name(scope)).bind(2, key);
    return q.run();
  });
}

Result<void> UsersRepo::unlock(std::string_view name, std::string_view actor) {
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE login_throttle SET failures = 0, locked_until = NULL WHERE scope = 'account' AND key = ?1"));
    q.bind(1, name);
    BANKREC_TRY(q.run());
    BANKREC_TRY(store_.audit().append({std::string(actor), "user.unlock", "user", std::string(name), "{}"}));
    return ok();
  });
}

Result<void> UsersRepo::audit(const AuditRecord& record) {
  return store_.write([&]() -> Result<void> {
    BANKREC_TRY(store_.audit().append(record));
    return ok();
  });
}

}  // namespace bankrec::store
