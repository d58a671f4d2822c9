#include "rules_yaml.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "yaml_problems.h"

namespace bankrec::app {
namespace {

namespace rc = reconcile;

constexpr std::size_t kMaxRulesBytes = 4 * 1024 * 1024;
constexpr std::size_t kMaxListItems = 1000;
constexpr std::int64_t kMaxAmountMinor = 100000000000;  // 1,000,000,000.00

/// Walks the document and collects every problem with its position.
class Reader : public YamlProblems {
 public:
  using YamlProblems::YamlProblems;

  /// The section `key` of `map` when present and a mapping with only `allowed` keys.
  YAML::Node section(const YAML::Node& map, const std::string& path, const char* key,
                     const std::set<std::string>& allowed) {
    const YAML::Node n = map[key];
    if (!n) return YAML::Node(YAML::NodeType::Undefined);
    if (!n.IsMap()) {
      problem(n, join(path, key), "expected a mapping");
      return YAML::Node(YAML::NodeType::Undefined);
    }
    only_keys(n, join(path, key), allowed);
    return n;
  }

  void integer(const YAML::Node& map, const std::string& path, const char* key, int& out, int min, int max) {
    const YAML::Node n = map[key];
    if (!n) return;
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    bool good = !s.empty() && s.size() <= 9;
    for (char c : s) good = good && c >= '0' && c <= '9';
    const long v = good ? std::stol(s) : -1;
    if (!good || v < min || v > max)
      return problem(n, join(path, key), "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    out = static_cast<int>(v);
  }
  void integer(const YAML::Node& map, const std::string& path, const char* key, std::optional<int>& out, int min,
               int max) {
    if (!map[key]) return;
    int v = 0;
    const std::size_t before = count();
    integer(map, path, key, v, min, max);
    if (count() == before) out = v;
  }

  void boolean(const YAML::Node& map, const std::string& path, const char* key, bool& out) {
    const YAML::Node n = map[key];
    if (!n) return;
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    if (s != "true" && s != "false") return problem(n, join(path, key), "expected true or false");
    out = s == "true";
  }
  void boolean(const YAML::Node& map, const std::string& path, const char* key, std::optional<bool>& out) {
    if (!map[key]) return;
    bool v = false;
    const std::size_t before = count();
    boolean(map, path, key, v);
    if (count() == before) out = v;
  }

  void text(const YAML::Node& map, const std::string& path, const char* key, std::string& out) {
    const YAML::Node n = map[key];
    if (!n) return;
    if (!n.IsScalar() || n.Scalar().empty()) return problem(n, join(path, key), "expected a non-empty string");
    out = n.Scalar();
  }
  void text(const YAML::Node& map, const std::string& path, const char* key, std::optional<std::string>& out) {
    std::string v;
    text(map, path, key, v);
    if (!v.empty()) out = v;
  }

  /// "15.00" or "15" (at most two decimals) in minor units.
  void amount(const YAML::Node& map, const std::string& path, const char* key, std::int64_t& out) {
    const YAML::Node n = map[key];
    if (!n) return;
    const auto v = decimal(n.IsScalar() ? n.Scalar() : std::string(), 2);
    if (!v || *v > kMaxAmountMinor)
      return problem(n, join(path, key), "expected an amount such as \"15.00\" (at most two decimals, not negative)");
    out = *v;
  }
  void amount(const YAML::Node& map, const std::string& path, const char* key, std::optional<std::int64_t>& out) {
    if (!map[key]) return;
    std::int64_t v = 0;
    const std::size_t before = count();
    amount(map, path, key, v);
    if (count() == before) out = v;
  }

  /// "5" or "2.5" percent (at most two decimals, 0..100) in basis points.
  void percent(const YAML::Node& map, const std::string& path, const char* key, int& out) {
    const YAML::Node n = map[key];
    if (!n) return;
    const auto v = decimal(n.IsScalar() ? n.Scalar() : std::string(), 2);
    if (!v || *v > 10000) return problem(n, join(path, key), "expected a percentage from 0 to 100 such as \"2.5\"");
    out = static_cast<int>(*v);
  }
  void percent(const YAML::Node& map, const std::string& path, const char* key, std::optional<int>& out) {
    if (!map[key]) return;
    int v = 0;
    const std::size_t before = count();
    percent(map, path, key, v);
    if (count() == before) out = v;
  }

  /// A list of strings; a single string counts as a list of one when `single_ok`.
  void strings(const YAML::Node& map, const std::string& path, const char* key, std::vector<std::string>& out,
               bool single_ok = false) {
    const YAML::Node n = map[key];
    if (!n) return;
    out.clear();
    if (single_ok && n.IsScalar() && !n.Scalar().empty()) {
      out.push_back(n.Scalar());
      return;
    }
    if (!n.IsSequence() || n.size() > kMaxListItems)
      return problem(n, join(path, key), "expected a list of strings (at most " + std::to_string(kMaxListItems) + ")");
    for (std::size_t i = 0; i < n.size(); ++i) {
      if (!n[i].IsScalar() || n[i].Scalar().empty()) {
        problem(n[i], join(path, key) + "[" + std::to_string(i) + "]", "expected a non-empty string");
        continue;
      }
      out.push_back(n[i].Scalar());
    }
  }

  void direction(const YAML::Node& map, const std::string& path, const char* key, rc::Direction& out) {
    const YAML::Node n = map[key];
    if (!n) return;
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    if (s == "any") out = rc::Direction::any;
    else if (s == "incoming") out = rc::Direction::incoming;
    else if (s == "outgoing") out = rc::Direction::outgoing;
    else problem(n, join(path, key), "expected one of: any, incoming, outgoing");
  }

  void regex(const YAML::Node& node, const std::string& path, const std::string& pattern) {
    try {
      std::regex(pattern, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error& e) {
      problem(node, path, "invalid regular expression '" + pattern + "': " + e.what());
    }
  }

 private:
  static std::optional<std::int64_t> decimal(const std::string& s, int decimals) {
    if (s.empty() || s.size() > 16) return std::nullopt;
    std::int64_t whole = 0, frac = 0;
    int seen = -1;
    for (char c : s) {
      if (c == '.' && seen < 0) {
        seen = 0;
        continue;
      }
      if (c < '0' || c > '9') return std::nullopt;
      if (seen < 0) {
        whole = whole * 10 + (c - '0');
      } else {
        if (++seen > decimals) return std::nullopt;
        frac = frac * 10 + (c - '0');
      }
    }
    if (seen == 0) return std::nullopt;  // "15." has no decimals
    for (int k = std::max(seen, 0); k < decimals; ++k) frac *= 10;
    std::int64_t scale = 1;
    for (int k = 0; k < decimals; ++k) scale *= 10;
    return whole * scale + frac;
  }

};

void read_settings(Reader& r, const YAML::Node& root, rc::RuleSet& rules) {
  if (const auto t = r.section(root, "", "thresholds", {"auto", "margin", "suggest_minimum", "max_suggestions"})) {
    r.integer(t, "thresholds", "auto", rules.auto_threshold, 1, 100);
    r.integer(t, "thresholds", "margin", rules.auto_margin, 0, 100);
    r.integer(t, "thresholds", "suggest_minimum", rules.suggest_minimum, 0, 100);
    r.integer(t, "thresholds", "max_suggestions", rules.max_suggestions, 1, 10);
  }
  if (const auto n = r.section(root, "", "names", {"similarity_min_permille"}))
    r.integer(n, "names", "similarity_min_permille", rules.name_similarity_min_permille, 700, 1000);
  if (const auto c = r.section(root, "", "cash_discount", {"grace_days", "account"})) {
    r.integer(c, "cash_discount", "grace_days", rules.discount_grace_days, 0, 60);
    r.text(c, "cash_discount", "account", rules.cash_discount_account);
  }
  if (const auto b = r.section(root, "", "bank_fees", {"max_amount", "max_percent", "account"})) {
    r.amount(b, "bank_fees", "max_amount", rules.fee_tolerance_minor);
    r.percent(b, "bank_fees", "max_percent", rules.fee_tolerance_basis_points);
    r.text(b, "bank_fees", "account", rules.bank_fee_account);
  }
  if (const auto p = r.section(root, "", "psp", {"names", "fee_max_percent", "fee_fixed", "account"})) {
    r.strings(p, "psp", "names", rules.psp_names);
    r.percent(p, "psp", "fee_max_percent", rules.psp_fee_basis_points);
    r.amount(p, "psp", "fee_fixed", rules.psp_fee_fixed_minor);
    r.text(p, "psp", "account", rules.psp_fee_account);
  }
  if (const auto s = r.section(root, "", "small_difference", {"max_amount", "account"})) {
    r.amount(s, "small_difference", "max_amount", rules.small_difference_minor);
    r.text(s, "small_difference", "account", rules.small_difference_account);
  }
  if (const auto p = r.section(root, "", "partial_payments", {"auto"})) r.boolean(p, "partial_payments", "auto", rules.auto_partial);
  if (const auto g = r.section(root, "", "grouped_payments", {"max_items", "max_candidates", "max_steps"})) {
    r.integer(g, "grouped_payments", "max_items", rules.subset_max_items, 2, 8);
    r.integer(g, "grouped_payments", "max_candidates", rules.subset_max_candidates, 2, 200);
    r.integer(g, "grouped_payments", "max_steps", rules.subset_max_steps, 1, 1000000);
  }
}

void read_words(Reader& r, const YAML::Node& root, rc::RuleSet& rules) {
  const auto w = r.section(root, "", "words", {"customer_number", "filler", "generic_number", "series_aliases"});
  if (!w) return;
  r.strings(w, "words", "customer_number", rules.customer_number_words);
  r.strings(w, "words", "filler", rules.filler_words);
  r.strings(w, "words", "generic_number", rules.generic_number_words);
  const YAML::Node a = w["series_aliases"];
  if (!a) return;
  if (!a.IsMap()) return r.problem(a, "words.series_aliases", "expected a mapping WORD: PREFIX");
  rules.series_aliases.clear();
  const auto upper_letters = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  };
  for (const auto& kv : a) {
    const std::string word = kv.first.Scalar();
    const std::string prefix = kv.second.IsScalar() ? kv.second.Scalar() : std::string();
    if (!upper_letters(word) || !upper_letters(prefix)) {
      r.problem(kv.first, "words.series_aliases." + word, "expected WORD: PREFIX in upper-case letters A-Z");
      continue;
    }
    rules.series_aliases.push_back({word, prefix});
  }
}

void read_counter_bookings(Reader& r, const YAML::Node& root, rc::RuleSet& rules) {
  const YAML::Node list = root["counter_bookings"];
  if (!list) return;
  if (!list.IsSequence() || list.size() > kMaxListItems) return r.problem(list, "counter_bookings", "expected a list");
  rules.counter_bookings.clear();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "counter_bookings[" + std::to_string(i) + "]";
    const YAML::Node n = list[i];
    if (!n.IsMap()) {
      r.problem(n, path, "expected a mapping");
      continue;
    }
    r.only_keys(n, path, {"name", "account", "direction", "gvc_codes", "iso_codes", "name_keywords", "text_keywords"});
    rc::CounterBookingRule c;
    r.text(n, path, "name", c.name);
    r.text(n, path, "account", c.account);
    if (c.name.empty()) r.problem(n, path + ".name", "required");
    if (c.account.empty()) r.problem(n, path + ".account", "required");
    r.direction(n, path, "direction", c.direction);
    r.strings(n, path, "gvc_codes", c.gvc_codes);
    r.strings(n, path, "iso_codes", c.iso_codes);
    r.strings(n, path, "name_keywords", c.name_keywords);
    r.strings(n, path, "text_keywords", c.text_keywords);
    if (c.gvc_codes.empty() && c.iso_codes.empty() && c.name_keywords.empty() && c.text_keywords.empty())
      r.problem(n, path, "needs at least one trigger: gvc_codes, iso_codes, name_keywords or text_keywords");
    rules.counter_bookings.push_back(std::move(c));
  }
}

std::optional<rc::Strategy> strategy_named(const std::string& s) {
  for (auto k : {rc::Strategy::document_number, rc::Strategy::creditor_reference, rc::Strategy::customer_number,
                 rc::Strategy::partner, rc::Strategy::grouped, rc::Strategy::counter_booking})
    if (s == rc::strategy_name(k)) return k;
  return std::nullopt;
}

void read_conditions(Reader& r, const YAML::Node& rule, const std::string& path, rc::RuleConditions& w) {
  const auto when = r.section(rule, path, "when",
                              {"account", "direction", "amount", "currency", "counterparty_name", "counterparty_iban",
                               "purpose", "transaction_code"});
  if (!when) return;
  const std::string wp = path + ".when";
  r.strings(when, wp, "account", w.accounts, /*single_ok=*/true);
  r.direction(when, wp, "direction", w.direction);
  if (const auto a = r.section(when, wp, "amount", {"min", "max"})) {
    r.amount(a, wp + ".amount", "min", w.amount_min_minor);
    r.amount(a, wp + ".amount", "max", w.amount_max_minor);
    if (w.amount_min_minor && w.amount_max_minor && *w.amount_min_minor > *w.amount_max_minor)
      r.problem(a, wp + ".amount", "min is above max");
  }
  r.text(when, wp, "currency", w.currency);
  if (!w.currency.empty() && (w.currency.size() != 3 || !std::all_of(w.currency.begin(), w.currency.end(), [](char c) {
                                return c >= 'A' && c <= 'Z';
                              })))
    r.problem(when["currency"], wp + ".currency", "expected an ISO 4217 code such as EUR");
  r.strings(when, wp, "counterparty_name", w.counterparty_names, /*single_ok=*/true);
  for (const auto& n : w.counterparty_names) r.regex(when["counterparty_name"], wp + ".counterparty_name", n);
  r.strings(when, wp, "counterparty_iban", w.counterparty_ibans, /*single_ok=*/true);
  r.text(when, wp, "purpose", w.purpose_regex);
  if (!w.purpose_regex.empty()) r.regex(when["purpose"], wp + ".purpose", w.purpose_regex);
  r.strings(when, wp, "transaction_code", w.transaction_codes, /*single_ok=*/true);
}

void read_rule_overrides(Reader& r, const YAML::Node& n, const std::string& path, rc::MatchRule& m) {
  if (const auto t = r.section(n, path, "thresholds", {"auto", "margin", "suggest_minimum"})) {
    r.integer(t, path + ".thresholds", "auto", m.auto_threshold, 1, 100);
    r.integer(t, path + ".thresholds", "margin", m.auto_margin, 0, 100);
    r.integer(t, path + ".thresholds", "suggest_minimum", m.suggest_minimum, 0, 100);
  }
  if (const auto b = r.section(n, path, "bank_fees", {"max_amount", "max_percent", "account"})) {
    r.amount(b, path + ".bank_fees", "max_amount", m.fee_tolerance_minor);
    r.percent(b, path + ".bank_fees", "max_percent", m.fee_tolerance_basis_points);
    r.text(b, path + ".bank_fees", "account", m.bank_fee_account);
  }
  if (const auto c = r.section(n, path, "cash_discount", {"grace_days", "account"})) {
    r.integer(c, path + ".cash_discount", "grace_days", m.discount_grace_days, 0, 60);
    r.text(c, path + ".cash_discount", "account", m.cash_discount_account);
  }
  if (const auto s = r.section(n, path, "small_difference", {"max_amount", "account"})) {
    r.amount(s, path + ".small_difference", "max_amount", m.small_difference_minor);
    r.text(s, path + ".small_difference", "account", m.small_difference_account);
  }
  if (const auto p = r.section(n, path, "partial_payments", {"auto"})) r.boolean(p, path + ".partial_payments", "auto", m.auto_partial);
}

void read_rules(Reader& r, const YAML::Node& root, rc::RuleSet& rules) {
  const YAML::Node list = root["rules"];
  if (!list || list.IsNull()) return;
  if (!list.IsSequence() || list.size() > kMaxListItems) return r.problem(list, "rules", "expected a list of rules");
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "rules[" + std::to_string(i) + "]";
    const YAML::Node n = list[i];
    if (!n.IsMap()) {
      r.problem(n, path, "expected a mapping");
      continue;
    }
    r.only_keys(n, path, {"name", "when", "strategy", "auto", "shadow", "thresholds", "bank_fees", "cash_discount",
                          "small_difference", "partial_payments"});
    rc::MatchRule m;
    r.text(n, path, "name", m.name);
    if (m.name.empty()) r.problem(n, path + ".name", "required");
    else if (!names.insert(m.name).second) r.problem(n["name"], path + ".name", "rule '" + m.name + "' is defined twice");
    read_conditions(r, n, path, m.when);
    std::vector<std::string> strategies;
    r.strings(n, path, "strategy", strategies, /*single_ok=*/true);
    for (std::size_t k = 0; k < strategies.size(); ++k) {
      if (const auto s = strategy_named(strategies[k])) {
        m.strategies.push_back(*s);
        continue;
      }
      r.problem(n["strategy"], path + ".strategy",
                "unknown strategy '" + strategies[k] +
                    "' (expected document_number, creditor_reference, customer_number, partner, grouped, counter_booking)");
    }
    r.boolean(n, path, "auto", m.allow_auto);
    r.boolean(n, path, "shadow", m.shadow);
    read_rule_overrides(r, n, path, m);
    rules.rules.push_back(std::move(m));
  }
}

}  // namespace

