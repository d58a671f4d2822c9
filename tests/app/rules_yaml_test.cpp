#include "rules_yaml.h"

#include "bankrec/testing/testing.h"

namespace bankrec::app {
namespace {

using ::testing::HasSubstr;
namespace rc = reconcile;

std::string error_of(const std::string& yaml) {
  const auto r = parse_rules_yaml(yaml, "r.yaml");
  return r ? std::string("(no error)") : r.error().message;
}

// The shipped example documents every key and must mean exactly the built-in defaults.
TEST(RulesYaml, shipped_example_equals_builtin_defaults) {
  const auto loaded = load_rules_file(std::string(BANKREC_SOURCE_DIR) + "/etc/rules.yaml");
  ASSERT_OK(loaded);
  EXPECT_TRUE(*loaded == rc::default_rule_set());
  // And the comparison is not vacuous: one changed value is noticed.
  auto changed = *loaded;
  changed.counter_bookings[1].text_keywords.pop_back();
  EXPECT_FALSE(changed == rc::default_rule_set());
}

TEST(RulesYaml, empty_file_gives_defaults) {
  const auto r = parse_rules_yaml("", "r.yaml");
  ASSERT_OK(r);
  EXPECT_TRUE(*r == rc::default_rule_set());
}

TEST(RulesYaml, reads_settings_and_an_ordered_rule) {
  const auto r = parse_rules_yaml(R"(
thresholds: {auto: 90, margin: 12}
bank_fees: {max_amount: "7.5", max_percent: "2.25", account: "4971"}
rules:
  - name: big ones
    when:
      account: DE89370400440532013000
      direction: incoming
      amount: {min: "10000", max: "20000.50"}
      currency: EUR
      counterparty_name: ["gmbh$", "^acme"]
      counterparty_iban: "DE*"
      purpose: "rechnung"
      transaction_code: ["166", PMNT-RCDT]
    strategy: [document_number, grouped]
    auto: false
    thresholds: {auto: 95}
    partial_payments: {auto: false}
  - name: fees
    strategy: counter_booking
    shadow: true
)",
                                  "r.yaml");
  ASSERT_OK(r);
  EXPECT_EQ(r->auto_threshold, 90);
  EXPECT_EQ(r->auto_margin, 12);
  EXPECT_EQ(r->fee_tolerance_minor, 750);
  EXPECT_EQ(r->fee_tolerance_basis_points, 225);
  EXPECT_EQ(r->bank_fee_account, "4971");
  ASSERT_EQ(r->rules.size(), 2u);
  const rc::MatchRule& big = r->rules[0];
  EXPECT_EQ(big.name, "big ones");
  EXPECT_EQ(big.when.accounts, std::vector<std::string>{"DE89370400440532013000"});
  EXPECT_EQ(big.when.direction, rc::Direction::incoming);
  EXPECT_EQ(big.when.amount_min_minor, 1000000);
  EXPECT_EQ(big.when.amount_max_minor, 2000050);
  EXPECT_EQ(big.when.counterparty_names.size(), 2u);
  EXPECT_EQ(big.when.counterparty_ibans, std::vector<std::string>{"DE*"});
  EXPECT_EQ(big.when.transaction_codes.size(), 2u);
  EXPECT_EQ(big.strategies, (std::vector<rc::Strategy>{rc::Strategy::document_number, rc::Strategy::grouped}));
  EXPECT_FALSE(big.allow_auto);
  EXPECT_EQ(big.auto_threshold, 95);
  EXPECT_EQ(big.auto_partial, false);
  EXPECT_EQ(r->rules[1].strategies, std::vector<rc::Strategy>{rc::Strategy::counter_booking});
  EXPECT_TRUE(r->rules[1].allow_auto);
  EXPECT_FALSE(big.shadow);
  EXPECT_TRUE(r->rules[1].shadow);
}

struct BadCase {
  const char* description;
  const char* yaml;
  const char* message;  ///< expected "FILE:LINE:COL: key.path: message" line (substring)
};

TEST(RulesYaml, every_problem_names_file_line_column_and_key) {
  const BadCase cases[] = {
      {"unknown top-level key", "thresholdz: {auto: 90}\n",
       "r.yaml:1:1: thresholdz: unknown key (expected one of: bank_fees, cash_discount"},
      {"unknown nested key", "thresholds:\n  automatic: 90\n", "r.yaml:2:3: thresholds.automatic: unknown key"},
      {"threshold out of range", "thresholds: {auto: 101}\n",
       "r.yaml:1:20: thresholds.auto: expected a whole number from 1 to 100"},
      {"amount with three decimals", "bank_fees: {max_amount: \"1.234\"}\n",
       "r.yaml:1:25: bank_fees.max_amount: expected an amount such as \"15.00\""},
      {"percent above 100", "psp: {fee_max_percent: \"150\"}\n",
       "r.yaml:1:24: psp.fee_max_percent: expected a percentage from 0 to 100"},
      {"bad direction", "counter_bookings:\n  - {name: x, account: \"1\", direction: up, gvc_codes: [\"1\"]}\n",
       "r.yaml:2:40: counter_bookings[0].direction: expected one of: any, incoming, outgoing"},
      {"counter-booking without trigger", "counter_bookings:\n  - {name: x, account: \"1\"}\n",
       "r.yaml:2:5: counter_bookings[0]: needs at least one trigger"},
      {"rule without name", "rules:\n  - strategy: partner\n", "r.yaml:2:5: rules[0].name: required"},
      {"unknown strategy", "rules:\n  - name: a\n    strategy: [partner, magic]\n",
       "r.yaml:3:15: rules[0].strategy: unknown strategy 'magic'"},
      {"invalid purpose regex", "rules:\n  - name: a\n    when: {purpose: \"(unclosed\"}\n",
       "r.yaml:3:21: rules[0].when.purpose: invalid regular expression '(unclosed'"},
      {"min above max", "rules:\n  - name: a\n    when:\n      amount: {min: \"10\", max: \"5\"}\n",
       "r.yaml:4:15: rules[0].when.amount: min is above max"},
      {"duplicate rule name", "rules:\n  - name: a\n  - name: a\n", "r.yaml:3:11: rules[1].name: rule 'a' is defined twice"},
      {"unknown key in rule", "rules:\n  - name: a\n    treshold: 3\n", "r.yaml:3:5: rules[0].treshold: unknown key"},
      {"top-level key given twice", "thresholds: {auto: 90}\nthresholds: {auto: abc}\n",
       "r.yaml:2:1: thresholds: key given twice"},
      {"nested key given twice", "thresholds:\n  auto: 90\n  auto: 95\n", "r.yaml:3:3: thresholds.auto: key given twice"},
      {"bad currency", "rules:\n  - name: a\n    when: {currency: euro}\n",
       "r.yaml:3:22: rules[0].when.currency: expected an ISO 4217 code"},
      {"series alias in lower case", "words:\n  series_aliases: {rechnung: RE}\n",
       "r.yaml:2:20: words.series_aliases.rechnung: expected WORD: PREFIX in upper-case letters"},
  };
  for (const auto& c : cases) EXPECT_THAT(error_of(c.yaml), HasSubstr(c.message)) << c.description;
}

TEST(RulesYaml, reports_all_problems_not_only_the_first) {
  const std::string e = error_of("thresholds: {auto: 0, margin: -1}\nfoo: 1\n");
  EXPECT_THAT(e, HasSubstr("r.yaml:1:20: thresholds.auto:"));
  EXPECT_THAT(e, HasSubstr("r.yaml:1:31: thresholds.margin:"));
  EXPECT_THAT(e, HasSubstr("r.yaml:2:1: foo: unknown key"));
}

TEST(RulesYaml, syntax_error_and_missing_file) {
  EXPECT_ERR(parse_rules_yaml("rules: [\n", "r.yaml"), Errc::invalid_input, HasSubstr(""));
  EXPECT_ERR(load_rules_file("/nonexistent/rules.yaml"), Errc::invalid_input, HasSubstr("cannot read rules file"));
}

}  // namespace
}  // namespace bankrec::app
