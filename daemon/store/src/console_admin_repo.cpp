#include "bankrec/store/console_admin_repo.h"

#include "bankrec/domain/json.h"
#include "bankrec/store/audit_log.h"
#include "bankrec/store/entry_row.h"

namespace bankrec::store {
namespace {

using domain::json_quote;

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    if (comma != 0) out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<std::string> opt_text(const Query& q, int i) {
  if (q.column_is_null(i)) return std::nullopt;
  return q.column_text(i);
}

std::string text_or_empty(const Query& q, int i) { return q.column_is_null(i) ? std::string() : q.column_text(i); }

constexpr std::string_view kTokenColumns =
    "id, name, prefix, scopes, created_at, created_by, last_used_at, revoked_at, revoked_by";

ApiTokenRecord read_token(const Query& q) {
  ApiTokenRecord t;
  t.id = q.column_int(0);
  t.name = q.column_text(1);
  t.prefix = q.column_text(2);
  t.scopes = split_scopes(q.column_text_view(3));
  t.created_at = q.column_text(4);
  t.created_by = q.column_text(5);
  t.last_used_at = opt_text(q, 6);
  t.revoked_at = opt_text(q, 7);
  t.revoked_by = opt_text(q, 8);
  return t;
}

std::string scopes_json(const std::vector<std::string>& scopes) {
  std::string out = "[";
  for (const auto& s : scopes) out += (out.size() > 1 ? "," : "") + json_quote(s);
  return out + "]";
}

std::string preferences_json(const UserPreferences& p) {
  return "{\"language\":" + json_quote(p.language) + ",\"locale\":" + json_quote(p.locale) + "}";
}

}  // namespace

Result<std::int64_t> ConsoleAdminRepo::create_token(const NewApiToken& token, std::string_view actor) {
  std::int64_t id = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    auto live = BANKREC_TRY(db.prepare("SELECT count(*) FROM api_tokens WHERE name = ? AND revoked_at IS NULL"));
    live.bind(1, token.name);
    BANKREC_TRY(live.step());
    if (live.column_int(0) > 0) return fail(Errc::conflict, "a token named '" + token.name + "' exists already");
    auto q = BANKREC_TRY(db.prepare(
        "INSERT INTO api_tokens(name, token_hash, prefix, scopes, created_at, created_by) VALUES(?,?,?,?,?,?)"));
    q.bind(1, token.name).bind(2, token.token_hash).bind(3, token.prefix).bind(4, join_scopes(token.scopes));
    q.bind(5, utc_timestamp(store_.clock().now())).bind(6, actor);
    BANKREC_TRY(q.run());
    id = db.last_insert_rowid();
    BANKREC_TRY(store_.audit().append({std::string(actor), "token.create", "api_token", std::to_string(id),
                                       "{\"name\":" + json_quote(token.name) + ",\"prefix\":" + json_quote(token.prefix) +
                                           ",\"scopes\":" + scopes_json(token.scopes) + "}"}));
    return ok();
  }));
  return id;
}

Result<std::vector<ApiTokenRecord>> ConsoleAdminRepo::list_tokens() {
  auto q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kTokenColumns) + " FROM api_tokens ORDER BY id DESC"));
  std::vector<ApiTokenRecord> out;
  while (BANKREC_TRY(q.step())) out.push_back(read_token(q));
  return out;
}

Result<std::optional<ApiTokenRecord>> ConsoleAdminRepo::find_live_token(std::string_view token_hash) {
  auto q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kTokenColumns) +
                                           " FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL"));
  q.bind(1, token_hash);
  if (!BANKREC_TRY(q.step())) return std::optional<ApiTokenRecord>();
  return std::optional<ApiTokenRecord>(read_token(q));
}

