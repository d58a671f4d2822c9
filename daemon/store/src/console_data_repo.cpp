#include "bankrec/store/console_data_repo.h"

#include <algorithm>
#include <limits>

#include "bankrec/store/entry_row.h"
#include "console_data_sql.h"
#include "entry_search.h"
#include "original_codec.h"

namespace bankrec::store {
namespace {

using console_sql::bad_cursor;
using console_sql::opt_int;
using console_sql::opt_text;
using console_sql::parse_int;
using console_sql::split_cursor;
using console_sql::Where;

constexpr int kMaxStatementScan = 5000;  // statements looked at per page when filtering by a derived status

int clamp_limit(int limit) { return std::clamp(limit, 1, 500); }

/// "IN (1,2,3)" of ids read from the database (numbers only, so no binding is needed).
std::string in_list(const std::vector<std::int64_t>& ids) {
  std::string out = "IN (";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + ")";
}

constexpr std::string_view kStatementSelect =
    "SELECT s.id, s.source_file_id, f.name, f.source, coalesce(a.servicer, a.bic, a.bank_code, ''), "
    "coalesce(a.iban, a.number, ''), coalesce(s.currency, a.currency, ''), coalesce(s.from_date, s.covers_from), "
    "coalesce(s.to_date, s.covers_to), s.opening_minor, s.closing_minor, s.entry_count, f.status, f.received_at "
    "FROM statements s JOIN source_files f ON f.id = s.source_file_id JOIN accounts a ON a.id = s.account_id";

StatementRow read_statement(const Query& q) {
  StatementRow r;
  r.id = q.column_int(0);
  r.file_id = q.column_int(1);
  r.file_name = q.column_text(2);
  r.source = q.column_text(3);
  r.bank = q.column_text(4);
  r.account_iban = q.column_text(5);
  r.currency = q.column_text(6);
  r.period_from = opt_text(q, 7);
  r.period_to = opt_text(q, 8);
  r.opening_minor = opt_int(q, 9);
  r.closing_minor = opt_int(q, 10);
  r.entries = q.column_int(11);
  r.status = q.column_text(12);  // the file's status until statement_status() refines it
  r.received_at = q.column_text(13);
  return r;
}

std::string entry_select() {
  return "SELECT e.id, e.statement_id, e.source_file_id, coalesce(a.iban, a.number, ''), e.status, " +
         std::string(kEntryColumns) + " FROM entries e JOIN accounts a ON a.id = e.account_id";
}

Result<EntryRow> read_entry_row(const Query& q) {
  EntryRow r;
  r.id = q.column_int(0);
  r.statement_id = q.column_int(1);
  r.source_file_id = q.column_int(2);
  r.account_iban = q.column_text(3);
  r.status = q.column_text(4);
  r.entry = BANKREC_TRY(read_entry(q, 5));
  return r;
}

/// How a page's query may use the indexes of entries.
struct Drive {
  std::string plus;           //!< "+" when the search's docids drive the query (by_hits): no filter
                              //!< column (but statement_id) may take an index instead
  bool account_plus = false;  //!< a status on few lines drives the query, not the account
  bool amount_plus = false;   //!< a wide amount range does not drive a list sorted by date...
  bool date_plus = false;     //!< ...nor a wide date range one sorted by amount
};

/// The list's filters as WHERE terms (accounts: the ids of the filter's IBAN, looked up once).
void add_filters(Where& where, const EntryFilter& filter, const std::vector<std::int64_t>& accounts,
                 const Drive& drive) {
  const std::string& p = drive.plus;
  if (filter.account_iban) {
    const std::string column = (drive.account_plus ? "+" : p) + "e.account_id";
    if (accounts.size() == 1)
      where.add(column + " = ?", accounts.front());
    else
      where.add(column + " " + in_list(accounts));
  }
  if (filter.statement_id) where.add("e.statement_id = ?", *filter.statement_id);
  if (filter.status) {
    // "pending" is the booking status of provisional lines; the others are processing states.
    if (*filter.status == "pending")
      where.add(p + "e.booking = 'pending'");
    else
      where.add(p + "e.status = ?", *filter.status);
  }
  const std::string date = (drive.date_plus ? "+" : p) + "e.booking_date";
  const std::string amount = (drive.amount_plus ? "+" : p) + "e.amount_minor";
  if (filter.from) where.add(date + " >= ?", *filter.from);
  if (filter.to) where.add(date + " <= ?", *filter.to);
  if (filter.min_minor) where.add(amount + " >= ?", *filter.min_minor);
  if (filter.max_minor) where.add(amount + " <= ?", *filter.max_minor);
}

Result<Page<EntryRow>> entries_page(Database& db, const EntryFilter& filter, const std::vector<std::int64_t>& accounts,
                                    const search::Plan* search, const Drive& list_drive, const PageRequest& page,
                                    std::vector<std::string>* plan);

}  // namespace

Result<EntrySort> parse_entry_sort(std::string_view text) {
  if (text.empty() || text == "-booking_date") return EntrySort::booking_date_desc;
  if (text == "booking_date") return EntrySort::booking_date_asc;
  if (text == "amount") return EntrySort::amount_asc;
  if (text == "-amount") return EntrySort::amount_desc;
  return fail(Errc::invalid_input,
              "invalid sort '" + std::string(text) + "' (expected -booking_date, booking_date, amount or -amount)");
}

Result<std::vector<std::int64_t>> ConsoleDataRepo::accounts_with_iban(std::string_view iban) {
  auto q = BANKREC_TRY(store_.db().prepare("SELECT id FROM accounts WHERE iban = ?1 OR number = ?1 ORDER BY id"));
  q.bind(1, iban);
  std::vector<std::int64_t> ids;
  while (BANKREC_TRY(q.step())) ids.push_back(q.column_int(0));
  return ids;
}

Result<std::string> ConsoleDataRepo::statement_status(std::int64_t statement_id, std::string_view file_status,
                                                      std::int64_t entries) {
  if (file_status != "processed") return std::string(file_status);
  if (entries == 0) return std::string("processed");
  // Index entries only, cheapest first: a line in review (entries_statement_review), then the
  // reconciled lines (entries_statement_reconciled, only those); all lines are counted
  // (entries_statement) only when some but fewer than the statement's own count are reconciled,
  // since duplicates skipped at import may make the stored lines fewer than entry_count.
  auto review = BANKREC_TRY(store_.db().prepare(
      "SELECT EXISTS (SELECT 1 FROM entries WHERE statement_id = ?1 AND status = 'review')"));
  review.bind(1, statement_id);
  BANKREC_TRY(review.step());
  if (review.column_int(0) != 0) return std::string("review");
  auto reconciled = BANKREC_TRY(
      store_.db().prepare("SELECT count(*) FROM entries WHERE statement_id = ?1 AND status = 'reconciled'"));
  reconciled.bind(1, statement_id);
  BANKREC_TRY(reconciled.step());
  const std::int64_t done = reconciled.column_int(0);
  if (done == 0) return std::string("processed");
  if (done >= entries) return std::string("reconciled");
  auto total = BANKREC_TRY(store_.db().prepare("SELECT count(*) FROM entries WHERE statement_id = ?1"));
  total.bind(1, statement_id);
  BANKREC_TRY(total.step());
  return std::string(done == total.column_int(0) ? "reconciled" : "processed");
}

Result<std::vector<std::string>> ConsoleDataRepo::statement_warnings(std::int64_t statement_id) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT message FROM account_warnings WHERE statement_id = ?1 AND resolved_at IS NULL ORDER BY id LIMIT 20"));
  q.bind(1, statement_id);
  std::vector<std::string> out;
  while (BANKREC_TRY(q.step())) out.push_back(q.column_text(0));
  return out;
}

