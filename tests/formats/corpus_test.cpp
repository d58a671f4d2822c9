// Checks every corpus file (tests/fixtures/formats/<fmt>/..., copied unchanged from shared/corpus)
// against the values its MANIFEST lists (corpus-expected.jsonl): counts, balances, sums, account,
// per-statement figures and the first entry's fields. The format is sniffed, as `bankrec parse` does.
// gtest's EXPECT_* expand to if/else; they are used as single statements under `if` below.
#pragma GCC diagnostic ignored "-Wdangling-else"

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "bankrec/formats/format_registry.h"
#include "bankrec/testing/testing.h"

namespace bankrec::formats {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

fs::path fixtures() { return testing::source_dir() / "tests" / "fixtures" / "formats"; }

struct CorpusCase {
  std::string file;
  std::string line;  ///< the JSON object from corpus-expected.jsonl
};
void PrintTo(const CorpusCase& c, std::ostream* os) { *os << c.file; }

/// Where a careful reading of a file disagrees with the MANIFEST, corpus-overrides.jsonl says so with
/// its reason and the corrected values: "set" replaces top-level values, "set_per_statement" merges
/// into per_statement[i], "append_per_statement" adds statements.
void apply_override(json::object& expected, const json::object& fix) {
  if (auto* set = fix.if_contains("set"))
    for (const auto& kv : set->as_object()) expected[kv.key()] = kv.value();
  if (!fix.contains("set_per_statement") && !fix.contains("append_per_statement")) return;
  auto& per = expected["per_statement"];  // operator[] would turn a missing key into null
  if (auto* by_index = fix.if_contains("set_per_statement"))
    for (const auto& kv : by_index->as_object()) {
      auto& target = per.as_array().at(std::stoul(std::string(kv.key()))).as_object();
      for (const auto& field : kv.value().as_object()) target[field.key()] = field.value();
    }
  if (auto* more = fix.if_contains("append_per_statement"))
    for (const auto& s : more->as_array()) per.as_array().push_back(s);
}

std::vector<CorpusCase> all_cases() {
  std::map<std::string, json::object> overrides;
  std::istringstream fixes(testing::read_file(fixtures() / "corpus-overrides.jsonl"));
  for (std::string line; std::getline(fixes, line);)
    if (!line.empty()) {
      auto v = json::parse(line).as_object();
      overrides[std::string(v.at("file").as_string())] = std::move(v);
    }
  std::vector<CorpusCase> cases;
  std::istringstream in(testing::read_file(fixtures() / "corpus-expected.jsonl"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto v = json::parse(line).as_object();
    const std::string file(v.at("file").as_string());
    if (auto it = overrides.find(file); it != overrides.end()) {
      apply_override(v, it->second);
      line = json::serialize(v);
    }
    cases.push_back({file, line});
  }
  return cases;
}

/// Decimal strings compared by value: "-9.0" == "-9.00", "0" == "0.00".
std::string canonical_decimal(std::string_view s) {
  std::string t(s);
  if (t.find('.') != std::string::npos) {
    while (!t.empty() && t.back() == '0') t.pop_back();
    if (!t.empty() && t.back() == '.') t.pop_back();
  }
  if (t == "-0" || t.empty()) t = "0";
  return t;
}

std::string str(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64()) return std::to_string(v.as_int64());
  return json::serialize(v);
}

std::string money_sum(const std::vector<domain::Entry>& entries, std::size_t begin, std::size_t end) {
  std::int64_t sum = 0;
  int exponent = 2;
  for (std::size_t i = begin; i < end; ++i) {
    sum += entries[i].amount.minor();
    exponent = entries[i].amount.currency().exponent;
  }
  return domain::format_minor(sum, exponent);
}

/// The MANIFEST writes the account as the file does: an IBAN, a number, "BLZ/number", each
/// possibly followed by the currency (":25:NL10BUNQ2290325473 EUR", "1567.50.961EUR").
bool account_matches(const domain::Account& a, const std::string& expected) {
  std::vector<std::string> ids;
  if (a.iban) ids.push_back(*a.iban);
  if (a.number) ids.push_back(*a.number);
  if (a.bank_code && a.number) ids.push_back(*a.bank_code + "/" + *a.number);
  for (const auto& id : ids) {
    if (id == expected) return true;
    if (a.currency && (id + *a.currency == expected || id + " " + *a.currency == expected)) return true;
  }
  return false;
}

const char* status_code(domain::EntryStatus s) {
  switch (s) {
    case domain::EntryStatus::booked: return "BOOK";
    case domain::EntryStatus::pending: return "PDNG";
    case domain::EntryStatus::info: return "INFO";
  }
  return "?";
}

class Corpus : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(Corpus, reproduces_manifest_values) {
  const auto& c = GetParam();
  const json::object expected = json::parse(c.line).as_object();
  FormatRegistry registry;
  register_builtin_formats(registry);
  const std::string bytes = testing::read_file(fixtures() / c.file);
  const FormatSpec* spec = registry.detect(as_bytes(bytes));
  const bool expect_error = expected.contains("expect_error") && expected.at("expect_error").as_bool();
  if (spec == nullptr) {
    EXPECT_TRUE(expect_error) << c.file << ": format not recognised";
    return;
  }
  const auto out = parse_collect(*spec, as_bytes(bytes), {.file_name = c.file});
  if (expect_error) {
    EXPECT_FALSE(out) << c.file << " must be rejected";
    return;
  }
  ASSERT_OK(out);
  const auto& stmts = out->statements;
  std::vector<domain::Entry> entries;
  std::vector<std::size_t> starts;
  for (const auto& s : stmts) {
    starts.push_back(entries.size());
    entries.insert(entries.end(), s.entries.begin(), s.entries.end());
  }
  starts.push_back(entries.size());

