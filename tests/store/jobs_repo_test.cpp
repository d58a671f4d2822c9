// The job queue's SQL on a real SQLCipher file with a fixed clock.
#include "bankrec/store/jobs_repo.h"

#include "store_test_util.h"

namespace bankrec::store {
namespace {

using ::testing::HasSubstr;
using testing_util::TestStore;
using namespace std::chrono_literals;

NewJob import_job(std::string key) {
  NewJob job;
  job.kind = JobKind::import;
  job.payload_json = R"({"path":"/in/a.xml"})";
  job.dedup_key = std::move(key);
  job.max_attempts = 3;
  return job;
}

TEST(JobsRepo, enqueue_claim_succeed) {
  TestStore t;
  JobsRepo repo(*t.store);
  const auto e = repo.enqueue(import_job("import:/in/a.xml"));
  ASSERT_OK(e);
  EXPECT_TRUE(e->created);
  const auto claimed = repo.claim("w1", 60s);
  ASSERT_OK(claimed);
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->id, e->id);
  EXPECT_EQ((*claimed)->state, JobState::running);
  EXPECT_EQ((*claimed)->attempts, 1);
  EXPECT_EQ((*claimed)->lease_owner, "w1");
  EXPECT_EQ((*claimed)->lease_until, "2026-11-22T09:01:00.000Z");
  // Nothing else is due; the running one is leased.
  EXPECT_FALSE(repo.claim("w2", 60s)->has_value());
  EXPECT_ERR(repo.succeed(e->id, "w2"), Errc::conflict, HasSubstr("not running under w2"));
  ASSERT_OK(repo.succeed(e->id, "w1"));
  const auto job = repo.find(e->id);
  ASSERT_OK(job);
  EXPECT_EQ((*job)->state, JobState::succeeded);
  EXPECT_EQ((*job)->finished_at, "2026-11-22T09:00:00.000Z");
}

TEST(JobsRepo, dedup_key_returns_the_live_job_until_it_finished) {
  TestStore t;
  JobsRepo repo(*t.store);
  const auto first = repo.enqueue(import_job("k"));
  const auto again = repo.enqueue(import_job("k"));
  ASSERT_OK(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->id, first->id);
  ASSERT_OK(repo.claim("w", 60s));
  ASSERT_OK(repo.succeed(first->id, "w"));
  const auto later = repo.enqueue(import_job("k"));
  EXPECT_TRUE(later->created);
  EXPECT_NE(later->id, first->id);
}

TEST(JobsRepo, refuses_bad_payloads) {
  TestStore t;
  JobsRepo repo(*t.store);
  NewJob job;
  job.payload_json = "not json";
  EXPECT_ERR(repo.enqueue(job), Errc::invalid_input, HasSubstr("not a JSON object"));
  job.payload_json = "{\"x\":\"" + std::string(JobsRepo::kMaxPayloadBytes, 'a') + "\"}";
  EXPECT_ERR(repo.enqueue(job), Errc::invalid_input, HasSubstr("exceeds the limit"));
  job.payload_json = "{}";
  job.max_attempts = -1;
  EXPECT_ERR(repo.enqueue(job), Errc::invalid_input, HasSubstr("max_attempts"));
}

TEST(JobsRepo, run_after_and_expired_leases_decide_what_is_due) {
  TestStore t;
  JobsRepo repo(*t.store);
  NewJob later = import_job("later");
  later.run_after = t.clock.now() + 10min;
  ASSERT_OK(repo.enqueue(later));
  EXPECT_FALSE(repo.claim("w", 60s)->has_value());
  EXPECT_EQ(*repo.next_run_after(), std::optional<std::string>("2026-11-22T09:10:00.000Z"));
  t.clock.advance(10min);
  const auto c = repo.claim("w", 60s);
  ASSERT_TRUE(c->has_value());
  // A holder that vanished without a restart: after the lease another worker may take it.
  t.clock.advance(61s);
  const auto again = repo.claim("w2", 60s);
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->attempts, 2);
  EXPECT_EQ((*again)->lease_owner, "w2");
  EXPECT_ERR(repo.succeed((*c)->id, "w"), Errc::conflict, HasSubstr("not running"));
}

