#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "bankrec/reconcile/engine.h"
#include "reconcile_test_util.h"

namespace bankrec::reconcile {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using namespace bankrec::reconcile::testing;

std::int64_t sum(const std::vector<Application>& m) {
  std::int64_t s = 0;
  for (const auto& a : m) s += a.amount.minor();
  return s;
}

TEST(Grouping, listed_numbers_of_one_partner) {
  std::vector<domain::OpenItem> items{item("A", "RE-2026-000001", 10000), item("B", "RE-2026-000002", 25050),
                                      item("C", "RE-2026-000003", 999)};
  const auto d = run_one(items, entry(35050, "RE-2026-000001 RE-2026-000002"));
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d.matches), UnorderedElementsAre("A", "B"));
  EXPECT_EQ(sum(d.matches), 35050);
}

TEST(Grouping, unlisted_exact_sum_over_one_partner) {
  std::vector<domain::OpenItem> items{item("A", "RE-2026-000001", 10000, "P1", "Muster", {kIban1}),
                                      item("B", "RE-2026-000002", 25050, "P1", "Muster", {kIban1}),
                                      item("C", "RE-2026-000003", 7777, "P1", "Muster", {kIban1})};
  const auto d = run_one(items, entry(17777, "Sammelzahlung", "Muster", kIban1));
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d.matches), UnorderedElementsAre("A", "C"));
}

TEST(Grouping, invoice_net_of_credit_note_whose_digits_equal_another_invoice) {
  std::vector<domain::OpenItem> items{
      item("INV", "RE-2026-000500", 100000, "P1"),
      item("GS", "GS-2026-000123", 10000, "P1", "Muster Wohnen GmbH", {}, domain::OpenItemKind::credit_note),
      item("TRAP", "RE-2026-000123", 10000, "P2", "Somebody")};
  const auto d = run_one(items, entry(90000, "RE-2026-000500 abzgl. Gutschrift GS-2026-000123"));
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d.matches), UnorderedElementsAre("INV", "GS"));
  EXPECT_EQ(sum(d.matches), 90000);
}

TEST(Grouping, psp_payout_for_several_partners_with_fee) {
  std::vector<domain::OpenItem> items{item("A", "RE-2026-000001", 10000, "P1"), item("B", "RE-2026-000002", 20000, "P2"),
                                      item("C", "RE-2026-000003", 30000, "P3")};
  auto e = entry(58800, "PAYOUT 2026-03-15 RE-2026-000001 RE-2026-000002 RE-2026-000003", "PayPal (Europe) S.a r.l.");
  const auto d = run_one(items, e);
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d.matches), UnorderedElementsAre("A", "B", "C"));
  ASSERT_TRUE(d.writeoff.has_value());
  EXPECT_EQ(d.writeoff->amount.to_string(), "-12.00");
  EXPECT_EQ(d.writeoff->reason, "payment service provider fee");
  EXPECT_EQ(sum(d.matches), 58800);
}

TEST(Grouping, several_payments_for_one_item) {
  std::vector<domain::OpenItem> items{item("A", "RE-2026-000001", 100000, "P1", "Muster", {kIban1})};
  const auto decisions = run(items, {entry(40000, "Teilzahlung RE-2026-000001", "Muster", kIban1),
                                     entry(60000, "Rest RE-2026-000001", "Muster", kIban1)});
  ASSERT_EQ(decisions.size(), 2u);
  std::int64_t applied = 0;
  for (const auto& d : decisions) {
    EXPECT_EQ(d.kind, DecisionKind::automatic);
    applied += sum(d.matches);
  }
  EXPECT_EQ(applied, 100000);
}

TEST(Differences, partial_payment_leaves_the_rest_open) {
  std::vector<domain::OpenItem> items{item("A", "RE-2026-000001", 100000, "P1", "Muster", {kIban1})};
  const auto d = run_one(items, entry(30000, "RE-2026-000001", "Muster", kIban1));
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_EQ(sum(d.matches), 30000);
  EXPECT_FALSE(d.writeoff.has_value());
  EXPECT_THAT(d.reasons, ::testing::Contains(HasSubstr("700.00 stays open")));
}

TEST(Differences, cash_discount_within_period) {
  auto a = item("A", "RE-2026-000001", 119000, "P1", "Muster", {kIban1});
  a.discount_basis_points = 200;
  a.discount_until = domain::Date{2026, 3, 15};
  const auto d = run_one({a}, entry(116620, "RE-2026-000001", "Muster", kIban1));
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  ASSERT_TRUE(d.writeoff.has_value());
  EXPECT_EQ(d.writeoff->amount.to_string(), "-23.80");
  EXPECT_EQ(d.writeoff->reason, "cash discount");
  EXPECT_TRUE(d.features.discount_applicable);
}

TEST(Differences, cash_discount_after_the_period_is_not_written_off) {
  auto a = item("A", "RE-2026-000001", 119000, "P1", "Muster", {kIban1});
  a.discount_basis_points = 200;
  a.discount_until = domain::Date{2026, 3, 1};
  const auto d = run_one({a}, entry(116620, "RE-2026-000001", "Muster", kIban1));
  EXPECT_FALSE(d.writeoff.has_value() && d.writeoff->reason == "cash discount");
}

TEST(Differences, small_bank_fee_is_written_off) {
  const auto d = run_one({item("A", "RE-2026-000001", 200000, "P1", "Muster", {kIban1})},
                         entry(199250, "INVOICE RE-2026-000001", "Muster", kIban1));
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  ASSERT_TRUE(d.writeoff.has_value());
  EXPECT_EQ(d.writeoff->amount.to_string(), "-7.50");
  EXPECT_EQ(d.writeoff->account, "4970");
}

