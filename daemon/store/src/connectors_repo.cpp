#include "bankrec/store/connectors_repo.h"

#include <algorithm>
#include <cstring>

#include "bankrec/domain/json.h"
#include "bankrec/store/audit_log.h"
#include "sodium_init.h"

namespace bankrec::store {
namespace {

constexpr std::string_view kConnectorColumns =
    "id, name, kind, settings_json, coalesce(schedule, ''), enabled, state, state_detail, last_run_at, last_status, "
    "last_success_at";

std::optional<std::string> opt_text(const Query& q, int i) {
  if (q.column_is_null(i)) return std::nullopt;
  return q.column_text(i);
}

std::optional<domain::Date> opt_date(const Query& q, int i) {
  if (q.column_is_null(i)) return std::nullopt;
  auto d = domain::parse_iso_date(q.column_text_view(i));
  if (!d) return std::nullopt;
  return *d;
}

ConnectorRow read_connector(const Query& q) {
  ConnectorRow r;
  r.id = q.column_int(0);
  r.name = q.column_text(1);
  r.kind = q.column_text(2);
  r.settings_json = q.column_text(3);
  r.schedule = q.column_text(4);
  r.enabled = q.column_int(5) != 0;
  r.state = q.column_text(6);
  r.state_detail = opt_text(q, 7);
  r.last_run_at = opt_text(q, 8);
  r.last_status = opt_text(q, 9);
  r.last_success_at = opt_text(q, 10);
  return r;
}

std::optional<TimePoint> parse_time(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  // utc_timestamp() writes "YYYY-MM-DDTHH:MM:SS.mmmZ".
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  if (std::sscanf(text->c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &d, &h, &mi, &s, &ms) < 6) return std::nullopt;
  const auto day = std::chrono::sys_days{std::chrono::year{y} / mo / d};
  return TimePoint(day) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s) +
         std::chrono::milliseconds(ms);
}

std::optional<std::string> time_text(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return utc_timestamp(*t);
}

/// What is authenticated with each secret: a row copied to another connector or kind fails.
std::string bound_plaintext(std::string_view name, std::string_view kind, std::string_view value) {
  std::string out;
  out.reserve(name.size() + kind.size() + value.size() + 2);
  out.append(name).push_back('\0');
  out.append(kind).push_back('\0');
  out.append(value);
  return out;
}

struct Sealed {
  std::string nonce, ciphertext;
};

Sealed seal(const SecretKey& key, std::string_view name, std::string_view kind, std::string_view value) {
  ensure_sodium();
  const std::string plain = bound_plaintext(name, kind, value);
  Sealed s;
  s.nonce.resize(crypto_secretbox_NONCEBYTES);
  randombytes_buf(s.nonce.data(), s.nonce.size());
  s.ciphertext.resize(plain.size() + crypto_secretbox_MACBYTES);
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(s.ciphertext.data()),
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                        reinterpret_cast<const unsigned char*>(s.nonce.data()), key.bytes().data());
  std::string wipe = plain;
  sodium_memzero(wipe.data(), wipe.size());
  return s;
}

Result<std::string> open_sealed(const SecretKey& key, std::string_view name, std::string_view kind,
                                std::string_view nonce, std::string_view ciphertext) {
  ensure_sodium();
  const std::string where = "connector_tokens[" + std::string(name) + "." + std::string(kind) + "]";
  if (nonce.size() != crypto_secretbox_NONCEBYTES || ciphertext.size() < crypto_secretbox_MACBYTES)
    return fail(Errc::internal, "stored secret is malformed", where);
  std::string plain(ciphertext.size() - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 reinterpret_cast<const unsigned char*>(ciphertext.data()), ciphertext.size(),
                                 reinterpret_cast<const unsigned char*>(nonce.data()), key.bytes().data()) != 0)
    return fail(Errc::permission_denied,
                "stored secret does not decrypt (connectors.key is not the one it was stored with)", where);
  const std::string prefix = bound_plaintext(name, kind, "");
  if (plain.compare(0, prefix.size(), prefix) != 0) {
    sodium_memzero(plain.data(), plain.size());
    return fail(Errc::permission_denied, "stored secret belongs to another connector or kind", where);
  }
  std::string value = plain.substr(prefix.size());
  sodium_memzero(plain.data(), plain.size());
  return value;
}