Result<Page<StatementRow>> ConsoleDataRepo::statements(const StatementFilter& filter, const PageRequest& page) {
  const int limit = clamp_limit(page.limit);
  Where where;
  if (filter.account_iban) {
    const auto ids = BANKREC_TRY(accounts_with_iban(*filter.account_iban));
    if (ids.empty()) return Page<StatementRow>{};
    where.add("s.account_id " + in_list(ids));
  }
  if (filter.source) where.add("f.source = ?", *filter.source);
  if (filter.from) where.add("coalesce(s.to_date, s.covers_to) >= ?", *filter.from);
  if (filter.to) where.add("coalesce(s.from_date, s.covers_from) <= ?", *filter.to);
  // pending and error are file states; processed, review and reconciled are derived from the lines.
  const std::optional<std::string> derived =
      filter.status && *filter.status != "pending" && *filter.status != "error" ? filter.status : std::nullopt;
  // Derived states walk the statements newest first (`+f.status`: nearly every file is processed, so
  // reading them all by status and sorting their statements would cost far more than the page).
  if (filter.status)
    where.add(derived ? "+f.status = ?" : "f.status = ?", derived ? std::string("processed") : *filter.status);
  std::int64_t after = 0;
  if (!page.after.empty() && !parse_int(page.after, after)) return bad_cursor(page.after);
  if (after > 0) where.add("s.id < ?", after);
  const int fetch = derived ? std::min(kMaxStatementScan, limit * 5) : limit + 1;
  auto q = BANKREC_TRY(store_.db().prepare(std::string(kStatementSelect) + where.sql() + " ORDER BY s.id DESC LIMIT " +
                                           std::to_string(fetch)));
  where.bind(q);
  std::vector<StatementRow> rows;
  while (BANKREC_TRY(q.step())) rows.push_back(read_statement(q));
  q.reset();
  Page<StatementRow> out;
  std::int64_t last_seen = 0;
  for (auto& row : rows) {
    if (static_cast<int>(out.items.size()) == limit) {
      out.next = std::to_string(last_seen);
      return out;
    }
    last_seen = row.id;
    row.status = BANKREC_TRY(statement_status(row.id, row.status, row.entries));
    if (derived && row.status != *derived) continue;
    row.warnings = BANKREC_TRY(statement_warnings(row.id));
    out.items.push_back(std::move(row));
  }
  // A derived-status scan that stopped at its bound goes on from where it stopped.
  if (derived && static_cast<int>(rows.size()) == fetch) out.next = std::to_string(last_seen);
  return out;
}