TEST(Differences, overpayment_goes_to_review) {
  const auto d = run_one({item("A", "RE-2026-000001", 20000, "P1", "Muster", {kIban1})},
                         entry(25000, "RE-2026-000001", "Muster", kIban1));
  EXPECT_EQ(d.kind, DecisionKind::suggest);
  EXPECT_THAT(d.suggestions.at(0).reasons, ::testing::Contains(HasSubstr("overpaid by 50.00")));
  EXPECT_EQ(sum(d.suggestions.at(0).matches), 20000);  // never more than is open
}

TEST(Differences, double_payment_never_applies_beyond_the_open_amount) {
  std::vector<domain::OpenItem> items{item("A", "RE-2026-000001", 20000, "P1", "Muster", {kIban1})};
  auto second = entry(20000, "RE-2026-000001", "Muster", kIban1);
  second.booking_date = domain::Date{2026, 3, 17};
  const auto decisions = run(items, {second, entry(20000, "RE-2026-000001", "Muster", kIban1)});
  EXPECT_EQ(decisions[1].kind, DecisionKind::automatic);  // the earlier one
  EXPECT_NE(decisions[0].kind, DecisionKind::automatic);
}

TEST(CounterBooking, bank_fees_go_to_their_account) {
  auto e = entry(-1290, "Entgeltabschluss 02/2026", "");
  e.transaction_code.gvc = "805";
  const auto d = run_one({item("A", "RE-2026-000001", 1290)}, e);
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_TRUE(d.matches.empty());
  ASSERT_TRUE(d.writeoff.has_value());
  EXPECT_EQ(d.writeoff->account, "4970");
  EXPECT_EQ(d.writeoff->amount.to_string(), "-12.90");
}

TEST(CounterBooking, salaries_and_tax) {
  auto salary = entry(-250000, "Gehalt 03/2026", "Anna Schmidt");
  auto tax = entry(-1200000, "UStVA 02/2026", "Finanzamt Koeln-Altstadt");
  const auto d = run({item("A", "RE-2026-000001", 1290)}, {salary, tax});
  EXPECT_EQ(d[0].writeoff->account, "1740");
  EXPECT_EQ(d[1].writeoff->account, "1780");
}

TEST(Returns, returned_direct_debit_reopens_the_item_and_is_flagged) {
  auto e = entry(-20000, "RE-2026-000001", "Muster", kIban1);
  e.return_info = domain::ReturnInfo{"MD06", std::nullopt, std::nullopt};
  const auto d = run_one({item("A", "RE-2026-000001", 20000, "P1", "Muster", {kIban1})}, e);
  EXPECT_TRUE(d.flagged);
  const auto& m = d.kind == DecisionKind::automatic ? d.matches : d.suggestions.at(0).matches;
  EXPECT_THAT(ids(m), ElementsAre("A"));
  EXPECT_EQ(m[0].amount.to_string(), "-200.00");
  EXPECT_THAT(d.reasons, ::testing::Contains(HasSubstr("MD06")));
}

TEST(Engine, deterministic_regardless_of_file_order) {
  std::vector<domain::OpenItem> items{item("A", "RE-2026-000001", 20000, "P1", "Muster", {kIban1}),
                                      item("B", "RE-2026-000002", 20000, "P1", "Muster", {kIban1})};
  const std::vector<domain::Entry> day1{entry(20000, "Zahlung", "Muster", kIban1), entry(20000, "RE-2026-000001", "Muster", kIban1)};
  const std::vector<domain::Entry> day2{entry(20000, "Zahlung", "Muster", kIban1)};
  auto engine = Engine::create(items, default_rule_set());
  ASSERT_TRUE(engine.has_value());
  std::vector<EntryRef> forward{{&day1[0], "a.xml", 0, 0}, {&day1[1], "a.xml", 0, 1}, {&day2[0], "b.xml", 0, 0}};
  std::vector<EntryRef> backward{forward[2], forward[0], forward[1]};
  const auto f = engine->run(forward);
  const auto b = engine->run(backward);
  const std::vector<std::size_t> map{1, 2, 0};  // forward[i] is backward[map[i]]
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(f[i].kind, b[map[i]].kind) << i;
    EXPECT_EQ(ids(f[i].matches), ids(b[map[i]].matches)) << i;
    EXPECT_EQ(f[i].score, b[map[i]].score) << i;
  }
}

TEST(Engine, subset_search_stays_bounded_with_hundreds_of_items) {
  std::vector<domain::OpenItem> items;
  for (int i = 0; i < 400; ++i)
    items.push_back(item("I" + std::to_string(i), "RE-2026-" + std::to_string(100000 + i), 1000 + i * 7, "P1", "Muster", {kIban1}));
  std::vector<domain::Entry> entries(200, entry(999999, "Sammelzahlung", "Muster", kIban1));
  const auto start = std::chrono::steady_clock::now();
  const auto d = run(items, entries);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(ms, 10000);
  for (const auto& x : d) EXPECT_NE(x.kind, DecisionKind::automatic);
}

TEST(Engine, never_posts_beyond_the_open_amount_across_the_run) {
  std::vector<domain::OpenItem> items{item("A", "RE-2026-000001", 10000, "P1", "Muster", {kIban1})};
  std::vector<domain::Entry> entries;
  for (int i = 0; i < 5; ++i) entries.push_back(entry(4000, "RE-2026-000001", "Muster", kIban1));
  std::int64_t applied = 0;
  for (const auto& d : run(items, entries))
    if (d.kind == DecisionKind::automatic) applied += sum(d.matches);
  EXPECT_LE(applied, 10000);
}

}  // namespace
}  // namespace bankrec::reconcile
