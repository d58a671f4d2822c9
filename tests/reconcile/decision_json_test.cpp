#include "bankrec/reconcile/decision_json.h"

#include <gtest/gtest.h>

#include "reconcile_test_util.h"

namespace bankrec::reconcile {
namespace {

using namespace bankrec::reconcile::testing;

TEST(DecisionJson, keys_in_the_contract_order) {
  const auto e = entry(119000, "Rechnung INV-2024-0815 Kd 4711");
  const auto d = run_one({item("INV-2024-0815", "INV-2024-0815", 119000)}, e);
  const EntryRef ref{&e, "day1.xml", 0, 3};
  EXPECT_EQ(decision_to_json(ref, d),
            "{\"file\": \"day1.xml\", \"statement\": 0, \"entry\": 3, \"amount\": \"1190.00\", \"decision\": \"auto\", "
            "\"score\": " + std::to_string(d.score) +
                ", \"matches\": [{\"item\": \"INV-2024-0815\", \"amount\": \"1190.00\"}], \"writeoff\": null, "
                "\"reasons\": [\"document number INV-2024-0815 in remittance\", \"payer 'Someone Else' is not known as "
                "the items' partner\", \"amount equal\"], \"suggestions\": []}");
}

TEST(DecisionJson, suggestions_and_writeoff) {
  Decision d;
  d.kind = DecisionKind::suggest;
  d.score = 70;
  d.reasons = {"r"};
  Candidate c;
  c.matches.push_back({"A", domain::Money(100, domain::kEur)});
  c.score = 70;
  c.reasons = {"x \"quoted\""};
  d.suggestions.push_back(c);
  const auto e = entry(100, "");
  EXPECT_EQ(decision_to_json({&e, "f", 1, 2}, d),
            "{\"file\": \"f\", \"statement\": 1, \"entry\": 2, \"amount\": \"1.00\", \"decision\": \"suggest\", "
            "\"score\": 70, \"matches\": [], \"writeoff\": null, \"reasons\": [\"r\"], \"suggestions\": "
            "[{\"matches\": [{\"item\": \"A\", \"amount\": \"1.00\"}], \"score\": 70, \"reasons\": [\"x \\\"quoted\\\"\"]}]}");
  d.kind = DecisionKind::automatic;
  d.writeoff = WriteOff{domain::Money(-238, domain::kEur), "cash discount", "8736"};
  EXPECT_NE(decision_to_json({&e, "f", 1, 2}, d).find("\"writeoff\": {\"amount\": \"-2.38\", \"reason\": \"cash discount\", \"account\": \"8736\"}"),
            std::string::npos);
}

}  // namespace
}  // namespace bankrec::reconcile
