#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bankrec/base/result.h"
#include "bankrec/domain/statement.h"
#include "bankrec/store/database.h"

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

/// Indexes up to `max_rows` entries stored since the last call (in id order, in transactions of
/// at most 10,000 rows) and returns how many. The import does not index (FTS4 inserts would cost
/// it about half again), so this runs after imports and before each search.
Result<std::int64_t> catch_up(Database& db, std::int64_t max_rows);

}  // namespace bankrec::store::search
