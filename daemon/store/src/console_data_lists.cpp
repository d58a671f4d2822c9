// ConsoleDataRepo: the audit log, jobs, errors, alerts and the dashboard.
#include <algorithm>
#include <map>

#include "bankrec/domain/date.h"
#include "bankrec/store/console_data_repo.h"
#include "console_data_sql.h"

namespace bankrec::store {
namespace {

using console_sql::bad_cursor;
using console_sql::opt_int;
using console_sql::opt_text;
using console_sql::parse_int;
using console_sql::split_cursor;
using console_sql::Where;

int clamp_limit(int limit) { return std::clamp(limit, 1, 500); }

/// An end bound given as a date covers that whole day ('~' sorts after every "T..." suffix).
std::string end_bound(const std::string& to) { return to.size() == 10 ? to + "~" : to; }

AuditEntry read_audit(const Query& q) {
  AuditEntry e;
  e.seq = q.column_int(0);
  e.time = q.column_text(1);
  e.actor = q.column_text(2);
  e.action = q.column_text(3);
  e.object_type = q.column_text(4);
  e.object_id = q.column_text(5);
  e.details = q.column_text(6);
  e.prev_hash = q.column_text(7);
  e.hash = q.column_text(8);
  return e;
}

constexpr std::string_view kAuditSelect =
    "SELECT seq, time, actor, action, object_type, object_id, details, prev_hash, hash FROM audit_log";

/// The date `days` before `today` ("YYYY-MM-DD"); `today` itself when it does not parse.
std::string days_before(std::string_view today, int days) {
  auto d = domain::parse_iso_date(today);
  if (!d) return std::string(today);
  return domain::Date::from_days(d->to_days() - days).iso();
}

}  // namespace

Result<Page<AuditEntry>> ConsoleDataRepo::audit(const AuditFilter& filter, const PageRequest& page,
                                                std::vector<std::string>* plan) {
  const int limit = clamp_limit(page.limit);
  Where where;
  if (filter.actor) where.add("actor = ?", *filter.actor);
  if (filter.action) where.add("action = ?", *filter.action);
  if (filter.object) {
    const auto colon = filter.object->find(':');
    if (colon == std::string::npos)
      where.add("object_type = ?", *filter.object);
    else
      where.add("object_type = ? AND object_id = ?", filter.object->substr(0, colon), filter.object->substr(colon + 1));
  }
  // Time order is seq order (entries are appended with the current time), so a time range becomes a
  // seq range found with one seek in audit_log_time and the list stays a scan of the primary key.
  if (filter.from)
    where.add("seq >= coalesce((SELECT seq FROM audit_log WHERE time >= ? ORDER BY time, seq LIMIT 1), 9e18)",
              *filter.from);
  if (filter.to)
    where.add("seq < coalesce((SELECT seq FROM audit_log WHERE time >= ? ORDER BY time, seq LIMIT 1), 9e18)",
              end_bound(*filter.to));
  if (!page.after.empty()) {
    std::int64_t after = 0;
    if (!parse_int(page.after, after)) return bad_cursor(page.after);
    where.add("seq < ?", after);
  }
  const std::string sql = std::string(kAuditSelect) + where.sql() + " ORDER BY seq DESC LIMIT " + std::to_string(limit + 1);
  BANKREC_TRY(console_sql::explain(store_.db(), sql, where, plan));
  auto q = BANKREC_TRY(store_.db().prepare(sql));
  where.bind(q);
  Page<AuditEntry> out;
  while (BANKREC_TRY(q.step())) {
    if (static_cast<int>(out.items.size()) == limit) {
      out.next = std::to_string(out.items.back().seq);
      break;
    }
    out.items.push_back(read_audit(q));
  }
  return out;
}

Result<std::vector<AuditEntry>> ConsoleDataRepo::audit_of(std::string_view object_type, std::string_view object_id,
                                                          int limit) {
  auto q = BANKREC_TRY(store_.db().prepare(std::string(kAuditSelect) +
                                           " WHERE object_type = ?1 AND object_id = ?2 ORDER BY seq DESC LIMIT ?3"));
  q.bind(1, object_type).bind(2, object_id).bind(3, std::int64_t{clamp_limit(limit)});
  std::vector<AuditEntry> out;
  while (BANKREC_TRY(q.step())) out.push_back(read_audit(q));
  return out;
}

Result<Page<JobRow>> ConsoleDataRepo::jobs(std::optional<std::string> state, const PageRequest& page) {
  const int limit = clamp_limit(page.limit);
  Where where;
  if (state && !state->empty()) where.add("j.state = ?", *state);
  if (!page.after.empty()) {
    std::int64_t after = 0;
    if (!parse_int(page.after, after)) return bad_cursor(page.after);
    where.add("j.id < ?", after);
  }
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT j.id, j.kind, j.state, j.attempts, j.error, j.created_at, j.run_after, "
      "(SELECT d.id FROM dead_letters d WHERE d.job_id = j.id AND d.resolved_at IS NULL ORDER BY d.id DESC LIMIT 1) "
      "FROM jobs j" +
      where.sql() + " ORDER BY j.id DESC LIMIT " + std::to_string(limit + 1)));
  where.bind(q);
  Page<JobRow> out;
  while (BANKREC_TRY(q.step())) {
    if (static_cast<int>(out.items.size()) == limit) {
      out.next = std::to_string(out.items.back().id);
      break;
    }
    JobRow r;
    r.id = q.column_int(0);
    r.kind = q.column_text(1);
    r.state = q.column_text(2);
    r.attempts = q.column_int(3);
    r.last_error = opt_text(q, 4);
    r.created_at = q.column_text(5);
    r.run_after = q.column_text(6);
    r.dead_letter_id = opt_int(q, 7);
    out.items.push_back(std::move(r));
  }
  return out;
}

