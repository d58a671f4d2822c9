#include "bankrec/reconcile/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reconcile_test_util.h"

namespace bankrec::reconcile {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using namespace bankrec::reconcile::testing;

std::vector<domain::OpenItem> book() {
  return {item("A", "RE-2026-000123", 119000, "P1", "Muster Wohnen GmbH", {kIban1}),
          item("B", "RE-2026-000124", 50000, "P2", "Hans Beispiel"),
          item("C", "GS-2026-000047", 10000, "P3", "Other KG", {}, domain::OpenItemKind::credit_note),
          item("D", "RE-2026-000047", 10000, "P4", "Fourth AG")};
}

TEST(Engine, exact_number_and_amount_is_auto) {
  const auto d = run_one(book(), entry(119000, "Rechnung RE-2026-000123 Danke"));
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d.matches), ElementsAre("A"));
  EXPECT_EQ(d.matches[0].amount.to_string(), "1190.00");
  EXPECT_GE(d.score, 85);
  EXPECT_THAT(d.reasons, ::testing::Contains(HasSubstr("RE-2026-000123")));
  EXPECT_THAT(d.reasons, ::testing::Contains("amount equal"));
}

TEST(Engine, tolerant_citations_find_the_number) {
  struct Case { const char* description; const char* text; } cases[] = {
      {"together", "RE2026000123"},           {"zeros dropped", "RE 2026 123"},
      {"no year, unique", "Re.-Nr. 123"},     {"lower case", "re-2026-000123"},
      {"split with a space", "RE-2026-00 0123"}, {"rechnung alias", "Rechnung 2026-000123"},
  };
  for (const auto& c : cases) {
    // The payer's IBAN is known, as for most regular customers.
    const auto d = run_one(book(), entry(119000, c.text, "Muster Wohnen", kIban1));
    EXPECT_EQ(d.kind, DecisionKind::automatic) << c.description;
    EXPECT_THAT(ids(d.matches), ElementsAre("A")) << c.description;
  }
}

TEST(Engine, ocr_slip_and_transposition_score_lower_than_exact) {
  // A payer the book does not know, so only the citation identifies the item.
  const int exact = run_one(book(), entry(119000, "RE-2026-000123")).features.identity;
  const auto slip = run_one(book(), entry(119000, "RE-2O26-OOO123"));
  const auto swapped = run_one(book(), entry(119000, "RE-2026-000132"));
  EXPECT_THAT(ids(slip.kind == DecisionKind::automatic ? slip.matches : slip.suggestions.at(0).matches), ElementsAre("A"));
  EXPECT_THAT(ids(swapped.kind == DecisionKind::automatic ? swapped.matches : swapped.suggestions.at(0).matches),
              ElementsAre("A"));
  EXPECT_LT(slip.features.identity, exact);
  EXPECT_LT(swapped.features.identity, exact);
  EXPECT_GT(slip.features.slips, 0);
}

TEST(Engine, series_prefix_counts) {
  // GS-2026-000047 is the credit note; RE-2026-000047 has the same digits and the same amount.
  const auto d = run_one(book(), entry(10000, "GS-2026-000047"));
  for (const auto& s : d.suggestions) EXPECT_THAT(ids(s.matches), ::testing::Not(::testing::Contains("D")));
  EXPECT_THAT(ids(d.matches), ::testing::Not(::testing::Contains("D")));
}

TEST(Engine, short_number_does_not_match_a_longer_one) {
  std::vector<domain::OpenItem> items{item("S", "WS-1234", 5000, "P1"), item("L", "WS-12345", 7000, "P2")};
  auto d = run_one(items, entry(7000, "Bestellung WS-12345"));
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d.matches), ElementsAre("L"));
  d = run_one({item("S", "WS-1234", 7000, "P1")}, entry(7000, "Bestellung WS-12345"));
  EXPECT_NE(d.kind, DecisionKind::automatic);
  EXPECT_TRUE(d.suggestions.empty());
}

