#include "bankrec/jobs/rule_backtest.h"

#include "bankrec/jobs/reconcile_review.h"
#include "bankrec/jobs/reconcile_run.h"
#include "bankrec/reconcile/rules.h"
#include "bankrec/store/import_writer.h"
#include "bankrec/store/reconcile_repo.h"
#include "reconcile_test_data.h"
#include "store_test_util.h"

namespace bankrec::jobs {
namespace {

using store::testing_util::TestStore;
using ::testing::HasSubstr;

using testing_data::invoice;
using testing_data::line;
using testing_data::line_from;
using testing_data::store_lines;

reconcile::MatchRule rule(std::string name, std::string purpose, bool shadow, bool allow_auto = true) {
  reconcile::MatchRule r;
  r.name = std::move(name);
  r.when.purpose_regex = std::move(purpose);
  r.shadow = shadow;
  r.allow_auto = allow_auto;
  return r;
}

/// The rule set in production: a new rule "by number" on probation (shadow).
reconcile::RuleSet production_rules() {
  auto rules = reconcile::default_rule_set();
  rules.rules.push_back(rule("by number", "RE-2026", true));
  return rules;
}

std::int64_t count(store::Store& s, const std::string& sql) { return *s.db().query_int(sql); }

/// One day decided in production and confirmed by people:
///   A  RE-2026-000004 25.00  shadow rule would post I4 → review; alice accepts it         (confirmed I4)
///   B  "Zahlung" 50.00       I1 and I2 both fit → review; bob accepts the second one       (confirmed rank
///   2) C  RE-2026-000003 80.00  shadow → review; accepted, then undone                        (not
///   confirmed) D  "Miete" 9.99          nothing fits; carol marks no match (confirmed no match) E
///   RE-2026-000005 40.00  shadow rule would post I5 → review; dave matches I6 by hand   (confirmed I6) F
///   RE2026000007 70.00    no rule fits, the default posts I7                            (confirmed auto)
struct ConfirmedDay {
  TestStore t;
  std::map<char, std::int64_t> entry;
  std::string b_rank1, b_rank2;
  ConfirmedDay() {
    store::ReconcileRepo repo(*t.store);
    EXPECT_OK(
        repo.import_open_items({invoice("I1", "RE-2026-000001", 5000), invoice("I2", "RE-2026-000002", 5000),
                                invoice("I3", "RE-2026-000003", 8000), invoice("I4", "RE-2026-000004", 2500),
                                invoice("I5", "RE-2026-000005", 4000), invoice("I6", "RE-2026-000006", 4000),
                                invoice("I7", "RE-2026-000007", 7000)},
                               "items.csv", "test"));
    store_lines(*t.store, {line(2500, "A", "RE-2026-000004"), line(5000, "B", "Zahlung"),
                           line(8000, "C", "RE-2026-000003"), line_from("Vermieter AG", 999, "D", "Miete"),
                           line(4000, "E", "RE-2026-000005"), line(7000, "F", "RE2026000007")},
                std::string(64, 'b'));
    for (char c : std::string("ABCDEF"))
      entry[c] = count(*t.store, std::string("SELECT id FROM entries WHERE bank_reference = '") + c + "'");
    EXPECT_OK(run_reconcile(*t.store, production_rules()));
    const auto b = review_show(*t.store, entry['B']);
    EXPECT_OK(b);
    if (b && b->suggestions.size() >= 2) {
      b_rank1 = b->suggestions[0].allocations.front().item_key;
      b_rank2 = b->suggestions[1].allocations.front().item_key;
    }
    EXPECT_OK(review_accept(*t.store, entry['A'], 1, "alice"));
    EXPECT_OK(review_accept(*t.store, entry['B'], 2, "bob"));
    const auto c = review_accept(*t.store, entry['C'], 1, "erin");
    EXPECT_OK(c);
    if (c) EXPECT_OK(review_undo(*t.store, *c, "erin"));
    EXPECT_OK(review_no_match(*t.store, entry['D'], "rent of a private flat", "carol"));
    EXPECT_OK(review_match(*t.store, entry['E'], {{"I6", std::nullopt}}, "dave"));
  }
  std::string status(char c) {
    return (*t.store->db().query_texts("SELECT status FROM entries WHERE id = " + std::to_string(entry[c])))
        .front();
  }
};

const BacktestCounts* find(const RuleBacktestReport& r, const std::string& name) {
  for (const auto& c : r.rules)
    if (c.rule == name) return &c;
  return nullptr;
}

TEST(RuleBacktest, production_day_is_as_described) {
  ConfirmedDay d;
  EXPECT_EQ(d.status('F'), "reconciled");  // the default posted it
  EXPECT_EQ(d.status('C'), "review");      // undone
  EXPECT_FALSE(d.b_rank1.empty());
  EXPECT_NE(d.b_rank1, d.b_rank2);
  // The shadow rule posted nothing, and its would-be posts are recorded on the best suggestion.
  EXPECT_EQ(count(*d.t.store, "SELECT count(*) FROM matches WHERE shadow_auto = 1 AND suggestion_rank = 1"),
            3);
  EXPECT_EQ(count(*d.t.store, "SELECT count(*) FROM matches WHERE shadow_auto = 1 AND entry_id = " +
                                  std::to_string(d.entry['B'])),
            0);
  const auto e = review_show(*d.t.store, d.entry['E']);
  ASSERT_OK(e);
  EXPECT_TRUE(e->suggestions.front().shadow_auto);
  EXPECT_FALSE(review_show(*d.t.store, d.entry['B'])->suggestions.front().shadow_auto);
}

TEST(RuleBacktest, a_rule_that_posts_wrongly_shows_lower_precision) {
  ConfirmedDay d;
  const std::int64_t audits = count(*d.t.store, "SELECT count(*) FROM audit_log");
  RuleBacktestOptions options;
  options.rule_digest = "digest-1";
  auto r = backtest_rules(*d.t.store, production_rules(), options, "frank");
  ASSERT_OK(r);
  // A, B, D, E, F are confirmed (C was undone).
  EXPECT_EQ(r->overall.lines, 5);
  EXPECT_EQ(r->overall.would_post, 3);  // A (I4), E (I5), F (I7)
  EXPECT_EQ(r->overall.agree, 2);       // A and F
  EXPECT_EQ(r->overall.confirmed_matches, 4);
  EXPECT_EQ(r->overall.recalled, 2);
  EXPECT_EQ(r->overall.precision_permille, 666);
  EXPECT_EQ(r->overall.recall_permille, 500);
  const auto* by_number = find(*r, "by number");
  ASSERT_NE(by_number, nullptr);
  EXPECT_EQ(by_number->lines, 2);
  EXPECT_EQ(by_number->would_post, 2);
  EXPECT_EQ(by_number->agree, 1);
  EXPECT_EQ(by_number->precision_permille, 500);
  EXPECT_EQ(by_number->recall_permille, 500);
  const auto* none = find(*r, "(no rule)");
  ASSERT_NE(none, nullptr);
  EXPECT_EQ(none->lines, 3);
  EXPECT_EQ(none->precision_permille, 1000);
  EXPECT_EQ(none->recall_permille, 500);
  ASSERT_EQ(r->disagreements.size(), 2u);
  EXPECT_EQ(r->disagreements[0].entry_id, d.entry['B']);
  EXPECT_EQ(r->disagreements[0].kind, "would_not_post");
  EXPECT_EQ(r->disagreements[0].confirmed, "match " + d.b_rank2 + " 50.00 EUR (suggest by bob)");
  EXPECT_EQ(r->disagreements[1].entry_id, d.entry['E']);
  EXPECT_EQ(r->disagreements[1].rule, "by number");
  EXPECT_EQ(r->disagreements[1].kind, "posts_differently");
  EXPECT_EQ(r->disagreements[1].would, "post I5 40.00 EUR");
  EXPECT_EQ(r->disagreements[1].confirmed, "match I6 40.00 EUR (manual by dave)");
  // Nothing was posted; the result is stored per rule and overall, each audited.
  EXPECT_EQ(d.status('C'), "review");
  EXPECT_EQ(count(*d.t.store, "SELECT open_minor FROM open_items WHERE item_key = 'I5'"), 4000);
  EXPECT_EQ(r->saved_ids.size(), 3u);
  EXPECT_EQ(count(*d.t.store, "SELECT count(*) FROM audit_log"), audits + 3);
  auto stored = store::ReconcileRepo(*d.t.store).rule_backtests("by number", 5);
  ASSERT_OK(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().precision_permille, 500);
  EXPECT_EQ(stored->front().rule_digest, "digest-1");
  EXPECT_EQ(stored->front().created_by, "frank");
  EXPECT_THAT(backtest_report_text(*r), HasSubstr("entry " + std::to_string(d.entry['E']) +
                                                  " [by number] posts_differently: would post I5 40.00 EUR"));
  EXPECT_THAT(backtest_report_json(*r),
              HasSubstr("\"overall\":{\"rule\":\"\",\"lines\":5,\"would_post\":3,\"agree\":2"));
  // Deterministic: the same inputs give the same report.
  options.save = false;
  auto again = backtest_rules(*d.t.store, production_rules(), options, "frank");
  ASSERT_OK(again);
  r->saved_ids.clear();
  EXPECT_EQ(backtest_report_json(*again), backtest_report_json(*r));
}

TEST(RuleBacktest, a_rule_set_that_agrees_has_full_precision_and_approval_is_audited) {
  ConfirmedDay d;
  auto rules = production_rules();
  rules.rules.insert(rules.rules.begin(), rule("careful", "RE-2026-000005", false, false));
  RuleBacktestOptions options;
  options.rule_digest = "digest-2";
  auto r = backtest_rules(*d.t.store, rules, options, "frank");
  ASSERT_OK(r);
  EXPECT_EQ(r->overall.lines, 5);
  EXPECT_EQ(r->overall.would_post, 2);
  EXPECT_EQ(r->overall.agree, 2);
  EXPECT_EQ(r->overall.precision_permille, 1000);
  EXPECT_EQ(r->overall.recall_permille, 500);
  ASSERT_NE(find(*r, "careful"), nullptr);
  EXPECT_EQ(find(*r, "careful")->precision_permille, std::nullopt);
  // One rule only: the lines it decides.
  options.rule = "by number";
  auto one = backtest_rules(*d.t.store, rules, options, "frank");
  ASSERT_OK(one);
  EXPECT_EQ(one->overall.lines, 1);
  EXPECT_EQ(one->overall.would_post, 1);
  EXPECT_EQ(one->overall.precision_permille, 1000);
  EXPECT_EQ(one->overall.recall_permille, 1000);
  EXPECT_TRUE(one->disagreements.empty());
  ASSERT_EQ(one->saved_ids.size(), 1u);
  store::ReconcileRepo repo(*d.t.store);
  ASSERT_OK(repo.approve_rule_backtest(one->saved_ids.front(), "grace"));
  EXPECT_EQ(repo.approve_rule_backtest(one->saved_ids.front(), "grace").error().code, Errc::conflict);
  EXPECT_EQ(repo.rule_backtests("by number", 1)->front().approved_by, "grace");
  EXPECT_EQ(
      count(*d.t.store,
            "SELECT count(*) FROM audit_log WHERE action = 'reconcile.rule_approve' AND actor = 'grace'"),
      1);
  options.rule = "nope";
  EXPECT_EQ(backtest_rules(*d.t.store, rules, options, "frank").error().code, Errc::not_found);
}

TEST(RuleBacktest, only_decisions_of_the_window_count) {
  ConfirmedDay d;
  d.t.clock.advance(std::chrono::days{130});
  RuleBacktestOptions options;
  options.save = false;
  auto r = backtest_rules(*d.t.store, production_rules(), options, "frank");
  ASSERT_OK(r);
  EXPECT_EQ(r->overall.lines, 0);
  EXPECT_EQ(r->overall.precision_permille, std::nullopt);
  options.months = 5;
  r = backtest_rules(*d.t.store, production_rules(), options, "frank");
  ASSERT_OK(r);
  EXPECT_EQ(r->overall.lines, 5);
  options.months = 0;
  EXPECT_EQ(backtest_rules(*d.t.store, production_rules(), options, "frank").error().code,
            Errc::invalid_input);
}

}  // namespace
}  // namespace bankrec::jobs
