// Gap tasks of the bank connectors: opened when a consent lapses, closed once stored statements
// (an uploaded CAMT/MT940 file or a sync under a new consent) cover the missing days.
#include <algorithm>

#include "bankrec/domain/json.h"
#include "bankrec/store/audit_log.h"
#include "bankrec/store/connectors_repo.h"

namespace bankrec::store {
namespace {

struct Covering {
  domain::Date from, to;
  std::optional<std::int64_t> opening, closing;
};

std::optional<std::int64_t> opt_int(const Query& q, int i) {
  if (q.column_is_null(i)) return std::nullopt;
  return q.column_int(i);
}

/// True when the statements cover every day of [from, to]: each one starts at the latest on the day
/// after the covered part, or later when its opening balance equals the previous closing balance (no
/// movement in between, e.g. a weekend); adjacent statements whose balances are both known must chain.
bool covers(const std::vector<Covering>& statements, domain::Date from, domain::Date to) {
  std::int64_t covered_to = from.to_days() - 1;
  std::optional<std::int64_t> last_closing;
  for (const auto& s : statements) {
    const std::int64_t start = s.from.to_days();
    const bool chains = last_closing && s.opening && *last_closing == *s.opening;
    const bool both_known = last_closing && s.opening;
    if (start > covered_to + 1 && !chains) return false;
    if (start == covered_to + 1 && both_known && !chains) return false;
    if (s.to.to_days() >= covered_to) {
      covered_to = s.to.to_days();
      last_closing = s.closing;
    }
    if (covered_to >= to.to_days()) return true;
  }
  return false;
}

Result<std::vector<Covering>> statements_for(Database& db, std::string_view account, domain::Date from, domain::Date to) {
  Query q = BANKREC_TRY(db.prepare(
      "SELECT s.from_date, s.to_date, s.opening_minor, s.closing_minor FROM statements s "
      "JOIN accounts a ON a.id = s.account_id "
      "WHERE (a.iban = ?1 OR a.account_key = ?1 OR a.account_key LIKE ?1 || '|%') "
      "AND s.from_date IS NOT NULL AND s.to_date IS NOT NULL AND s.to_date >= ?2 AND s.from_date <= ?3 "
      "ORDER BY s.from_date, s.to_date"));
  q.bind(1, account).bind(2, from.iso()).bind(3, to.iso());
  std::vector<Covering> out;
  while (BANKREC_TRY(q.step())) {
    auto f = domain::parse_iso_date(q.column_text_view(0));
    auto t = domain::parse_iso_date(q.column_text_view(1));
    if (!f || !t) continue;
    out.push_back({*f, *t, opt_int(q, 2), opt_int(q, 3)});
  }
  return out;
}

GapRow read_gap(const Query& q) {
  GapRow g;
  g.id = q.column_int(0);
  g.connector = q.column_text(1);
  g.account = q.column_text(2);
  g.missing_from = domain::parse_iso_date(q.column_text_view(3)).value_or(domain::Date{});
  g.missing_to = domain::parse_iso_date(q.column_text_view(4)).value_or(domain::Date{});
  g.reason = q.column_text(5);
  g.opened_at = q.column_text(6);
  if (!q.column_is_null(7)) g.closed_at = q.column_text(7);
  if (!q.column_is_null(8)) g.closed_reason = q.column_text(8);
  return g;
}

constexpr std::string_view kGapSelect =
    "SELECT g.id, c.name, g.account, g.missing_from, g.missing_to, g.reason, g.opened_at, g.closed_at, "
    "g.closed_reason FROM connector_gaps g JOIN connectors c ON c.id = g.connector_id ";

Result<void> append_audit(Store& store, const AuditRecord& record) {
  BANKREC_TRY(store.audit().append(record));
  return ok();
}

}  // namespace

Result<std::int64_t> ConnectorsRepo::open_gap(std::string_view name, std::string_view account, domain::Date from,
                                              domain::Date to, std::string_view reason) {
  if (to < from) return fail(Errc::invalid_input, "gap ends before it starts: " + from.iso() + ".." + to.iso());
  std::int64_t gap_id = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    const std::int64_t id = BANKREC_TRY(connector_id(name));
    Database& db = store_.db();
    Query open = BANKREC_TRY(db.prepare(
        "SELECT id, missing_from, missing_to FROM connector_gaps WHERE connector_id = ?1 AND account = ?2 "
        "AND closed_at IS NULL ORDER BY id LIMIT 1"));
    open.bind(1, id).bind(2, account);
    if (BANKREC_TRY(open.step())) {
      gap_id = open.column_int(0);
      const std::string lo = std::min(open.column_text(1), from.iso());
      const std::string hi = std::max(open.column_text(2), to.iso());
      Query widen = BANKREC_TRY(db.prepare("UPDATE connector_gaps SET missing_from = ?2, missing_to = ?3 WHERE id = ?1"));
      widen.bind(1, gap_id).bind(2, lo).bind(3, hi);
      return widen.run();
    }
    Query ins = BANKREC_TRY(db.prepare(
        "INSERT INTO connector_gaps(connector_id, account, missing_from, missing_to, reason, opened_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    ins.bind(1, id).bind(2, account).bind(3, from.iso()).bind(4, to.iso()).bind(5, reason);
    ins.bind(6, utc_timestamp(store_.clock().now()));
    BANKREC_TRY(ins.run());
    gap_id = db.last_insert_rowid();
    return append_audit(store_, {std::string(name), "connector.gap_open", "connector_gap", std::to_string(gap_id),
                                  "{\"account\":" + domain::json_quote(account) + ",\"from\":\"" + from.iso() +
                                      "\",\"to\":\"" + to.iso() + "\",\"reason\":" + domain::json_quote(reason) + "}"});
  }));
  return gap_id;
}

