// Source comparison (README.md, "Source comparison"): when two files from different sources cover the
// same account and days (an API pull and an uploaded camt.053, or an intraday camt.052 and the
// day's camt.053), the booked lines each delivered for the common days are compared. Deduplication
// makes this exact: a line a statement delivered is either one of its own entries or a skip that
// names the stored entry it repeats, so both statements' lines are sets of entry ids.
#include "bankrec/store/import_writer.h"

#include <algorithm>

#include "bankrec/domain/money.h"
#include "date_text.h"

namespace bankrec::store {
namespace {

/// Intraday reports (camt.052, MT942) hold part of a day: their lines must appear in the day's
/// statement, but the statement may have more.
bool is_intraday_format(std::string_view format) {
  return format.starts_with("camt.052") || format.starts_with("mt942") || format.ends_with(".intraday");
}

// The booked lines statement ?1 delivered for the days ?3..?4 (own entries plus skipped repeats),
// and the same for statement ?2; then counts and sums of each and of both differences.
constexpr std::string_view kCompareSql = R"sql(
WITH a(id) AS (
  SELECT id FROM entries WHERE statement_id = ?1 AND booking = 'booked'
    AND COALESCE(booking_date, value_date) BETWEEN ?3 AND ?4
  UNION SELECT s.existing_entry_id FROM entry_skips s JOIN entries e ON e.id = s.existing_entry_id
    WHERE s.statement_id = ?1 AND e.booking = 'booked' AND s.booking_date BETWEEN ?3 AND ?4),
b(id) AS (
  SELECT id FROM entries WHERE statement_id = ?2 AND booking = 'booked'
    AND COALESCE(booking_date, value_date) BETWEEN ?3 AND ?4
  UNION SELECT s.existing_entry_id FROM entry_skips s JOIN entries e ON e.id = s.existing_entry_id
    WHERE s.statement_id = ?2 AND e.booking = 'booked' AND s.booking_date BETWEEN ?3 AND ?4),
only_a(id) AS (SELECT id FROM a EXCEPT SELECT id FROM b),
only_b(id) AS (SELECT id FROM b EXCEPT SELECT id FROM a)
SELECT (SELECT count(*) FROM a), (SELECT COALESCE(sum(amount_minor), 0) FROM entries WHERE id IN a),
       (SELECT count(*) FROM b), (SELECT COALESCE(sum(amount_minor), 0) FROM entries WHERE id IN b),
       (SELECT count(*) FROM only_a), (SELECT COALESCE(sum(amount_minor), 0) FROM entries WHERE id IN only_a),
       (SELECT count(*) FROM only_b), (SELECT COALESCE(sum(amount_minor), 0) FROM entries WHERE id IN only_b)
)sql";

struct LineSet {
  std::int64_t count = 0;
  std::int64_t sum = 0;
};

std::string lines_text(const LineSet& s, int exponent, std::string_view currency) {
  return std::to_string(s.count) + (s.count == 1 ? " booked line" : " booked lines") + " summing " +
         domain::format_minor(s.sum, exponent) + " " + std::string(currency);
}

/// The other statement, as found by the candidate query.
struct Other {
  std::int64_t id = 0;
  std::string file;
  bool intraday = false;
  std::string from, to;
  std::optional<std::int64_t> opening, closing;
  std::string opening_date, closing_date;
};

}  // namespace