Result<std::optional<std::int64_t>> ConsoleDataRepo::open_dead_letter_of_job(std::int64_t job_id) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT id FROM dead_letters WHERE job_id = ?1 AND resolved_at IS NULL ORDER BY id DESC LIMIT 1"));
  q.bind(1, job_id);
  if (!BANKREC_TRY(q.step())) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(q.column_int(0));
}

Result<Page<ErrorRow>> ConsoleDataRepo::errors(std::optional<std::string> kind, const PageRequest& page) {
  const int limit = clamp_limit(page.limit);
  if (kind && *kind != "parse" && *kind != "dead_letter" && *kind != "connector")
    return fail(Errc::invalid_input, "invalid kind '" + *kind + "' (expected parse, dead_letter or connector)");
  // Each arm reads its own index (source_files_status, dead_letters_open, connector_log_at); errors are few.
  std::vector<std::string> arms;
  if (!kind || *kind == "parse")
    arms.push_back(
        "SELECT 'parse' AS kind, id, received_at AS at, source || ':' || actor AS source, coalesce(error, '') AS message, "
        "name AS detail, 0 AS can_retry FROM source_files WHERE status = 'error'");
  if (!kind || *kind == "dead_letter")
    arms.push_back(
        "SELECT 'dead_letter' AS kind, job_id AS id, created_at AS at, kind AS source, error AS message, "
        "payload_json AS detail, 1 AS can_retry FROM dead_letters "
        "WHERE resolved_at IS NULL");
  if (!kind || *kind == "connector")
    arms.push_back(
        "SELECT 'connector' AS kind, id AS id, at AS at, connector AS source, operation || ': ' || outcome || "
        "CASE WHEN http_status > 0 THEN ' (http ' || http_status || ')' ELSE '' END AS message, "
        "CASE WHEN account = '' THEN request_id ELSE account || ' ' || request_id END AS detail, 0 AS can_retry "
        "FROM connector_log "
        "WHERE outcome <> 'ok'");
  std::string sql = "SELECT kind, id, at, source, message, detail, can_retry FROM (";
  for (std::size_t i = 0; i < arms.size(); ++i) sql += (i ? " UNION ALL " : "") + arms[i];
  sql += ")";
  Where where;
  if (!page.after.empty()) {
    const auto parts = split_cursor(page.after);
    std::int64_t id = 0;
    if (parts.size() != 3 || !parse_int(parts[2], id)) return bad_cursor(page.after);
    where.add("(at < ? OR (at = ? AND (kind < ? OR (kind = ? AND id < ?))))", parts[0], parts[0], parts[1], parts[1], id);
  }
  auto q = BANKREC_TRY(store_.db().prepare(sql + where.sql() + " ORDER BY at DESC, kind DESC, id DESC LIMIT " +
                                           std::to_string(limit + 1)));
  where.bind(q);
  Page<ErrorRow> out;
  while (BANKREC_TRY(q.step())) {
    if (static_cast<int>(out.items.size()) == limit) {
      const ErrorRow& last = out.items.back();
      out.next = last.at + "~" + last.kind + "~" + std::to_string(last.id);
      break;
    }
    ErrorRow r;
    r.kind = q.column_text(0);
    r.id = q.column_int(1);
    r.at = q.column_text(2);
    r.source = q.column_text(3);
    r.message = q.column_text(4);
    r.detail = q.column_text(5);
    r.can_retry = q.column_int(6) != 0;
    out.items.push_back(std::move(r));
  }
  return out;
}

