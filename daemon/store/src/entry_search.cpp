#include "entry_search.h"

#include <algorithm>
#include <cctype>
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

bool terms_match(const Terms& terms, std::string_view body) {
  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && !is_token_byte(static_cast<unsigned char>(body[i]))) ++i;
    std::string token;
    while (i < body.size() && is_token_byte(static_cast<unsigned char>(body[i]))) token += fold(body[i++]);
    if (!token.empty()) tokens.push_back(std::move(token));
  }
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

/// Registers row_function on this connection unless it is there already.
Result<void> ensure_row_function(Database& db) {
  if (db.prepare("SELECT " + std::string(kRowFunction) + "('', 0, 0, 0, NULL, NULL, NULL, NULL, NULL)"))
    return ok();
  sqlite3* handle = db.handle().db;
  if (sqlite3_create_function_v2(handle, kRowFunction, 9, SQLITE_UTF8, nullptr, row_function, nullptr,
                                 nullptr, nullptr) != SQLITE_OK)
    return fail(Errc::internal,
                std::string("cannot register ") + kRowFunction + ": " + sqlite3_errmsg(handle));
  return ok();
}

/// How many lines `match` hits, counted up to `bound` + 1.
Result<std::int64_t> count_hits(Database& db, const std::string& match, std::int64_t bound) {
  auto count = BANKREC_TRY(
      db.prepare("SELECT count(*) FROM (SELECT docid FROM entry_search WHERE entry_search MATCH ?1 "
                 "LIMIT ?2)"));
  count.bind(1, match).bind(2, bound + 1);
  BANKREC_TRY(count.step());
  return count.column_int(0);
}

}  // namespace

Tuning& tuning() {
  static Tuning value;
  return value;
}

bool body_matches(std::string_view match, std::string_view body) {
  return terms_match(parse_terms(match), body);
}

Result<std::optional<Plan>> probe(Database& db, const std::string& match) {
  // Lines stored since the index was last brought up to date (ConsoleDataRepo::index_for_search,
  // after each import) are indexed first.
  BANKREC_TRY(catch_up(db, kCatchUpPerSearch));
  const Tuning& t = tuning();
  if (t.probe_rows <= 0) return std::optional<Plan>();
  const std::int64_t upto = BANKREC_TRY(db.query_int("SELECT max(indexed_upto) FROM entry_search_state"));
  if (upto < t.probe_min_lines) return std::optional<Plan>();
  BANKREC_TRY(ensure_row_function(db));
  return std::optional<Plan>(Plan{PlanKind::walk, match, upto, 0, t.probe_rows});
}

Result<Plan> plan(Database& db, const std::string& match, int page_rows) {
  const Tuning& t = tuning();
  Plan out{PlanKind::no_hits, match, 0};
  out.hits = BANKREC_TRY(count_hits(db, match, std::max(t.few_hits, t.mid_hits)));
  if (out.hits == 0) return out;
  out.kind = PlanKind::by_hits;
  if (out.hits <= t.few_hits) return out;
  out.indexed_upto = BANKREC_TRY(db.query_int("SELECT max(indexed_upto) FROM entry_search_state"));
  // A walk of the list reads about page_rows * lines / hits rows when the hits are spread evenly,
  // each costing about what reading one hit by id does: the cheaper of the two is taken.
  const std::int64_t walk_rows =
      static_cast<std::int64_t>(page_rows) * std::max<std::int64_t>(out.indexed_upto, 1) / out.hits;
  if (out.hits <= t.mid_hits && walk_rows > out.hits) return out;
  BANKREC_TRY(ensure_row_function(db));
  out.kind = PlanKind::walk;
  out.budget = t.walk_budget;
  return out;
}

Result<Plan> fallback(const Plan& walk) {
  Plan out = walk;
  out.kind = out.hits <= tuning().mid_hits ? PlanKind::by_hits : PlanKind::materialise;
  return out;
}

void add_condition(console_sql::Where& where, const Plan& plan) {
  switch (plan.kind) {
    case PlanKind::no_hits:  // a constant false: SQLite reads no row (the cursor is still checked)
      where.add("0");
      return;
    case PlanKind::by_hits:
      where.add("e.id IN (SELECT docid FROM entry_search WHERE entry_search MATCH ?)", plan.match);
      return;
    case PlanKind::materialise:
      // `+e.id`: SQLite walks the list's own index and looks each row up in the collected docids
      // instead of reading every hit by id and sorting them all.
      where.add("+e.id IN (SELECT docid FROM entry_search WHERE entry_search MATCH ?)", plan.match);
      return;
    case PlanKind::walk:
      where.add(
          std::string(kRowFunction) +
              "(?, e.id, ?, ?, e.counterparty_name, e.counterparty_iban, e.bank_reference, e.end_to_end_id, "
              "e.rest)",
          plan.match, plan.indexed_upto, plan.budget);
      return;
  }
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
    while (BANKREC_TRY(rows.step())) {
      last = rows.column_int(0);
      ++n;
      const auto column = [&](int i) {
        return rows.column_is_null(i) ? std::nullopt
                                      : std::optional<std::string_view>(rows.column_text_view(i));
      };
      auto text = row.text(column(1), column(2), column(3), column(4), rows.column_blob_view(5));
      if (!text) return fail(Errc::internal, "entry " + std::to_string(last) + ": " + text.error().message);
      if (!text->empty()) BANKREC_TRY(insert.bind(1, last).bind_static(2, *text).run());
    }
    rows.reset();
    if (n == 0) return done;  // nothing was written: the transaction rolls back
    auto mark = BANKREC_TRY(db.prepare("UPDATE entry_search_state SET indexed_upto = ?1"));
    BANKREC_TRY(mark.bind(1, last).run());
    BANKREC_TRY(transaction.commit());
    done += n;
  }
  return done;
}

}  // namespace bankrec::store::search
