// The ordered rule set (RuleSet::rules): conditions choose the rule, the rule chooses strategies,
// thresholds and whether anything may be posted; and the fuzzy name helpers behind partner-by-name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bankrec/reconcile/engine.h"
#include "bankrec/reconcile/name_similarity.h"
#include "reconcile_test_util.h"

namespace bankrec::reconcile {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace bankrec::reconcile::testing;

std::vector<domain::OpenItem> book() {
  return {item("A", "RE-2026-000123", 119000, "P1", "Muster Wohnen GmbH", {kIban1}),
          item("B", "RE-2026-000124", 50000, "P2", "Hans Beispiel")};
}

TEST(RuleSet, a_rule_that_forbids_auto_turns_a_sure_match_into_a_suggestion) {
  RuleSet rules = default_rule_set();
  MatchRule big;
  big.name = "big incoming";
  big.when.direction = Direction::incoming;
  big.when.amount_min_minor = 100000;
  big.allow_auto = false;
  rules.rules.push_back(big);
  const auto d = run(book(), {entry(119000, "RE-2026-000123"), entry(50000, "RE-2026-000124")}, rules);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].kind, DecisionKind::suggest);
  EXPECT_THAT(d[0].reasons, Contains("rule 'big incoming'"));
  EXPECT_THAT(d[0].reasons, Contains("rule 'big incoming' only suggests"));
  EXPECT_THAT(ids(d[0].suggestions.at(0).matches), ElementsAre("A"));
  EXPECT_EQ(d[1].kind, DecisionKind::automatic);  // below the rule's minimum: defaults apply
}

// A rule on probation never posts: what it would post becomes the best suggestion, marked as a shadow result.
TEST(RuleSet, a_shadow_rule_suggests_what_it_would_post) {
  RuleSet rules = default_rule_set();
  MatchRule trial;
  trial.name = "new rule";
  trial.when.direction = Direction::incoming;
  trial.when.amount_min_minor = 100000;
  trial.shadow = true;
  rules.rules.push_back(trial);
  const auto d = run(book(), {entry(119000, "RE-2026-000123"), entry(50000, "RE-2026-000124")}, rules);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].kind, DecisionKind::suggest);
  EXPECT_TRUE(d[0].shadow_auto);
  EXPECT_THAT(d[0].reasons, Contains("rule 'new rule' runs in shadow mode: it would post this line automatically"));
  EXPECT_THAT(ids(d[0].suggestions.at(0).matches), ElementsAre("A"));
  EXPECT_EQ(d[1].kind, DecisionKind::automatic);  // the rule does not apply: defaults post
  EXPECT_FALSE(d[1].shadow_auto);
  // A shadow rule that only suggests anyway has nothing it would post.
  rules.rules.back().allow_auto = false;
  EXPECT_FALSE(run(book(), {entry(119000, "RE-2026-000123")}, rules)[0].shadow_auto);
}

TEST(RuleSet, strategies_restrict_the_candidates) {
  RuleSet rules = default_rule_set();
  MatchRule only_partner;
  only_partner.name = "partner only";
  only_partner.strategies = {Strategy::partner};
  rules.rules.push_back(only_partner);
  // The number alone identifies B, but document numbers are not allowed by the rule.
  const auto d = run(book(), {entry(50000, "RE-2026-000124", "Unknown Payer")}, rules);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].kind, DecisionKind::none);
}

TEST(RuleSet, conditions_on_name_purpose_iban_code_and_account) {
  RuleSet rules = default_rule_set();
  MatchRule r;
  r.name = "muster";
  r.when.counterparty_names = {"^muster"};
  r.when.purpose_regex = "re-?2026";
  r.when.counterparty_ibans = {"DE8937*"};
  r.when.transaction_codes = {"166"};
  r.when.accounts = {"DE02 1203 0000 0000 2020 51"};
  r.when.currency = "EUR";
  r.allow_auto = false;
  rules.rules.push_back(r);
  auto e = entry(119000, "Rechnung RE-2026-000123", "Muster Wohnen GmbH", kIban1);
  e.transaction_code.gvc = "166";
  auto engine = Engine::create(book(), rules);
  ASSERT_TRUE(engine.has_value());
  const auto decide = [&](const domain::Entry& x, std::string_view account) {
    const EntryRef ref{&x, "f", 0, 0, account};
    return engine->run(std::span<const EntryRef>(&ref, 1)).front();
  };
  EXPECT_EQ(decide(e, kIban2).kind, DecisionKind::suggest);  // every condition holds
  EXPECT_EQ(decide(e, kIban1).kind, DecisionKind::automatic);  // other account: the rule does not apply
  auto other_code = e;
  other_code.transaction_code.gvc = "116";
  EXPECT_EQ(decide(other_code, kIban2).kind, DecisionKind::automatic);
  auto other_name = e;
  other_name.counterparty.name = "Wohnen Muster";
  EXPECT_EQ(decide(other_name, kIban2).kind, DecisionKind::automatic);
}

