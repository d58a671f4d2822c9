#include "bankrec/store/reconcile_repo.h"

#include <algorithm>
#include <map>

#include "bankrec/domain/json.h"
#include "bankrec/store/audit_log.h"
#include "bankrec/store/entry_row.h"

namespace bankrec::store {
namespace {

constexpr std::size_t kMaxSuggestionsKept = 3;
constexpr std::size_t kMaxAllocations = 1000;

std::string json_text(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) {
      out += "\\u00";
      out.push_back("0123456789abcdef"[(c >> 4) & 0xF]);
      out.push_back("0123456789abcdef"[c & 0xF]);
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

bool is_outgoing_kind(std::string_view kind) { return kind == "bill" || kind == "credit_note"; }

const char* status_for(std::int64_t amount, std::int64_t open) {
  if (open <= 0) return "settled";
  return open < amount ? "partial" : "open";
}

struct ItemRow {
  std::int64_t id = 0, amount = 0, open = 0;
  std::string kind, partner_key;
};

Result<std::optional<ItemRow>> find_item(Database& db, std::string_view key) {
  auto q = BANKREC_TRY(db.prepare("SELECT id, amount_minor, open_minor, kind, partner_id FROM open_items WHERE item_key = ?"));
  q.bind(1, key);
  if (!BANKREC_TRY(q.step())) return std::optional<ItemRow>{};
  return std::optional<ItemRow>{ItemRow{q.column_int(0), q.column_int(1), q.column_int(2), q.column_text(3), q.column_text(4)}};
}

/// Applies `a` (signed like the entry) to its item: the magnitude leaves the open amount, never
/// beyond it; `close` writes the rest off as well. Returns the rest that was closed.
Result<std::int64_t> apply_allocation(Database& db, const AllocationRecord& a, bool close) {
  const auto row = BANKREC_TRY(find_item(db, a.item_key));
  if (!row) return fail(Errc::not_found, "open item '" + a.item_key + "' is not known");
  const bool out = is_outgoing_kind(row->kind);
  const std::int64_t magnitude = out ? -a.amount_minor : a.amount_minor;
  if (magnitude < 0) return fail(Errc::invalid_input, "allocation to '" + a.item_key + "' against the item's direction");
  if (magnitude > row->open)
    return fail(Errc::conflict, "open item '" + a.item_key + "' has only " + std::to_string(row->open) +
                                    " minor units open, " + std::to_string(magnitude) + " cannot be applied");
  const std::int64_t closed = close ? row->open - magnitude : 0;
  const std::int64_t open = row->open - magnitude - closed;
  auto q = BANKREC_TRY(db.prepare("UPDATE open_items SET open_minor = ?, status = ? WHERE id = ? AND open_minor = ?"));
  q.bind(1, open).bind(2, status_for(row->amount, open)).bind(3, row->id).bind(4, row->open);
  BANKREC_TRY(q.run());
  if (db.changes() != 1) return fail(Errc::conflict, "open item '" + a.item_key + "' changed meanwhile");
  return closed;
}

Result<std::int64_t> insert_match(Database& db, std::int64_t entry_id, const char* decision, const char* status,
                                  std::optional<std::int64_t> rank, const CandidateRecord& c, const std::string& now,
                                  std::string_view actor, std::optional<std::int64_t> reverses = std::nullopt) {
  auto q = BANKREC_TRY(db.prepare(
      "INSERT INTO matches(entry_id, decision, status, score, reasons_json, writeoff_minor, writeoff_reason, "
      "writeoff_account, created_at, created_by, decided_at, decided_by, suggestion_rank, features_json, "
      "reverses_match_id) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  q.bind(1, entry_id).bind(2, decision).bind(3, status).bind(4, std::int64_t{c.score}).bind(5, c.reasons_json);
  if (c.writeoff_minor) q.bind(6, *c.writeoff_minor).bind(7, c.writeoff_reason).bind(8, c.writeoff_account);
  else q.bind_null(6).bind_null(7).bind_null(8);
  q.bind(9, now).bind(10, actor);
  if (std::string_view(status) == "approved") q.bind(11, now).bind(12, actor);
  else q.bind_null(11).bind_null(12);
  if (rank) q.bind(13, *rank);
  else q.bind_null(13);
  q.bind(14, c.features_json);
  if (reverses) q.bind(15, *reverses);
  else q.bind_null(15);
  BANKREC_TRY(q.run());
  return db.last_insert_rowid();
}

Result<void> insert_allocation(Database& db, std::int64_t match_id, const AllocationRecord& a, std::int64_t closed) {
  const auto row = BANKREC_TRY(find_item(db, a.item_key));
  if (!row) return fail(Errc::not_found, "open item '" + a.item_key + "' is not known");
  auto q = BANKREC_TRY(db.prepare(
      "INSERT INTO allocations(match_id, open_item_id, amount_minor, currency, closed_minor) VALUES(?,?,?,?,?)"));
  q.bind(1, match_id).bind(2, row->id).bind(3, a.amount_minor).bind(4, a.currency).bind(5, closed);
  return q.run();
}

/// Whether a write-off closes the items' rest: the line paid less than was due.
bool closes_rest(const CandidateRecord& c) {
  if (!c.writeoff_minor || c.allocations.empty()) return false;
  std::int64_t sum = 0;
  for (const auto& a : c.allocations) sum += a.amount_minor;
  return (*c.writeoff_minor < 0) == (sum > 0);
}

/// Inserts an approved match and applies its allocations.
Result<std::int64_t> approve(Database& db, std::int64_t entry_id, const char* decision, const CandidateRecord& c,
                             const std::string& now, std::string_view actor) {
  if (c.allocations.size() > kMaxAllocations) return fail(Errc::invalid_input, "too many allocations");
  const auto id = BANKREC_TRY(insert_match(db, entry_id, decision, "approved", std::nullopt, c, now, actor));
  const bool close = closes_rest(c);
  for (const auto& a : c.allocations) {
    const std::int64_t closed = BANKREC_TRY(apply_allocation(db, a, close));
    BANKREC_TRY(insert_allocation(db, id, a, closed));
  }
  return id;
}

Result<void> set_entry_status(Database& db, std::int64_t entry_id, const char* status) {
  auto q = BANKREC_TRY(db.prepare("UPDATE entries SET status = ? WHERE id = ?"));
  q.bind(1, status).bind(2, entry_id);
  BANKREC_TRY(q.run());
  if (db.changes() != 1) return fail(Errc::not_found, "entry " + std::to_string(entry_id) + " not found");
  return ok();
}

Result<std::string> entry_status(Database& db, std::int64_t entry_id) {
  auto q = BANKREC_TRY(db.prepare("SELECT status FROM entries WHERE id = ?"));
  q.bind(1, entry_id);
  if (!BANKREC_TRY(q.step())) return fail(Errc::not_found, "entry " + std::to_string(entry_id) + " not found");
  return q.column_text(0);
}

Result<std::vector<AllocationRecord>> allocations_of(Database& db, std::int64_t match_id,
                                                     std::vector<std::int64_t>* closed = nullptr) {
  auto q = BANKREC_TRY(db.prepare(
      "SELECT o.item_key, a.amount_minor, a.currency, a.closed_minor FROM allocations a "
      "JOIN open_items o ON o.id = a.open_item_id WHERE a.match_id = ? ORDER BY a.id"));
  q.bind(1, match_id);
  std::vector<AllocationRecord> out;
  while (BANKREC_TRY(q.step())) {
    out.push_back({q.column_text(0), q.column_int(1), q.column_text(2)});
    if (closed) closed->push_back(q.column_int(3));
  }
  return out;
}

Result<void> reject_proposed(Database& db, std::int64_t entry_id, const std::string& now, std::string_view actor,
                             std::int64_t except = 0) {
  auto q = BANKREC_TRY(db.prepare(
      "UPDATE matches SET status = 'rejected', decided_at = ?, decided_by = ? "
      "WHERE entry_id = ? AND status = 'proposed' AND id != ?"));
  q.bind(1, now).bind(2, actor).bind(3, entry_id).bind(4, except);
  return q.run();
}

Result<std::int64_t> partner_row(Database& db, const std::string& key, const std::string& name, const std::string& now) {
  auto find = BANKREC_TRY(db.prepare("SELECT id FROM partners WHERE partner_key = ?"));
  find.bind(1, key);
  if (BANKREC_TRY(find.step())) {
    const std::int64_t id = find.column_int(0);
    auto up = BANKREC_TRY(db.prepare("UPDATE partners SET name = ?, updated_at = ? WHERE id = ? AND name != ?"));
    up.bind(1, name).bind(2, now).bind(3, id).bind(4, name);
    BANKREC_TRY(up.run());
    return id;
  }
  auto ins = BANKREC_TRY(db.prepare("INSERT INTO partners(partner_key, name, updated_at) VALUES(?,?,?)"));
  ins.bind(1, key).bind(2, name).bind(3, now);
  BANKREC_TRY(ins.run());
  return db.last_insert_rowid();
}

Result<bool> add_partner_iban(Database& db, std::int64_t partner, const std::string& iban, const char* source,
                              const std::string& now, std::string_view actor) {
  auto q = BANKREC_TRY(db.prepare(
      "INSERT OR IGNORE INTO partner_ibans(partner_id, iban, source, created_at, created_by) VALUES(?,?,?,?,?)"));
  q.bind(1, partner).bind(2, iban).bind(3, source).bind(4, now).bind(5, actor);
  BANKREC_TRY(q.run());
  return db.changes() == 1;
}

/// Money applied to an item by approved (not undone) matches, as a magnitude.
Result<std::int64_t> applied_to(Database& db, std::int64_t item_id, bool outgoing) {
  auto q = BANKREC_TRY(db.prepare(
      "SELECT COALESCE(SUM(a.amount_minor), 0), COALESCE(SUM(a.closed_minor), 0) FROM allocations a "
      "JOIN matches m ON m.id = a.match_id WHERE a.open_item_id = ? AND m.status = 'approved'"));
  q.bind(1, item_id);
  BANKREC_TRY(q.step());
  const std::int64_t sum = q.column_int(0);
  return (outgoing ? -sum : sum) + q.column_int(1);
}

Result<std::string> upsert_item(Database& db, const domain::OpenItem& item, const std::string& now,
                                std::string_view actor, OpenItemsImportSummary& summary) {
  const std::string json = domain::to_json(item);
  const std::string kind = domain::open_item_kind_name(item.kind);
  auto find = BANKREC_TRY(db.prepare("SELECT id, item_json FROM open_items WHERE item_key = ?"));
  find.bind(1, item.id);
  const auto opt_date = [](const std::optional<domain::Date>& d) {
    return d ? std::optional<std::string>(d->iso()) : std::nullopt;
  };
  if (!BANKREC_TRY(find.step())) {
    auto ins = BANKREC_TRY(db.prepare(
        "INSERT INTO open_items(item_key, kind, partner_id, partner_name, document_number, amount_minor, open_minor, "
        "currency, issue_date, due_date, reference, status, item_json, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,'open',?,?)"));
    ins.bind(1, item.id).bind(2, kind).bind(3, item.partner_id).bind(4, item.partner_name).bind(5, item.document_number);
    ins.bind(6, item.amount.minor()).bind(7, item.amount.minor()).bind(8, item.amount.currency().str());
    ins.bind(9, opt_date(item.issue_date)).bind(10, opt_date(item.due_date)).bind(11, item.reference);
    ins.bind(12, json).bind(13, now);
    BANKREC_TRY(ins.run());
    const std::int64_t id = db.last_insert_rowid();
    auto h = BANKREC_TRY(db.prepare(
        "INSERT INTO open_item_history(open_item_id, changed_at, actor, change, before_json, after_json) "
        "VALUES(?,?,?,'created',NULL,?)"));
    h.bind(1, id).bind(2, now).bind(3, actor).bind(4, json);
    BANKREC_TRY(h.run());
    ++summary.added;
    return json;
  }
  const std::int64_t id = find.column_int(0);
  const std::string before = find.column_text(1);
  if (before == json) {
    ++summary.unchanged;
    return json;
  }
  const bool outgoing = is_outgoing_kind(kind);
  const std::int64_t applied = BANKREC_TRY(applied_to(db, id, outgoing));
  const std::int64_t open = std::max<std::int64_t>(0, item.amount.minor() - applied);
  auto up = BANKREC_TRY(db.prepare(
      "UPDATE open_items SET kind = ?, partner_id = ?, partner_name = ?, document_number = ?, amount_minor = ?, "
      "open_minor = ?, currency = ?, issue_date = ?, due_date = ?, reference = ?, status = ?, item_json = ?, "
      "updated_at = ? WHERE id = ?"));
  up.bind(1, kind).bind(2, item.partner_id).bind(3, item.partner_name).bind(4, item.document_number);
  up.bind(5, item.amount.minor()).bind(6, open).bind(7, item.amount.currency().str());
  up.bind(8, opt_date(item.issue_date)).bind(9, opt_date(item.due_date)).bind(10, item.reference);
  up.bind(11, status_for(item.amount.minor(), open)).bind(12, json).bind(13, now).bind(14, id);
  BANKREC_TRY(up.run());
  auto h = BANKREC_TRY(db.prepare(
      "INSERT INTO open_item_history(open_item_id, changed_at, actor, change, before_json, after_json) "
      "VALUES(?,?,?,'updated',?,?)"));
  h.bind(1, id).bind(2, now).bind(3, actor).bind(4, before).bind(5, json);
  BANKREC_TRY(h.run());
  ++summary.updated;
  return json;
}

Result<void> audit(Store& store, std::string_view actor, const char* action, const char* type, std::string id,
                   std::string details) {
  BANKREC_TRY(store.audit().append({std::string(actor), action, type, std::move(id), std::move(details)}));
  return ok();
}

std::string allocations_json(const std::vector<AllocationRecord>& list) {
  std::string out = "[";
  for (const auto& a : list)
    out += (out.size() > 1 ? "," : "") + std::string("{\"item\":") + json_text(a.item_key) +
           ",\"amount_minor\":" + std::to_string(a.amount_minor) + "}";
  return out + "]";
}

Result<MatchView> load_match(Database& db, std::int64_t match_id, std::int64_t* entry_id) {
  auto q = BANKREC_TRY(db.prepare(
      "SELECT id, decision, status, suggestion_rank, score, reasons_json, features_json, entry_id, shadow_auto "
      "FROM matches "
      "WHERE id = ?"));
  q.bind(1, match_id);
  if (!BANKREC_TRY(q.step())) return fail(Errc::not_found, "match " + std::to_string(match_id) + " not found");
  MatchView m;
  m.id = q.column_int(0);
  m.decision = q.column_text(1);
  m.status = q.column_text(2);
  if (!q.column_is_null(3)) m.rank = q.column_int(3);
  m.score = static_cast<int>(q.column_int(4));
  m.reasons_json = q.column_text(5);
  m.features_json = q.column_text(6);
  if (entry_id) *entry_id = q.column_int(7);
  m.shadow_auto = q.column_int(8) != 0;
  m.allocations = BANKREC_TRY(allocations_of(db, match_id));
  return m;
}

using PartnerIbans = std::map<std::string, std::vector<std::string>, std::less<>>;

/// Every partner's known IBANs (from items and learned), keyed by partner key, in a stable order.
Result<PartnerIbans> load_partner_ibans(Database& db) {
  PartnerIbans ibans;
  auto q = BANKREC_TRY(db.prepare(
      "SELECT p.partner_key, i.iban FROM partner_ibans i JOIN partners p ON p.id = i.partner_id ORDER BY p.id, i.iban"));
  while (BANKREC_TRY(q.step())) ibans[q.column_text(0)].push_back(q.column_text(1));
  return ibans;
}

/// The entry in the columns from `first` on (read_entry); a stored row that cannot be read is an
/// internal error naming the entry id of column `id_column`.
Result<domain::Entry> read_stored_entry(const Query& q, int first, int id_column) {
  auto entry = read_entry(q, first);
  if (!entry)
    return fail(Errc::internal, "stored entry " + std::to_string(q.column_int(id_column)) + " cannot be read: " +
                                    entry.error().message);
  return entry;
}

/// The open item of a row whose columns 0..2 are id, item_json and open_minor: the stored JSON with
/// the open amount, and the partner's known IBANs added to the item's own.
Result<domain::OpenItem> read_stored_item(Query& q, const PartnerIbans& ibans) {
  auto item = domain::open_item_from_json(q.column_text_view(1));
  if (!item) return fail(Errc::internal, "stored open item " + std::to_string(q.column_int(0)) + ": " + item.error().message);
  item->amount = domain::Money(q.column_int(2), item->amount.currency());
  if (const auto it = ibans.find(item->partner_id); it != ibans.end())
    for (const auto& iban : it->second)
      if (std::find(item->partner_ibans.begin(), item->partner_ibans.end(), iban) == item->partner_ibans.end())
        item->partner_ibans.push_back(iban);
  return item;
}

}  // namespace

Result<OpenItemsImportSummary> ReconcileRepo::import_open_items(const std::vector<domain::OpenItem>& items,
                                                                std::string_view source, std::string_view actor) {
  OpenItemsImportSummary summary;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    for (const auto& item : items) {
      BANKREC_TRY(upsert_item(db, item, now, actor, summary));
      const std::int64_t partner = BANKREC_TRY(partner_row(db, item.partner_id, item.partner_name, now));
      for (const auto& iban : item.partner_ibans) BANKREC_TRY(add_partner_iban(db, partner, iban, "item", now, actor));
    }
    return audit(store_, actor, "open_items.import", "open_items", std::string(source),
                 "{\"items\":" + std::to_string(items.size()) + ",\"added\":" + std::to_string(summary.added) +
                     ",\"updated\":" + std::to_string(summary.updated) +
                     ",\"unchanged\":" + std::to_string(summary.unchanged) + "}");
  }));
  return summary;
}

Result<std::vector<StoredOpenItem>> ReconcileRepo::load_open_items() {
  Database& db = store_.db();
  const PartnerIbans ibans = BANKREC_TRY(load_partner_ibans(db));
  auto q = BANKREC_TRY(db.prepare(
      "SELECT id, item_json, open_minor FROM open_items WHERE open_minor > 0 AND status IN ('open', 'partial') "
      "ORDER BY id"));
  std::vector<StoredOpenItem> out;
  while (BANKREC_TRY(q.step())) {
    auto item = BANKREC_TRY(read_stored_item(q, ibans));
    out.push_back({q.column_int(0), std::move(item)});
  }
  return out;
}

Result<std::vector<UndecidedEntry>> ReconcileRepo::load_undecided_entries(std::size_t limit) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT e.id, COALESCE(a.iban, ''), " + std::string(kEntryColumns) +
      " FROM entries e JOIN accounts a ON a.id = e.account_id "
      "WHERE e.status = 'processed' AND e.booking = 'booked' ORDER BY e.id LIMIT ?"));
  q.bind(1, static_cast<std::int64_t>(limit));
  std::vector<UndecidedEntry> out;
  while (BANKREC_TRY(q.step())) {
    auto entry = BANKREC_TRY(read_stored_entry(q, 2, 0));
    out.push_back({q.column_int(0), q.column_text(1), std::move(entry)});
  }
  return out;
}

