#pragma once

#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/store/database.h"

// Helpers of console_data_repo.cpp and console_dashboard.cpp: WHERE clauses built from optional
// filters (each term present only when its filter is, so SQLite picks the index for what is
// asked instead of `?1 IS NULL OR ...`), and cursors.
namespace bankrec::store::console_sql {

/// A BLOB parameter shared by the copies of a Where (the search's collected docids).
struct Blob {
  std::shared_ptr<const std::string> bytes;
};

/// A WHERE clause with its parameters, bound in order as ?1, ?2, ...
class Where {
 public:
  /// `condition` uses `?` for each value, in order.
  template <class... V>
  Where& add(std::string condition, V... values) {
    std::string out;
    for (char c : condition) {
      out += c;
      if (c == '?') out += std::to_string(++count_);
    }
    (values_.emplace_back(value_of(values)), ...);
    terms_.push_back(std::move(out));
    return *this;
  }
  std::string sql() const {
    std::string out;
    for (const auto& t : terms_) out += (out.empty() ? " WHERE " : " AND ") + t;
    return out;
  }
  /// The next parameter number (for a LIMIT after the terms).
  int next() const { return count_ + 1; }
  void bind(Query& q) const {
    for (std::size_t i = 0; i < values_.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      if (const auto* n = std::get_if<std::int64_t>(&values_[i]))
        q.bind(index, *n);
      else if (const auto* b = std::get_if<Blob>(&values_[i]))
        q.bind_blob_static(index, *b->bytes);  // kept alive by this Where
      else
        q.bind(index, std::get<std::string>(values_[i]));
    }
  }

 private:
  using Value = std::variant<std::int64_t, std::string, Blob>;
  static Value value_of(std::int64_t v) { return v; }
  static Value value_of(int v) { return std::int64_t{v}; }
  static Value value_of(std::string v) { return v; }
  static Value value_of(std::string_view v) { return std::string(v); }
  static Value value_of(const char* v) { return std::string(v); }
  static Value value_of(Blob v) { return v; }

  std::vector<std::string> terms_;
  std::vector<Value> values_;
  int count_ = 0;
};

/// Appends the EXPLAIN QUERY PLAN lines ("SEARCH TABLE e USING INDEX ...") of `sql` bound by `where`.
inline Result<void> explain(Database& db, const std::string& sql, const Where& where, std::vector<std::string>* plan) {
  if (plan == nullptr) return ok();
  auto q = BANKREC_TRY(db.prepare("EXPLAIN QUERY PLAN " + sql));
  where.bind(q);
  while (BANKREC_TRY(q.step())) plan->push_back(q.column_text(3));
  return ok();
}

inline bool parse_int(std::string_view text, std::int64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

/// A cursor "a~b~c" split on '~' (values never contain '~': ids, dates, amounts, timestamps).
inline std::vector<std::string> split_cursor(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto p = text.find('~', start);
    out.emplace_back(text.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

inline Unexpected bad_cursor(std::string_view cursor) {
  return fail(Errc::invalid_input, "invalid cursor '" + std::string(cursor) + "' (pass back the 'next' of the previous page)");
}

inline std::optional<std::string> opt_text(const Query& q, int column) {
  if (q.column_is_null(column)) return std::nullopt;
  return q.column_text(column);
}
inline std::optional<std::int64_t> opt_int(const Query& q, int column) {
  if (q.column_is_null(column)) return std::nullopt;
  return q.column_int(column);
}

}  // namespace bankrec::store::console_sql
