#pragma once

#include <cstdint>
#include <memory>
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
// an id up to it is indexed. Schema step 17 adds statistics beside it (entry_search_terms: on how
// many indexed lines each term stands; long terms with a digit summed per their first four bytes),
// kept in the same transactions, from which plan() chooses each search's plan.
namespace bankrec::store::search {

/// The normalised text indexed for `entry`; `remittance_norm` is normalize_for_matching() of its
/// purpose (the import computes it anyway for the entry's identity).
std::string search_text(const domain::Entry& entry, std::string_view remittance_norm);

/// The FTS4 MATCH expression for what a user typed: every normalised word as a prefix term
/// (`word*`), all required. A query that looks like an IBAN written in groups ("DE89 3704 00")
/// becomes one prefix term of the compact IBAN. Empty when the query holds no word.
std::string match_expression(std::string_view query);

/// How one search runs, chosen per query by plan() from the term statistics of schema step 17
/// (entry_search_terms: on how many lines each term stands, kept by catch_up()), without reading
/// any doclist: a word on no line gives no_hits at once; a word on few lines is read by id and the
/// other words tested row by row; words common enough that a page fills after a short walk of the
/// list are walked; otherwise the hits are collected from the index and the list walked with them.
enum class PlanKind {
  no_hits,      //!< nothing matches: the page is empty without reading the list
  by_hits,      //!< few lines: each line of `source` read by id and the page sorted (`e.id IN (docids)`)
  walk,         //!< many hits: the list walked in its order, each row tested in C++ (row_matches)
  materialise,  //!< the docids of `source` collected (collect()), the list walked in its order, each
                //!< row looked up
};

struct Plan {
  PlanKind kind = PlanKind::no_hits;
  std::string match;              //!< the FTS4 MATCH expression (match_expression())
  std::string source;             //!< by_hits, materialise: the MATCH expression whose lines are read:
                                  //!< `match` itself or its rarest term
  bool test = false;              //!< by_hits, materialise: each line of `source` also tested against
                                  //!< `match` in C++ (source is one term of several)
  std::int64_t indexed_upto = 0;  //!< lines above this id are not indexed yet, so no plan finds them
  std::int64_t estimate = 0;      //!< lines the search is expected to hit (from the term statistics)
  std::int64_t budget = 0;        //!< walk: rows one query tests before it gives up
  std::string then_source;        //!< walk: the materialise plan that replaces it when it gives up
  bool then_test = false;
  std::shared_ptr<const std::string> docids;  //!< materialise: collect()'s bitmap of the docids of `source`
};

/// A plan forced by tests and benchmarks (the daemon keeps none).
enum class Force { none, by_hits, by_rarest, walk, materialise, materialise_rarest };

/// The bounds plan() chooses by. Tests and benchmarks change them to force a plan; the daemon
/// keeps the defaults.
struct Tuning {
  std::int64_t few_lines = 2000;        //!< a term on at most this many lines: those lines read by id
  std::int64_t dense_tests = 2000;      //!< walk when a page is expected within this many row tests
  std::int64_t walk_factor = 4;         //!< a walk's budget: this many times the tests expected...
  std::int64_t walk_min = 1000;         //!< ...at least this many...
  std::int64_t walk_budget = 20000;     //!< ...and at most this many
  std::int64_t collect_cost = 6;        //!< materialise: what collecting one docid costs against reading
                                        //!< one line of a doclist (chooses how many terms to collect)
  std::int64_t filter_lines = 20000;    //!< a filter on at most this many lines (counted in its index)
                                        //!< may drive a walk; a wider range does not
  std::int64_t filter_walk = 5000;      //!< a filter on at most this many lines: they are walked, each
                                        //!< row tested, instead of collecting docids
  Force force = Force::none;
};
Tuning& tuning();

/// Brings the index up to date (at most 20,000 lines, about 0.2 s) and chooses how `match` is run
/// for a page of `page_rows` rows.
Result<Plan> plan(Database& db, const std::string& match, int page_rows);

/// The plan that replaces a walk that gave up (is_walk_exhausted): materialise.
Result<Plan> fallback(const Plan& walk);

/// A materialise plan's docids, collected from the index into a bitmap (bit i of byte i / 8 set
/// for docid i) once per page, so the list's walk looks each row up in C++ before reading it.
/// Does nothing for other plans or when collected already.
Result<void> collect(Database& db, Plan& plan);

/// Adds the plan's conditions on `e` (an entries row) to `where`: add_lead() before the list's
/// filters (so a collected docid is looked up before the row is read), add_test() after them (so
/// a row is tested only when every filter lets it through).
void add_lead(console_sql::Where& where, const Plan& plan);
void add_test(console_sql::Where& where, const Plan& plan);

/// Whether a query with a walk condition failed because it tested Tuning::walk_budget rows.
bool is_walk_exhausted(const Error& error);

/// On how many lines a term of a MATCH expression stands at most, from the term statistics
/// (exactly for a term the statistics keep one by one; for a term of more than four bytes with a
/// digit counted in the index when its bucket is not small). 0 means no line holds it. Exposed
/// for tests.
Result<std::int64_t> term_lines(Database& db, std::string_view word, bool prefix);

/// The statistics key of a term: the term, or for one of more than four bytes holding a digit its
/// first four bytes and '#'. Exposed for tests.
std::string stats_key(std::string_view term);

/// Whether the normalised search text `body` holds every term of `match` as FTS4 would find it
/// (the simple tokenizer: runs of ASCII letters and digits and non-ASCII bytes, ASCII lower-cased;
/// `word*` begins a token, `word` is one). The walk's row test; exposed for tests.
bool body_matches(std::string_view match, std::string_view body);

/// Indexes up to `max_rows` entries stored since the last call (in id order, in transactions of
/// at most 10,000 rows, each adding its lines' terms to the statistics) and returns how many. The
/// import does not index (FTS4 inserts would cost it about half again), so this runs after imports
/// and before each search.
Result<std::int64_t> catch_up(Database& db, std::int64_t max_rows);

}  // namespace bankrec::store::search