TEST(JobsRepo, retry_later_then_bury_makes_a_dead_letter) {
  TestStore t;
  JobsRepo repo(*t.store);
  const auto id = repo.enqueue(import_job("k"))->id;
  ASSERT_TRUE(repo.claim("w", 60s)->has_value());
  ASSERT_OK(repo.retry_later(id, "w", "database is locked", t.clock.now() + 30s));
  EXPECT_EQ((*repo.find(id))->state, JobState::failed);
  EXPECT_FALSE(repo.claim("w", 60s)->has_value());
  t.clock.advance(30s);
  ASSERT_TRUE(repo.claim("w", 60s)->has_value());
  const auto letter = repo.bury(id, "w", "gave up: database is locked");
  ASSERT_OK(letter);
  const auto job = *repo.find(id);
  EXPECT_EQ(job->state, JobState::dead);
  EXPECT_EQ(job->error, "gave up: database is locked");
  const auto letters = repo.dead_letters(false, 10);
  ASSERT_OK(letters);
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ(letters->front().id, *letter);
  EXPECT_EQ(letters->front().job_id, id);
  EXPECT_EQ(letters->front().attempts, 2);
  EXPECT_EQ(letters->front().payload_json, R"({"path":"/in/a.xml"})");
  const auto counts = repo.counts();
  EXPECT_EQ(counts->dead, 1);
  EXPECT_EQ(counts->dead_letters_open, 1);
}

TEST(JobsRepo, long_errors_are_bounded_at_a_character_boundary) {
  TestStore t;
  JobsRepo repo(*t.store);
  const auto id = repo.enqueue(import_job("k"))->id;
  ASSERT_TRUE(repo.claim("w", 60s)->has_value());
  std::string error(JobsRepo::kMaxErrorBytes, 'x');
  error.replace(JobsRepo::kMaxErrorBytes - 4, 2, "\xC3\xA4");  // 'ä' across the cut
  ASSERT_OK(repo.bury(id, "w", error + "tail"));
  const std::string stored = *(*repo.find(id))->error;
  EXPECT_LE(stored.size(), JobsRepo::kMaxErrorBytes);
  EXPECT_TRUE(stored.ends_with("x\xE2\x80\xA6")) << stored.substr(stored.size() - 8);
}

TEST(JobsRepo, retry_and_dismiss_dead_letters_are_audited) {
  TestStore t;
  JobsRepo repo(*t.store);
  const auto id = repo.enqueue(import_job("k"))->id;
  ASSERT_TRUE(repo.claim("w", 60s)->has_value());
  const auto letter = *repo.bury(id, "w", "archive is not a directory");

  const auto requeued = repo.retry_dead_letter(letter, "cli:alice");
  ASSERT_OK(requeued);
  EXPECT_EQ(*requeued, id);
  const auto job = *repo.find(id);
  EXPECT_EQ(job->state, JobState::queued);
  EXPECT_EQ(job->attempts, 0);
  EXPECT_ERR(repo.retry_dead_letter(letter, "cli:alice"), Errc::conflict, HasSubstr("already retried by cli:alice"));
  EXPECT_ERR(repo.dismiss_dead_letter(letter, "cli:bob", ""), Errc::conflict, HasSubstr("already retried"));
  EXPECT_ERR(repo.retry_dead_letter(999, "cli:alice"), Errc::not_found, HasSubstr("no dead letter 999"));

  // It dies again: a new dead letter, which is dismissed this time.
  ASSERT_TRUE(repo.claim("w", 60s)->has_value());
  const auto second = *repo.bury(id, "w", "still broken");
  EXPECT_NE(second, letter);
  ASSERT_OK(repo.dismiss_dead_letter(second, "cli:bob", "file removed by hand"));
  EXPECT_TRUE(repo.dead_letters(false, 10)->empty());
  const auto all = *repo.dead_letters(true, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].resolution, "dismissed");
  EXPECT_EQ(all[0].note, "file removed by hand");
  EXPECT_EQ(all[1].resolution, "retried");

  std::vector<AuditEntry> audit;
  ASSERT_OK(t.store->audit().for_each("", "", [&](const AuditEntry& e) -> Result<void> {
    if (e.action.starts_with("dead_letter.")) audit.push_back(e);
    return ok();
  }));
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "dead_letter.retry");
  EXPECT_EQ(audit[0].actor, "cli:alice");
  EXPECT_EQ(audit[0].object_id, std::to_string(letter));
  EXPECT_THAT(audit[0].details, HasSubstr("\"error\":\"archive is not a directory\""));
  EXPECT_EQ(audit[1].action, "dead_letter.dismiss");
  EXPECT_THAT(audit[1].details, HasSubstr("\"note\":\"file removed by hand\""));
  EXPECT_TRUE(t.store->audit().verify()->intact);
}

TEST(JobsRepo, retry_is_refused_while_a_live_job_does_the_same_work) {
  TestStore t;
  JobsRepo repo(*t.store);
  const auto id = repo.enqueue(import_job("k"))->id;
  ASSERT_TRUE(repo.claim("w", 60s)->has_value());
  const auto letter = *repo.bury(id, "w", "boom");
  ASSERT_TRUE(repo.enqueue(import_job("k"))->created);  // the inbox found the file again
  EXPECT_ERR(repo.retry_dead_letter(letter, "cli:alice"), Errc::conflict, HasSubstr("already does the same work"));
}