Result<reconcile::RuleSet> parse_rules_yaml(const std::string& text, const std::string& file_name) {
  reconcile::RuleSet rules = reconcile::default_rule_set();
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return fail(Errc::invalid_input, e.msg,
                file_name + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1));
  }
  if (root.IsNull()) return rules;
  Reader reader(file_name);
  if (!root.IsMap()) {
    reader.problem(root, "(top level)", "expected a mapping of settings");
  } else {
    try {
      reader.only_keys(root, "", {"thresholds", "names", "cash_discount", "bank_fees", "psp", "small_difference",
                                  "partial_payments", "grouped_payments", "words", "counter_bookings", "rules"});
      read_settings(reader, root, rules);
      read_words(reader, root, rules);
      read_counter_bookings(reader, root, rules);
      read_rules(reader, root, rules);
    } catch (const YAML::Exception& e) {
      return fail(Errc::invalid_input, e.msg, file_name);
    }
  }
  if (!reader.ok()) return fail(Errc::invalid_input, "invalid rules:\n" + reader.joined(), file_name);
  return rules;
}

Result<reconcile::RuleSet> load_rules_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::invalid_input, "cannot read rules file", path);
  std::string text;
  text.resize(kMaxRulesBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxRulesBytes) return fail(Errc::invalid_input, "rules file larger than 4 MiB", path);
  return parse_rules_yaml(text, path);
}

}  // namespace bankrec::app