Result<void> ConsoleAdminRepo::revoke_token(std::int64_t id, std::string_view actor) {
  return store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    auto q = BANKREC_TRY(db.prepare("SELECT name, revoked_at FROM api_tokens WHERE id = ?"));
    q.bind(1, id);
    if (!BANKREC_TRY(q.step())) return fail(Errc::not_found, "no token with id " + std::to_string(id));
    const std::string name = q.column_text(0);
    if (!q.column_is_null(1)) return fail(Errc::conflict, "token " + std::to_string(id) + " is revoked already");
    auto u = BANKREC_TRY(db.prepare("UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?"));
    u.bind(1, utc_timestamp(store_.clock().now())).bind(2, actor).bind(3, id);
    BANKREC_TRY(u.run());
    BANKREC_TRY(store_.audit().append(
        {std::string(actor), "token.revoke", "api_token", std::to_string(id), "{\"name\":" + json_quote(name) + "}"}));
    return ok();
  });
}

Result<void> ConsoleAdminRepo::touch_token(std::int64_t id, std::chrono::system_clock::time_point now) {
  auto q = BANKREC_TRY(store_.db().prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"));
  q.bind(1, utc_timestamp(now)).bind(2, id);
  return q.run();
}

Result<UserPreferences> ConsoleAdminRepo::preferences(std::int64_t user_id) {
  auto q = BANKREC_TRY(store_.db().prepare("SELECT language, locale FROM user_preferences WHERE user_id = ?"));
  q.bind(1, user_id);
  UserPreferences p;
  if (BANKREC_TRY(q.step())) {
    p.language = q.column_text(0);
    p.locale = q.column_text(1);
    p.chosen = true;
  }
  return p;
}

Result<void> ConsoleAdminRepo::clear_preferences(std::int64_t user_id, std::string_view actor) {
  return store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const UserPreferences before = BANKREC_TRY(this->preferences(user_id));
    if (!before.chosen) return ok();
    auto q = BANKREC_TRY(db.prepare("DELETE FROM user_preferences WHERE user_id = ?"));
    q.bind(1, user_id);
    BANKREC_TRY(q.run());
    BANKREC_TRY(store_.audit().append({std::string(actor), "user.preferences", "user", std::to_string(user_id),
                                       "{\"before\":" + preferences_json(before) + ",\"after\":null}"}));
    return ok();
  });
}

Result<void> ConsoleAdminRepo::set_preferences(std::int64_t user_id, const UserPreferences& preferences,
                                               std::string_view actor) {
  return store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const UserPreferences before = BANKREC_TRY(this->preferences(user_id));
    // SQLite 3.15: no UPSERT; INSERT OR REPLACE on the primary key is the same here (no other columns).
    auto q = BANKREC_TRY(db.prepare(
        "INSERT OR REPLACE INTO user_preferences(user_id, language, locale, updated_at) VALUES(?,?,?,?)"));
    q.bind(1, user_id).bind(2, preferences.language).bind(3, preferences.locale);
    q.bind(4, utc_timestamp(store_.clock().now()));
    BANKREC_TRY(q.run());
    BANKREC_TRY(store_.audit().append({std::string(actor), "user.preferences", "user", std::to_string(user_id),
                                       "{\"before\":" + preferences_json(before) + ",\"after\":" +
                                           preferences_json(preferences) + "}"}));
    return ok();
  });
}

Result<std::vector<std::int64_t>> ConsoleAdminRepo::review_ids(std::int64_t after_id, std::string_view account_iban,
                                                               std::size_t limit) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT e.id FROM entries e JOIN accounts a ON a.id = e.account_id "
      "WHERE e.status = 'review' AND e.id > ? AND (? = '' OR a.iban = ?) ORDER BY e.id LIMIT ?"));
  q.bind(1, after_id).bind(2, account_iban).bind(3, account_iban).bind(4, static_cast<std::int64_t>(limit));
  std::vector<std::int64_t> out;
  while (BANKREC_TRY(q.step())) out.push_back(q.column_int(0));
  return out;
}