Result<DecisionCounts> ReconcileRepo::record_decisions(const std::vector<DecisionRecord>& decisions,
                                                       std::string_view actor) {
  DecisionCounts counts;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    for (const auto& d : decisions) {
      if (BANKREC_TRY(entry_status(db, d.entry_id)) != "processed")
        return fail(Errc::conflict, "entry " + std::to_string(d.entry_id) + " was decided meanwhile");
      switch (d.kind) {
        case DecisionKind::automatic:
          BANKREC_TRY(approve(db, d.entry_id, "auto", d.chosen, now, actor));
          BANKREC_TRY(set_entry_status(db, d.entry_id, "reconciled"));
          ++counts.reconciled;
          break;
        case DecisionKind::suggest: {
          std::int64_t rank = 0;
          for (const auto& s : d.suggestions) {
            if (static_cast<std::size_t>(rank) >= kMaxSuggestionsKept) break;
            const auto id = BANKREC_TRY(insert_match(db, d.entry_id, "suggest", "proposed", ++rank, s, now, actor));
            if (rank == 1 && d.shadow_auto) {
              // A rule in shadow mode would have posted this best suggestion (the console shows it).
              auto mark = BANKREC_TRY(db.prepare("UPDATE matches SET shadow_auto = 1 WHERE id = ?"));
              mark.bind(1, id);
              BANKREC_TRY(mark.run());
            }
            for (const auto& a : s.allocations) BANKREC_TRY(insert_allocation(db, id, a, 0));
          }
          BANKREC_TRY(set_entry_status(db, d.entry_id, "review"));
          ++counts.review;
          break;
        }
        case DecisionKind::none:
          BANKREC_TRY(set_entry_status(db, d.entry_id, "unmatched"));
          ++counts.unmatched;
          break;
      }
    }
    return audit(store_, actor, "reconcile.run", "entries", std::to_string(decisions.size()),
                 "{\"reconciled\":" + std::to_string(counts.reconciled) + ",\"review\":" + std::to_string(counts.review) +
                     ",\"unmatched\":" + std::to_string(counts.unmatched) + "}");
  }));
  return counts;
}

