#include "bankrec/jobs/reconcile_review.h"

#include "bankrec/jobs/reconcile_run.h"
#include "bankrec/jobs/rule_proposals.h"
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

/// Two items of 50.00 and one of 80.00 for one partner; a 50.00 line goes to review with two suggestions.
struct ReviewDay {
  TestStore t;
  std::int64_t entry = 0;
  ReviewDay() {
    store::ReconcileRepo repo(*t.store);
    EXPECT_OK(repo.import_open_items({invoice("I1", "RE-2026-000001", 5000), invoice("I2", "RE-2026-000002", 5000),
                                      invoice("I3", "RE-2026-000003", 8000)},
                                     "items.csv", "test"));
    store_lines(*t.store, {line(5000, "B1", "Zahlung")}, std::string(64, 'a'));
    EXPECT_OK(run_reconcile(*t.store, reconcile::default_rule_set()));
    entry = count(*t.store, "SELECT id FROM entries WHERE bank_reference = 'B1'");
  }
  std::int64_t open(const std::string& item) {
    return count(*t.store, "SELECT open_minor FROM open_items WHERE item_key = '" + item + "'");
  }
  std::string status() { return (*t.store->db().query_texts("SELECT status FROM entries WHERE id = " + std::to_string(entry))).front(); }
};

TEST(ReconcileReview, list_shows_ranked_suggestions_and_filters_by_account) {
  ReviewDay d;
  auto all = review_list(*d.t.store, {"", 10});
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 1u);
  const auto& r = all->front();
  EXPECT_EQ(r.entry_id, d.entry);
  EXPECT_EQ(r.amount_minor, 5000);
  EXPECT_EQ(r.account_iban, "DE89370400440532013000");
  EXPECT_EQ(r.remittance, "Zahlung");
  ASSERT_EQ(r.suggestions.size(), 2u);
  EXPECT_EQ(r.suggestions[0].rank, 1);
  EXPECT_EQ(r.suggestions[1].rank, 2);
  EXPECT_THAT(r.suggestions[0].reasons_json, HasSubstr("2 open items of the partner have this amount"));
  EXPECT_EQ(review_list(*d.t.store, {"de89 3704 0044 0532 0130 00", 10})->size(), 1u);
  EXPECT_EQ(review_list(*d.t.store, {"DE02120300000000202051", 10})->size(), 0u);
}

TEST(ReconcileReview, accept_by_rank_applies_that_suggestion_only) {
  ReviewDay d;
  const auto second = review_list(*d.t.store, {"", 10})->front().suggestions[1];
  EXPECT_EQ(review_accept(*d.t.store, d.entry, 3, "alice").error().code, Errc::not_found);
  auto id = review_accept(*d.t.store, d.entry, 2, "alice");
  ASSERT_OK(id);
  EXPECT_EQ(*id, second.id);
  EXPECT_EQ(d.open(second.allocations.front().item_key), 0);
  EXPECT_EQ(d.status(), "reconciled");
  EXPECT_EQ(review_accept(*d.t.store, d.entry, 1, "alice").error().code, Errc::conflict);
  EXPECT_EQ(count(*d.t.store, "SELECT count(*) FROM audit_log WHERE action = 'reconcile.accept' AND actor = 'alice'"), 1);
}