Result<StatementRow> ConsoleDataRepo::statement(std::int64_t id) {
  auto q = BANKREC_TRY(store_.db().prepare(std::string(kStatementSelect) + " WHERE s.id = ?1"));
  q.bind(1, id);
  if (!BANKREC_TRY(q.step())) return fail(Errc::not_found, "no statement with id " + std::to_string(id));
  StatementRow row = read_statement(q);
  q.reset();
  row.status = BANKREC_TRY(statement_status(row.id, row.status, row.entries));
  row.warnings = BANKREC_TRY(statement_warnings(row.id));
  return row;
}

Result<Page<EntryRow>> ConsoleDataRepo::entries(const EntryFilter& filter, const PageRequest& page,
                                                std::vector<std::string>* plan) {
  std::vector<std::int64_t> accounts;
  if (filter.account_iban) {
    accounts = BANKREC_TRY(accounts_with_iban(*filter.account_iban));
    if (accounts.empty()) return Page<EntryRow>{};
  }
  // Text search (entry_search.h): a plan chosen from the term statistics; a walk of the list that
  // tests too many rows without filling the page gives way to collecting the hits.
  if (!filter.q || filter.q->empty()) return entries_page(store_.db(), filter, accounts, nullptr, Drive{}, page, plan);
  const std::string match = search::match_expression(*filter.q);
  if (match.empty()) return entries_page(store_.db(), filter, accounts, nullptr, Drive{}, page, plan);
  Drive drive;
  const auto run = [&](const search::Plan& how) {
    if (plan != nullptr) plan->clear();
    return entries_page(store_.db(), filter, accounts, &how, drive, page, plan);
  };
  search::Plan chosen = BANKREC_TRY(search::plan(store_.db(), match, clamp_limit(page.limit) + 1));
  if (chosen.kind == search::PlanKind::walk || chosen.kind == search::PlanKind::materialise) {
    // What SQLite does not know (it has no counts): the lines of each filter, counted in the
    // filter's index up to a bound (a few thousand index entries at most each).
    const auto lines_upto = [&](std::int64_t bound, const std::string& where, auto... values) -> Result<std::int64_t> {
      Where w;
      w.add(where, values...);
      auto q = BANKREC_TRY(store_.db().prepare("SELECT count(*) FROM (SELECT 1 FROM entries e" + w.sql() +
                                               " LIMIT " + std::to_string(bound + 1) + ")"));
      w.bind(q);
      BANKREC_TRY(q.step());
      return q.column_int(0);
    };
    const std::int64_t few = search::tuning().filter_lines;
    const std::int64_t walk_all = search::tuning().filter_walk;
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    const bool by_date = filter.sort == EntrySort::booking_date_desc || filter.sort == EntrySort::booking_date_asc;
    const bool status = filter.status && *filter.status != "pending";
    const bool dates = filter.from || filter.to;
    const bool amounts = filter.min_minor || filter.max_minor;
    const auto date_lines = [&](std::int64_t bound) {
      return lines_upto(bound, "e.booking_date >= ? AND e.booking_date <= ?", filter.from.value_or(""),
                        filter.to.value_or("\x7f"));
    };
    const auto amount_lines = [&](std::int64_t bound) {
      return lines_upto(bound, "e.amount_minor >= ? AND e.amount_minor <= ?", filter.min_minor.value_or(kMin),
                        filter.max_minor.value_or(kMax));
    };
    // A filter on few lines: those lines walked, each row tested; no docid collected, and the
    // walk cannot test more rows than the filter has.
    std::int64_t bound = kMax;
    if (filter.account_iban && accounts.size() == 1)
      bound = std::min(bound, BANKREC_TRY(lines_upto(walk_all, "e.account_id = ?", accounts.front())));
    if (filter.statement_id)
      bound = std::min(bound, BANKREC_TRY(lines_upto(walk_all, "e.statement_id = ?", *filter.statement_id)));
    if (status) bound = std::min(bound, BANKREC_TRY(lines_upto(walk_all, "e.status = ?", *filter.status)));
    if (dates) bound = std::min(bound, BANKREC_TRY(date_lines(walk_all)));
    if (amounts) bound = std::min(bound, BANKREC_TRY(amount_lines(walk_all)));
    if (bound <= walk_all && search::tuning().force == search::Force::none) {
      chosen.kind = search::PlanKind::walk;
      chosen.budget = bound + 1;
    }
    // An account and a status on few lines (review, error): the status's lines walked and each row
    // read for its account, not the account's lines each read for its status.
    if (filter.account_iban && status)
      drive.account_plus = BANKREC_TRY(lines_upto(few, "e.status = ?", *filter.status)) <= few;
    // A wide range of the other key: the list walked in its order (collected docids are looked up
    // before a row is read), not every line of the range read and sorted.
    if (by_date && amounts) drive.amount_plus = BANKREC_TRY(amount_lines(few)) > few;
    if (!by_date && dates) drive.date_plus = BANKREC_TRY(date_lines(few)) > few;
  }
  BANKREC_TRY(search::collect(store_.db(), chosen));
  auto out = run(chosen);
  if (chosen.kind != search::PlanKind::walk || out || !search::is_walk_exhausted(out.error())) return out;
  search::Plan then = BANKREC_TRY(search::fallback(chosen));
  BANKREC_TRY(search::collect(store_.db(), then));
  return run(then);
}

