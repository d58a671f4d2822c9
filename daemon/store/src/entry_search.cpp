#include "entry_search.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <unordered_map>
#include <memory>
#include <vector>

#include "bankrec/base/text.h"
#include "bankrec/store/entry_row.h"
#include "entry_codec.h"
#include "sqlite.h"

namespace bankrec::store::search {
namespace {

constexpr std::int64_t kCatchUpPerSearch = 20000;  // lines indexed before a search at most (about 0.2 s)
constexpr char kWalkExhausted[] = "search walk tested its budget of rows";
constexpr char kRowFunction[] = "bankrec_entry_search";
constexpr char kInDocids[] = "bankrec_in_docids";
constexpr char kDocidSet[] = "bankrec_docid_set";

constexpr std::size_t kMinPrefix = 3;  // shorter words match whole words only ("a*" would read every doclist)

void append_normalised(std::string& out, const std::optional<std::string>& value) {
  if (!value || value->empty()) return;
  const std::string norm = text::normalize_for_matching(*value);
  if (norm.empty()) return;
  if (!out.empty()) out += ' ';
  out += norm;
}

/// "DE89 3704 0044" -> "de8937040044" when the text is an IBAN (or its start) printed in groups of
/// four ("RE 2026" is not one).
std::optional<std::string> compact_iban(std::string_view query) {
  std::string compact;
  std::size_t group = 0;
  for (char c : query) {
    if (c == ' ') {
      if (group != 4) return std::nullopt;
      group = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
    compact += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ++group;
  }
  if (group == 0 || group > 4 || compact.size() < 5 || compact.size() > 34) return std::nullopt;
  if (!std::isalpha(static_cast<unsigned char>(compact[0])) ||
      !std::isalpha(static_cast<unsigned char>(compact[1])) ||
      !std::isdigit(static_cast<unsigned char>(compact[2])) ||
      !std::isdigit(static_cast<unsigned char>(compact[3])))
    return std::nullopt;
  return compact;
}

/// search_text() of a stored row from its columns, reusing its buffers from row to row.
class RowText {
 public:
  Result<std::string_view> text(std::optional<std::string_view> name, std::optional<std::string_view> iban,
                                std::optional<std::string_view> bank_reference,
                                std::optional<std::string_view> end_to_end_id, std::string_view rest) {
    entry_ = domain::Entry{};
    const auto set = [](std::optional<std::string>& field, std::optional<std::string_view> value) {
      if (value) field.emplace(*value);
    };
    set(entry_.counterparty.name, name);
    set(entry_.counterparty.iban, iban);
    set(entry_.bank_reference, bank_reference);
    set(entry_.end_to_end_id, end_to_end_id);
    BANKREC_TRY(decode_entry_rest(rest, entry_));
    text_ = search_text(entry_,
                        entry_.remittance ? text::normalize_for_matching(*entry_.remittance) : std::string());
    return std::string_view(text_);
  }

 private:
  domain::Entry entry_;
  std::string text_;
};

bool is_token_byte(unsigned char c) { return c >= 0x80 || std::isalnum(c); }
char fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// A MATCH expression of match_expression() as terms: the FTS4 query tokenizer's view of it.
struct Terms {
  std::vector<std::string> words;
  std::vector<bool> prefix;
  std::int64_t tested = 0;  //!< rows tested by this query so far (the walk's budget)
  RowText row;              //!< the tested row's text
};

Terms parse_terms(std::string_view match) {
  Terms out;
  std::size_t i = 0;
  while (i < match.size()) {
    while (i < match.size() && !is_token_byte(static_cast<unsigned char>(match[i]))) ++i;
    std::string word;
    while (i < match.size() && is_token_byte(static_cast<unsigned char>(match[i]))) word += fold(match[i++]);
    if (word.empty()) break;
    out.prefix.push_back(i < match.size() && match[i] == '*');
    out.words.push_back(std::move(word));
  }
  return out;
}

/// The tokens of a normalised text as the FTS4 simple tokenizer makes them.
std::vector<std::string> tokens_of(std::string_view body) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && !is_token_byte(static_cast<unsigned char>(body[i]))) ++i;
    std::string token;
    while (i < body.size() && is_token_byte(static_cast<unsigned char>(body[i]))) token += fold(body[i++]);
    if (!token.empty()) tokens.push_back(std::move(token));
  }
  return tokens;
}