Result<void> write_one(Database& db, const SecretKey& key, std::int64_t id, std::string_view name,
                       const ValueWrite& w, const std::string& now) {
  const char* table = w.secret ? "connector_tokens" : "connector_values";
  const char* column = w.secret ? "kind" : "key";
  Query del = BANKREC_TRY(db.prepare(std::string("DELETE FROM ") + table + " WHERE connector_id = ?1 AND " + column + " = ?2"));
  del.bind(1, id).bind(2, w.key);
  BANKREC_TRY(del.run());
  if (!w.value) return ok();
  if (!w.secret) {
    Query q = BANKREC_TRY(db.prepare(
        "INSERT INTO connector_values(connector_id, key, value, expires_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
    q.bind(1, id).bind(2, w.key).bind(3, *w.value).bind(4, time_text(w.expires)).bind(5, now);
    return q.run();
  }
  const Sealed s = seal(key, name, w.key, *w.value);
  Query q = BANKREC_TRY(db.prepare(
      "INSERT INTO connector_tokens(connector_id, kind, nonce, ciphertext, expires_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  // Bound as text of raw bytes; SQLite keeps them byte-exact (length-counted).
  q.bind(1, id).bind(2, w.key).bind(3, s.nonce).bind(4, s.ciphertext).bind(5, time_text(w.expires)).bind(6, now);
  return q.run();
}

bool is_valid_key(std::string_view key) {
  return !key.empty() && key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
  });
}

Result<void> append_audit(Store& store, const AuditRecord& record) {
  BANKREC_TRY(store.audit().append(record));
  return ok();
}

}  // namespace

Result<SecretKey> open_connectors_key(const KeyLocations& where, bool create) {
  if (auto found = find_key_file(where, kConnectorsKeyFileName)) return load_secret_key(*found);
  const auto path = where.data_dir / kConnectorsKeyFileName;
  if (!create)
    return fail(Errc::not_found, "no connectors key (it is made by the first `bankrec connector secret`)",
                path.string());
  SecretKey key = SecretKey::generate();
  BANKREC_TRY(write_key_file(path, key.bytes()));
  return key;
}

Result<std::int64_t> ConnectorsRepo::connector_id(std::string_view name) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT id FROM connectors WHERE name = ?1"));
  q.bind(1, name);
  if (!BANKREC_TRY(q.step()))
    return fail(Errc::not_found, "unknown connector '" + std::string(name) + "' (configure it under connectors: in bankrec.yaml)");
  return q.column_int(0);
}

Result<void> ConnectorsRepo::sync(const std::vector<ConnectorDefinition>& definitions, std::string_view actor) {
  Database& db = store_.db();
  return store_.write([&]() -> Result<void> {
    const std::string now = utc_timestamp(store_.clock().now());
    for (const auto& d : definitions) {
      Query find = BANKREC_TRY(db.prepare("SELECT id, kind, settings_json, coalesce(schedule, ''), enabled FROM connectors WHERE name = ?1"));
      find.bind(1, d.name);
      if (!BANKREC_TRY(find.step())) {
        Query ins = BANKREC_TRY(db.prepare(
            "INSERT INTO connectors(name, kind, enabled, settings_json, schedule, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"));
        ins.bind(1, d.name).bind(2, d.kind).bind(3, std::int64_t{d.enabled}).bind(4, d.settings_json).bind(5, d.schedule).bind(6, now);
        BANKREC_TRY(ins.run());
      } else {
        const std::int64_t id = find.column_int(0);
        const bool same = find.column_text(1) == d.kind && find.column_text(2) == d.settings_json &&
                          find.column_text(3) == d.schedule && (find.column_int(4) != 0) == d.enabled;
        if (same) continue;
        Query up = BANKREC_TRY(db.prepare(
            "UPDATE connectors SET kind = ?2, enabled = ?3, settings_json = ?4, schedule = ?5, updated_at = ?6 WHERE id = ?1"));
        up.bind(1, id).bind(2, d.kind).bind(3, std::int64_t{d.enabled}).bind(4, d.settings_json).bind(5, d.schedule).bind(6, now);
        BANKREC_TRY(up.run());
      }
      BANKREC_TRY(store_.audit().append({std::string(actor), "connector.configure", "connector", d.name,
                                         "{\"kind\":" + domain::json_quote(d.kind) + ",\"enabled\":" +
                                             (d.enabled ? "true" : "false") + "}"}));
    }
    // Connectors no longer in the config stay (history, secrets) but are disabled.
    Query all = BANKREC_TRY(db.prepare("SELECT name FROM connectors WHERE enabled = 1"));
    std::vector<std::string> stale;
    while (BANKREC_TRY(all.step())) {
      const std::string name = all.column_text(0);
      if (std::none_of(definitions.begin(), definitions.end(), [&](const auto& d) { return d.name == name; }))
        stale.push_back(name);
    }
    for (const auto& name : stale) {
      Query off = BANKREC_TRY(db.prepare("UPDATE connectors SET enabled = 0, updated_at = ?2 WHERE name = ?1"));
      off.bind(1, name).bind(2, now);
      BANKREC_TRY(off.run());
      BANKREC_TRY(store_.audit().append({std::string(actor), "connector.configure", "connector", name,
                                         "{\"enabled\":false,\"reason\":\"not in the configuration\"}"}));
    }
    return ok();
  });
}