Result<Page<AlertRow>> ConsoleDataRepo::alerts(bool open_only, const PageRequest& page) {
  const int limit = clamp_limit(page.limit);
  Where where;
  if (open_only) where.add("state = 'open'");
  if (!page.after.empty()) {
    std::int64_t after = 0;
    if (!parse_int(page.after, after)) return bad_cursor(page.after);
    where.add("id < ?", after);
  }
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT id, kind, severity, message, state, created_at, coalesce(last_seen_at, created_at), occurrences, "
      "object_type, object_id, acknowledged_at, acknowledged_by FROM alerts" +
      where.sql() + " ORDER BY id DESC LIMIT " + std::to_string(limit + 1)));
  where.bind(q);
  Page<AlertRow> out;
  while (BANKREC_TRY(q.step())) {
    if (static_cast<int>(out.items.size()) == limit) {
      out.next = std::to_string(out.items.back().id);
      break;
    }
    AlertRow r;
    r.id = q.column_int(0);
    r.kind = q.column_text(1);
    r.severity = q.column_text(2);
    r.message = q.column_text(3);
    r.state = q.column_text(4);
    r.first_at = q.column_text(5);
    r.last_at = q.column_text(6);
    r.count = q.column_int(7);
    if (!q.column_is_null(8)) r.object = q.column_text(8) + ":" + q.column_text(9);
    r.acknowledged_at = opt_text(q, 10);
    r.acknowledged_by = opt_text(q, 11);
    out.items.push_back(std::move(r));
  }
  return out;
}

Result<void> ConsoleDataRepo::acknowledge_alert(std::int64_t id, std::string_view actor) {
  return store_.write([&]() -> Result<void> {
    auto q = BANKREC_TRY(store_.db().prepare("SELECT acknowledged_at IS NULL, kind FROM alerts WHERE id = ?1"));
    q.bind(1, id);
    if (!BANKREC_TRY(q.step())) return fail(Errc::not_found, "no alert with id " + std::to_string(id));
    const bool open = q.column_int(0) != 0;
    const std::string kind = q.column_text(1);
    q.reset();
    if (!open) return ok();
    auto u = BANKREC_TRY(
        store_.db().prepare("UPDATE alerts SET acknowledged_at = ?2, acknowledged_by = ?3 WHERE id = ?1"));
    BANKREC_TRY(u.bind(1, id).bind(2, utc_timestamp(store_.clock().now())).bind(3, actor).run());
    BANKREC_TRY(store_.audit().append(
        {std::string(actor), "alert.acknowledge", "alert", std::to_string(id), "{\"kind\":\"" + kind + "\"}"}));
    return ok();
  });
}

