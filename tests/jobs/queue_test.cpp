// The job runner on a real SQLCipher file: retries with seeded jitter, Retry-After, dead letters,
// crash recovery, metrics. The clock is fixed and moved by hand.
#include "bankrec/jobs/queue.h"

#include "store_test_util.h"

namespace bankrec::jobs {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using store::testing_util::TestStore;

struct Fixture {
  TestStore t;
  std::mutex mutex;
  metrics::Registry registry;
  std::unique_ptr<Queue> queue;

  explicit Fixture(RetryPolicy policy = {.base = 10s, .factor = 2, .cap = 60s, .max_attempts = 3}) {
    QueueOptions options;
    options.retry = policy;
    options.owner = "test";
    options.seed = 1234;
    queue = std::make_unique<Queue>(*t.store, mutex, t.clock, options, &registry);
  }
  store::JobRecord job(std::int64_t id) { return **store::JobsRepo(*t.store).find(id); }
};

store::NewJob fetch_job() {
  store::NewJob job;
  job.kind = store::JobKind::fetch;
  job.payload_json = R"({"connector":"bank-a"})";
  return job;
}

TEST(Queue, runs_a_job_once_and_records_success) {
  Fixture f;
  int calls = 0;
  f.queue->set_handler(store::JobKind::fetch, [&](const store::JobRecord& j) {
    ++calls;
    EXPECT_EQ(j.payload_json, R"({"connector":"bank-a"})");
    return JobOutcome::success();
  });
  const auto id = f.queue->enqueue(fetch_job())->id;
  EXPECT_EQ(f.job(id).max_attempts, 3);  // 0 = the policy's
  const auto report = f.queue->run_one();
  ASSERT_OK(report);
  ASSERT_TRUE(report->has_value());
  EXPECT_EQ((*report)->outcome, JobOutcome::Kind::succeeded);
  EXPECT_FALSE(f.queue->run_one()->has_value());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(f.job(id).state, store::JobState::succeeded);
  EXPECT_THAT(f.registry.render(), HasSubstr("bankrec_jobs_runs_total{kind=\"fetch\",outcome=\"succeeded\"} 1"));
  EXPECT_THAT(f.registry.render(), HasSubstr("bankrec_jobs_duration_seconds_count{kind=\"fetch\",outcome=\"succeeded\"} 1"));
}

TEST(Queue, kinds_without_a_handler_stay_queued) {
  Fixture f;
  f.queue->set_handler(store::JobKind::health, [](const store::JobRecord&) { return JobOutcome::success(); });
  const auto id = f.queue->enqueue(fetch_job())->id;
  EXPECT_FALSE(f.queue->run_one()->has_value());
  EXPECT_EQ(f.job(id).state, store::JobState::queued);
}

// Fails three times: retried after jittered delays within the backoff ceilings, then a dead letter
// with the last error, reported to the hook (where the daemon raises an alert).
TEST(Queue, retries_with_backoff_then_dead_letters) {
  Fixture f;
  int calls = 0;
  f.queue->set_handler(store::JobKind::fetch, [&](const store::JobRecord&) {
    ++calls;
    return JobOutcome::retry(Error{Errc::unavailable, "bank answered 503 (call " + std::to_string(calls) + ")", {}});
  });
  std::vector<RunReport> buried;
  f.queue->on_dead_letter([&](const RunReport& r) { buried.push_back(r); });
  const auto id = f.queue->enqueue(fetch_job())->id;

  const auto first = **f.queue->run_one();
  ASSERT_TRUE(first.retry_at.has_value());
  EXPECT_LE(*first.retry_at - f.t.clock.now(), 10s);  // ceiling after attempt 1: base
  EXPECT_EQ(f.job(id).state, store::JobState::failed);
  EXPECT_EQ(f.job(id).error, "bank answered 503 (call 1)");
  EXPECT_EQ(**f.queue->next_due(), *first.retry_at);

  f.t.clock.advance(10s);
  const auto second = **f.queue->run_one();
  ASSERT_TRUE(second.retry_at.has_value());
  EXPECT_LE(*second.retry_at - f.t.clock.now(), 20s);  // base * factor
  f.t.clock.advance(20s);
  const auto third = **f.queue->run_one();
  EXPECT_TRUE(third.dead);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(f.job(id).state, store::JobState::dead);
  const auto letters = *store::JobsRepo(*f.t.store).dead_letters(false, 10);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].error, "bank answered 503 (call 3) (gave up after 3 attempts)");
  ASSERT_EQ(buried.size(), 1u);
  EXPECT_EQ(buried[0].dead_letter_id, letters[0].id);
  ASSERT_OK(f.queue->counts());
  EXPECT_THAT(f.registry.render(), HasSubstr("bankrec_jobs_dead_letters 1"));
  EXPECT_THAT(f.registry.render(), HasSubstr("bankrec_jobs_queue_depth{state=\"dead\"} 1"));
}

