#include "bankrec/store/audit_log.h"

#include "bankrec/testing/testing.h"
#include "store_test_util.h"

namespace bankrec::store {
namespace {

using ::testing::HasSubstr;
using testing_util::TestStore;

void append_n(Store& store, int n) {
  for (int i = 0; i < n; ++i) {
    ASSERT_OK(store.write([&]() -> Result<void> {
      BANKREC_TRY(store.audit().append(
          {"alice", "test.event", "thing", std::to_string(i), "{\"i\":" + std::to_string(i) + "}"}));
      return ok();
    }));
  }
}

/// A second connection that can do what an attacker with the key could do.
std::unique_ptr<Database> attacker(TestStore& t) {
  t.store.reset();
  auto db = Database::open(t.path(), t.key);
  EXPECT_TRUE(db.has_value());
  EXPECT_OK(
      (*db)->exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
                  "DROP TRIGGER audit_checkpoints_no_update; DROP TRIGGER audit_checkpoints_no_delete;"));
  return std::move(*db);
}

AuditReport verify_reopened(TestStore& t, std::span<const Checkpoint> external = {}) {
  auto store = t.reopen();
  EXPECT_TRUE(store.has_value());
  auto report = (*store)->audit().verify(external);
  EXPECT_TRUE(report.has_value());
  return *report;
}

TEST(AuditLog, chain_with_checkpoints_verifies) {
  TestStore t({.checkpoint_every = 10});
  append_n(*t.store, 40);
  auto report = t.store->audit().verify();
  ASSERT_OK(report);
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_EQ(report->entries, 41);  // + the migration entry
  // The first entry is checkpointed (none existed that day), then every 10th.
  EXPECT_EQ(report->checkpoints, 5);
  ASSERT_EQ(t.sink.published.size(), 5u);
  EXPECT_EQ(t.sink.published[1].seq, 10);
}

TEST(AuditLog, triggers_refuse_update_and_delete) {
  TestStore t;
  append_n(*t.store, 3);
  EXPECT_ERR(t.store->db().exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"), Errc::internal,
             HasSubstr("append-only"));
  EXPECT_ERR(t.store->db().exec("DELETE FROM audit_log WHERE seq = 2"), Errc::internal,
             HasSubstr("append-only"));
  EXPECT_ERR(t.store->db().exec("DELETE FROM audit_checkpoints"), Errc::internal, HasSubstr("append-only"));
}

TEST(AuditLog, changed_entry_is_named) {
  TestStore t;
  append_n(*t.store, 10);
  auto db = attacker(t);
  ASSERT_OK(db->exec("UPDATE audit_log SET details = '{\"i\":99}' WHERE seq = 5"));
  db.reset();
  const auto report = verify_reopened(t);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 5);
  EXPECT_THAT(report.problem, HasSubstr("entry 5 was changed"));
}

TEST(AuditLog, deleted_entry_is_named) {
  TestStore t;
  append_n(*t.store, 10);
  auto db = attacker(t);
  ASSERT_OK(db->exec("DELETE FROM audit_log WHERE seq = 7"));
  db.reset();
  const auto report = verify_reopened(t);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 7);
  EXPECT_THAT(report.problem, HasSubstr("entry 7 is missing"));
}

// The forged entry is well-formed (hash over its own content, previous hash of entry 4); the rows
// after it were renumbered to make room.
TEST(AuditLog, inserted_entry_is_named) {
  TestStore t;
  append_n(*t.store, 10);
  auto db = attacker(t);
  ASSERT_OK(
      db->exec("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 5; UPDATE audit_log SET seq = seq - 999 "
               "WHERE seq > 1000;"));
  auto prev = db->query_texts("SELECT hash FROM audit_log WHERE seq = 4");
  ASSERT_OK(prev);
  AuditEntry forged{5, "2026-11-22T09:00:00.000Z", "mallory", "test.event", "thing", "x", "{}", prev->front(),
                    ""};
  forged.hash = audit_entry_hash(forged);
  auto insert =
      db->prepare("INSERT INTO audit_log VALUES(5, ?1, 'mallory', 'test.event', 'thing', 'x', '{}', ?2, ?3)");
  ASSERT_OK(insert);
  ASSERT_OK(insert->bind(1, forged.time).bind(2, forged.prev_hash).bind(3, forged.hash).run());
  insert = Unexpected{};  // finalize before closing
  db.reset();
  const auto report = verify_reopened(t);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 5);
  EXPECT_THAT(report.problem, HasSubstr("entry 5 was inserted"));
}

TEST(AuditLog, reordered_entries_are_named) {
  TestStore t;
  append_n(*t.store, 10);
  auto db = attacker(t);
  ASSERT_OK(
      db->exec("UPDATE audit_log SET seq = -8 WHERE seq = 8; UPDATE audit_log SET seq = 8 WHERE seq = 9;"
               "UPDATE audit_log SET seq = 9 WHERE seq = -8;"));
  db.reset();
  const auto report = verify_reopened(t);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 8);
  EXPECT_THAT(report.problem, HasSubstr("entry 8 holds the content of entry 9: entries were reordered"));
}

