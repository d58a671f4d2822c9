#include "bankrec/store/alerts_repo.h"

#include <algorithm>

#include "bankrec/store/audit_log.h"

namespace bankrec::store {
namespace {

constexpr std::string_view kAlertColumns =
    "id, kind, alert_key, severity, message, object_type, object_id, state, occurrences, created_at, "
    "coalesce(last_seen_at, created_at), resolved_at, acknowledged_at, acknowledged_by";
constexpr std::string_view kDeliveryColumns =
    "id, alert_id, channel, event, state, delivery_id, attempts, next_attempt_at, last_attempt_at, last_error, "
    "sent_at, created_at";
constexpr std::size_t kMaxErrorBytes = 2048;

std::optional<std::string> opt_text(const Query& q, int i) {
  if (q.column_is_null(i)) return std::nullopt;
  return q.column_text(i);
}

AlertRecord read_alert(const Query& q) {
  AlertRecord a;
  a.id = q.column_int(0);
  a.kind = q.column_text(1);
  a.alert_key = q.column_text(2);
  a.severity = q.column_text(3);
  a.message = q.column_text(4);
  a.object_type = opt_text(q, 5);
  a.object_id = opt_text(q, 6);
  a.state = q.column_text(7);
  a.occurrences = q.column_int(8);
  a.created_at = q.column_text(9);
  a.last_seen_at = q.column_text(10);
  a.resolved_at = opt_text(q, 11);
  a.acknowledged_at = opt_text(q, 12);
  a.acknowledged_by = opt_text(q, 13);
  return a;
}

AlertDelivery read_delivery(const Query& q) {
  AlertDelivery d;
  d.id = q.column_int(0);
  d.alert_id = q.column_int(1);
  d.channel = q.column_text(2);
  d.event = q.column_text(3);
  d.state = q.column_text(4);
  d.delivery_id = q.column_text(5);
  d.attempts = q.column_int(6);
  d.next_attempt_at = q.column_text(7);
  d.last_attempt_at = opt_text(q, 8);
  d.last_error = opt_text(q, 9);
  d.sent_at = opt_text(q, 10);
  d.created_at = q.column_text(11);
  return d;
}

Result<void> validate(const NewAlert& a) {
  if (a.kind.empty() || a.kind.size() > 64 ||
      !std::all_of(a.kind.begin(), a.kind.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }))
    return fail(Errc::invalid_input, "alert kind must be [a-z0-9_]{1,64}");
  if (a.alert_key.size() > 512) return fail(Errc::invalid_input, "alert key longer than 512 bytes");
  if (a.severity != "info" && a.severity != "warning" && a.severity != "error" && a.severity != "critical")
    return fail(Errc::invalid_input, "severity must be info, warning, error or critical");
  if (a.message.empty() || a.message.size() > 4096) return fail(Errc::invalid_input, "alert message must have 1 to 4096 bytes");
  if ((a.object_type && a.object_type->size() > 64) || (a.object_id && a.object_id->size() > 512))
    return fail(Errc::invalid_input, "alert object reference too long");
  return ok();
}

Result<void> check_channels(const std::vector<std::string>& channels, const std::vector<std::string>& ids) {
  if (channels.size() != ids.size()) return fail(Errc::internal, "one delivery id per channel is needed");
  for (const auto& c : channels)
    if (c != "email" && c != "webhook") return fail(Errc::invalid_input, "unknown alert channel '" + c + "'");
  return ok();
}

Result<void> queue_deliveries(Database& db, std::int64_t alert_id, std::string_view event, const std::string& now,
                              const std::vector<std::string>& channels, const std::vector<std::string>& ids) {
  for (std::size_t i = 0; i < channels.size(); ++i) {
    Query q = BANKREC_TRY(db.prepare(
        "INSERT INTO alert_deliveries(alert_id, channel, event, delivery_id, next_attempt_at, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?5)"));
    q.bind(1, alert_id).bind(2, channels[i]).bind(3, event).bind(4, ids[i]).bind(5, now);
    BANKREC_TRY(q.run());
  }
  return ok();
}

}  // namespace