bool terms_match(const Terms& terms, std::string_view body) {
  const std::vector<std::string> tokens = tokens_of(body);
  for (std::size_t t = 0; t < terms.words.size(); ++t) {
    const std::string& word = terms.words[t];
    const bool found = std::any_of(tokens.begin(), tokens.end(), [&](const std::string& token) {
      return terms.prefix[t] ? token.compare(0, word.size(), word) == 0 && token.size() >= word.size()
                             : token == word;
    });
    if (!found) return false;
  }
  return !terms.words.empty();
}

std::optional<std::string_view> value_text(sqlite3_value* v) {
  if (sqlite3_value_type(v) == SQLITE_NULL) return std::nullopt;
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(v));
  return std::string_view(text == nullptr ? "" : text, static_cast<std::size_t>(sqlite3_value_bytes(v)));
}

/// bankrec_entry_search(match, id, indexed_upto, budget, counterparty_name, counterparty_iban,
/// bank_reference, end_to_end_id, rest): 1 when the row's search_text() holds every term of
/// `match` and its id is indexed, else 0; an error once `budget` rows have been tested.
void row_function(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  auto* terms = static_cast<Terms*>(sqlite3_get_auxdata(ctx, 0));
  std::unique_ptr<Terms> local;
  if (terms == nullptr) {
    const auto* match = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    local = std::make_unique<Terms>(parse_terms(match == nullptr ? "" : match));
    terms = local.get();
    sqlite3_set_auxdata(ctx, 0, local.release(), [](void* p) { delete static_cast<Terms*>(p); });
    // SQLite may free the data at once (out of memory); then this row is tested with a copy.
    if (sqlite3_get_auxdata(ctx, 0) != terms) {
      local = std::make_unique<Terms>(parse_terms(match == nullptr ? "" : match));
      terms = local.get();
    }
  }
  if (sqlite3_value_int64(argv[1]) > sqlite3_value_int64(argv[2])) return sqlite3_result_int(ctx, 0);
  if (++terms->tested > sqlite3_value_int64(argv[3])) return sqlite3_result_error(ctx, kWalkExhausted, -1);
  const auto* rest = static_cast<const char*>(sqlite3_value_blob(argv[8]));
  auto body =
      terms->row.text(value_text(argv[4]), value_text(argv[5]), value_text(argv[6]), value_text(argv[7]),
                      {rest, static_cast<std::size_t>(sqlite3_value_bytes(argv[8]))});
  if (!body) return sqlite3_result_error(ctx, ("entry search: " + body.error().message).c_str(), -1);
  sqlite3_result_int(ctx, terms_match(*terms, *body) ? 1 : 0);
}

/// bankrec_docid_set(docid): the bitmap of the docids aggregated (bit i of byte i / 8).
void docid_set_step(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  auto** slot = static_cast<std::string**>(sqlite3_aggregate_context(ctx, sizeof(std::string*)));
  if (slot == nullptr) return sqlite3_result_error_nomem(ctx);
  if (*slot == nullptr) *slot = new std::string();
  const sqlite3_int64 id = sqlite3_value_int64(argv[0]);
  if (id < 0) return;
  const auto byte = static_cast<std::size_t>(id / 8);
  if ((*slot)->size() <= byte) (*slot)->resize(std::max(byte + 1, (*slot)->size() * 2), '\0');
  (**slot)[byte] = static_cast<char>(static_cast<unsigned char>((**slot)[byte]) | (1u << (id % 8)));
}

void docid_set_final(sqlite3_context* ctx) {
  auto** slot = static_cast<std::string**>(sqlite3_aggregate_context(ctx, 0));
  if (slot == nullptr || *slot == nullptr) return sqlite3_result_blob(ctx, "", 0, SQLITE_STATIC);
  std::unique_ptr<std::string> bits(*slot);
  *slot = nullptr;
  sqlite3_result_blob64(ctx, bits->data(), bits->size(), SQLITE_TRANSIENT);
}

/// bankrec_in_docids(bitmap, id): 1 when bit `id` of the bitmap is set. Its arguments need no
/// column of the row but its id, so SQLite calls it before it reads the row.
void in_docids(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  const auto* bits = static_cast<const unsigned char*>(sqlite3_value_blob(argv[0]));
  const auto size = static_cast<sqlite3_int64>(sqlite3_value_bytes(argv[0]));
  const sqlite3_int64 id = sqlite3_value_int64(argv[1]);
  sqlite3_result_int(ctx, bits != nullptr && id >= 0 && id / 8 < size && ((bits[id / 8] >> (id % 8)) & 1u) != 0);
}