TEST(Engine, last_years_number_with_the_same_sequence) {
  std::vector<domain::OpenItem> items{item("NEW", "RE-2026-000777", 30000, "P1"), item("OLD", "RE-2025-000777", 45000, "P2")};
  auto d = run_one(items, entry(45000, "RE-2025-000777"));
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d.matches), ElementsAre("OLD"));
  // Without the year the citation fits both: never auto on that alone.
  d = run_one(items, entry(45000, "Re.-Nr. 777"));
  EXPECT_NE(d.kind, DecisionKind::automatic);
}

TEST(Engine, creditor_reference_exact) {
  auto items = book();
  items[1].reference = "RF18539007547034";
  auto e = entry(50000, "");
  e.structured_reference = "RF18539007547034";
  const auto d = run_one(items, e);
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d.matches), ElementsAre("B"));
}

TEST(Engine, end_to_end_id_carries_the_number) {
  auto e = entry(50000, "Zahlung");
  e.end_to_end_id = "E2E-77-RE-2026-000124";
  const auto d = run_one(book(), e);
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d.matches), ElementsAre("B"));
}

TEST(Engine, customer_number_identifies_the_partner) {
  std::vector<domain::OpenItem> items{item("X", "RE-2026-000900", 33300, "10023", "Kunde Eins"),
                                      item("Y", "RE-2026-000901", 44400, "10023", "Kunde Eins")};
  const auto d = run_one(items, entry(33300, "Kundennr. 10023 Zahlung"));
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d.matches), ElementsAre("X"));
}

TEST(Engine, partner_by_iban_then_amount) {
  const auto d = run_one(book(), entry(119000, "Danke", "M. Wohnen", kIban1));
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d.matches), ElementsAre("A"));
}

TEST(Engine, near_tie_goes_to_suggest) {
  std::vector<domain::OpenItem> items{item("A1", "RE-2026-000001", 20000, "P1", "Muster", {kIban1}),
                                      item("A2", "RE-2026-000002", 20000, "P1", "Muster", {kIban1})};
  const auto d = run_one(items, entry(20000, "Zahlung", "Muster", kIban1));
  EXPECT_EQ(d.kind, DecisionKind::suggest);
  ASSERT_EQ(d.suggestions.size(), 2u);
  EXPECT_EQ(d.suggestions[0].score, d.suggestions[1].score);
  // Even with a threshold both reach, a tie is never auto: the margin decides.
  RuleSet low = default_rule_set();
  low.auto_threshold = 50;
  const auto tie = run(items, {entry(20000, "Zahlung", "Muster", kIban1)}, low).at(0);
  EXPECT_EQ(tie.kind, DecisionKind::suggest);
  EXPECT_THAT(tie.reasons, ::testing::Contains(HasSubstr("ahead of the next candidate")));
}

TEST(Engine, partner_by_name_transliterated) {
  std::vector<domain::OpenItem> items{item("M", "RE-2026-000010", 12345, "P9", "Jürgen Müller Bau GmbH")};
  const auto d = run_one(items, entry(12345, "Ueberweisung", "JUERGEN MUELLER BAU GMBH", kIban2));
  EXPECT_EQ(d.kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d.matches), ElementsAre("M"));
}

TEST(Engine, partner_by_name_with_a_typo_is_found) {
  std::vector<domain::OpenItem> items{item("M", "RE-2026-000010", 12345, "P9", "Jürgen Müller Bau GmbH"),
                                      item("Z", "RE-2026-000011", 99999, "P8", "Zacharias Zander")};
  const auto d = run_one(items, entry(12345, "Ueberweisung", "JUERGEN MULLER BAU GMBH", kIban2));
  ASSERT_FALSE(d.kind == DecisionKind::none);
  const auto& m = d.kind == DecisionKind::automatic ? d.matches : d.suggestions.at(0).matches;
  EXPECT_THAT(ids(m), ElementsAre("M"));
  EXPECT_GT(d.features.name_similarity_permille, 900);
}

}  // namespace
}  // namespace bankrec::reconcile