Result<std::vector<MatchView>> ReconcileRepo::matches_of_entry(std::int64_t entry_id) {
  std::vector<std::int64_t> ids;
  {
    auto q = BANKREC_TRY(store_.db().prepare("SELECT id FROM matches WHERE entry_id = ? ORDER BY id"));
    q.bind(1, entry_id);
    while (BANKREC_TRY(q.step())) ids.push_back(q.column_int(0));
  }
  std::vector<MatchView> out;
  for (auto id : ids) out.push_back(BANKREC_TRY(load_match(store_.db(), id, nullptr)));
  return out;
}

Result<std::vector<ReviewItem>> ReconcileRepo::review_queue(std::size_t limit) {
  ReviewFilter filter;
  filter.limit = limit;
  return review_queue(filter);
}

namespace {

/// The review fields of one entry from `SELECT e.id, e.status, a.iban, <kEntryColumns>`.
Result<ReviewItem> review_row(const Query& q) {
  auto entry = BANKREC_TRY(read_stored_entry(q, 3, 0));
  ReviewItem r;
  r.entry_id = q.column_int(0);
  r.status = q.column_text(1);
  r.account_iban = q.column_text(2);
  r.amount_minor = entry.amount.minor();
  r.currency = std::string(entry.amount.currency().str());
  r.counterparty_name = entry.counterparty.name.value_or("");
  r.counterparty_iban = entry.counterparty.iban.value_or("");
  if (entry.booking_date) r.booking_date = entry.booking_date->iso();
  r.remittance = entry.remittance.value_or("");
  return r;
}

constexpr std::string_view kReviewSelect = "SELECT e.id, e.status, COALESCE(a.iban, ''), ";

}  // namespace