namespace {

/// One page of the entries list: the search's lead condition first (a lookup in collected docids
/// before the row is read), the filters, the cursor, and the search's row test last (so it runs
/// only on rows that every other term lets through).
Result<Page<EntryRow>> entries_page(Database& db, const EntryFilter& filter, const std::vector<std::int64_t>& accounts,
                                    const search::Plan* search, const Drive& list_drive, const PageRequest& page,
                                    std::vector<std::string>* plan) {
  const int limit = clamp_limit(page.limit);

  const bool by_date = filter.sort == EntrySort::booking_date_desc || filter.sort == EntrySort::booking_date_asc;
  const bool desc = filter.sort == EntrySort::booking_date_desc || filter.sort == EntrySort::amount_desc;
  const std::string key = by_date ? "e.booking_date" : "e.amount_minor";
  const std::string dir = desc ? " DESC" : " ASC";
  // Segments in list order: rows with a key, and (booking date only) rows without one. SQLite puts
  // NULL first ascending and last descending; each segment is one index range.
  const bool nulls_possible = by_date && !filter.from && !filter.to;
  const std::string_view segments = !nulls_possible ? "v" : desc ? "vn" : "nv";

  char segment = segments.front();
  std::optional<std::string> cursor_key;
  std::int64_t cursor_id = 0;
  if (!page.after.empty()) {
    const auto parts = split_cursor(page.after);
    const bool ok = (parts.size() == 2 && parts[0] == "n" && parse_int(parts[1], cursor_id)) ||
                    (parts.size() == 3 && parts[0] == "v" && parse_int(parts[2], cursor_id));
    if (!ok) return bad_cursor(page.after);
    segment = parts[0][0];
    if (segment == 'v') cursor_key = parts[1];
    if (segments.find(segment) == std::string_view::npos) return bad_cursor(page.after);
  }

  // by_hits: the docids drive the query (few lines read by id), not an index of the filters or the
  // cursor's key.
  Drive drive = list_drive;
  if (search != nullptr && search->kind == search::PlanKind::by_hits) drive.plus = "+";
  const std::string cursor_key_column = drive.plus + key;

  Page<EntryRow> out;
  for (auto it = segments.begin() + static_cast<std::ptrdiff_t>(segments.find(segment)); it != segments.end(); ++it) {
    Where where;
    if (search != nullptr) search::add_lead(where, *search);
    add_filters(where, filter, accounts, drive);
    const bool first_segment = *it == segment;
    if (*it == 'n') {
      where.add(drive.plus + "e.booking_date IS NULL");
      if (first_segment && cursor_id > 0) where.add(desc ? "e.id < ?" : "e.id > ?", cursor_id);
    } else if (first_segment && cursor_key) {
      const char* cmp = desc ? "<" : ">";
      if (by_date) {
        where.add(cursor_key_column + (desc ? " <= ?" : " >= ?") + " AND (" + key + " " + cmp + " ? OR e.id " + cmp +
                      " ?)",
                  *cursor_key, *cursor_key, cursor_id);
      } else {
        std::int64_t amount = 0;
        if (!parse_int(*cursor_key, amount)) return bad_cursor(page.after);
        where.add(cursor_key_column + (desc ? " <= ?" : " >= ?") + " AND (" + key + " " + cmp + " ? OR e.id " + cmp +
                      " ?)",
                  amount, amount, cursor_id);
      }
    } else if (by_date) {
      where.add(drive.plus + "e.booking_date IS NOT NULL");
    }
    if (search != nullptr) search::add_test(where, *search);
    const std::string order = *it == 'n' ? " ORDER BY e.id" + dir : " ORDER BY " + key + dir + ", e.id" + dir;
    const int want = limit - static_cast<int>(out.items.size()) + 1;
    const std::string sql = entry_select() + where.sql() + order + " LIMIT " + std::to_string(want);
    BANKREC_TRY(console_sql::explain(db, sql, where, plan));
    auto q = BANKREC_TRY(db.prepare(sql));
    where.bind(q);
    while (BANKREC_TRY(q.step())) {
      if (static_cast<int>(out.items.size()) == limit) {
        // The cursor names the last row's own segment: a page may end on the last row of one
        // segment while the next row is the first of the other.
        const EntryRow& last = out.items.back();
        if (by_date && !last.entry.booking_date) {
          out.next = "n~" + std::to_string(last.id);
        } else {
          const std::string last_key =
              by_date ? last.entry.booking_date->iso() : std::to_string(last.entry.amount.minor());
          out.next = "v~" + last_key + "~" + std::to_string(last.id);
        }
        return out;
      }
      out.items.push_back(BANKREC_TRY(read_entry_row(q)));
    }
  }
  return out;
}

}  // namespace