TEST(Queue, seeded_jitter_is_reproducible) {
  std::vector<std::chrono::system_clock::duration> delays[2];
  for (auto& d : delays) {
    Fixture f({.base = 100s, .factor = 2, .cap = 1000s, .max_attempts = 4});
    f.queue->set_handler(store::JobKind::fetch,
                         [](const store::JobRecord&) { return JobOutcome::retry(Error{Errc::unavailable, "x", {}}); });
    ASSERT_OK(f.queue->enqueue(fetch_job()));
    for (int i = 0; i < 3; ++i) {
      const auto r = **f.queue->run_one();
      d.push_back(*r.retry_at - f.t.clock.now());
      f.t.clock.advance(1000s);
    }
  }
  EXPECT_EQ(delays[0], delays[1]);
}

TEST(Queue, honours_retry_after) {
  Fixture f;
  f.queue->set_handler(store::JobKind::fetch, [](const store::JobRecord&) {
    return JobOutcome::retry(Error{Errc::unavailable, "429 too many requests", {}}, 300s);
  });
  ASSERT_OK(f.queue->enqueue(fetch_job()));
  const auto r = **f.queue->run_one();
  EXPECT_GE(*r.retry_at - f.t.clock.now(), 300s);  // above the 10 s backoff ceiling
  f.t.clock.advance(299s);
  EXPECT_FALSE(f.queue->run_one()->has_value());
  f.t.clock.advance(1s);
  EXPECT_TRUE(f.queue->run_one()->has_value());
}

TEST(Queue, permanent_failures_skip_the_retries) {
  Fixture f;
  f.queue->set_handler(store::JobKind::fetch, [](const store::JobRecord&) {
    return JobOutcome::permanent(Error{Errc::invalid_input, "connector 'bank-a' is not configured", {}});
  });
  const auto id = f.queue->enqueue(fetch_job())->id;
  EXPECT_TRUE((**f.queue->run_one()).dead);
  EXPECT_EQ(f.job(id).attempts, 1);
  EXPECT_EQ(f.job(id).error, "connector 'bank-a' is not configured");
}

TEST(Queue, a_throwing_handler_is_retried_not_fatal) {
  Fixture f;
  f.queue->set_handler(store::JobKind::fetch,
                       [](const store::JobRecord&) -> JobOutcome { throw std::runtime_error("bug"); });
  const auto id = f.queue->enqueue(fetch_job())->id;
  EXPECT_EQ((**f.queue->run_one()).outcome, JobOutcome::Kind::retry);
  EXPECT_EQ(f.job(id).error, "unexpected exception: bug");
}

// A job interrupted by a crash runs again after the restart, and only once more.
TEST(Queue, recovers_jobs_left_running_by_a_dead_process) {
  Fixture f;
  const auto id = f.queue->enqueue(fetch_job())->id;
  ASSERT_TRUE(store::JobsRepo(*f.t.store).claim("crashed", 3600s)->has_value());
  const auto recovery = f.queue->recover();
  ASSERT_OK(recovery);
  EXPECT_EQ(recovery->requeued, 1);
  int calls = 0;
  f.queue->set_handler(store::JobKind::fetch, [&](const store::JobRecord& j) {
    ++calls;
    EXPECT_EQ(j.attempts, 2);
    return JobOutcome::success();
  });
  EXPECT_TRUE(f.queue->run_one()->has_value());
  EXPECT_FALSE(f.queue->run_one()->has_value());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(f.job(id).state, store::JobState::succeeded);
}

TEST(ParseUtcTimestamp, reads_what_the_store_writes) {
  const auto t = parse_utc_timestamp("2026-11-22T09:00:01.250Z");
  ASSERT_OK(t);
  EXPECT_EQ(store::utc_timestamp(*t), "2026-11-22T09:00:01.250Z");
  EXPECT_ERR(parse_utc_timestamp("yesterday"), Errc::invalid_input, HasSubstr("invalid UTC timestamp"));
}

}  // namespace
}  // namespace bankrec::jobs