Result<std::vector<ReviewItem>> ReconcileRepo::review_queue(const ReviewFilter& filter) {
  std::vector<ReviewItem> out;
  {
    auto q = BANKREC_TRY(store_.db().prepare(
        std::string(kReviewSelect) + std::string(kEntryColumns) +
        " FROM entries e JOIN accounts a ON a.id = e.account_id "
        "WHERE e.status = 'review' AND (? = '' OR a.iban = ?) ORDER BY e.id LIMIT ?"));
    q.bind(1, filter.account_iban).bind(2, filter.account_iban).bind(3, static_cast<std::int64_t>(filter.limit));
    while (BANKREC_TRY(q.step())) out.push_back(BANKREC_TRY(review_row(q)));
  }
  for (auto& r : out) {
    for (auto& m : BANKREC_TRY(matches_of_entry(r.entry_id)))
      if (m.status == "proposed") r.suggestions.push_back(std::move(m));
    std::sort(r.suggestions.begin(), r.suggestions.end(),
              [](const MatchView& a, const MatchView& b) { return a.rank.value_or(99) < b.rank.value_or(99); });
  }
  return out;
}

Result<ReviewItem> ReconcileRepo::review_entry(std::int64_t entry_id) {
  ReviewItem r;
  {
    auto q = BANKREC_TRY(store_.db().prepare(std::string(kReviewSelect) + std::string(kEntryColumns) +
                                             " FROM entries e JOIN accounts a ON a.id = e.account_id WHERE e.id = ?"));
    q.bind(1, entry_id);
    if (!BANKREC_TRY(q.step())) return fail(Errc::not_found, "entry " + std::to_string(entry_id) + " not found");
    r = BANKREC_TRY(review_row(q));
  }
  r.suggestions = BANKREC_TRY(matches_of_entry(entry_id));
  return r;
}