Result<Dashboard> ConsoleDataRepo::dashboard(std::string_view today) {
  Dashboard d;
  Database& db = store_.db();
  const std::string history_start = days_before(today, 89);
  // Per account: its latest closing balance, and the closings of the last 90 days for the history.
  auto accounts = BANKREC_TRY(db.prepare(
      "SELECT a.id, coalesce(a.iban, a.number, ''), coalesce(a.currency, ''), coalesce(a.servicer, a.bic, a.bank_code, '') "
      "FROM accounts a ORDER BY a.id"));
  std::vector<std::int64_t> ids;
  while (BANKREC_TRY(accounts.step())) {
    ids.push_back(accounts.column_int(0));
    d.accounts.push_back({accounts.column_text(1), accounts.column_text(2), accounts.column_text(3), {}, {}});
  }
  accounts.reset();
  auto closing = BANKREC_TRY(db.prepare(
      "SELECT closing_minor, coalesce(closing_date, to_date, covers_to), coalesce(currency, '') FROM statements "
      "WHERE account_id = ?1 AND closing_minor IS NOT NULL AND coalesce(closing_date, to_date, covers_to) IS NOT NULL "
      "ORDER BY coalesce(closing_date, to_date, covers_to) DESC, id DESC LIMIT 400"));
  // currency -> date -> total, with every account's balance carried forward over days without a statement.
  std::map<std::string, std::map<std::string, std::int64_t>> history;
  std::map<std::string, std::int64_t> totals;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    closing.bind(1, ids[i]);
    std::map<std::string, std::int64_t> by_day;  // date -> closing
    while (BANKREC_TRY(closing.step())) {
      by_day.emplace(closing.column_text(1), closing.column_int(0));
      if (d.accounts[i].currency.empty()) d.accounts[i].currency = closing.column_text(2);
    }
    closing.reset();
    if (by_day.empty()) continue;
    d.accounts[i].balance_minor = by_day.rbegin()->second;
    d.accounts[i].balance_date = by_day.rbegin()->first;
    totals[d.accounts[i].currency] += by_day.rbegin()->second;
    auto& per_day = history[d.accounts[i].currency];
    for (int back = 89; back >= 0; --back) {
      const std::string day = days_before(today, back);
      auto it = by_day.upper_bound(day);
      if (it == by_day.begin()) continue;  // no balance known yet on that day
      per_day[day] += std::prev(it)->second;
    }
  }
  for (const auto& [currency, minor] : totals) d.totals.push_back({"", currency, minor});
  for (const auto& [currency, days] : history)
    for (const auto& [day, minor] : days)
      if (day >= history_start) d.balance_history.push_back({day, currency, minor});
  std::sort(d.balance_history.begin(), d.balance_history.end(),
            [](const auto& a, const auto& b) { return std::tie(a.date, a.currency) < std::tie(b.date, b.currency); });

  auto intake = BANKREC_TRY(db.prepare(
      "SELECT source, count(*), sum(entries_new) FROM source_files WHERE received_at >= ?1 AND status = 'processed' "
      "GROUP BY source ORDER BY source"));
  intake.bind(1, std::string(today));
  while (BANKREC_TRY(intake.step()))
    d.intake_today.push_back({intake.column_text(0), intake.column_int(1), intake.column_int(2)});
  intake.reset();

  // Index-only over entries_status_date: one range per status.
  auto rate = BANKREC_TRY(db.prepare(
      "SELECT booking_date, status, count(*) FROM entries WHERE status IN ('processed', 'reconciled', 'review', "
      "'unmatched', 'error') AND booking_date >= ?1 AND booking_date <= ?2 GROUP BY booking_date, status"));
  rate.bind(1, days_before(today, 29)).bind(2, std::string(today));
  std::map<std::string, Dashboard::DayRate> days;
  while (BANKREC_TRY(rate.step())) {
    auto& day = days[rate.column_text(0)];
    day.date = rate.column_text(0);
    const std::string status = rate.column_text(1);
    const std::int64_t n = rate.column_int(2);
    day.entries += n;
    if (status == "reconciled") day.reconciled += n;
    if (status == "review") day.review += n;
    if (status == "unmatched") day.unmatched += n;
  }
  rate.reset();
  for (auto& [date, day] : days) d.auto_rate.push_back(day);

  d.review_backlog = BANKREC_TRY(db.query_int("SELECT count(*) FROM entries WHERE status = 'review'"));
  d.open_alerts = BANKREC_TRY(db.query_int("SELECT count(*) FROM alerts WHERE state = 'open'"));

  auto connectors = BANKREC_TRY(db.prepare(
      "SELECT c.name, c.kind, c.enabled, c.state, c.last_status, c.last_success_at, "
      "(SELECT valid_until FROM connector_consents k WHERE k.connector_id = c.id ORDER BY k.id DESC LIMIT 1) "
      "FROM connectors c ORDER BY c.name"));
  while (BANKREC_TRY(connectors.step())) {
    Dashboard::Connector c;
    c.name = connectors.column_text(0);
    c.type = connectors.column_text(1);
    c.state = connectors.column_int(2) == 0 ? "disabled" : connectors.column_text(3);
    const auto last_status = opt_text(connectors, 4);
    c.last_success = opt_text(connectors, 5);
    c.consent_expires_at = opt_text(connectors, 6);
    if (c.state == "disabled")
      c.light = "yellow";
    else if (c.state == "needs_consent" || (last_status && *last_status != "ok" && *last_status != "success"))
      c.light = "red";
    else
      c.light = c.last_success ? "green" : "yellow";
    d.connectors.push_back(std::move(c));
  }
  return d;
}

}  // namespace bankrec::store