Result<RaiseOutcome> AlertsRepo::raise(const NewAlert& alert, const std::vector<std::string>& channels,
                                       const std::vector<std::string>& delivery_ids) {
  BANKREC_TRY(validate(alert));
  BANKREC_TRY(check_channels(channels, delivery_ids));
  RaiseOutcome out;
  Database& db = store_.db();
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    const std::string now = utc_timestamp(store_.clock().now());
    Query open = BANKREC_TRY(db.prepare("SELECT id, occurrences FROM alerts WHERE kind = ?1 AND alert_key = ?2 AND state = 'open'"));
    open.bind(1, alert.kind).bind(2, alert.alert_key);
    if (BANKREC_TRY(open.step())) {
      out.alert_id = open.column_int(0);
      out.occurrences = open.column_int(1) + 1;
      Query bump = BANKREC_TRY(db.prepare(
          "UPDATE alerts SET occurrences = occurrences + 1, last_seen_at = ?2, message = ?3, severity = ?4 "
          "WHERE id = ?1"));
      bump.bind(1, out.alert_id).bind(2, now).bind(3, alert.message).bind(4, alert.severity);
      return bump.run();
    }
    Query insert = BANKREC_TRY(db.prepare(
        "INSERT INTO alerts(severity, kind, message, object_type, object_id, created_at, alert_key, state, "
        "occurrences, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', 1, ?6)"));
    insert.bind(1, alert.severity).bind(2, alert.kind).bind(3, alert.message).bind(4, alert.object_type);
    insert.bind(5, alert.object_id).bind(6, now).bind(7, alert.alert_key);
    BANKREC_TRY(insert.run());
    out.alert_id = db.last_insert_rowid();
    out.created = true;
    return queue_deliveries(db, out.alert_id, "raised", now, channels, delivery_ids);
  }));
  return out;
}

Result<std::optional<std::int64_t>> AlertsRepo::resolve(std::string_view kind, std::string_view alert_key,
                                                        const std::vector<std::string>& channels,
                                                        const std::vector<std::string>& delivery_ids) {
  BANKREC_TRY(check_channels(channels, delivery_ids));
  std::optional<std::int64_t> resolved;
  Database& db = store_.db();
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    const std::string now = utc_timestamp(store_.clock().now());
    Query open = BANKREC_TRY(db.prepare("SELECT id FROM alerts WHERE kind = ?1 AND alert_key = ?2 AND state = 'open'"));
    open.bind(1, kind).bind(2, alert_key);
    if (!BANKREC_TRY(open.step())) return ok();
    resolved = open.column_int(0);
    Query update = BANKREC_TRY(db.prepare("UPDATE alerts SET state = 'resolved', resolved_at = ?2 WHERE id = ?1"));
    update.bind(1, *resolved).bind(2, now);
    BANKREC_TRY(update.run());
    return queue_deliveries(db, *resolved, "resolved", now, channels, delivery_ids);
  }));
  return resolved;
}

Result<std::optional<AlertRecord>> AlertsRepo::find_open(std::string_view kind, std::string_view alert_key) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kAlertColumns) +
                                            " FROM alerts WHERE kind = ?1 AND alert_key = ?2 AND state = 'open'"));
  q.bind(1, kind).bind(2, alert_key);
  if (!BANKREC_TRY(q.step())) return std::optional<AlertRecord>();
  return std::optional<AlertRecord>(read_alert(q));
}

Result<AlertRecord> AlertsRepo::get(std::int64_t id) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kAlertColumns) + " FROM alerts WHERE id = ?1"));
  q.bind(1, id);
  if (!BANKREC_TRY(q.step())) return fail(Errc::not_found, "no alert " + std::to_string(id));
  return read_alert(q);
}

Result<std::vector<AlertRecord>> AlertsRepo::list(bool open_only, int limit) {
  if (limit < 1 || limit > 1000) return fail(Errc::invalid_input, "limit must be from 1 to 1000");
  Query q = BANKREC_TRY(store_.db().prepare(
      "SELECT " + std::string(kAlertColumns) + " FROM alerts" + (open_only ? " WHERE state = 'open'" : "") +
      " ORDER BY coalesce(last_seen_at, created_at) DESC, id DESC LIMIT ?1"));
  q.bind(1, static_cast<std::int64_t>(limit));
  std::vector<AlertRecord> out;
  while (BANKREC_TRY(q.step())) out.push_back(read_alert(q));
  return out;
}