Result<std::optional<ItemBalance>> ReconcileRepo::item_balance(std::string_view item_key) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT id, open_minor, currency, kind, partner_id FROM open_items WHERE item_key = ?"));
  q.bind(1, item_key);
  if (!BANKREC_TRY(q.step())) return std::optional<ItemBalance>{};
  const std::int64_t open = q.column_int(1);
  return std::optional<ItemBalance>{
      ItemBalance{q.column_int(0), is_outgoing_kind(q.column_text(3)) ? -open : open, q.column_text(2), q.column_text(4)}};
}

Result<void> ReconcileRepo::accept(std::int64_t match_id, std::string_view actor) {
  return store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    std::int64_t entry_id = 0;
    const MatchView m = BANKREC_TRY(load_match(db, match_id, &entry_id));
    if (m.status != "proposed")
      return fail(Errc::conflict, "match " + std::to_string(match_id) + " is " + m.status + ", not proposed");
    if (BANKREC_TRY(entry_status(db, entry_id)) != "review")
      return fail(Errc::conflict, "entry " + std::to_string(entry_id) + " is not in the review queue");
    CandidateRecord c;
    c.allocations = m.allocations;
    {
      auto q = BANKREC_TRY(db.prepare("SELECT writeoff_minor FROM matches WHERE id = ?"));
      q.bind(1, match_id);
      BANKREC_TRY(q.step());
      if (!q.column_is_null(0)) c.writeoff_minor = q.column_int(0);
    }
    const bool close = closes_rest(c);
    for (const auto& a : c.allocations) {
      const std::int64_t closed = BANKREC_TRY(apply_allocation(db, a, close));
      auto q = BANKREC_TRY(db.prepare(
          "UPDATE allocations SET closed_minor = ? WHERE match_id = ? AND open_item_id = "
          "(SELECT id FROM open_items WHERE item_key = ?)"));
      q.bind(1, closed).bind(2, match_id).bind(3, a.item_key);
      BANKREC_TRY(q.run());
    }
    auto q = BANKREC_TRY(db.prepare(
        "UPDATE matches SET status = 'approved', decided_at = ?, decided_by = ? WHERE id = ? AND status = 'proposed'"));
    q.bind(1, now).bind(2, actor).bind(3, match_id);
    BANKREC_TRY(q.run());
    BANKREC_TRY(reject_proposed(db, entry_id, now, actor, match_id));
    BANKREC_TRY(set_entry_status(db, entry_id, "reconciled"));
    // The payer's IBAN, when the partner did not have it yet, is learned for the next run.
    std::string learned;
    auto e = BANKREC_TRY(db.prepare("SELECT COALESCE(counterparty_iban, '') FROM entries WHERE id = ?"));
    e.bind(1, entry_id);
    BANKREC_TRY(e.step());
    const std::string iban = e.column_text(0);
    if (!iban.empty() && !m.allocations.empty()) {
      const auto item = BANKREC_TRY(find_item(db, m.allocations.front().item_key));
      auto p = BANKREC_TRY(db.prepare("SELECT id FROM partners WHERE partner_key = ?"));
      p.bind(1, item->partner_key);
      if (BANKREC_TRY(p.step()) && BANKREC_TRY(add_partner_iban(db, p.column_int(0), iban, "learned", now, actor)))
        learned = iban;
    }
    return audit(store_, actor, "reconcile.accept", "match", std::to_string(match_id),
                 "{\"entry\":" + std::to_string(entry_id) + ",\"before\":{\"status\":\"proposed\",\"rank\":" +
                     std::to_string(m.rank.value_or(0)) + "},\"after\":{\"status\":\"approved\",\"allocations\":" +
                     allocations_json(m.allocations) + "},\"learned_iban\":" + json_text(learned) + "}");
  });
}

Result<std::int64_t> ReconcileRepo::split(std::int64_t entry_id, const std::vector<AllocationRecord>& allocations,
                                          std::string_view actor) {
  std::int64_t id = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    const std::string before = BANKREC_TRY(entry_status(db, entry_id));
    if (before != "review" && before != "unmatched")
      return fail(Errc::conflict, "entry " + std::to_string(entry_id) + " is " + before + ", not open for a decision");
    if (allocations.empty() || allocations.size() > kMaxAllocations)
      return fail(Errc::invalid_input, "a split needs 1 to " + std::to_string(kMaxAllocations) + " allocations");
    auto q = BANKREC_TRY(db.prepare("SELECT amount_minor FROM entries WHERE id = ?"));
    q.bind(1, entry_id);
    BANKREC_TRY(q.step());
    const std::int64_t amount = q.column_int(0);
    std::int64_t sum = 0;
    for (const auto& a : allocations) {
      if ((a.amount_minor > 0) != (amount > 0) && a.amount_minor != 0 && allocations.size() == 1)
        return fail(Errc::invalid_input, "allocation to '" + a.item_key + "' has the wrong sign");
      sum += a.amount_minor;
    }
    if ((amount >= 0 && (sum < 0 || sum > amount)) || (amount < 0 && (sum > 0 || sum < amount)))
      return fail(Errc::invalid_input, "allocations add up to " + std::to_string(sum) + ", beyond the entry's " +
                                           std::to_string(amount) + " minor units");
    CandidateRecord c;
    c.score = 100;
    c.allocations = allocations;
    c.reasons_json = "[\"manual split\"]";
    id = BANKREC_TRY(approve(db, entry_id, "manual", c, now, actor));
    BANKREC_TRY(reject_proposed(db, entry_id, now, actor));
    BANKREC_TRY(set_entry_status(db, entry_id, "reconciled"));
    return audit(store_, actor, "reconcile.split", "entry", std::to_string(entry_id),
                 "{\"before\":{\"status\":" + json_text(before) + "},\"after\":{\"status\":\"reconciled\",\"match\":" +
                     std::to_string(id) + ",\"allocations\":" + allocations_json(allocations) + "}}");
  }));
  return id;
}