/// Registers row_function and the docid set's functions on this connection unless they are there.
Result<void> ensure_row_function(Database& db) {
  if (db.prepare("SELECT " + std::string(kRowFunction) + "('', 0, 0, 0, NULL, NULL, NULL, NULL, NULL), " +
                 kInDocids + "(X'', 0), (SELECT " + kDocidSet + "(1))"))
    return ok();
  sqlite3* handle = db.handle().db;
  if (sqlite3_create_function_v2(handle, kRowFunction, 9, SQLITE_UTF8, nullptr, row_function, nullptr,
                                 nullptr, nullptr) != SQLITE_OK ||
      sqlite3_create_function_v2(handle, kInDocids, 2, SQLITE_UTF8, nullptr, in_docids, nullptr, nullptr,
                                 nullptr) != SQLITE_OK ||
      sqlite3_create_function_v2(handle, kDocidSet, 1, SQLITE_UTF8, nullptr, nullptr, docid_set_step,
                                 docid_set_final, nullptr) != SQLITE_OK)
    return fail(Errc::internal,
                std::string("cannot register the search functions: ") + sqlite3_errmsg(handle));
  return ok();
}

/// How many lines `match` hits in the index (its doclists are read whole).
Result<std::int64_t> count_hits(Database& db, const std::string& match) {
  auto count = BANKREC_TRY(db.prepare("SELECT count(*) FROM entry_search WHERE entry_search MATCH ?1"));
  count.bind(1, match);
  BANKREC_TRY(count.step());
  return count.column_int(0);
}

constexpr std::size_t kKeptBytes = 4;  // longer terms with a digit are counted per their first 4 bytes