Result<std::int64_t> ConsoleDataRepo::index_for_search(std::int64_t max_rows) {
  return search::catch_up(store_.db(), max_rows);
}

Result<EntryRow> ConsoleDataRepo::entry(std::int64_t id) {
  auto q = BANKREC_TRY(store_.db().prepare(entry_select() + " WHERE e.id = ?1"));
  q.bind(1, id);
  if (!BANKREC_TRY(q.step())) return fail(Errc::not_found, "no entry with id " + std::to_string(id));
  return read_entry_row(q);
}

Result<std::vector<EntryMatch>> ConsoleDataRepo::matches_of(std::int64_t entry_id) {
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT m.id, m.decision, m.status, m.score, m.reasons_json, m.decided_by, m.decided_at, m.created_by, "
      "m.created_at FROM matches m WHERE m.entry_id = ?1 ORDER BY m.id"));
  q.bind(1, entry_id);
  std::vector<EntryMatch> out;
  while (BANKREC_TRY(q.step())) {
    EntryMatch m;
    m.id = q.column_int(0);
    m.decision = q.column_text(1);
    m.status = q.column_text(2);
    m.score = opt_int(q, 3);
    m.reasons_json = q.column_text(4);
    m.decided_by = opt_text(q, 5);
    m.decided_at = opt_text(q, 6);
    m.created_by = q.column_text(7);
    m.created_at = q.column_text(8);
    out.push_back(std::move(m));
  }
  q.reset();
  auto a = BANKREC_TRY(store_.db().prepare(
      "SELECT o.item_key, l.amount_minor, l.currency FROM allocations l JOIN open_items o ON o.id = l.open_item_id "
      "WHERE l.match_id = ?1 ORDER BY l.id"));
  for (auto& m : out) {
    a.bind(1, m.id);
    while (BANKREC_TRY(a.step())) m.allocations.push_back({a.column_text(0), a.column_int(1), a.column_text(2)});
    a.reset();
  }
  return out;
}

