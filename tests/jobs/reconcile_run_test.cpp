#include "bankrec/jobs/reconcile_run.h"

#include "bankrec/reconcile/rules.h"
#include "bankrec/store/import_writer.h"
#include "reconcile_test_data.h"
#include "store_test_util.h"

namespace bankrec::jobs {
namespace {

using ::testing::HasSubstr;
using store::testing_util::TestStore;

using testing_data::invoice;
using testing_data::line;
using testing_data::line_from;
using testing_data::store_lines;

std::int64_t count(store::Store& s, const std::string& sql) { return *s.db().query_int(sql); }

TEST(ReconcileRun, decides_every_booked_entry_once_and_is_idempotent) {
  TestStore t;
  store::ReconcileRepo repo(*t.store);
  ASSERT_OK(repo.import_open_items({invoice("I1", "RE-2026-000123", 119000), invoice("I2", "RE-2026-000124", 5000),
                                    invoice("I3", "RE-2026-000125", 5000)},
                                   "items.csv", "test"));
  store_lines(*t.store,
              {line(119000, "B1", "Rechnung RE-2026-000123"),  // auto
               line(5000, "B2", "Zahlung"),                   // two items of 50.00: review
               line(-4242, "B3", "Miete Lager"),              // nothing fits
               line(777, "B4", "RE-2026-000124", /*pending=*/true)},
              std::string(64, 'b'));
  auto first = run_reconcile(*t.store, reconcile::default_rule_set());
  ASSERT_OK(first);
  EXPECT_EQ(first->entries, 3u);  // the pending line is never reconciled
  EXPECT_EQ(first->counts.reconciled, 1);
  EXPECT_EQ(first->counts.review, 1);
  EXPECT_EQ(first->counts.unmatched, 1);
  EXPECT_EQ(count(*t.store, "SELECT open_minor FROM open_items WHERE item_key = 'I1'"), 0);
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM matches WHERE decision = 'suggest' AND status = 'proposed'"), 2);
  const auto features = t.store->db().query_texts("SELECT features_json FROM matches WHERE decision = 'auto'");
  ASSERT_EQ(features->size(), 1u);
  EXPECT_THAT(features->front(), HasSubstr("\"token\": \"RE 2026 000123\""));
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM audit_log WHERE action = 'reconcile.run'"), 1);

  const std::int64_t audit_before = count(*t.store, "SELECT count(*) FROM audit_log");
  auto second = run_reconcile(*t.store, reconcile::default_rule_set());
  ASSERT_OK(second);
  EXPECT_EQ(second->entries, 0u);
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM audit_log"), audit_before);
}

// A later day pays the same invoice again: it has nothing left to pay, so it is not posted.
TEST(ReconcileRun, never_applies_beyond_the_open_amount_across_runs) {
  TestStore t;
  store::ReconcileRepo repo(*t.store);
  ASSERT_OK(repo.import_open_items({invoice("I1", "RE-2026-000123", 119000)}, "items.csv", "test"));
  store_lines(*t.store, {line(119000, "B1", "RE-2026-000123")}, std::string(64, 'c'));
  ASSERT_OK(run_reconcile(*t.store, reconcile::default_rule_set()));
  store_lines(*t.store, {line(119000, "B2", "RE-2026-000123")}, std::string(64, 'd'));
  auto again = run_reconcile(*t.store, reconcile::default_rule_set());
  ASSERT_OK(again);
  EXPECT_EQ(again->counts.reconciled, 0);
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM allocations a JOIN matches m ON m.id = a.match_id "
                            "WHERE m.status = 'approved'"),
            1);
  EXPECT_EQ(count(*t.store, "SELECT open_minor FROM open_items WHERE item_key = 'I1'"), 0);
}

// Accepting a suggestion teaches the payer's IBAN; the next run identifies the partner by it.
TEST(ReconcileRun, learned_iban_is_used_by_the_next_run) {
  TestStore t;
  store::ReconcileRepo repo(*t.store);
  auto a = invoice("I1", "RE-2026-000001", 10000, "P1");
  a.partner_name = "Alpha Bau GmbH";
  auto b = invoice("I2", "RE-2026-000002", 20000, "P1");
  b.partner_name = "Alpha Bau GmbH";
  ASSERT_OK(repo.import_open_items({a, b}, "items.csv", "test"));
  auto l1 = line(10000, "B1", "Zahlung");
  l1.counterparty.name = "Herr Unbekannt";
  l1.counterparty.iban = "DE44500105175407324931";
  store_lines(*t.store, {l1}, std::string(64, 'e'));
  // Without the IBAN nobody knows this payer: a person accepts the suggestion for I1.
  const auto entry1 = count(*t.store, "SELECT id FROM entries WHERE bank_reference = 'B1'");
  store::CandidateRecord c;
  c.score = 60;
  c.allocations = {{"I1", 10000, "EUR"}};
  ASSERT_OK(repo.record_decisions({{entry1, store::DecisionKind::suggest, {}, {c}, "[]"}}, "test"));
  const auto queue = repo.review_queue(10);
  ASSERT_OK(queue);
  ASSERT_EQ(queue->size(), 1u);
  ASSERT_OK(repo.accept(queue->front().suggestions.front().id, "alice"));
  EXPECT_EQ(*repo.partner_ibans("P1"), std::vector<std::string>{"DE44500105175407324931"});
  // The next line from that account is the partner's by IBAN, and its amount fits I2 only.
  auto l2 = line(20000, "B2", "Zahlung");
  l2.counterparty.name = "Herr Unbekannt";
  l2.counterparty.iban = "DE44500105175407324931";
  store_lines(*t.store, {l2}, std::string(64, 'f'));
  auto second = run_reconcile(*t.store, reconcile::default_rule_set());
  ASSERT_OK(second);
  EXPECT_EQ(second->counts.reconciled, 1);
  EXPECT_EQ(count(*t.store, "SELECT open_minor FROM open_items WHERE item_key = 'I2'"), 0);
}

}  // namespace
}  // namespace bankrec::jobs