Result<std::vector<ConnectorRow>> ConnectorsRepo::list() {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kConnectorColumns) + " FROM connectors ORDER BY name"));
  std::vector<ConnectorRow> out;
  while (BANKREC_TRY(q.step())) out.push_back(read_connector(q));
  return out;
}

Result<std::optional<ConnectorRow>> ConnectorsRepo::find(std::string_view name) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kConnectorColumns) + " FROM connectors WHERE name = ?1"));
  q.bind(1, name);
  if (!BANKREC_TRY(q.step())) return std::optional<ConnectorRow>();
  return std::optional<ConnectorRow>(read_connector(q));
}

Result<ConnectorRow> ConnectorsRepo::get(std::string_view name) {
  auto row = BANKREC_TRY(find(name));
  if (!row)
    return fail(Errc::not_found, "unknown connector '" + std::string(name) + "' (configure it under connectors: in bankrec.yaml)");
  return std::move(*row);
}

Result<void> ConnectorsRepo::set_state(std::string_view name, std::string_view state, std::optional<std::string> detail) {
  if (state != "active" && state != "needs_consent" && state != "disabled")
    return fail(Errc::invalid_input, "connector state must be active, needs_consent or disabled");
  return store_.write([&]() -> Result<void> {
    const std::int64_t id = BANKREC_TRY(connector_id(name));
    Query q = BANKREC_TRY(store_.db().prepare("UPDATE connectors SET state = ?2, state_detail = ?3, updated_at = ?4 WHERE id = ?1"));
    q.bind(1, id).bind(2, state).bind(3, detail).bind(4, utc_timestamp(store_.clock().now()));
    return q.run();
  });
}

Result<void> ConnectorsRepo::record_run(std::string_view name, std::string_view status, bool success) {
  return store_.write([&]() -> Result<void> {
    const std::int64_t id = BANKREC_TRY(connector_id(name));
    const std::string now = utc_timestamp(store_.clock().now());
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE connectors SET last_run_at = ?2, last_status = ?3, "
        "last_success_at = CASE WHEN ?4 THEN ?2 ELSE last_success_at END WHERE id = ?1"));
    q.bind(1, id).bind(2, now).bind(3, status).bind(4, std::int64_t{success});
    BANKREC_TRY(q.run());
    return append_audit(store_, {std::string(name), "connector.run", "connector", std::string(name),
                                  "{\"status\":" + domain::json_quote(status) + "}"});
  });
}

