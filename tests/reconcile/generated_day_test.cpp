#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "bankrec/reconcile/engine.h"
#include "day_generator.h"

namespace bankrec::reconcile {
namespace {

struct Fixture {
  bench::Day day;
  domain::Statement statement;
  Fixture() : day(bench::generate_day({.seed = 7, .lines = 1500, .items = 2500})), statement(bench::to_statement(day)) {}
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

TEST(GeneratedDay, output_does_not_depend_on_the_order_of_files) {
  const auto& f = fixture();
  auto engine = Engine::create(f.day.items, default_rule_set());
  ASSERT_TRUE(engine.has_value());
  // The day split over two files; the second run gets them the other way round.
  const std::uint32_t half = static_cast<std::uint32_t>(f.statement.entries.size() / 2);
  std::vector<EntryRef> forward, backward;
  for (std::uint32_t i = 0; i < f.statement.entries.size(); ++i)
    forward.push_back({&f.statement.entries[i], i < half ? "a.xml" : "b.sta", 0, i < half ? i : i - half});
  for (std::uint32_t i = half; i < f.statement.entries.size(); ++i) backward.push_back(forward[i]);
  for (std::uint32_t i = 0; i < half; ++i) backward.push_back(forward[i]);
  const auto a = engine->run(forward);
  const auto b = engine->run(backward);
  const std::size_t n = forward.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto& x = a[i];
    const auto& y = b[i < half ? n - half + i : i - half];
    ASSERT_EQ(x.kind, y.kind) << "entry " << i;
    ASSERT_EQ(x.score, y.score) << "entry " << i;
    ASSERT_EQ(x.matches.size(), y.matches.size()) << "entry " << i;
    for (std::size_t k = 0; k < x.matches.size(); ++k) EXPECT_EQ(x.matches[k].item_id, y.matches[k].item_id);
  }
}

TEST(GeneratedDay, no_item_receives_more_than_it_had_open) {
  const auto& f = fixture();
  auto engine = Engine::create(f.day.items, default_rule_set());
  ASSERT_TRUE(engine.has_value());
  std::vector<EntryRef> refs;
  for (std::uint32_t i = 0; i < f.statement.entries.size(); ++i) refs.push_back({&f.statement.entries[i], "f", 0, i});
  std::map<std::string, std::int64_t> applied;
  for (const auto& d : engine->run(refs))
    if (d.kind == DecisionKind::automatic)
      for (const auto& m : d.matches) applied[m.item_id] += m.amount.minor();
  for (const auto& item : f.day.items) {
    const auto it = applied.find(item.id);
    if (it == applied.end()) continue;
    EXPECT_LE(std::llabs(it->second), item.amount.minor()) << item.id;
  }
}

TEST(GeneratedDay, no_auto_decision_is_wrong) {
  const auto& f = fixture();
  auto engine = Engine::create(f.day.items, default_rule_set());
  ASSERT_TRUE(engine.has_value());
  std::vector<EntryRef> refs;
  for (std::uint32_t i = 0; i < f.statement.entries.size(); ++i) refs.push_back({&f.statement.entries[i], "f", 0, i});
  const auto decisions = engine->run(refs);
  int automatic = 0;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const auto& d = decisions[i];
    const auto& truth = f.day.lines[i].truth;
    if (d.kind != DecisionKind::automatic) continue;
    ++automatic;
    EXPECT_FALSE(truth.no_auto) << "line " << i << " (" << truth.case_name << ") must not be auto";
    if (!truth.account.empty()) {
      EXPECT_TRUE(d.writeoff && d.writeoff->account == truth.account) << "line " << i;
      continue;
    }
    std::vector<std::string> ids;
    for (const auto& m : d.matches) ids.push_back(m.item_id);
    std::sort(ids.begin(), ids.end());
    EXPECT_NE(std::find(truth.item_sets.begin(), truth.item_sets.end(), ids), truth.item_sets.end())
        << "line " << i << " (" << truth.case_name << ")";
  }
  EXPECT_GT(automatic, static_cast<int>(decisions.size()) * 8 / 10);
}

}  // namespace
}  // namespace bankrec::reconcile
