#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bankrec/base/result.h"
#include "bankrec/domain/statement.h"
#include "bankrec/store/database.h"
#include "console_data_sql.h"

// The console's text search over entries (issue 8, schema step 15): a contentless FTS4 table
// `entry_search` whose docid is the entry id and whose one column holds the entry's counterparty
// name, purpose, counterparty IBAN and references normalised by text::normalize_for_matching()
// (lower case, ä→ae, ß→ss, accents dropped, punctuation → space). A query is normalised the same
// way and each of its words must begin a word of the entry, so "müller" finds "MÜLLER", "Müller"
// and "Mueller", and "re 2024" finds "RE-2024-0017". SQLite 3.15's FTS4 has no Unicode case
// folding of its own that knows German, hence the normalisation in C++ on both sides. The index
// follows the entries table behind a watermark (entry_search_state.indexed_upto): every entry with
// an id up to it is indexed.
namespace bankrec::store::search {

/// The normalised text indexed for `entry`; `remittance_norm` is normalize_for_matching() of its
/// purpose (the import computes it anyway for the entry's identity).
std::string search_text(const domain::Entry& entry, std::string_view remittance_norm);

/// The FTS4 MATCH expression for what a user typed: every normalised word as a prefix term
/// (`word*`), all required. A query that looks like an IBAN written in groups ("DE89 3704 00")
/// becomes one prefix term of the compact IBAN. Empty when the query holds no word.
std::string match_expression(std::string_view query);

/// How one search runs, chosen per query by plan(): from how many lines it hits (counted in the
/// index up to a bound, which costs about what reading that many docids costs).
enum class PlanKind {
  no_hits,      //!< nothing matches: the page is empty without reading the list
  by_hits,      //!< few hits: each read by id and the page sorted (`e.id IN (docids)`)
  walk,         //!< many hits: the list walked in its order, each row tested in C++ (row_matches)
  materialise,  //!< a walk that ran out of budget: every hit's docid collected, the list walked
};

struct Plan {
  PlanKind kind = PlanKind::no_hits;
  std::string match;              //!< the FTS4 MATCH expression (match_expression())
  std::int64_t indexed_upto = 0;  //!< lines above this id are not indexed yet, so no plan finds them
  std::int64_t hits = 0;          //!< lines hit, counted up to max(few_hits, mid_hits) + 1
  std::int64_t budget = 0;        //!< walk: rows one query tests before it gives up
};

/// The bounds plan() chooses by. Tests and benchmarks change them to force a plan; the daemon
/// keeps the defaults.
struct Tuning {
  std::int64_t few_hits = 2000;           //!< up to this many hits: always by_hits
  std::int64_t walk_budget = 20000;       //!< rows one walk query tests before it gives up
  std::int64_t mid_hits = 20000;          //!< up to this many: by_hits when cheaper than the walk, and
                                          //!< after a walk gave up; more: materialise after a walk
  std::int64_t probe_rows = 1000;         //!< the first walk's budget, before any hit is counted
  std::int64_t probe_min_lines = 100000;  //!< fewer indexed lines: no probe (counting is cheap there)
};
Tuning& tuning();

/// Brings the index up to date (at most 20,000 lines, about 0.2 s) and returns a walk with the small
/// budget Tuning::probe_rows, or nothing on a small index. A word on many lines fills its page that
/// way without reading its hits in the index (a prefix on a million lines costs tens of ms there).
Result<std::optional<Plan>> probe(Database& db, const std::string& match);

/// Chooses how `match` is run for a page of `page_rows` rows (after probe() gave up or none ran).
Result<Plan> plan(Database& db, const std::string& match, int page_rows);

/// The plan that replaces a walk that gave up (is_walk_exhausted): by_hits or materialise.
Result<Plan> fallback(const Plan& walk);

/// Adds the plan's condition on `e` (an entries row) to `where`.
void add_condition(console_sql::Where& where, const Plan& plan);

/// Whether a query with a walk condition failed because it tested Tuning::walk_budget rows.
bool is_walk_exhausted(const Error& error);

/// Whether the normalised search text `body` holds every term of `match` as FTS4 would find it
/// (the simple tokenizer: runs of ASCII letters and digits and non-ASCII bytes, ASCII lower-cased;
/// `word*` begins a token, `word` is one). The walk's row test; exposed for tests.
bool body_matches(std::string_view match, std::string_view body);

/// Indexes up to `max_rows` entries stored since the last call (in id order, in transactions of
/// at most 10,000 rows) and returns how many. The import does not index (FTS4 inserts would cost
/// it about half again), so this runs after imports and before each search.
Result<std::int64_t> catch_up(Database& db, std::int64_t max_rows);

}  // namespace bankrec::store::search