// An attacker who changes an entry and recomputes every later hash cannot re-sign the checkpoints.
TEST(AuditLog, recomputed_chain_breaks_the_signed_checkpoint) {
  TestStore t({.checkpoint_every = 10});
  append_n(*t.store, 15);
  auto db = attacker(t);
  ASSERT_OK(db->exec("UPDATE audit_log SET details = '{\"i\":99}' WHERE seq = 3"));
  std::string prev;
  for (std::int64_t seq = 1; seq <= 16; ++seq) {
    auto q = db->prepare(
        "SELECT seq, time, actor, action, object_type, object_id, details, prev_hash FROM audit_log WHERE "
        "seq = ?1");
    ASSERT_OK(q);
    q->bind(1, seq);
    ASSERT_TRUE(*q->step());
    AuditEntry e{seq,
                 q->column_text(1),
                 q->column_text(2),
                 q->column_text(3),
                 q->column_text(4),
                 q->column_text(5),
                 q->column_text(6),
                 seq == 1 ? q->column_text(7) : prev,
                 ""};
    e.hash = audit_entry_hash(e);
    q = Unexpected{};
    auto u = db->prepare("UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3");
    ASSERT_OK(u);
    ASSERT_OK(u->bind(1, e.prev_hash).bind(2, e.hash).bind(3, seq).run());
    prev = e.hash;
  }
  db.reset();
  const auto report = verify_reopened(t);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 10);
  EXPECT_THAT(report.problem, HasSubstr("checkpoint at entry 10 does not match the log"));
}

TEST(AuditLog, cut_off_tail_is_found_by_a_stored_or_external_checkpoint) {
  TestStore t({.checkpoint_every = 10});
  append_n(*t.store, 24);
  ASSERT_OK(t.store->write([&]() -> Result<void> { return t.store->audit().checkpoint(); }));
  const std::vector<Checkpoint> external = t.sink.published;
  ASSERT_EQ(external.back().seq, 25);
  auto db = attacker(t);
  ASSERT_OK(db->exec("DELETE FROM audit_log WHERE seq > 22; DELETE FROM audit_checkpoints WHERE seq > 22;"));
  db.reset();
  EXPECT_TRUE(verify_reopened(t).intact);  // nothing inside the database shows it
  const auto report = verify_reopened(t, external);
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 23);
  EXPECT_THAT(report.problem, HasSubstr("the log ends at entry 22 but a checkpoint covers entry 25"));
}

TEST(AuditLog, verify_after_checks_only_what_was_added_since) {
  TestStore t({.checkpoint_every = 10});
  append_n(*t.store, 24);
  const auto whole = t.store->audit().verify();
  ASSERT_OK(whole);
  ASSERT_TRUE(whole->intact) << whole->problem;
  EXPECT_EQ(whole->last_seq, 25);
  append_n(*t.store, 12);  // entries 26..37, checkpoint at 30
  auto later = t.store->audit().verify_after(whole->last_seq, whole->last_hash);
  ASSERT_OK(later);
  EXPECT_TRUE(later->intact) << later->problem;
  EXPECT_EQ(later->entries, 12);
  EXPECT_EQ(later->checkpoints, 1);
  EXPECT_EQ(later->last_seq, 37);
  // Nothing added: nothing walked, the head stays.
  auto again = t.store->audit().verify_after(later->last_seq, later->last_hash);
  ASSERT_OK(again);
  EXPECT_TRUE(again->intact);
  EXPECT_EQ(again->entries, 0);
  EXPECT_EQ(again->last_seq, 37);
  EXPECT_EQ(again->last_hash, later->last_hash);
  // The whole walk and the two steps agree on the head.
  const auto all = t.store->audit().verify();
  ASSERT_OK(all);
  EXPECT_EQ(all->last_hash, later->last_hash);
  EXPECT_EQ(all->entries, whole->entries + later->entries);
  EXPECT_EQ(all->checkpoints, whole->checkpoints + later->checkpoints);
}

TEST(AuditLog, verify_after_finds_a_changed_new_entry_a_changed_head_and_a_cut_tail) {
  TestStore t({.checkpoint_every = 10});
  append_n(*t.store, 14);
  const auto whole = t.store->audit().verify();
  ASSERT_OK(whole);
  ASSERT_EQ(whole->last_seq, 15);
  append_n(*t.store, 5);  // 16..20, checkpoint at 20
  {
    auto db = attacker(t);
    ASSERT_OK(db->exec("UPDATE audit_log SET details = '{\"i\":99}' WHERE seq = 18"));
  }
  auto store = t.reopen();
  ASSERT_OK(store);
  auto changed = (*store)->audit().verify_after(whole->last_seq, whole->last_hash);
  ASSERT_OK(changed);
  EXPECT_FALSE(changed->intact);
  EXPECT_EQ(changed->first_bad_seq, 18);
  EXPECT_THAT(changed->problem, HasSubstr("entry 18 was changed"));
  // An entry before the verified head rewritten with the chain recomputed up to it changes the
  // head's hash; the head itself cut off is named too.
  auto bad_head = (*store)->audit().verify_after(whole->last_seq, std::string(64, 'a'));
  ASSERT_OK(bad_head);
  EXPECT_FALSE(bad_head->intact);
  EXPECT_THAT(bad_head->problem, HasSubstr("entry 15 was changed since it was verified"));
  store->reset();
  {
    auto db = Database::open(t.path(), t.key);  // the triggers are gone already
    ASSERT_OK(db);
    ASSERT_OK((*db)->exec("DELETE FROM audit_log WHERE seq > 12; DELETE FROM audit_checkpoints WHERE seq > 12;"));
  }
  store = t.reopen();
  ASSERT_OK(store);
  auto cut = (*store)->audit().verify_after(whole->last_seq, whole->last_hash);
  ASSERT_OK(cut);
  EXPECT_FALSE(cut->intact);
  EXPECT_EQ(cut->first_bad_seq, 15);
  EXPECT_THAT(cut->problem, HasSubstr("entry 15 was verified before and is gone"));
}