Result<void> ReconcileRepo::mark_no_match(std::int64_t entry_id, std::string_view actor) {
  return store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    const std::string before = BANKREC_TRY(entry_status(db, entry_id));
    if (before != "review") return fail(Errc::conflict, "entry " + std::to_string(entry_id) + " is " + before + ", not in review");
    BANKREC_TRY(reject_proposed(db, entry_id, now, actor));
    BANKREC_TRY(set_entry_status(db, entry_id, "unmatched"));
    return audit(store_, actor, "reconcile.no_match", "entry", std::to_string(entry_id),
                 "{\"before\":{\"status\":\"review\"},\"after\":{\"status\":\"unmatched\"}}");
  });
}

Result<std::int64_t> ReconcileRepo::mark_no_match(std::int64_t entry_id, std::string_view actor,
                                                  std::string_view reason) {
  std::int64_t id = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    const std::string before = BANKREC_TRY(entry_status(db, entry_id));
    // A line the engine left unmatched may be confirmed as no match too (with the reason).
    if (before != "review" && before != "unmatched")
      return fail(Errc::conflict, "entry " + std::to_string(entry_id) + " is " + before + ", not open for a decision");
    auto standing = BANKREC_TRY(db.prepare(
        "SELECT count(*) FROM matches WHERE entry_id = ? AND status = 'approved' AND reverses_match_id IS NULL"));
    standing.bind(1, entry_id);
    BANKREC_TRY(standing.step());
    if (standing.column_int(0) > 0)
      return fail(Errc::conflict, "entry " + std::to_string(entry_id) + " already has a decision; undo it first");
    const std::string why = reason.empty() ? std::string("no match") : "no match: " + std::string(reason);
    CandidateRecord c;
    c.score = 0;
    c.reasons_json = "[" + json_text(why) + "]";
    id = BANKREC_TRY(insert_match(db, entry_id, "manual", "approved", std::nullopt, c, now, actor));
    BANKREC_TRY(reject_proposed(db, entry_id, now, actor, id));
    BANKREC_TRY(set_entry_status(db, entry_id, "unmatched"));
    return audit(store_, actor, "reconcile.no_match", "entry", std::to_string(entry_id),
                 "{\"before\":{\"status\":" + json_text(before) + "},\"after\":{\"status\":\"unmatched\",\"match\":" +
                     std::to_string(id) + ",\"reason\":" + json_text(reason) + "}}");
  }));
  return id;
}

Result<std::int64_t> ReconcileRepo::undo(std::int64_t match_id, std::string_view actor) {
  std::int64_t id = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    std::int64_t entry_id = 0;
    const MatchView m = BANKREC_TRY(load_match(db, match_id, &entry_id));
    if (m.status != "approved")
      return fail(Errc::conflict, "match " + std::to_string(match_id) + " is " + m.status + "; only an approved match can be undone");
    std::vector<std::int64_t> closed;
    const auto allocations = BANKREC_TRY(allocations_of(db, match_id, &closed));
    CandidateRecord c;
    c.score = m.score;
    c.reasons_json = "[\"undo of match " + std::to_string(match_id) + "\"]";
    id = BANKREC_TRY(insert_match(db, entry_id, "manual", "approved", std::nullopt, c, now, actor, match_id));
    for (std::size_t k = 0; k < allocations.size(); ++k) {
      const auto row = BANKREC_TRY(find_item(db, allocations[k].item_key));
      const std::int64_t magnitude = is_outgoing_kind(row->kind) ? -allocations[k].amount_minor : allocations[k].amount_minor;
      const std::int64_t open = std::min(row->amount, row->open + magnitude + closed[k]);
      auto q = BANKREC_TRY(db.prepare("UPDATE open_items SET open_minor = ?, status = ? WHERE id = ?"));
      q.bind(1, open).bind(2, status_for(row->amount, open)).bind(3, row->id);
      BANKREC_TRY(q.run());
      AllocationRecord back = allocations[k];
      back.amount_minor = -back.amount_minor;
      BANKREC_TRY(insert_allocation(db, id, back, -closed[k]));
    }
    auto q = BANKREC_TRY(db.prepare("UPDATE matches SET status = 'undone' WHERE id = ? AND status = 'approved'"));
    q.bind(1, match_id);
    BANKREC_TRY(q.run());
    BANKREC_TRY(set_entry_status(db, entry_id, "review"));
    return audit(store_, actor, "reconcile.undo", "match", std::to_string(match_id),
                 "{\"entry\":" + std::to_string(entry_id) + ",\"compensating_match\":" + std::to_string(id) +
                     ",\"before\":{\"status\":\"approved\",\"allocations\":" + allocations_json(allocations) +
                     "},\"after\":{\"status\":\"undone\"}}");
  }));
  return id;
}

