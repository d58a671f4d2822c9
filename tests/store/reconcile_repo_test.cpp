#include "bankrec/store/reconcile_repo.h"

#include "bankrec/store/import_writer.h"
#include "store_test_util.h"

namespace bankrec::store {
namespace {

using ::testing::HasSubstr;
using testing_util::TestStore;

domain::OpenItem item(std::string id, std::string partner, std::int64_t minor,
                      domain::OpenItemKind kind = domain::OpenItemKind::invoice) {
  domain::OpenItem i;
  i.id = std::move(id);
  i.kind = kind;
  i.partner_id = partner;
  i.partner_name = "Partner " + partner;
  i.document_number = "RE-" + i.id;
  i.amount = domain::Money(minor, domain::kEur);
  return i;
}

domain::Entry entry(std::int64_t minor, std::string ref, std::string iban = {}) {
  domain::Entry e;
  e.booking_date = *domain::Date::make(2026, 3, 16);
  e.value_date = e.booking_date;
  e.amount = domain::Money(minor, domain::kEur);
  e.bank_reference = std::move(ref);
  e.counterparty.name = "Payer";
  if (!iban.empty()) e.counterparty.iban = iban;
  e.remittance = "payment " + *e.bank_reference;
  return e;
}

/// Stores the entries as one statement and returns their ids in order.
std::vector<std::int64_t> store_entries(Store& store, std::vector<domain::Entry> entries) {
  domain::Statement s;
  s.id = "S1";
  s.account.iban = "DE89370400440532013000";
  s.account.currency = "EUR";
  s.from_date = *domain::Date::make(2026, 3, 16);
  s.to_date = s.from_date;
  auto writer = ImportWriter::begin(store, {"day.json", std::string(64, 'a'), 100, FileSource::cli, "test"});
  EXPECT_TRUE(writer.has_value());
  EXPECT_OK((*writer)->set_format("test"));
  EXPECT_OK((*writer)->begin_statement(s));
  EXPECT_OK((*writer)->add_entries(entries));
  EXPECT_OK((*writer)->end_statement(s));
  EXPECT_OK((*writer)->commit());
  std::vector<std::int64_t> ids;
  const auto texts = store.db().query_texts("SELECT id FROM entries ORDER BY id");
  EXPECT_TRUE(texts.has_value());
  for (const auto& t : texts.value()) ids.push_back(std::stoll(t));
  return ids;
}

std::int64_t open_of(Store& store, const std::string& key) {
  return *store.db().query_int("SELECT open_minor FROM open_items WHERE item_key = '" + key + "'");
}
std::string entry_status_of(Store& store, std::int64_t id) {
  return store.db().query_texts("SELECT status FROM entries WHERE id = " + std::to_string(id))->front();
}

CandidateRecord candidate(std::vector<AllocationRecord> a, int score = 90) {
  CandidateRecord c;
  c.score = score;
  c.allocations = std::move(a);
  c.reasons_json = "[\"test\"]";
  c.features_json = "{\"token\": \"x\"}";
  return c;
}

TEST(ReconcileRepo, import_adds_updates_by_id_and_keeps_history) {
  TestStore t;
  ReconcileRepo repo(*t.store);
  auto a = item("A", "P1", 10000);
  a.partner_ibans = {"DE02120300000000202051"};
  auto first = repo.import_open_items({a, item("B", "P2", 5000)}, "items.csv", "test");
  ASSERT_OK(first);
  EXPECT_EQ(first->added, 2);
  auto again = repo.import_open_items({a, item("B", "P2", 5000)}, "items.csv", "test");
  ASSERT_OK(again);
  EXPECT_EQ(again->unchanged, 2);
  a.amount = domain::Money(12000, domain::kEur);
  auto changed = repo.import_open_items({a}, "items2.csv", "test");
  ASSERT_OK(changed);
  EXPECT_EQ(changed->updated, 1);
  EXPECT_EQ(open_of(*t.store, "A"), 12000);
  const auto history = t.store->db().query_texts(
      "SELECT change || ':' || COALESCE(before_json, '-') || '>' || after_json FROM open_item_history h "
      "JOIN open_items o ON o.id = h.open_item_id WHERE o.item_key = 'A' ORDER BY h.id");
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_THAT((*history)[1], HasSubstr("\"120.00\""));
  EXPECT_THAT((*history)[1], HasSubstr("\"100.00\""));
  EXPECT_EQ(*repo.partner_ibans("P1"), std::vector<std::string>{"DE02120300000000202051"});
  const auto audit = t.store->db().query_texts("SELECT details FROM audit_log WHERE action = 'open_items.import'");
  ASSERT_OK(audit);
  ASSERT_EQ(audit->size(), 3u);
  EXPECT_THAT(audit->back(), HasSubstr("\"updated\":1"));
}

TEST(ReconcileRepo, auto_decision_applies_and_never_beyond_the_open_amount) {
  TestStore t;
  ReconcileRepo repo(*t.store);
  ASSERT_OK(repo.import_open_items({item("A", "P1", 10000)}, "i", "test"));
  const auto ids = store_entries(*t.store, {entry(6000, "R1"), entry(6000, "R2")});
  ASSERT_EQ(ids.size(), 2u);
  DecisionRecord d{ids[0], DecisionKind::automatic, candidate({{"A", 6000, "EUR"}}), {}, "[]"};
  auto counts = repo.record_decisions({d}, "test");
  ASSERT_OK(counts);
  EXPECT_EQ(counts->reconciled, 1);
  EXPECT_EQ(open_of(*t.store, "A"), 4000);
  EXPECT_EQ(entry_status_of(*t.store, ids[0]), "reconciled");
  // The second line would take 6000 of the 4000 left: refused, and nothing of the batch is kept.
  DecisionRecord none{ids[1], DecisionKind::none, {}, {}, "[]"};
  DecisionRecord over{ids[1], DecisionKind::automatic, candidate({{"A", 6000, "EUR"}}), {}, "[]"};
  EXPECT_ERR(repo.record_decisions({over}, "test"), Errc::conflict, HasSubstr("has only 4000"));
  EXPECT_EQ(open_of(*t.store, "A"), 4000);
  EXPECT_EQ(entry_status_of(*t.store, ids[1]), "processed");
  ASSERT_OK(repo.record_decisions({none}, "test"));
  EXPECT_EQ(entry_status_of(*t.store, ids[1]), "unmatched");
  // A decided entry is not decided twice.
  EXPECT_ERR(repo.record_decisions({none}, "test"), Errc::conflict, HasSubstr("decided meanwhile"));
  EXPECT_TRUE(repo.load_undecided_entries(10)->empty());
}

TEST(ReconcileRepo, review_queue_accept_another_suggestion_learns_the_iban) {
  TestStore t;
  ReconcileRepo repo(*t.store);
  ASSERT_OK(repo.import_open_items({item("A", "P1", 5000), item("B", "P2", 5000)}, "i", "test"));
  const auto ids = store_entries(*t.store, {entry(5000, "R1", "DE44500105175407324931")});
  DecisionRecord d{ids[0], DecisionKind::suggest, {}, {candidate({{"A", 5000, "EUR"}}, 70), candidate({{"B", 5000, "EUR"}}, 65)}, "[]"};
  ASSERT_OK(repo.record_decisions({d}, "test"));
  auto queue = repo.review_queue(10);
  ASSERT_OK(queue);
  ASSERT_EQ(queue->size(), 1u);
  ASSERT_EQ((*queue)[0].suggestions.size(), 2u);
  EXPECT_EQ((*queue)[0].suggestions[0].rank, 1);
  EXPECT_EQ((*queue)[0].suggestions[0].score, 70);
  EXPECT_EQ((*queue)[0].suggestions[0].features_json, "{\"token\": \"x\"}");
  EXPECT_EQ(open_of(*t.store, "A"), 5000);  // suggestions apply nothing
  // The person picks the second suggestion.
  const std::int64_t pick = (*queue)[0].suggestions[1].id;
  ASSERT_OK(repo.accept(pick, "alice"));
  EXPECT_EQ(open_of(*t.store, "B"), 0);
  EXPECT_EQ(open_of(*t.store, "A"), 5000);
  EXPECT_EQ(entry_status_of(*t.store, ids[0]), "reconciled");
  const auto matches = repo.matches_of_entry(ids[0]);
  ASSERT_OK(matches);
  EXPECT_EQ((*matches)[0].status, "rejected");
  EXPECT_EQ((*matches)[1].status, "approved");
  EXPECT_EQ(*repo.partner_ibans("P2"), std::vector<std::string>{"DE44500105175407324931"});
  bool learned = false;
  const auto open = repo.load_open_items();
  ASSERT_OK(open);
  for (const auto& s : open.value())
    if (s.item.partner_id == "P2") learned = !s.item.partner_ibans.empty();
  EXPECT_FALSE(learned);  // B is settled and no longer open; the IBAN is stored for the partner
  EXPECT_ERR(repo.accept(pick, "alice"), Errc::conflict, HasSubstr("is approved, not proposed"));
  const auto audit = t.store->db().query_texts("SELECT details FROM audit_log WHERE action = 'reconcile.accept'");
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_THAT(audit->front(), HasSubstr("\"before\":{\"status\":\"proposed\",\"rank\":2}"));
  EXPECT_THAT(audit->front(), HasSubstr("\"learned_iban\":\"DE44500105175407324931\""));
}

TEST(ReconcileRepo, split_no_match_and_undo_as_compensation) {
  TestStore t;
  ReconcileRepo repo(*t.store);
  ASSERT_OK(repo.import_open_items({item("A", "P1", 3000), item("B", "P1", 4000)}, "i", "test"));
  const auto ids = store_entries(*t.store, {entry(7000, "R1"), entry(100, "R2")});
  DecisionRecord d1{ids[0], DecisionKind::suggest, {}, {candidate({{"A", 3000, "EUR"}}, 50)}, "[]"};
  DecisionRecord d2{ids[1], DecisionKind::suggest, {}, {candidate({{"A", 100, "EUR"}}, 45)}, "[]"};
  ASSERT_OK(repo.record_decisions({d1, d2}, "test"));
  EXPECT_ERR(repo.split(ids[0], {{"A", 3000, "EUR"}, {"B", 4500, "EUR"}}, "bob"), Errc::invalid_input,
             HasSubstr("beyond the entry's 7000"));
  const auto split = repo.split(ids[0], {{"A", 3000, "EUR"}, {"B", 4000, "EUR"}}, "bob");
  ASSERT_OK(split);
  EXPECT_EQ(open_of(*t.store, "A"), 0);
  EXPECT_EQ(open_of(*t.store, "B"), 0);
  ASSERT_OK(repo.mark_no_match(ids[1], "bob"));
  EXPECT_EQ(entry_status_of(*t.store, ids[1]), "unmatched");
  const std::int64_t before = *t.store->db().query_int("SELECT count(*) FROM matches");
  const auto undo = repo.undo(*split, "carol");
  ASSERT_OK(undo);
  EXPECT_EQ(open_of(*t.store, "A"), 3000);
  EXPECT_EQ(open_of(*t.store, "B"), 4000);
  EXPECT_EQ(entry_status_of(*t.store, ids[0]), "review");
  EXPECT_EQ(*t.store->db().query_int("SELECT count(*) FROM matches"), before + 1);  // nothing deleted
  EXPECT_EQ(*t.store->db().query_int("SELECT reverses_match_id FROM matches WHERE id = " + std::to_string(*undo)), *split);
  EXPECT_EQ(t.store->db().query_texts("SELECT status FROM matches WHERE id = " + std::to_string(*split))->front(), "undone");
  EXPECT_ERR(repo.undo(*split, "carol"), Errc::conflict, HasSubstr("only an approved match can be undone"));
  EXPECT_TRUE(t.store->audit().verify().has_value());
}

}  // namespace
}  // namespace bankrec::store