TEST(JobsRepo, an_open_dead_letter_can_hold_back_the_same_work) {
  TestStore t;
  JobsRepo repo(*t.store);
  const auto id = repo.enqueue(import_job("k"))->id;
  ASSERT_TRUE(repo.claim("w", 60s)->has_value());
  const auto letter = *repo.bury(id, "w", "boom");
  NewJob again = import_job("k");
  again.wait_for_open_dead_letter = true;
  const auto held = repo.enqueue(again);
  EXPECT_FALSE(held->created);
  EXPECT_EQ(held->id, id);
  ASSERT_OK(repo.dismiss_dead_letter(letter, "cli:alice", ""));
  EXPECT_TRUE(repo.enqueue(again)->created);
}

// A process that died leaves `running` rows: they are queued again, or dead when it was the last attempt.
TEST(JobsRepo, requeue_interrupted_after_a_crash) {
  TestStore t;
  JobsRepo repo(*t.store);
  const auto a = repo.enqueue(import_job("a"))->id;
  NewJob last = import_job("b");
  last.max_attempts = 1;
  const auto b = repo.enqueue(last)->id;
  ASSERT_TRUE(repo.claim("old", 3600s)->has_value());
  ASSERT_TRUE(repo.claim("old", 3600s)->has_value());

  auto reopened = t.reopen();
  ASSERT_OK(reopened);
  JobsRepo after(**reopened);
  const auto recovery = after.requeue_interrupted();
  ASSERT_OK(recovery);
  EXPECT_EQ(recovery->requeued, 1);
  EXPECT_EQ(recovery->dead_lettered, 1);
  EXPECT_EQ((*after.find(a))->state, JobState::queued);
  EXPECT_EQ((*after.find(a))->attempts, 1);
  EXPECT_EQ((*after.find(b))->state, JobState::dead);
  EXPECT_THAT(*(*after.find(b))->error, HasSubstr("process stopped during attempt 1 of 1"));
  const auto claimed = after.claim("new", 60s);
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->id, a);
  EXPECT_EQ((*claimed)->attempts, 2);
}

TEST(JobsRepo, prune_keeps_recent_and_dead_lettered_jobs) {
  TestStore t;
  JobsRepo repo(*t.store);
  const auto old = repo.enqueue(import_job("old"))->id;
  ASSERT_TRUE(repo.claim("w", 60s)->has_value());
  ASSERT_OK(repo.succeed(old, "w"));
  t.clock.advance(8 * 24h);
  const auto fresh = repo.enqueue(import_job("fresh"))->id;
  ASSERT_TRUE(repo.claim("w", 60s)->has_value());
  ASSERT_OK(repo.succeed(fresh, "w"));
  EXPECT_EQ(*repo.prune_succeeded(t.clock.now() - 7 * 24h), 1);
  EXPECT_FALSE(repo.find(old)->has_value());
  EXPECT_TRUE(repo.find(fresh)->has_value());
}

TEST(JobsRepo, schedules_remember_when_they_fired) {
  TestStore t;
  JobsRepo repo(*t.store);
  EXPECT_FALSE(repo.schedule_last_fired("health")->has_value());
  ASSERT_OK(repo.record_schedule("health", "every 1m", std::nullopt, t.clock.now() + 60s));
  EXPECT_FALSE(repo.schedule_last_fired("health")->has_value());
  ASSERT_OK(repo.record_schedule("health", "every 1m", t.clock.now(), t.clock.now() + 60s));
  ASSERT_OK(repo.record_schedule("health", "every 1m", std::nullopt, t.clock.now() + 120s));
  EXPECT_EQ(*repo.schedule_last_fired("health"), std::optional<std::string>("2026-11-22T09:00:00.000Z"));
}

TEST(JobsRepo, names_parse_both_ways) {
  for (auto k : {JobKind::fetch, JobKind::import, JobKind::reconcile, JobKind::notify, JobKind::health})
    EXPECT_EQ(*parse_job_kind(job_kind_name(k)), k);
  for (auto s : {JobState::queued, JobState::running, JobState::succeeded, JobState::failed, JobState::dead})
    EXPECT_EQ(*parse_job_state(job_state_name(s)), s);
  EXPECT_ERR(parse_job_state("done"), Errc::invalid_input, HasSubstr("expected queued, running"));
}

}  // namespace
}  // namespace bankrec::store