  if (auto* v = expected.if_contains("statements")) EXPECT_EQ(stmts.size(), v->to_number<std::size_t>()) << "statements";
  if (auto* v = expected.if_contains("entries")) EXPECT_EQ(entries.size(), v->to_number<std::size_t>()) << "entries";
  if (auto* v = expected.if_contains("sum_of_amounts"))
    EXPECT_EQ(canonical_decimal(money_sum(entries, 0, entries.size())), canonical_decimal(str(*v))) << "sum";
  if (auto* v = expected.if_contains("currency"); v && str(*v).starts_with("MIXED:")) {
    // Several statements in different currencies: "MIXED:EUR,JPY,USD" lists them sorted.
    std::set<std::string> currencies;
    for (const auto& s : stmts)
      if (s.account.currency) currencies.insert(*s.account.currency);
    std::string joined = "MIXED:";
    for (const auto& c : currencies) joined += (joined.size() > 6 ? "," : "") + c;
    EXPECT_EQ(joined, str(*v)) << "currencies";
  } else if (auto* v = expected.if_contains("currency"); v && !stmts.empty()) {
    const std::string cur = stmts[0].account.currency   ? *stmts[0].account.currency
                            : !entries.empty()           ? std::string(entries[0].amount.currency().str())
                                                         : std::string();
    EXPECT_EQ(cur, str(*v)) << "currency";
  }
  if (auto* v = expected.if_contains("account"); v && !stmts.empty())
    EXPECT_TRUE(account_matches(stmts[0].account, str(*v))) << "account " << str(*v);
  if (auto* v = expected.if_contains("opening_balance"); v && !stmts.empty()) {
    ASSERT_TRUE(stmts[0].opening_balance) << "opening balance missing";
    EXPECT_EQ(canonical_decimal(stmts[0].opening_balance->amount.to_string()), canonical_decimal(str(*v)));
    if (auto* d = expected.if_contains("opening_date"))
      EXPECT_EQ(stmts[0].opening_balance->date ? stmts[0].opening_balance->date->iso() : "", str(*d));
  }
  if (auto* v = expected.if_contains("closing_balance"); v && !stmts.empty()) {
    ASSERT_TRUE(stmts.back().closing_balance) << "closing balance missing";
    EXPECT_EQ(canonical_decimal(stmts.back().closing_balance->amount.to_string()), canonical_decimal(str(*v)));
    if (auto* d = expected.if_contains("closing_date"))
      EXPECT_EQ(stmts.back().closing_balance->date ? stmts.back().closing_balance->date->iso() : "", str(*d));
  }
  if (auto* per = expected.if_contains("per_statement")) {
    const auto& arr = per->as_array();
    ASSERT_EQ(arr.size(), stmts.size()) << "per_statement count";
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const auto& p = arr[i].as_object();
      const auto& s = stmts[i];
      const std::string at = "statement " + std::to_string(i) + " ";
      if (auto* v = p.if_contains("n")) EXPECT_EQ(s.entries.size(), v->to_number<std::size_t>()) << at << "n";
      if (auto* v = p.if_contains("ref"); v && !v->is_null()) EXPECT_EQ(s.id.value_or(""), str(*v)) << at << "ref";
      if (auto* v = p.if_contains("number"); v && !v->is_null())
        EXPECT_EQ(s.sequence.value_or(""), str(*v)) << at << "number";
      if (auto* v = p.if_contains("account"); v && !v->is_null())
        EXPECT_TRUE(account_matches(s.account, str(*v))) << at << "account " << str(*v);
      if (auto* v = p.if_contains("opening"); v && !v->is_null()) {
        EXPECT_TRUE(s.opening_balance) << at << "opening";
        if (s.opening_balance)
          EXPECT_EQ(canonical_decimal(s.opening_balance->amount.to_string()), canonical_decimal(str(*v))) << at;
      }
      if (auto* v = p.if_contains("closing"); v && !v->is_null()) {
        EXPECT_TRUE(s.closing_balance) << at << "closing";
        if (s.closing_balance)
          EXPECT_EQ(canonical_decimal(s.closing_balance->amount.to_string()), canonical_decimal(str(*v))) << at;
      }
      if (auto* v = p.if_contains("closing_date"); v && !v->is_null() && s.closing_balance)
        EXPECT_EQ(s.closing_balance->date ? s.closing_balance->date->iso() : "", str(*v)) << at << "closing_date";
      if (auto* v = p.if_contains("opening_date"); v && !v->is_null() && s.opening_balance)
        EXPECT_EQ(s.opening_balance->date ? s.opening_balance->date->iso() : "", str(*v)) << at << "opening_date";
      if (auto* v = p.if_contains("sum"); v && !v->is_null())
        EXPECT_EQ(canonical_decimal(money_sum(entries, starts[i], starts[i + 1])), canonical_decimal(str(*v)))
            << at << "sum";
    }
  }
  if (auto* fe = expected.if_contains("first_entry"); fe && fe->is_object()) {
    ASSERT_FALSE(entries.empty()) << "no entries";
    const auto& e = entries.front();
    const auto& f = fe->as_object();
    const bool mt = c.file.starts_with("mt94");
    if (auto* v = f.if_contains("amount")) EXPECT_EQ(canonical_decimal(e.amount.to_string()), canonical_decimal(str(*v)));
    if (auto* v = f.if_contains("booking_date"); v && !v->is_null())
      EXPECT_EQ(e.booking_date ? e.booking_date->iso() : "", str(*v)) << "booking_date";
    if (auto* v = f.if_contains("value_date"); v && !v->is_null())
      EXPECT_EQ(e.value_date ? e.value_date->iso() : "", str(*v)) << "value_date";
    if (auto* v = f.if_contains("reference"); v && !v->is_null())
      EXPECT_EQ((mt ? e.customer_reference : e.bank_reference).value_or(""), str(*v)) << "reference";
    if (auto* v = f.if_contains("bank_reference"); v && !v->is_null() && mt)
      EXPECT_EQ(e.bank_reference.value_or(""), str(*v)) << "bank_reference";
    if (auto* v = f.if_contains("status"); v && !v->is_null()) EXPECT_EQ(status_code(e.status), str(*v)) << "status";
    if (auto* v = f.if_contains("end_to_end_id"); v && !v->is_null())
      EXPECT_EQ(e.end_to_end_id.value_or(""), str(*v)) << "end_to_end_id";
    if (auto* v = f.if_contains("bank_tx_code_prtry"); v && !v->is_null())
      EXPECT_EQ(e.transaction_code.proprietary.value_or(""), str(*v)) << "proprietary code";
    if (auto* v = f.if_contains("type"); v && !v->is_null() && mt)
      EXPECT_EQ(e.transaction_code.swift.value_or(""), str(*v)) << "transaction type";
  }
}

std::string case_name(const ::testing::TestParamInfo<CorpusCase>& info) {
  std::string name = info.param.file;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Manifest, Corpus, ::testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace bankrec::formats