Result<std::vector<EntrySummary>> ConsoleAdminRepo::entry_summaries(const std::vector<std::int64_t>& ids) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT e.id, e.statement_id, COALESCE(a.iban, ''), e.booking_date, e.value_date, e.amount_minor, e.currency, "
      "e.counterparty_name, e.counterparty_iban, e.status, e.end_to_end_id, e.bank_reference, e.booking "
      "FROM entries e JOIN accounts a ON a.id = e.account_id WHERE e.id = ?"));
  std::vector<EntrySummary> out;
  for (const std::int64_t id : ids) {
    q.reset();
    q.bind(1, id);
    if (!BANKREC_TRY(q.step())) continue;
    EntrySummary s;
    s.id = q.column_int(0);
    s.statement_id = q.column_int(1);
    s.account_iban = q.column_text(2);
    s.booking_date = text_or_empty(q, 3);
    s.value_date = text_or_empty(q, 4);
    s.amount_minor = q.column_int(5);
    s.currency = q.column_text(6);
    s.counterparty_name = text_or_empty(q, 7);
    s.counterparty_iban = text_or_empty(q, 8);
    s.status = q.column_text(9);
    s.end_to_end_id = text_or_empty(q, 10);
    s.bank_reference = text_or_empty(q, 11);
    s.pending = q.column_text_view(12) == "pending";
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<WriteoffView>> ConsoleAdminRepo::writeoffs_of_entry(std::int64_t entry_id) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT id, writeoff_minor, COALESCE(writeoff_reason, '') FROM matches "
      "WHERE entry_id = ? AND writeoff_minor IS NOT NULL ORDER BY id"));
  q.bind(1, entry_id);
  std::vector<WriteoffView> out;
  while (BANKREC_TRY(q.step())) out.push_back({q.column_int(0), q.column_int(1), q.column_text(2)});
  return out;
}

Result<std::optional<std::int64_t>> ConsoleAdminRepo::standing_match(std::int64_t entry_id) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT id FROM matches WHERE entry_id = ? AND status = 'approved' AND reverses_match_id IS NULL "
      "ORDER BY id DESC LIMIT 1"));
  q.bind(1, entry_id);
  if (!BANKREC_TRY(q.step())) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(q.column_int(0));
}

Result<std::int64_t> ConsoleAdminRepo::propose_manual(std::int64_t entry_id,
                                                      const std::vector<std::pair<std::string, std::int64_t>>& allocations,
                                                      std::string_view currency, std::int64_t writeoff_minor,
                                                      std::string_view reason, std::string_view actor) {
  std::int64_t id = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    auto m = BANKREC_TRY(db.prepare(
        "INSERT INTO matches(entry_id, decision, status, score, reasons_json, writeoff_minor, writeoff_reason, "
        "created_at, created_by) VALUES(?, 'manual', 'proposed', 100, ?, ?, ?, ?, ?)"));
    m.bind(1, entry_id).bind(2, "[" + json_quote("manual match with write-off: " + std::string(reason)) + "]");
    m.bind(3, writeoff_minor).bind(4, reason).bind(5, now).bind(6, actor);
    BANKREC_TRY(m.run());
    id = db.last_insert_rowid();
    auto item = BANKREC_TRY(db.prepare("SELECT id FROM open_items WHERE item_key = ?"));
    auto add = BANKREC_TRY(db.prepare(
        "INSERT INTO allocations(match_id, open_item_id, amount_minor, currency, closed_minor) VALUES(?,?,?,?,0)"));
    for (const auto& [key, amount] : allocations) {
      item.reset();
      item.bind(1, key);
      if (!BANKREC_TRY(item.step())) return fail(Errc::not_found, "open item '" + key + "' is not known");
      add.reset();
      add.bind(1, id).bind(2, item.column_int(0)).bind(3, amount).bind(4, currency);
      BANKREC_TRY(add.run());
    }
    return ok();
  }));
  return id;
}

Result<void> ConsoleAdminRepo::reject_match(std::int64_t match_id, std::string_view actor) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "UPDATE matches SET status = 'rejected', decided_at = ?, decided_by = ? WHERE id = ? AND status = 'proposed'"));
  q.bind(1, utc_timestamp(store_.clock().now())).bind(2, actor).bind(3, match_id);
  return q.run();
}