Result<std::vector<ManualDecision>> ReconcileRepo::manual_decisions(std::size_t limit) {
  std::vector<ManualDecision> out;
  Database& db = store_.db();
  {
    // Standing decisions of people: accepted suggestions and manual matches, not compensations
    // (reverses_match_id) and not undone ones (status 'undone').
    auto q = BANKREC_TRY(db.prepare(
        "SELECT m.id, m.entry_id, m.reasons_json, (SELECT count(*) FROM allocations a WHERE a.match_id = m.id), " +
        std::string(kEntryColumns) +
        " FROM matches m JOIN entries e ON e.id = m.entry_id WHERE m.status = 'approved' AND "
        "m.reverses_match_id IS NULL AND m.decision IN ('manual', 'suggest') ORDER BY m.id LIMIT ?"));
    q.bind(1, static_cast<std::int64_t>(limit));
    while (BANKREC_TRY(q.step())) {
      auto entry = BANKREC_TRY(read_stored_entry(q, 4, 1));
      ManualDecision d;
      d.match_id = q.column_int(0);
      d.entry_id = q.column_int(1);
      d.no_match = q.column_int(3) == 0 && q.column_text(2).starts_with("[\"no match");
      d.amount_minor = entry.amount.minor();
      d.counterparty_name = entry.counterparty.name.value_or("");
      d.counterparty_iban = entry.counterparty.iban.value_or("");
      d.remittance = entry.remittance.value_or("");
      out.push_back(std::move(d));
    }
  }
  for (auto& d : out) {
    auto q = BANKREC_TRY(db.prepare(
        "SELECT DISTINCT o.partner_id FROM allocations a JOIN open_items o ON o.id = a.open_item_id "
        "WHERE a.match_id = ? ORDER BY 1"));
    q.bind(1, d.match_id);
    while (BANKREC_TRY(q.step())) d.partner_keys.push_back(q.column_text(0));
  }
  return out;
}

Result<std::int64_t> ReconcileRepo::save_rule_proposal(const RuleProposal& p, std::string_view actor) {
  std::int64_t id = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    auto find = BANKREC_TRY(db.prepare("SELECT id, support, rule_yaml FROM rule_proposals WHERE pattern_key = ?"));
    find.bind(1, p.pattern_key);
    if (BANKREC_TRY(find.step())) {
      id = find.column_int(0);
      if (find.column_int(1) == p.support && find.column_text(2) == p.rule_yaml) return ok();
      const std::int64_t before = find.column_int(1);
      auto q = BANKREC_TRY(db.prepare(
          "UPDATE rule_proposals SET support = ?, entries_json = ?, rule_yaml = ?, purpose_words = ?, updated_at = ? "
          "WHERE id = ?"));
      q.bind(1, p.support).bind(2, p.entries_json).bind(3, p.rule_yaml).bind(4, p.purpose_words).bind(5, now).bind(6, id);
      BANKREC_TRY(q.run());
      return audit(store_, actor, "reconcile.rule_proposal", "rule_proposal", std::to_string(id),
                   "{\"before\":{\"support\":" + std::to_string(before) + "},\"after\":{\"support\":" +
                       std::to_string(p.support) + "}}");
    }
    auto q = BANKREC_TRY(db.prepare(
        "INSERT INTO rule_proposals(kind, pattern_key, counterparty_iban, counterparty_name, partner_key, "
        "purpose_words, support, entries_json, rule_yaml, status, created_at, updated_at) "
        "VALUES(?,?,?,?,?,?,?,?,?,'proposed',?,?)"));
    q.bind(1, p.kind).bind(2, p.pattern_key).bind(3, p.counterparty_iban).bind(4, p.counterparty_name);
    q.bind(5, p.partner_key).bind(6, p.purpose_words).bind(7, p.support).bind(8, p.entries_json).bind(9, p.rule_yaml);
    q.bind(10, now).bind(11, now);
    BANKREC_TRY(q.run());
    id = db.last_insert_rowid();
    return audit(store_, actor, "reconcile.rule_proposal", "rule_proposal", std::to_string(id),
                 "{\"before\":null,\"after\":{\"kind\":" + json_text(p.kind) + ",\"pattern\":" +
                     json_text(p.pattern_key) + ",\"support\":" + std::to_string(p.support) + "}}");
  }));
  return id;
}

Result<std::vector<RuleProposal>> ReconcileRepo::rule_proposals() {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT id, kind, pattern_key, counterparty_iban, counterparty_name, partner_key, purpose_words, support, "
      "entries_json, rule_yaml, status FROM rule_proposals ORDER BY id"));
  std::vector<RuleProposal> out;
  while (BANKREC_TRY(q.step())) {
    RuleProposal p;
    p.id = q.column_int(0);
    p.kind = q.column_text(1);
    p.pattern_key = q.column_text(2);
    p.counterparty_iban = q.column_text(3);
    p.counterparty_name = q.column_text(4);
    p.partner_key = q.column_text(5);
    p.purpose_words = q.column_text(6);
    p.support = q.column_int(7);
    p.entries_json = q.column_text(8);
    p.rule_yaml = q.column_text(9);
    p.status = q.column_text(10);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<std::string>> ReconcileRepo::partner_ibans(std::string_view partner_key) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT i.iban FROM partner_ibans i JOIN partners p ON p.id = i.partner_id WHERE p.partner_key = ? ORDER BY i.iban"));
  q.bind(1, partner_key);
  std::vector<std::string> out;
  while (BANKREC_TRY(q.step())) out.push_back(q.column_text(0));
  return out;
}

// ---- backtests (schema step 7) ---------------------------------------------------------------