TEST(ReconcileReview, match_picks_other_items_and_splits_within_the_line) {
  ReviewDay d;
  // Too much for the line, an unknown item, a malformed pick: nothing changes.
  EXPECT_EQ(review_match(*d.t.store, d.entry, {{"I1", "30.00"}, {"I3", "30.00"}}, "bob").error().code,
            Errc::invalid_input);
  EXPECT_EQ(review_match(*d.t.store, d.entry, {{"NOPE", std::nullopt}}, "bob").error().code, Errc::not_found);
  EXPECT_EQ(review_match(*d.t.store, d.entry, {{"I3", "90.00"}}, "bob").error().code, Errc::invalid_input);
  EXPECT_FALSE(parse_item_pick(":1.00").has_value());
  EXPECT_FALSE(parse_item_pick("I1:").has_value());
  EXPECT_EQ(d.open("I1"), 5000);
  // 20.00 to I1, the rest (30.00) to I3 by default.
  auto id = review_match(*d.t.store, d.entry, {*parse_item_pick("I1:20.00"), *parse_item_pick("I3")}, "bob");
  ASSERT_OK(id);
  EXPECT_EQ(d.open("I1"), 3000);
  EXPECT_EQ(d.open("I3"), 5000);
  EXPECT_EQ(d.status(), "reconciled");
  EXPECT_EQ(count(*d.t.store, "SELECT count(*) FROM matches WHERE entry_id = " + std::to_string(d.entry) +
                                  " AND status = 'rejected'"),
            2);
  // Undo restores both items and puts the line back in review.
  ASSERT_OK(review_undo(*d.t.store, *id, "bob"));
  EXPECT_EQ(d.open("I1"), 5000);
  EXPECT_EQ(d.open("I3"), 8000);
  EXPECT_EQ(d.status(), "review");
}

TEST(ReconcileReview, no_match_keeps_the_reason_and_can_be_undone) {
  ReviewDay d;
  auto id = review_no_match(*d.t.store, d.entry, "private transfer", "carol");
  ASSERT_OK(id);
  EXPECT_EQ(d.status(), "unmatched");
  const auto shown = review_show(*d.t.store, d.entry);
  ASSERT_OK(shown);
  EXPECT_EQ(shown->status, "unmatched");
  ASSERT_EQ(shown->suggestions.size(), 3u);  // two rejected suggestions, then the decision
  EXPECT_EQ(shown->suggestions[2].id, *id);
  EXPECT_THAT(shown->suggestions[2].reasons_json, HasSubstr("no match: private transfer"));
  const auto audit = d.t.store->db().query_texts("SELECT details FROM audit_log WHERE action = 'reconcile.no_match'");
  ASSERT_OK(audit);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_THAT(audit->front(), HasSubstr("\"reason\":\"private transfer\""));
  EXPECT_EQ(review_no_match(*d.t.store, d.entry, "again", "carol").error().code, Errc::conflict);
  ASSERT_OK(review_undo(*d.t.store, *id, "carol"));
  EXPECT_EQ(d.status(), "review");
  EXPECT_EQ(review_show(*d.t.store, 987654).error().code, Errc::not_found);
}

domain::Entry payer_line(std::int64_t minor, std::string ref, std::string remittance) {
  auto e = line(minor, std::move(ref), std::move(remittance));
  e.counterparty.name = "Stadtwerke Musterstadt GmbH";
  e.counterparty.iban = "DE44500105175407324931";
  return e;
}