bool kept_one_by_one(std::string_view term) {
  return term.size() <= kKeptBytes ||
         std::none_of(term.begin(), term.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::int64_t> key_lines(Database& db, const std::string& key) {
  auto q = BANKREC_TRY(db.prepare("SELECT docs FROM entry_search_terms WHERE term = ?1"));
  q.bind(1, key);
  return BANKREC_TRY(q.step()) ? q.column_int(0) : 0;
}

/// Adds `counts` (statistics key -> lines) to entry_search_terms.
Result<void> add_counts(Database& db, const std::unordered_map<std::string, std::int64_t>& counts) {
  std::vector<const std::pair<const std::string, std::int64_t>*> sorted;
  sorted.reserve(counts.size());
  for (const auto& entry : counts) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  // Up to kChunk keys per statement, new or not (SQLite 3.15 has no UPSERT; a statement per key
  // costs about twice as much).
  constexpr std::size_t kChunk = 200;
  const auto statement = [&](std::size_t keys) {
    std::string sql = "WITH v(term, n) AS (VALUES ";
    for (std::size_t i = 0; i < keys; ++i) sql += i ? ",(?,?)" : "(?,?)";
    return db.prepare(sql +
                      ") INSERT OR REPLACE INTO entry_search_terms(term, docs) SELECT v.term, v.n + "
                      "coalesce((SELECT docs FROM entry_search_terms t WHERE t.term = v.term), 0) FROM v");
  };
  auto full = BANKREC_TRY(statement(kChunk));
  for (std::size_t start = 0; start < sorted.size(); start += kChunk) {
    const std::size_t keys = std::min(kChunk, sorted.size() - start);
    std::optional<Query> rest;
    if (keys < kChunk) rest.emplace(BANKREC_TRY(statement(keys)));
    Query& q = rest ? *rest : full;
    for (std::size_t i = 0; i < keys; ++i) {
      const auto index = static_cast<int>(2 * i + 1);
      q.bind_static(index, sorted[start + i]->first).bind(index + 1, sorted[start + i]->second);
    }
    BANKREC_TRY(q.run());
  }
  return ok();
}

std::string term_expression(const Terms& terms, std::size_t i) {
  return terms.words[i] + (terms.prefix[i] ? "*" : "");
}

}  // namespace

Tuning& tuning() {
  static Tuning value;
  return value;
}

std::string stats_key(std::string_view term) {
  if (kept_one_by_one(term)) return std::string(term);
  return std::string(term.substr(0, kKeptBytes)) + '#';
}

Result<std::int64_t> term_lines(Database& db, std::string_view word, bool prefix) {
  const std::string term(word);
  if (!kept_one_by_one(term)) {
    // Its bucket bounds it; a large bucket (many long numbers with the same start) is no answer.
    // The whole term counted up to a bound (read from the index piece by piece, unlike a prefix)
    // tells a common one (an IBAN on many lines: the bucket's bound stands, the walk decides);
    // else the term is counted in the index (a long number or code is on few lines).
    const std::int64_t bucket = BANKREC_TRY(key_lines(db, stats_key(term)));
    const std::int64_t few = tuning().few_lines;
    if (bucket <= few) return bucket;
    auto whole = BANKREC_TRY(db.prepare(
        "SELECT count(*) FROM (SELECT docid FROM entry_search WHERE entry_search MATCH ?1 LIMIT ?2)"));
    whole.bind(1, term).bind(2, few + 1);
    BANKREC_TRY(whole.step());
    if (whole.column_int(0) > few) return bucket;
    return prefix ? count_hits(db, term + "*") : whole.column_int(0);
  }
  if (!prefix) return key_lines(db, term);
  // Every kept term that begins with `word` (terms hold no 0xff byte: they are UTF-8) and the
  // buckets of long terms beginning with it: those of four bytes or less are in the range, the
  // bucket of a longer word's first four bytes is added.
  auto q = BANKREC_TRY(db.prepare(
      "SELECT coalesce(sum(docs), 0) FROM entry_search_terms WHERE term >= ?1 AND term < ?1 || CAST(X'ff' AS TEXT)"));
  q.bind(1, term);
  BANKREC_TRY(q.step());
  std::int64_t lines = q.column_int(0);
  q.reset();
  if (term.size() > kKeptBytes) lines += BANKREC_TRY(key_lines(db, term.substr(0, kKeptBytes) + '#'));
  return lines;
}

bool body_matches(std::string_view match, std::string_view body) {
  return terms_match(parse_terms(match), body);
}

Result<Plan> plan(Database& db, const std::string& match, int page_rows) {
  // Lines stored since the index was last brought up to date (ConsoleDataRepo::index_for_search,
  // after each import) are indexed first.
  BANKREC_TRY(catch_up(db, kCatchUpPerSearch));
  const Tuning& t = tuning();
  Plan out{PlanKind::no_hits, match, match};
  out.indexed_upto = BANKREC_TRY(db.query_int("SELECT max(indexed_upto) FROM entry_search_state"));
  BANKREC_TRY(ensure_row_function(db));
  if (t.force == Force::by_hits) {
    out.kind = PlanKind::by_hits;
    return out;
  }
  const Terms terms = parse_terms(match);
  if (terms.words.empty()) return out;
  std::vector<std::int64_t> lines;
  for (std::size_t i = 0; i < terms.words.size(); ++i) {
    lines.push_back(BANKREC_TRY(term_lines(db, terms.words[i], terms.prefix[i])));
    if (lines.back() == 0 && t.force == Force::none) return out;  // a word on no line: no hits
  }
  const std::size_t rarest = static_cast<std::size_t>(std::min_element(lines.begin(), lines.end()) - lines.begin());
  const bool several = terms.words.size() > 1;
  const double total = static_cast<double>(std::max<std::int64_t>(out.indexed_upto, 1));
  // The hits collected when the list is not walked: those of the k rarest terms, the others tested
  // on each collected line in the list's region. Reading a doclist costs about one unit a line,
  // collecting a docid (SQLite's temporary b-tree) Tuning::collect_cost units: k is the one of
  // least cost, the hits of k terms estimated as if the terms were independent.
  std::vector<std::size_t> order(lines.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lines[a] < lines[b]; });
  std::size_t best_k = order.size();
  double best_cost = 0, read = 0, hits = total;
  for (std::size_t k = 1; k <= order.size(); ++k) {
    const auto n = static_cast<double>(lines[order[k - 1]]);
    read += n;
    hits *= n / total;
    const double cost = read + static_cast<double>(t.collect_cost) * hits;
    if (k == 1 || cost < best_cost) {
      best_cost = cost;
      best_k = k;
    }
  }
  if (t.force == Force::materialise) best_k = order.size();
  if (t.force == Force::materialise_rarest) best_k = 1;
  std::vector<bool> chosen(lines.size(), false);
  for (std::size_t k = 0; k < best_k; ++k) chosen[order[k]] = true;
  out.then_source.clear();
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (chosen[i]) out.then_source += (out.then_source.empty() ? "" : " ") + term_expression(terms, i);
  out.then_test = best_k < order.size();
  if (!out.then_test) out.then_source = match;
  double estimate = total;
  for (const std::int64_t n : lines) estimate *= static_cast<double>(n) / total;
  out.estimate = std::clamp<std::int64_t>(static_cast<std::int64_t>(estimate), 1,
                                          std::max<std::int64_t>(lines[rarest], 1));
  const auto by_rarest = [&] {
    out.kind = PlanKind::by_hits;
    out.source = term_expression(terms, rarest);
    out.test = several;
    return out;
  };
  const auto walk = [&](std::int64_t budget) {
    out.kind = PlanKind::walk;
    out.budget = budget;
    return out;
  };
  switch (t.force) {
    case Force::by_rarest: return by_rarest();
    case Force::walk: return walk(t.walk_budget);
    case Force::materialise:
    case Force::materialise_rarest: return fallback(walk(0));
    case Force::by_hits:
    case Force::none: break;
  }
  if (lines[rarest] <= t.few_lines) return by_rarest();
  // A walk tests about page_rows * lines / hits rows when the hits are spread evenly.
  const std::int64_t tests = static_cast<std::int64_t>(page_rows) * static_cast<std::int64_t>(total) / out.estimate;
  if (tests <= t.dense_tests) return walk(std::min(std::max(tests * t.walk_factor, t.walk_min), t.walk_budget));
  return fallback(walk(0));
}