Result<std::optional<StoredValue>> ConnectorsRepo::read(std::string_view name, std::string_view key, bool secret) {
  const std::int64_t id = BANKREC_TRY(connector_id(name));
  Query q = BANKREC_TRY(store_.db().prepare(
      secret ? "SELECT nonce, ciphertext, expires_at FROM connector_tokens WHERE connector_id = ?1 AND kind = ?2"
             : "SELECT value, '', expires_at FROM connector_values WHERE connector_id = ?1 AND key = ?2"));
  q.bind(1, id).bind(2, key);
  if (!BANKREC_TRY(q.step())) return std::optional<StoredValue>();
  StoredValue v;
  v.expires = parse_time(opt_text(q, 2));
  if (!secret) {
    v.value = q.column_text(0);
    return std::optional<StoredValue>(std::move(v));
  }
  v.value = BANKREC_TRY(open_sealed(key_, name, key, q.column_text_view(0), q.column_text_view(1)));
  return std::optional<StoredValue>(std::move(v));
}

Result<void> ConnectorsRepo::write(std::string_view name, const std::vector<ValueWrite>& writes) {
  for (const auto& w : writes)
    if (!is_valid_key(w.key)) return fail(Errc::invalid_input, "invalid connector state key '" + w.key + "'");
  return store_.write([&]() -> Result<void> {
    const std::int64_t id = BANKREC_TRY(connector_id(name));
    const std::string now = utc_timestamp(store_.clock().now());
    for (const auto& w : writes) BANKREC_TRY(write_one(store_.db(), key_, id, name, w, now));
    return ok();
  });
}

Result<void> ConnectorsRepo::store_secret(std::string_view name, std::string_view kind, std::string_view value,
                                          std::string_view actor) {
  if (!is_valid_key(kind)) return fail(Errc::invalid_input, "invalid secret kind '" + std::string(kind) + "'");
  if (value.empty()) return fail(Errc::invalid_input, "empty secret (the value is read from standard input)");
  return store_.write([&]() -> Result<void> {
    const std::int64_t id = BANKREC_TRY(connector_id(name));
    const std::string now = utc_timestamp(store_.clock().now());
    BANKREC_TRY(write_one(store_.db(), key_, id, name, {std::string(kind), std::string(value), true, {}}, now));
    return append_audit(store_, {std::string(actor), "connector.secret", "connector", std::string(name),
                                  "{\"kind\":" + domain::json_quote(kind) + "}"});
  });
}

Result<std::vector<std::string>> ConnectorsRepo::secret_kinds(std::string_view name) {
  const std::int64_t id = BANKREC_TRY(connector_id(name));
  Query q = BANKREC_TRY(store_.db().prepare("SELECT kind FROM connector_tokens WHERE connector_id = ?1 ORDER BY kind"));
  q.bind(1, id);
  std::vector<std::string> out;
  while (BANKREC_TRY(q.step())) out.push_back(q.column_text(0));
  return out;
}

Result<void> ConnectorsRepo::append_log(const std::vector<ConnectionLogRow>& rows) {
  if (rows.empty()) return ok();
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare(
        "INSERT INTO connector_log(at, connector, account, operation, outcome, http_status, request_id, elapsed_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    for (const auto& r : rows) {
      q.bind(1, r.at).bind(2, r.connector).bind(3, r.account).bind(4, r.operation).bind(5, r.outcome);
      q.bind(6, std::int64_t{r.http_status}).bind(7, r.request_id).bind(8, r.elapsed_ms);
      BANKREC_TRY(q.run());
    }
    return ok();
  });
}