Result<void> AlertsRepo::acknowledge(std::int64_t id, std::string_view actor) {
  if (actor.empty() || actor.size() > 256) return fail(Errc::invalid_input, "actor must have 1 to 256 bytes");
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE alerts SET acknowledged_at = ?2, acknowledged_by = ?3 WHERE id = ?1 AND acknowledged_at IS NULL"));
    q.bind(1, id).bind(2, utc_timestamp(store_.clock().now())).bind(3, actor);
    BANKREC_TRY(q.run());
    if (store_.db().changes() == 0) {
      BANKREC_TRY(get(id));  // not_found when there is no such alert
    }
    return ok();
  });
}

Result<std::vector<AlertDelivery>> AlertsRepo::due_deliveries(std::chrono::system_clock::time_point now, int limit) {
  if (limit < 1 || limit > 1000) return fail(Errc::invalid_input, "limit must be from 1 to 1000");
  Query q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kDeliveryColumns) +
                                            " FROM alert_deliveries WHERE state = 'pending' AND next_attempt_at <= ?1 "
                                            "ORDER BY next_attempt_at, id LIMIT ?2"));
  q.bind(1, utc_timestamp(now)).bind(2, static_cast<std::int64_t>(limit));
  std::vector<AlertDelivery> out;
  while (BANKREC_TRY(q.step())) out.push_back(read_delivery(q));
  return out;
}

Result<std::vector<AlertDelivery>> AlertsRepo::deliveries_of(std::int64_t alert_id) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kDeliveryColumns) +
                                            " FROM alert_deliveries WHERE alert_id = ?1 ORDER BY id"));
  q.bind(1, alert_id);
  std::vector<AlertDelivery> out;
  while (BANKREC_TRY(q.step())) out.push_back(read_delivery(q));
  return out;
}

Result<std::int64_t> AlertsRepo::count_sent_since(std::string_view channel, std::chrono::system_clock::time_point since) {
  Query q = BANKREC_TRY(store_.db().prepare(
      "SELECT count(*) FROM alert_deliveries WHERE state = 'sent' AND channel = ?1 AND sent_at >= ?2"));
  q.bind(1, channel).bind(2, utc_timestamp(since));
  BANKREC_TRY(q.step());
  return q.column_int(0);
}

Result<void> AlertsRepo::mark_sent(std::int64_t delivery_id) {
  return store_.write([&]() -> Result<void> {
    const std::string now = utc_timestamp(store_.clock().now());
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE alert_deliveries SET state = 'sent', attempts = attempts + 1, last_attempt_at = ?2, sent_at = ?2 "
        "WHERE id = ?1 AND state = 'pending'"));
    q.bind(1, delivery_id).bind(2, now);
    BANKREC_TRY(q.run());
    if (store_.db().changes() == 0) return fail(Errc::conflict, "delivery " + std::to_string(delivery_id) + " is not pending");
    return ok();
  });
}

Result<void> AlertsRepo::mark_failed(std::int64_t delivery_id, std::string_view error,
                                     std::chrono::system_clock::time_point next_attempt, bool abandon) {
  const std::string_view bounded = error.substr(0, kMaxErrorBytes);
  return store_.write([&]() -> Result<void> {
    const std::string now = utc_timestamp(store_.clock().now());
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE alert_deliveries SET state = ?5, attempts = attempts + 1, last_attempt_at = ?2, last_error = ?3, "
        "next_attempt_at = ?4 WHERE id = ?1 AND state = 'pending'"));
    q.bind(1, delivery_id).bind(2, now).bind(3, bounded).bind(4, utc_timestamp(next_attempt));
    q.bind(5, abandon ? "abandoned" : "pending");
    BANKREC_TRY(q.run());
    if (store_.db().changes() == 0) return fail(Errc::conflict, "delivery " + std::to_string(delivery_id) + " is not pending");
    return ok();
  });
}

Result<void> AlertsRepo::postpone(std::int64_t delivery_id, std::chrono::system_clock::time_point next_attempt) {
  return store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE alert_deliveries SET next_attempt_at = ?2 WHERE id = ?1 AND state = 'pending'"));
    q.bind(1, delivery_id).bind(2, utc_timestamp(next_attempt));
    return q.run();
  });
}

}  // namespace bankrec::store