TEST(AuditLog, verify_after_finds_a_forged_later_checkpoint) {
  TestStore t({.checkpoint_every = 5});
  append_n(*t.store, 3);
  const auto whole = t.store->audit().verify();
  ASSERT_OK(whole);
  append_n(*t.store, 4);  // checkpoint at 5
  {
    auto db = attacker(t);
    ASSERT_OK(db->exec(
        "UPDATE audit_checkpoints SET signature = replace(signature, substr(signature, 1, 2), 'ff') WHERE seq = 5"));
  }
  auto store = t.reopen();
  ASSERT_OK(store);
  auto report = (*store)->audit().verify_after(whole->last_seq, whole->last_hash);
  ASSERT_OK(report);
  EXPECT_FALSE(report->intact);
  EXPECT_THAT(report->problem, HasSubstr("checkpoint at entry 5 has an invalid signature"));
}

TEST(AuditLog, forged_checkpoint_signature_is_named) {
  TestStore t({.checkpoint_every = 5});
  append_n(*t.store, 6);
  auto db = attacker(t);
  ASSERT_OK(
      db->exec("UPDATE audit_checkpoints SET signature = replace(signature, substr(signature, 1, 2), 'ff') "
               "WHERE seq = 5"));
  db.reset();
  const auto report = verify_reopened(t);
  EXPECT_FALSE(report.intact);
  EXPECT_THAT(report.problem, HasSubstr("checkpoint at entry 5 has an invalid signature"));
}

TEST(AuditLog, checkpoints_are_published_only_after_commit) {
  TestStore t({.checkpoint_every = 2});
  const auto before = t.sink.published.size();
  auto failed = t.store->write([&]() -> Result<void> {
    BANKREC_TRY(t.store->audit().append({"a", "x", "t", "1", "{}"}));
    return fail(Errc::internal, "rolled back");
  });
  EXPECT_FALSE(failed.has_value());
  EXPECT_EQ(t.sink.published.size(), before);
  EXPECT_EQ(*t.store->db().query_int("SELECT count(*) FROM audit_checkpoints WHERE seq = 2"), 0);
  append_n(*t.store, 1);
  EXPECT_EQ(t.sink.published.size(), before + 1);
}

TEST(AuditLog, signs_at_least_daily) {
  TestStore t({.checkpoint_every = 1000});
  append_n(*t.store, 3);
  EXPECT_EQ(*t.store->db().query_int("SELECT count(*) FROM audit_checkpoints"), 1);
  t.clock.advance(std::chrono::hours(25));
  append_n(*t.store, 1);
  EXPECT_EQ(*t.store->db().query_int("SELECT count(*) FROM audit_checkpoints"), 2);
}

TEST(AuditLog, exports_json_lines_in_a_time_range) {
  TestStore t;
  append_n(*t.store, 2);
  t.clock.advance(std::chrono::hours(48));
  append_n(*t.store, 1);
  std::vector<std::string> lines;
  ASSERT_OK(t.store->audit().for_each("2026-11-23", "", [&](const AuditEntry& e) -> Result<void> {
    lines.push_back(audit_entry_to_json(e));
    return ok();
  }));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0],
              HasSubstr(R"({"seq":4,"time":"2026-11-24T09:00:00.000Z","actor":"alice","action":"test.event",)"
                        R"("object_type":"thing","object_id":"0","details":{"i":0},"prev_hash":")"));
}

TEST(AuditLog, checkpoint_json_round_trips_with_a_log_prefix) {
  const Checkpoint cp{12, std::string(64, 'a'), "2026-11-22T09:00:00.000Z", std::string(128, 'b')};
  auto back = checkpoint_from_json("bankrec: audit checkpoint " + checkpoint_to_json(cp));
  ASSERT_OK(back);
  EXPECT_EQ(back->seq, 12);
  EXPECT_EQ(back->hash, cp.hash);
  EXPECT_EQ(back->signature, cp.signature);
  EXPECT_ERR(checkpoint_from_json("{}"), Errc::invalid_input, HasSubstr("not a checkpoint"));
}

}  // namespace
}  // namespace bankrec::store