Result<std::vector<ConnectionLogRow>> ConnectorsRepo::log(std::string_view name, std::int64_t limit) {
  Query q = BANKREC_TRY(store_.db().prepare(
      "SELECT id, at, connector, account, operation, outcome, http_status, request_id, elapsed_ms FROM connector_log "
      "WHERE connector = ?1 ORDER BY id DESC LIMIT ?2"));
  q.bind(1, name).bind(2, limit);
  std::vector<ConnectionLogRow> out;
  while (BANKREC_TRY(q.step())) {
    ConnectionLogRow r;
    r.id = q.column_int(0);
    r.at = q.column_text(1);
    r.connector = q.column_text(2);
    r.account = q.column_text(3);
    r.operation = q.column_text(4);
    r.outcome = q.column_text(5);
    r.http_status = static_cast<int>(q.column_int(6));
    r.request_id = q.column_text(7);
    r.elapsed_ms = q.column_int(8);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::int64_t> ConnectorsRepo::prune_log(TimePoint before) {
  std::int64_t removed = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    Query old = BANKREC_TRY(db.prepare("DELETE FROM connector_log WHERE at < ?1"));
    old.bind(1, utc_timestamp(before));
    BANKREC_TRY(old.run());
    removed += db.changes();
    const auto names = BANKREC_TRY(db.query_texts("SELECT DISTINCT connector FROM connector_log"));
    for (const auto& name : names) {
      Query cap = BANKREC_TRY(db.prepare(
          "DELETE FROM connector_log WHERE connector = ?1 AND id <= (SELECT id FROM connector_log WHERE connector = ?1 "
          "ORDER BY id DESC LIMIT 1 OFFSET ?2)"));
      cap.bind(1, name).bind(2, kMaxLogRowsPerConnector);
      BANKREC_TRY(cap.run());
      removed += db.changes();
    }
    return ok();
  }));
  return removed;
}

Result<std::vector<CursorRow>> ConnectorsRepo::cursors(std::string_view name) {
  const std::int64_t id = BANKREC_TRY(connector_id(name));
  Query q = BANKREC_TRY(store_.db().prepare(
      "SELECT account, booked_through, last_success_at FROM connector_cursors WHERE connector_id = ?1 ORDER BY account"));
  q.bind(1, id);
  std::vector<CursorRow> out;
  while (BANKREC_TRY(q.step())) out.push_back({q.column_text(0), opt_date(q, 1), opt_text(q, 2)});
  return out;
}

Result<std::optional<CursorRow>> ConnectorsRepo::cursor(std::string_view name, std::string_view account) {
  const std::int64_t id = BANKREC_TRY(connector_id(name));
  Query q = BANKREC_TRY(store_.db().prepare(
      "SELECT account, booked_through, last_success_at FROM connector_cursors WHERE connector_id = ?1 AND account = ?2"));
  q.bind(1, id).bind(2, account);
  if (!BANKREC_TRY(q.step())) return std::optional<CursorRow>();
  return std::optional<CursorRow>(CursorRow{q.column_text(0), opt_date(q, 1), opt_text(q, 2)});
}

Result<void> ConnectorsRepo::set_cursor(std::string_view name, std::string_view account, domain::Date booked_through) {
  return store_.write([&]() -> Result<void> {
    const std::int64_t id = BANKREC_TRY(connector_id(name));
    const std::string now = utc_timestamp(store_.clock().now());
    Query cur = BANKREC_TRY(store_.db().prepare(
        "SELECT booked_through FROM connector_cursors WHERE connector_id = ?1 AND account = ?2"));
    cur.bind(1, id).bind(2, account);
    std::string through = booked_through.iso();
    if (BANKREC_TRY(cur.step())) {
      if (!cur.column_is_null(0) && cur.column_text(0) > through) through = cur.column_text(0);  // never backwards
      Query up = BANKREC_TRY(store_.db().prepare(
          "UPDATE connector_cursors SET booked_through = ?3, last_success_at = ?4, updated_at = ?4 "
          "WHERE connector_id = ?1 AND account = ?2"));
      up.bind(1, id).bind(2, account).bind(3, through).bind(4, now);
      return up.run();
    }
    Query ins = BANKREC_TRY(store_.db().prepare(
        "INSERT INTO connector_cursors(connector_id, account, booked_through, last_success_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?4)"));
    ins.bind(1, id).bind(2, account).bind(3, through).bind(4, now);
    return ins.run();
  });
}

Result<int> ConnectorsRepo::accesses(std::string_view name, std::string_view account, domain::Date day) {
  const std::int64_t id = BANKREC_TRY(connector_id(name));
  Query q = BANKREC_TRY(store_.db().prepare(
      "SELECT count FROM connector_access WHERE connector_id = ?1 AND account = ?2 AND day = ?3"));
  q.bind(1, id).bind(2, account).bind(3, day.iso());
  if (!BANKREC_TRY(q.step())) return 0;
  return static_cast<int>(q.column_int(0));
}