Result<Plan> fallback(const Plan& walk) {
  Plan out = walk;
  out.kind = PlanKind::materialise;
  out.source = walk.then_source;
  out.test = walk.then_test;
  out.budget = 0;
  return out;
}

Result<void> collect(Database& db, Plan& plan) {
  if (plan.kind != PlanKind::materialise || plan.docids) return ok();
  BANKREC_TRY(ensure_row_function(db));
  auto q = BANKREC_TRY(db.prepare("SELECT " + std::string(kDocidSet) +
                                  "(docid) FROM entry_search WHERE entry_search MATCH ?1"));
  q.bind(1, plan.source);
  BANKREC_TRY(q.step());
  plan.docids = std::make_shared<const std::string>(q.column_blob_view(0));
  return ok();
}

namespace {

void add_row_test(console_sql::Where& where, const Plan& plan, std::int64_t budget) {
  where.add(std::string(kRowFunction) +
                "(?, e.id, ?, ?, e.counterparty_name, e.counterparty_iban, e.bank_reference, e.end_to_end_id, "
                "e.rest)",
            plan.match, plan.indexed_upto, budget);
}

}  // namespace

void add_lead(console_sql::Where& where, const Plan& plan) {
  switch (plan.kind) {
    case PlanKind::no_hits:  // a constant false: SQLite reads no row (the cursor is still checked)
      where.add("0");
      return;
    case PlanKind::by_hits:
      where.add("e.id IN (SELECT docid FROM entry_search WHERE entry_search MATCH ?)", plan.source);
      return;
    case PlanKind::materialise:
      // SQLite walks the list's own index and looks each row up in the collected docids (before
      // it reads the row: first in the WHERE clause, and the id is in the index) instead of
      // reading every hit by id and sorting them all. Not collected (never in the daemon): the
      // same in SQL.
      if (plan.docids)
        where.add(std::string(kInDocids) + "(?, e.id)", console_sql::Blob{plan.docids});
      else
        where.add("+e.id IN (SELECT docid FROM entry_search WHERE entry_search MATCH ?)", plan.source);
      return;
    case PlanKind::walk:
      return;
  }
}

void add_test(console_sql::Where& where, const Plan& plan) {
  constexpr std::int64_t kUnbounded = std::numeric_limits<std::int64_t>::max();
  if (plan.kind == PlanKind::walk) return add_row_test(where, plan, plan.budget);
  if ((plan.kind == PlanKind::by_hits || plan.kind == PlanKind::materialise) && plan.test)
    add_row_test(where, plan, kUnbounded);
}

bool is_walk_exhausted(const Error& error) { return error.message.find(kWalkExhausted) != std::string::npos; }