Result<std::vector<GapRow>> ConnectorsRepo::gaps(std::string_view name, bool open_only) {
  std::string sql(kGapSelect);
  sql += "WHERE (?1 = '' OR c.name = ?1)";
  if (open_only) sql += " AND g.closed_at IS NULL";
  sql += " ORDER BY g.id";
  Query q = BANKREC_TRY(store_.db().prepare(sql));
  q.bind(1, name);
  std::vector<GapRow> out;
  while (BANKREC_TRY(q.step())) out.push_back(read_gap(q));
  return out;
}

Result<int> ConnectorsRepo::close_covered_gaps() {
  int closed = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    Query q = BANKREC_TRY(db.prepare(std::string(kGapSelect) + "WHERE g.closed_at IS NULL ORDER BY g.id"));
    std::vector<GapRow> open;
    while (BANKREC_TRY(q.step())) open.push_back(read_gap(q));
    const std::string now = utc_timestamp(store_.clock().now());
    for (const auto& g : open) {
      const auto statements = BANKREC_TRY(statements_for(db, g.account, g.missing_from, g.missing_to));
      if (!covers(statements, g.missing_from, g.missing_to)) continue;
      Query close = BANKREC_TRY(db.prepare(
          "UPDATE connector_gaps SET closed_at = ?2, closed_reason = ?3 WHERE id = ?1 AND closed_at IS NULL"));
      const std::string why = "covered by " + std::to_string(statements.size()) + " stored statements";
      close.bind(1, g.id).bind(2, now).bind(3, why);
      BANKREC_TRY(close.run());
      BANKREC_TRY(store_.audit().append({"system", "connector.gap_close", "connector_gap", std::to_string(g.id),
                                         "{\"connector\":" + domain::json_quote(g.connector) +
                                             ",\"reason\":" + domain::json_quote(why) + "}"}));
      ++closed;
    }
    return ok();
  }));
  return closed;
}

}  // namespace bankrec::store