Result<int> ConnectorsRepo::count_access(std::string_view name, std::string_view account, domain::Date day) {
  int count = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    const std::int64_t id = BANKREC_TRY(connector_id(name));
    Database& db = store_.db();
    Query prune = BANKREC_TRY(db.prepare("DELETE FROM connector_access WHERE connector_id = ?1 AND day < ?2"));
    prune.bind(1, id).bind(2, day.add_days(-7).iso());
    BANKREC_TRY(prune.run());
    Query ins = BANKREC_TRY(db.prepare(
        "INSERT OR IGNORE INTO connector_access(connector_id, account, day, count) VALUES (?1, ?2, ?3, 0)"));
    ins.bind(1, id).bind(2, account).bind(3, day.iso());
    BANKREC_TRY(ins.run());
    Query inc = BANKREC_TRY(db.prepare(
        "UPDATE connector_access SET count = count + 1 WHERE connector_id = ?1 AND account = ?2 AND day = ?3"));
    inc.bind(1, id).bind(2, account).bind(3, day.iso());
    BANKREC_TRY(inc.run());
    Query read = BANKREC_TRY(db.prepare(
        "SELECT count FROM connector_access WHERE connector_id = ?1 AND account = ?2 AND day = ?3"));
    read.bind(1, id).bind(2, account).bind(3, day.iso());
    if (BANKREC_TRY(read.step())) count = static_cast<int>(read.column_int(0));
    return ok();
  }));
  return count;
}

Result<void> ConnectorsRepo::record_consent(std::string_view name, std::string_view consent_id, std::string_view state,
                                            std::optional<domain::Date> valid_until, std::string_view actor) {
  static constexpr std::string_view kStates[] = {"missing", "pending", "valid", "expired", "revoked"};
  if (std::find(std::begin(kStates), std::end(kStates), state) == std::end(kStates))
    return fail(Errc::invalid_input, "unknown consent state '" + std::string(state) + "'");
  return store_.write([&]() -> Result<void> {
    const std::int64_t id = BANKREC_TRY(connector_id(name));
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    const std::optional<std::string> until = valid_until ? std::optional<std::string>(valid_until->iso()) : std::nullopt;
    Query last = BANKREC_TRY(db.prepare(
        "SELECT id, consent_id, state, coalesce(valid_until, '') FROM connector_consents WHERE connector_id = ?1 "
        "ORDER BY id DESC LIMIT 1"));
    last.bind(1, id);
    if (BANKREC_TRY(last.step()) && last.column_text(1) == consent_id) {
      if (last.column_text(2) == state && last.column_text(3) == until.value_or("")) return ok();
      Query up = BANKREC_TRY(db.prepare("UPDATE connector_consents SET state = ?2, valid_until = ?3, updated_at = ?4 WHERE id = ?1"));
      up.bind(1, last.column_int(0)).bind(2, state).bind(3, until).bind(4, now);
      BANKREC_TRY(up.run());
    } else {
      Query ins = BANKREC_TRY(db.prepare(
          "INSERT INTO connector_consents(connector_id, consent_id, state, valid_until, created_at, updated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?5)"));
      ins.bind(1, id).bind(2, consent_id).bind(3, state).bind(4, until).bind(5, now);
      BANKREC_TRY(ins.run());
    }
    return append_audit(store_, {std::string(actor), "connector.consent", "connector", std::string(name),
                                  "{\"state\":" + domain::json_quote(state) +
                                      ",\"valid_until\":" + (until ? domain::json_quote(*until) : "null") + "}"});
  });
}

Result<std::optional<ConsentRow>> ConnectorsRepo::consent(std::string_view name) {
  const std::int64_t id = BANKREC_TRY(connector_id(name));
  Query q = BANKREC_TRY(store_.db().prepare(
      "SELECT consent_id, state, valid_until, updated_at FROM connector_consents WHERE connector_id = ?1 "
      "ORDER BY id DESC LIMIT 1"));
  q.bind(1, id);
  if (!BANKREC_TRY(q.step())) return std::optional<ConsentRow>();
  return std::optional<ConsentRow>(ConsentRow{q.column_text(0), q.column_text(1), opt_date(q, 2), q.column_text(3)});
}

}  // namespace bankrec::store