std::string search_text(const domain::Entry& entry, std::string_view remittance_norm) {
  std::string out;
  append_normalised(out, entry.counterparty.name);
  if (!remittance_norm.empty()) {
    if (!out.empty()) out += ' ';
    out += remittance_norm;
  }
  append_normalised(out, entry.counterparty.iban);
  append_normalised(out, entry.bank_reference);
  append_normalised(out, entry.end_to_end_id);
  append_normalised(out, entry.customer_reference);
  append_normalised(out, entry.mandate_id);
  append_normalised(out, entry.structured_reference);
  return out;
}

std::string match_expression(std::string_view query) {
  if (auto iban = compact_iban(query); iban && query.find(' ') != std::string_view::npos) return *iban + "*";
  const std::string norm = text::normalize_for_matching(query);
  std::string out;
  std::size_t start = 0;
  while (start < norm.size()) {
    std::size_t end = norm.find(' ', start);
    if (end == std::string::npos) end = norm.size();
    const std::string_view word(norm.data() + start, end - start);
    if (!word.empty()) {
      if (!out.empty()) out += ' ';
      // Normalised words hold letters and digits only, so no FTS operator or quote can get in;
      // lower-case "or"/"near" are plain words in FTS4's standard syntax.
      out += word;
      if (word.size() >= kMinPrefix) out += '*';
    }
    start = end + 1;
  }
  return out;
}

Result<std::int64_t> catch_up(Database& db, std::int64_t max_rows) {
  constexpr std::int64_t kBatch = 10000;
  std::int64_t done = 0;
  RowText row;
  while (done < max_rows) {
    auto transaction = BANKREC_TRY(Transaction::begin(db));
    const std::int64_t upto = BANKREC_TRY(db.query_int("SELECT max(indexed_upto) FROM entry_search_state"));
    // Only the searched columns: no dates, amounts or currencies are parsed.
    auto rows = BANKREC_TRY(db.prepare(
        "SELECT e.id, e.counterparty_name, e.counterparty_iban, e.bank_reference, e.end_to_end_id, e.rest "
        "FROM entries e WHERE e.id > ?1 ORDER BY e.id LIMIT ?2"));
    rows.bind(1, upto).bind(2, std::min(kBatch, max_rows - done));
    auto insert = BANKREC_TRY(db.prepare("INSERT INTO entry_search(docid, body) VALUES (?1, ?2)"));
    std::int64_t last = upto, n = 0;
    std::unordered_map<std::string, std::int64_t> counts;  // statistics key -> lines of this batch
    std::vector<std::string_view> tokens;
    std::string folded;
    while (BANKREC_TRY(rows.step())) {
      last = rows.column_int(0);
      ++n;
      const auto column = [&](int i) {
        return rows.column_is_null(i) ? std::nullopt
                                      : std::optional<std::string_view>(rows.column_text_view(i));
      };
      auto text = row.text(column(1), column(2), column(3), column(4), rows.column_blob_view(5));
      if (!text) return fail(Errc::internal, "entry " + std::to_string(last) + ": " + text.error().message);
      if (text->empty()) continue;
      BANKREC_TRY(insert.bind(1, last).bind_static(2, *text).run());
      // Each distinct term of the line once, folded as FTS4 folds it (the text is normalised:
      // lower case already).
      std::string_view body = *text;
      if (std::any_of(body.begin(), body.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        folded.assign(body);
        for (auto& c : folded) c = fold(c);
        body = folded;
      }
      tokens.clear();
      for (std::size_t i = 0; i < body.size();) {
        while (i < body.size() && !is_token_byte(static_cast<unsigned char>(body[i]))) ++i;
        const std::size_t start = i;
        while (i < body.size() && is_token_byte(static_cast<unsigned char>(body[i]))) ++i;
        if (i > start) tokens.push_back(body.substr(start, i - start));
      }
      std::sort(tokens.begin(), tokens.end());
      tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
      for (const auto token : tokens) ++counts[stats_key(token)];
    }
    rows.reset();
    if (n == 0) return done;  // nothing was written: the transaction rolls back
    BANKREC_TRY(add_counts(db, counts));
    auto mark = BANKREC_TRY(db.prepare("UPDATE entry_search_state SET indexed_upto = ?1"));
    BANKREC_TRY(mark.bind(1, last).run());
    BANKREC_TRY(transaction.commit());
    done += n;
  }
  return done;
}

}  // namespace bankrec::store::search