TEST(RuleSet, rule_overrides_change_tolerances) {
  RuleSet rules = default_rule_set();
  MatchRule strict;
  strict.name = "no fees";
  strict.fee_tolerance_minor = 0;
  strict.auto_partial = false;
  rules.rules.push_back(strict);
  // 10.00 short: bank fees by default, a partial payment under the rule (never auto then).
  const auto by_default = run(book(), {entry(118000, "RE-2026-000123", "Muster Wohnen GmbH", kIban1)});
  const auto strict_d = run(book(), {entry(118000, "RE-2026-000123", "Muster Wohnen GmbH", kIban1)}, rules);
  ASSERT_EQ(by_default.size(), 1u);
  ASSERT_EQ(strict_d.size(), 1u);
  EXPECT_EQ(by_default[0].kind, DecisionKind::automatic);
  ASSERT_TRUE(by_default[0].writeoff.has_value());
  EXPECT_EQ(by_default[0].writeoff->reason, "bank fees deducted");
  EXPECT_EQ(strict_d[0].kind, DecisionKind::suggest);
}

TEST(RuleSet, invalid_regex_is_refused_naming_the_rule) {
  RuleSet rules = default_rule_set();
  MatchRule r;
  r.name = "broken";
  r.when.purpose_regex = "(unclosed";
  rules.rules.push_back(r);
  const auto engine = Engine::create(book(), rules);
  ASSERT_FALSE(engine.has_value());
  EXPECT_THAT(engine.error().describe(), HasSubstr("rules[0] 'broken' when.purpose"));
}

TEST(NameSimilarity, skeleton_folds_transcriptions_and_doubled_letters) {
  EXPECT_EQ(name_skeleton("mueller"), "muler");
  EXPECT_EQ(name_skeleton("muller"), "muler");
  EXPECT_EQ(name_skeleton("mulller bau"), "muler bau");
  EXPECT_EQ(name_skeleton("kaethe seidel"), name_skeleton("kathe seidel"));
  EXPECT_NE(name_skeleton("schmidt"), name_skeleton("schmitz"));
}

TEST(NameSimilarity, cut_legal_form_fragments_are_dropped) {
  EXPECT_EQ(strip_cut_legal_form("kuhn bau ug haftungsbeschr"), "kuhn bau");
  EXPECT_EQ(strip_cut_legal_form("kaiser feinkost co k"), "kaiser feinkost");
  EXPECT_EQ(strip_cut_legal_form("gunther wolff reiseburo gmb"), "gunther wolff reiseburo");
  EXPECT_EQ(strip_cut_legal_form("kommerz"), "kommerz");  // one word stays
  EXPECT_EQ(strip_cut_legal_form("bau kommerz"), "bau kommerz");
}

// Partner by name: a transliterated and a cut-off counterparty name still find the partner.
TEST(Engine, partner_by_transliterated_or_cut_off_name) {
  const std::vector<domain::OpenItem> items = {
      item("K", "RE-2026-000500", 28866, "P9", "Käthe Seidel"),
      item("L", "RE-2026-000501", 25352, "P8", "Kühn Bau UG (haftungsbeschränkt)"),
      item("M", "RE-2026-000502", 99999, "P7", "Kuhn Moden KG")};
  const auto d = run(items, {entry(28866, "Ueberweisung", "KATHE SEIDEL"),
                             entry(25352, "Ueberweisung", "KUHN BAU UG (HAFTUNGSBESCHR")});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d[0].matches), ElementsAre("K"));
  EXPECT_EQ(d[1].kind, DecisionKind::automatic);
  EXPECT_THAT(ids(d[1].matches), ElementsAre("L"));
}

}  // namespace
}  // namespace bankrec::reconcile