Result<void> ImportWriter::compare_sources(const domain::Statement& h) {
  // The days this statement covers: its header dates, else the dates of its lines.
  const auto from = h.from_date ? h.from_date : first_line_date_;
  const auto to = h.to_date ? h.to_date : last_line_date_;
  const bool intraday = is_intraday_format(format_);
  Database& db = store_.db();
  {
    Query update =
        BANKREC_TRY(db.prepare("UPDATE statements SET covers_from = ?1, covers_to = ?2, intraday = ?3 WHERE id = ?4"));
    update.bind(1, from ? std::optional(from->iso()) : std::nullopt)
        .bind(2, to ? std::optional(to->iso()) : std::nullopt);
    BANKREC_TRY(update.bind(3, std::int64_t{intraday ? 1 : 0}).bind(4, statement_id_).run());
  }
  if (!from || !to) return ok();
  const std::string from_text = from->iso(), to_text = to->iso();

  // Statements of other files for this account whose days overlap; at most 50 (a day is covered by
  // a handful of sources; the bound keeps a pathological account from slowing every import).
  Query candidates = BANKREC_TRY(db.prepare(
      "SELECT st.id, sf.name, st.intraday, st.covers_from, st.covers_to, st.opening_minor, "
      "COALESCE(st.opening_date, ''), st.closing_minor, COALESCE(st.closing_date, st.to_date, '') "
      "FROM statements st JOIN source_files sf ON sf.id = st.source_file_id "
      "WHERE st.account_id = ?1 AND st.source_file_id <> ?2 AND st.covers_to >= ?3 AND st.covers_from <= ?4 "
      "ORDER BY st.id LIMIT 50"));
  candidates.bind(1, account_id_).bind(2, file_id_).bind(3, from_text).bind(4, to_text);
  std::vector<Other> others;
  while (BANKREC_TRY(candidates.step())) {
    Other o;
    o.id = candidates.column_int(0);
    o.file = candidates.column_text(1);
    o.intraday = candidates.column_int(2) != 0;
    o.from = candidates.column_text(3);
    o.to = candidates.column_text(4);
    if (!candidates.column_is_null(5)) o.opening = candidates.column_int(5);
    o.opening_date = candidates.column_text(6);
    if (!candidates.column_is_null(7)) o.closing = candidates.column_int(7);
    o.closing_date = candidates.column_text(8);
    others.push_back(std::move(o));
  }
  if (others.empty()) return ok();

  const domain::Currency currency =
      domain::Currency::find(h.account.currency.value_or("")).value_or(
          h.opening_balance ? h.opening_balance->amount.currency() : domain::kEur);
  const std::string code(currency.str());
  const std::string label = "'" + file_.name + "'";
  Query compare = BANKREC_TRY(db.prepare(kCompareSql));
  for (const Other& o : others) {
    if (intraday && o.intraday) continue;  // two partial views of a day may differ legitimately
    const std::string days_from = std::max(from_text, o.from), days_to = std::min(to_text, o.to);
    compare.bind(1, statement_id_).bind(2, o.id).bind(3, days_from).bind(4, days_to);
    if (!BANKREC_TRY(compare.step())) {
      compare.reset();
      continue;
    }
    const LineSet mine{compare.column_int(0), compare.column_int(1)};
    const LineSet theirs{compare.column_int(2), compare.column_int(3)};
    const LineSet only_mine{compare.column_int(4), compare.column_int(5)};
    const LineSet only_theirs{compare.column_int(6), compare.column_int(7)};
    compare.reset();
    const std::string days = days_from == days_to ? days_from : days_from + ".." + days_to;
    const std::string other = "'" + o.file + "'";
    if (intraday || o.intraday) {
      // Every booked line of the intraday report must be in the statement of that day.
      const LineSet& missing = intraday ? only_mine : only_theirs;
      if (missing.count == 0) continue;
      const std::string& report = intraday ? label : other;
      const std::string& statement = intraday ? other : label;
      BANKREC_TRY(add_warning("source_divergence",
                              lines_text(missing, currency.exponent, code) + " of the intraday report " +
                                  report + " for " + days + " missing from the statement " + statement,
                              days_from, days_to));
      continue;
    }
    std::string problems;
    if (only_mine.count != 0 || only_theirs.count != 0)
      problems = lines_text(mine, currency.exponent, code) + " here, " +
                 lines_text(theirs, currency.exponent, code) + " there (" + std::to_string(only_mine.count) +
                 " only here, " + std::to_string(only_theirs.count) + " only there)";
    auto compare_balance = [&](const char* what, const std::optional<domain::Balance>& mine_balance,
                               const std::optional<std::int64_t>& their_minor, const std::string& their_date) {
      if (!mine_balance || !their_minor || !mine_balance->date || mine_balance->date->iso() != their_date) return;
      if (mine_balance->amount.minor() == *their_minor) return;
      problems += std::string(problems.empty() ? "" : "; ") + what + " balance on " + their_date + " " +
                  mine_balance->amount.to_string() + " here, " +
                  domain::format_minor(*their_minor, currency.exponent) + " there";
    };
    compare_balance("opening", h.opening_balance, o.opening, o.opening_date);
    compare_balance("closing", h.closing_balance, o.closing, o.closing_date);
    if (problems.empty()) continue;
    BANKREC_TRY(add_warning("source_divergence",
                            label + " and " + other + " disagree for " + days + ": " + problems, days_from,
                            days_to));
  }
  return ok();
}

}  // namespace bankrec::store