Result<void> ConsoleDataRepo::keep_original(std::string_view sha256, std::string_view content, std::string_view actor) {
  // Once per content: a second offer of the same bytes is not compressed again.
  auto known = BANKREC_TRY(store_.db().prepare("SELECT 1 FROM file_originals WHERE sha256 = ?1"));
  known.bind(1, sha256);
  if (BANKREC_TRY(known.step())) return ok();
  known.reset();
  // Kept as zstd when that pays (original_codec.h); `size` is always the original's size.
  const std::optional<std::string> packed = compress_original(content);
  const std::string_view stored = packed ? std::string_view(*packed) : content;
  // COALESCE: an empty file binds as NULL; its original is the empty BLOB.
  auto q = BANKREC_TRY(store_.db().prepare(
      "INSERT OR IGNORE INTO file_originals(sha256, size, content, stored_at, stored_by, encoding) "
      "VALUES (?1, ?2, COALESCE(?3, X''), ?4, ?5, ?6)"));
  q.bind(1, sha256).bind(2, static_cast<std::int64_t>(content.size()));
  q.bind_blob_static(3, stored).bind(4, utc_timestamp(store_.clock().now())).bind(5, actor);
  q.bind_static(6, packed ? kOriginalZstd : kOriginalIdentity);
  return q.run();
}

Result<FileOriginal> ConsoleDataRepo::original(std::int64_t file_id) {
  // The recorded size, not length(content): a compressed original's BLOB is smaller than the file.
  auto q = BANKREC_TRY(store_.db().prepare(
      "SELECT f.name, f.sha256, o.size FROM source_files f "
      "LEFT JOIN file_originals o ON o.sha256 = f.sha256 WHERE f.id = ?1"));
  q.bind(1, file_id);
  if (!BANKREC_TRY(q.step())) return fail(Errc::not_found, "no file with id " + std::to_string(file_id));
  if (q.column_is_null(2))
    return fail(Errc::not_found, "the original of file " + std::to_string(file_id) +
                                     " is not in the database (imported before originals were kept)");
  FileOriginal out;
  out.name = q.column_text(0);
  out.sha256 = q.column_text(1);
  out.size = static_cast<std::uint64_t>(q.column_int(2));
  return out;
}

Result<std::size_t> ConsoleDataRepo::read_original(std::string_view sha256, std::uint64_t offset, std::span<char> out) {
  // By key each time, not a remembered rowid: VACUUM may renumber the rows of a table without an
  // INTEGER PRIMARY KEY between two pieces.
  auto q = BANKREC_TRY(store_.db().prepare("SELECT rowid, encoding, size FROM file_originals WHERE sha256 = ?1"));
  q.bind(1, sha256);
  if (!BANKREC_TRY(q.step())) return fail(Errc::not_found, "no original with sha256 " + std::string(sha256));
  const std::int64_t rowid = q.column_int(0);
  const std::string encoding = q.column_text(1);
  const auto size = static_cast<std::uint64_t>(q.column_int(2));
  q.reset();
  return read_original_bytes(store_.db(), rowid, sha256, encoding, size, offset, out);
}

Result<std::optional<std::int64_t>> ConsoleDataRepo::newest_file_with(std::string_view sha256) {
  auto q = BANKREC_TRY(store_.db().prepare("SELECT max(id) FROM source_files WHERE sha256 = ?1"));
  q.bind(1, sha256);
  if (!BANKREC_TRY(q.step()) || q.column_is_null(0)) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(q.column_int(0));
}

}  // namespace bankrec::store