Result<std::vector<OpenItemRow>> ConsoleAdminRepo::open_items(const OpenItemFilter& f) {
  std::string sql =
      "SELECT id, item_key, kind, COALESCE(partner_id, ''), COALESCE(partner_name, ''), amount_minor, open_minor, "
      "currency, COALESCE(issue_date, ''), COALESCE(due_date, ''), COALESCE(reference, ''), "
      "COALESCE(document_number, ''), status FROM open_items WHERE id > ?1";
  if (f.status == "open") sql += " AND status IN ('open', 'partial')";
  else if (f.status == "closed") sql += " AND status IN ('settled', 'written_off', 'cancelled')";
  sql += " AND (?2 = '' OR partner_id = ?2)";
  // instr() instead of LIKE: no wildcard characters to escape in the user's text.
  sql += " AND (?3 = '' OR instr(lower(item_key), ?3) > 0 OR instr(lower(COALESCE(document_number, '')), ?3) > 0"
         " OR instr(lower(COALESCE(reference, '')), ?3) > 0 OR instr(lower(COALESCE(partner_name, '')), ?3) > 0)";
  sql += " ORDER BY id LIMIT ?4";
  auto q = BANKREC_TRY(store_.db().prepare(sql));
  std::string text;
  for (char c : f.text) text += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  q.bind(1, f.after_id).bind(2, f.partner).bind(3, text).bind(4, static_cast<std::int64_t>(f.limit));
  std::vector<OpenItemRow> out;
  while (BANKREC_TRY(q.step())) {
    OpenItemRow r;
    r.id = q.column_int(0);
    r.item_key = q.column_text(1);
    r.kind = q.column_text(2);
    r.partner = q.column_text(3);
    r.partner_name = q.column_text(4);
    r.amount_minor = q.column_int(5);
    r.open_minor = q.column_int(6);
    r.currency = q.column_text(7);
    r.issue_date = q.column_text(8);
    r.due_date = q.column_text(9);
    r.reference = q.column_text(10);
    r.document_number = q.column_text(11);
    r.status = q.column_text(12);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<ConnectorLogView>> ConsoleAdminRepo::connector_log(std::string_view connector, std::int64_t before_id,
                                                                      std::size_t limit) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT id, at, account, operation, outcome, http_status, request_id, elapsed_ms FROM connector_log "
      "WHERE connector = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?"));
  q.bind(1, connector).bind(2, before_id).bind(3, before_id).bind(4, static_cast<std::int64_t>(limit));
  std::vector<ConnectorLogView> out;
  while (BANKREC_TRY(q.step()))
    out.push_back({q.column_int(0), q.column_text(1), q.column_text(2), q.column_text(3), q.column_text(4),
                   q.column_text(6), q.column_int(5), q.column_int(7)});
  return out;
}

Result<std::vector<RecentEntry>> ConsoleAdminRepo::recent_open_entries(std::string_view since, std::size_t limit) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT e.id, COALESCE(a.iban, ''), e.status, " + std::string(kEntryColumns) +
      " FROM entries e JOIN accounts a ON a.id = e.account_id WHERE e.booking = 'booked' AND e.booking_date >= ? "
      "AND e.status IN ('processed', 'review', 'unmatched') ORDER BY e.id LIMIT ?"));
  q.bind(1, since).bind(2, static_cast<std::int64_t>(limit));
  std::vector<RecentEntry> out;
  while (BANKREC_TRY(q.step())) {
    auto entry = read_entry(q, 3);
    if (!entry)
      return fail(Errc::internal, "stored entry " + std::to_string(q.column_int(0)) + " cannot be read: " +
                                      entry.error().message);
    out.push_back({q.column_int(0), q.column_text(1), q.column_text(2), std::move(*entry)});
  }
  return out;
}

}  // namespace bankrec::store