Result<std::vector<ConfirmedDecision>> ReconcileRepo::confirmed_decisions(std::string_view since, std::size_t limit) {
  std::vector<ConfirmedDecision> out;
  Database& db = store_.db();
  {
    // Standing outcomes: approved (not undone: an undone one has status 'undone'), not a
    // compensation (reverses_match_id), decided in the window. One per entry: the newest.
    auto q = BANKREC_TRY(db.prepare(
        "SELECT m.id, m.entry_id, m.decision, COALESCE(m.decided_at, m.created_at), COALESCE(m.decided_by, m.created_by), "
        "COALESCE(a.iban, ''), " + std::string(kEntryColumns) +
        " FROM matches m JOIN entries e ON e.id = m.entry_id JOIN accounts a ON a.id = e.account_id "
        "WHERE m.status = 'approved' AND m.reverses_match_id IS NULL AND COALESCE(m.decided_at, m.created_at) >= ? "
        "ORDER BY m.entry_id, m.id LIMIT ?"));
    q.bind(1, since).bind(2, static_cast<std::int64_t>(limit));
    while (BANKREC_TRY(q.step())) {
      auto entry = BANKREC_TRY(read_stored_entry(q, 6, 1));
      ConfirmedDecision d;
      d.match_id = q.column_int(0);
      d.entry_id = q.column_int(1);
      d.decision = q.column_text(2);
      d.decided_at = q.column_text(3);
      d.decided_by = q.column_text(4);
      d.account_iban = q.column_text(5);
      d.entry = std::move(entry);
      if (!out.empty() && out.back().entry_id == d.entry_id) out.back() = std::move(d);
      else out.push_back(std::move(d));
    }
  }
  for (auto& d : out) d.allocations = BANKREC_TRY(allocations_of(db, d.match_id, &d.closed_minor));
  return out;
}

Result<std::vector<StoredItemState>> ReconcileRepo::load_all_items() {
  Database& db = store_.db();
  const PartnerIbans ibans = BANKREC_TRY(load_partner_ibans(db));
  auto q = BANKREC_TRY(db.prepare("SELECT id, item_json, open_minor, status FROM open_items ORDER BY id"));
  std::vector<StoredItemState> out;
  while (BANKREC_TRY(q.step())) {
    auto item = BANKREC_TRY(read_stored_item(q, ibans));
    out.push_back({q.column_int(0), q.column_text(3), std::move(item)});
  }
  return out;
}

Result<std::int64_t> ReconcileRepo::save_rule_backtest(const RuleBacktestRecord& r, std::string_view actor) {
  std::int64_t id = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    auto q = BANKREC_TRY(db.prepare(
        "INSERT INTO rule_backtests(rule_name, rule_digest, months, lines, would_post, agree, confirmed_matches, "
        "recalled, precision_permille, recall_permille, report_json, created_at, created_by) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    q.bind(1, r.rule_name).bind(2, r.rule_digest).bind(3, r.months).bind(4, r.lines).bind(5, r.would_post);
    q.bind(6, r.agree).bind(7, r.confirmed_matches).bind(8, r.recalled);
    if (r.precision_permille) q.bind(9, *r.precision_permille);
    else q.bind_null(9);
    if (r.recall_permille) q.bind(10, *r.recall_permille);
    else q.bind_null(10);
    q.bind(11, r.report_json).bind(12, now).bind(13, actor);
    BANKREC_TRY(q.run());
    id = db.last_insert_rowid();
    const auto opt = [](const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : std::string("null"); };
    return audit(store_, actor, "reconcile.rule_backtest", "rule_backtest", std::to_string(id),
                 "{\"rule\":" + json_text(r.rule_name) + ",\"digest\":" + json_text(r.rule_digest) +
                     ",\"months\":" + std::to_string(r.months) + ",\"lines\":" + std::to_string(r.lines) +
                     ",\"would_post\":" + std::to_string(r.would_post) + ",\"agree\":" + std::to_string(r.agree) +
                     ",\"confirmed_matches\":" + std::to_string(r.confirmed_matches) +
                     ",\"recalled\":" + std::to_string(r.recalled) + ",\"precision_permille\":" +
                     opt(r.precision_permille) + ",\"recall_permille\":" + opt(r.recall_permille) + "}");
  }));
  return id;
}

Result<std::vector<RuleBacktestRecord>> ReconcileRepo::rule_backtests(std::string_view rule_name, std::size_t limit) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT id, rule_name, rule_digest, months, lines, would_post, agree, confirmed_matches, recalled, "
      "precision_permille, recall_permille, report_json, created_at, created_by, COALESCE(approved_at, ''), "
      "COALESCE(approved_by, '') FROM rule_backtests WHERE rule_name = ? ORDER BY id DESC LIMIT ?"));
  q.bind(1, rule_name).bind(2, static_cast<std::int64_t>(limit));
  std::vector<RuleBacktestRecord> out;
  while (BANKREC_TRY(q.step())) {
    RuleBacktestRecord r;
    r.id = q.column_int(0);
    r.rule_name = q.column_text(1);
    r.rule_digest = q.column_text(2);
    r.months = q.column_int(3);
    r.lines = q.column_int(4);
    r.would_post = q.column_int(5);
    r.agree = q.column_int(6);
    r.confirmed_matches = q.column_int(7);
    r.recalled = q.column_int(8);
    if (!q.column_is_null(9)) r.precision_permille = q.column_int(9);
    if (!q.column_is_null(10)) r.recall_permille = q.column_int(10);
    r.report_json = q.column_text(11);
    r.created_at = q.column_text(12);
    r.created_by = q.column_text(13);
    r.approved_at = q.column_text(14);
    r.approved_by = q.column_text(15);
    out.push_back(std::move(r));
  }
  return out;
}

Result<void> ReconcileRepo::approve_rule_backtest(std::int64_t backtest_id, std::string_view actor) {
  return store_.write([&]() -> Result<void> {
    Database& db = store_.db();
    const std::string now = utc_timestamp(store_.clock().now());
    auto q = BANKREC_TRY(db.prepare(
        "UPDATE rule_backtests SET approved_at = ?, approved_by = ? WHERE id = ? AND approved_at IS NULL"));
    q.bind(1, now).bind(2, actor).bind(3, backtest_id);
    BANKREC_TRY(q.run());
    if (db.changes() != 1)
      return fail(Errc::conflict, "rule backtest " + std::to_string(backtest_id) + " is unknown or approved already");
    return audit(store_, actor, "reconcile.rule_approve", "rule_backtest", std::to_string(backtest_id),
                 "{\"before\":{\"approved\":false},\"after\":{\"approved\":true}}");
  });
}

}  // namespace bankrec::store