// Three no-invoice lines to the same payer, marked as no match by hand, propose a counter-booking;
// a pattern seen twice proposes nothing; asking again changes nothing.
TEST(RuleProposals, repeated_no_match_proposes_a_counter_booking_once) {
  TestStore t;
  store_lines(*t.store,
              {payer_line(-8000, "N1", "Abschlag Strom 01/2026"), payer_line(-8000, "N2", "Abschlag Strom 02/2026"),
               payer_line(-8100, "N3", "Abschlag Strom 03/2026")},
              std::string(64, 'n'));
  ASSERT_OK(run_reconcile(*t.store, reconcile::default_rule_set()));
  const auto ids = *t.store->db().query_texts("SELECT id FROM entries ORDER BY id");
  ASSERT_EQ(ids.size(), 3u);
  ASSERT_OK(review_no_match(*t.store, std::stoll(ids[0]), "Strom", "alice"));
  ASSERT_OK(review_no_match(*t.store, std::stoll(ids[1]), "Strom", "alice"));
  EXPECT_TRUE(propose_rules(*t.store, {}, "alice")->empty());
  ASSERT_OK(review_no_match(*t.store, std::stoll(ids[2]), "Strom", "alice"));
  auto proposals = propose_rules(*t.store, {}, "alice");
  ASSERT_OK(proposals);
  ASSERT_EQ(proposals->size(), 1u);
  const auto& p = proposals->front();
  EXPECT_EQ(p.kind, "no_match");
  EXPECT_EQ(p.status, "proposed");
  EXPECT_EQ(p.support, 3);
  EXPECT_EQ(p.counterparty_iban, "DE44500105175407324931");
  EXPECT_EQ(p.purpose_words, "abschlag strom");
  EXPECT_THAT(p.rule_yaml, HasSubstr("counter_bookings:\n  - name: \"recurring: stadtwerke musterstadt\""));
  EXPECT_THAT(p.rule_yaml, HasSubstr("direction: outgoing"));
  EXPECT_THAT(p.rule_yaml, HasSubstr("name_keywords: [\"stadtwerke musterstadt\"]"));
  const auto audits = count(*t.store, "SELECT count(*) FROM audit_log WHERE action = 'reconcile.rule_proposal'");
  EXPECT_EQ(audits, 1);
  auto again = propose_rules(*t.store, {}, "alice");
  ASSERT_OK(again);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().id, p.id);
  EXPECT_EQ(again->front().rule_yaml, p.rule_yaml);
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM audit_log WHERE action = 'reconcile.rule_proposal'"), audits);
  // Nothing is applied: the rules the engine uses come only from rules.yaml.
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM entries WHERE status = 'unmatched'"), 3);
}

// The same payer matched by hand to one partner's items three times proposes a rule that only suggests.
TEST(RuleProposals, repeated_manual_matches_propose_a_suggest_only_rule) {
  TestStore t;
  store::ReconcileRepo repo(*t.store);
  std::vector<domain::OpenItem> items;
  for (int k = 1; k <= 3; ++k) {
    auto i = invoice("A" + std::to_string(k), "ABO-2026-00" + std::to_string(k), 5000, "P9");
    i.partner_name = "Abo Kunde AG";
    items.push_back(i);
  }
  ASSERT_OK(repo.import_open_items(items, "items.csv", "test"));
  std::vector<domain::Entry> lines;
  for (int k = 1; k <= 3; ++k) {
    auto e = line(5000, "M" + std::to_string(k), "Monatsbeitrag Zahlung");
    e.counterparty.name = "Frau Irgendwer";
    e.counterparty.iban = "DE02120300000000202051";
    lines.push_back(e);
  }
  store_lines(*t.store, lines, std::string(64, 'm'));
  ASSERT_OK(run_reconcile(*t.store, reconcile::default_rule_set()));
  const auto ids = *t.store->db().query_texts("SELECT id FROM entries ORDER BY id");
  ASSERT_EQ(ids.size(), 3u);
  for (int k = 0; k < 3; ++k)
    ASSERT_OK(review_match(*t.store, std::stoll(ids[k]), {{"A" + std::to_string(k + 1), std::nullopt}}, "bob"));
  auto proposals = propose_rules(*t.store, {}, "bob");
  ASSERT_OK(proposals);
  ASSERT_EQ(proposals->size(), 1u);
  const auto& p = proposals->front();
  EXPECT_EQ(p.kind, "partner");
  EXPECT_EQ(p.partner_key, "P9");
  EXPECT_EQ(p.support, 3);
  EXPECT_THAT(p.rule_yaml, HasSubstr("counterparty_iban: \"DE02120300000000202051\""));
  EXPECT_THAT(p.rule_yaml, HasSubstr("purpose: \"monatsbeitrag|zahlung\""));
  EXPECT_THAT(p.rule_yaml, HasSubstr("auto: false"));
  // An undone decision no longer counts; the stored proposal stays as it was.
  const auto match = count(*t.store, "SELECT max(id) FROM matches WHERE decision = 'manual' AND status = 'approved'");
  ASSERT_OK(review_undo(*t.store, match, "bob"));
  EXPECT_EQ(repo.manual_decisions(100)->size(), 2u);
}

}  // namespace
}  // namespace bankrec::jobs
