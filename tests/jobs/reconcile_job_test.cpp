// The daemon's reconcile job on a real SQLCipher file: coalescing (one queued, a follow-up after a
// request that came while it ran), metrics, the unmatched threshold; the daily maintenance; and the
// scheduler's reload (replace, remove, a shared dedup key).
#include "bankrec/jobs/reconcile_job.h"

#include "bankrec/jobs/maintenance.h"
#include "bankrec/jobs/scheduler.h"
#include "bankrec/reconcile/rules.h"
#include "bankrec/store/import_writer.h"
#include "bankrec/store/reconcile_repo.h"
#include "reconcile_test_data.h"
#include "store_test_util.h"

namespace bankrec::jobs {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using store::testing_util::TestStore;

using testing_data::invoice;
using testing_data::line;
using testing_data::line_from;
using testing_data::store_lines;

struct Fixture {
  TestStore t;
  std::mutex mutex;
  metrics::Registry registry;
  Queue queue{*t.store, mutex, t.clock, QueueOptions{.owner = "test", .seed = 1}, &registry};
  std::unique_ptr<ReconcileJob> job;
  std::vector<ReconcileReport> reports;

  explicit Fixture(UnmatchedThreshold threshold = {0, 25}) {
    ReconcileJobSettings settings;
    settings.rules = std::make_shared<const reconcile::RuleSet>(reconcile::default_rule_set());
    settings.unmatched = threshold;
    settings.batch_entries = 2;  // several batches, each under its own lock
    job = std::make_unique<ReconcileJob>(queue, *t.store, mutex, t.clock, settings, &registry);
    queue.set_handler(store::JobKind::reconcile, [this](const store::JobRecord& j) { return job->run(j); });
    queue.on_finished([this](const RunReport& r) { job->finished(r); });
    job->on_report([this](const ReconcileReport& r) { reports.push_back(r); });
  }
  std::int64_t count(const std::string& sql) { return *t.store->db().query_int(sql); }
  std::int64_t live_reconcile_jobs() {
    return count("SELECT count(*) FROM jobs WHERE kind = 'reconcile' AND state IN ('queued', 'running', 'failed')");
  }
  void three_lines() {
    ASSERT_OK(store::ReconcileRepo(*t.store).import_open_items(
        {invoice("I1", "RE-2026-000123", 119000), invoice("I2", "RE-2026-000124", 5000),
         invoice("I3", "RE-2026-000125", 5000)},
        "items.csv", "test"));
    store_lines(*t.store,
                {line(119000, "B1", "Rechnung RE-2026-000123"), line(5000, "B2", "Zahlung"),
                 line(-4242, "B3", "Miete Lager")},
                std::string(64, 'b'));
  }
};

TEST(UnmatchedThreshold, count_share_or_both) {
  const store::DecisionCounts run{.reconciled = 70, .review = 10, .unmatched = 20};  // 20 %
  EXPECT_FALSE(judge_unmatched(run, {0, 0}).has_value());  // no threshold: no verdict
  EXPECT_FALSE(judge_unmatched({}, {1, 1}).has_value());    // an empty run says nothing
  EXPECT_TRUE(judge_unmatched(run, {20, 0})->above);
  EXPECT_FALSE(judge_unmatched(run, {21, 0})->above);
  EXPECT_TRUE(judge_unmatched(run, {0, 20})->above);
  EXPECT_FALSE(judge_unmatched(run, {0, 21})->above);
  EXPECT_TRUE(judge_unmatched(run, {100, 20})->above);  // either one is enough
  const auto v = judge_unmatched(run, {50, 10});
  EXPECT_THAT(v->message, HasSubstr("20 of 100 lines (20.0%) left unmatched"));
  EXPECT_THAT(v->message, HasSubstr("threshold: 50 lines or 10%"));
  EXPECT_THAT(judge_unmatched({.reconciled = 2, .review = 0, .unmatched = 1}, {0, 50})->message,
              HasSubstr("1 of 3 lines (33.3%)"));
}

TEST(ReconcileJob, requests_coalesce_into_one_queued_job) {
  Fixture f;
  f.three_lines();
  ASSERT_OK(f.job->request("inbox"));
  ASSERT_OK(f.job->request("inbox"));
  ASSERT_OK(f.job->request("api"));
  EXPECT_EQ(f.live_reconcile_jobs(), 1);
  const auto ran = f.queue.run_one();
  ASSERT_OK(ran);
  ASSERT_TRUE(ran->has_value());
  EXPECT_EQ((*ran)->outcome, JobOutcome::Kind::succeeded);
  EXPECT_FALSE(f.queue.run_one()->has_value());  // nothing queued behind it
  ASSERT_EQ(f.reports.size(), 1u);
  const auto& r = f.reports.front();
  EXPECT_EQ(r.summary.entries, 3u);
  EXPECT_EQ(r.summary.batches, 2u);  // batch_entries = 2
  EXPECT_EQ(r.summary.counts.reconciled, 1);
  EXPECT_EQ(r.summary.counts.review, 1);
  EXPECT_EQ(r.summary.counts.unmatched, 1);
  ASSERT_TRUE(r.verdict.has_value());
  EXPECT_TRUE(r.verdict->above);  // 33 % >= 25 %
  const std::string metrics = f.registry.render();
  EXPECT_THAT(metrics, HasSubstr("bankrec_reconcile_decisions_total{decision=\"auto\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("bankrec_reconcile_decisions_total{decision=\"suggest\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("bankrec_reconcile_decisions_total{decision=\"none\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("bankrec_reconcile_open_review_items 1"));
  EXPECT_THAT(metrics, HasSubstr("bankrec_reconcile_unmatched_entries 1"));
  EXPECT_EQ(f.count("SELECT count(*) FROM entries WHERE status = 'processed'"), 0);
}

// An import finishes while the run is going (here: inside the report hook, which runs in the job):
// the running job may have read its entries already, so exactly one follow-up is queued after it.
TEST(ReconcileJob, a_request_during_the_run_queues_one_follow_up) {
  Fixture f({0, 0});
  f.three_lines();
  int requests_in_run = 0;
  f.job->on_report([&](const ReconcileReport&) {
    ++requests_in_run;
    EXPECT_OK(f.job->request("inbox"));
    EXPECT_OK(f.job->request("inbox"));
    EXPECT_EQ(f.live_reconcile_jobs(), 1);  // only the running one: the follow-up waits for it
  });
  ASSERT_OK(f.job->request("inbox"));
  ASSERT_TRUE(f.queue.run_one()->has_value());
  EXPECT_EQ(requests_in_run, 1);
  EXPECT_EQ(f.count("SELECT count(*) FROM jobs WHERE kind = 'reconcile' AND state = 'queued'"), 1);
  f.job->on_report({});
  ASSERT_TRUE(f.queue.run_one()->has_value());  // the follow-up: nothing new, decides nothing
  EXPECT_FALSE(f.queue.run_one()->has_value());
  EXPECT_EQ(f.count("SELECT count(*) FROM jobs WHERE kind = 'reconcile' AND state = 'succeeded'"), 2);
}

TEST(ReconcileJob, waits_for_open_items_and_stops_between_batches) {
  Fixture f;
  store_lines(*f.t.store, {line(4100, "E1", "Abschlag")}, std::string(64, 'c'));
  ASSERT_OK(f.job->request("inbox"));
  ASSERT_TRUE(f.queue.run_one()->has_value());
  ASSERT_EQ(f.reports.size(), 1u);
  EXPECT_TRUE(f.reports[0].skipped_no_open_items);
  EXPECT_FALSE(f.reports[0].verdict.has_value());
  EXPECT_EQ(f.count("SELECT count(*) FROM entries WHERE status = 'processed'"), 1);  // still undecided

  f.three_lines();
  int batches = 0;
  f.job->set_stop_check([&] { return ++batches > 1; });  // stop after the first batch
  ASSERT_OK(f.job->request("inbox"));
  ASSERT_TRUE(f.queue.run_one()->has_value());
  ASSERT_EQ(f.reports.size(), 2u);
  EXPECT_TRUE(f.reports[1].interrupted);
  EXPECT_EQ(f.reports[1].summary.entries, 2u);
  EXPECT_EQ(f.count("SELECT count(*) FROM entries WHERE status = 'processed'"), 2);  // left for the next run
}

TEST(Maintenance, expires_old_pending_lines_and_checkpoints_the_wal) {
  TestStore t;
  std::mutex mutex;
  auto pending = line(777, "P1", "vorgemerkt");
  pending.status = domain::EntryStatus::pending;
  store_lines(*t.store, {pending}, std::string(64, 'd'));  // booked 2026-03-16
  t.clock.advance(std::chrono::days(400));
  const auto report = run_maintenance(*t.store, mutex, {.pending_expiry_days = 10, .wal_checkpoint = true});
  ASSERT_OK(report);
  EXPECT_EQ(report->expired, 1);
  EXPECT_TRUE(report->checkpointed);
  EXPECT_GE(report->wal_frames, 0);
  EXPECT_EQ(report->frames_checkpointed, report->wal_frames);
  EXPECT_EQ(*t.store->db().query_int("SELECT count(*) FROM entries WHERE status = 'pending'"), 0);
  EXPECT_GE(*t.store->db().query_int("SELECT count(*) FROM audit_log WHERE action = 'entries.expire_pending'"), 1);
  EXPECT_EQ(run_maintenance(*t.store, mutex, {.pending_expiry_days = 10, .wal_checkpoint = false})->expired, 0);
}

ScheduledJob every(const std::string& name, const std::string& text) {
  ScheduledJob j;
  j.name = name;
  j.schedule = *Schedule::parse(text);
  j.kind = store::JobKind::health;
  return j;
}

// Reload: a changed text takes effect from now, an unchanged one keeps its next run, a removed
// schedule no longer fires, and a schedule may share a trigger's dedup key.
TEST(SchedulerReload, replace_remove_and_a_shared_dedup_key) {
  TestStore t;
  std::mutex mutex;
  Queue queue{*t.store, mutex, t.clock, QueueOptions{.owner = "test", .seed = 1}};
  Scheduler s(queue, *t.store, mutex, t.clock, 1);
  ASSERT_OK(s.add(every("health", "every 1m")));
  ASSERT_OK(s.add(every("maintenance", "every 1h")));
  const auto next_before = *s.next_due();
  t.clock.advance(10s);
  ASSERT_OK(s.replace(every("health", "every 1m")));  // unchanged
  EXPECT_EQ(*s.next_due(), next_before);
  ASSERT_OK(s.replace(every("health", "every 30s")));
  EXPECT_LE(*s.next_due(), t.clock.now() + 30s);
  auto rec = every("reconcile", "every 2m");
  rec.kind = store::JobKind::reconcile;
  rec.dedup_key = ReconcileJob::kDedupKey;
  ASSERT_OK(s.replace(rec));  // new
  EXPECT_EQ(s.list().size(), 3u);
  EXPECT_TRUE(s.remove("maintenance"));
  EXPECT_FALSE(s.remove("maintenance"));
  ASSERT_OK(queue.enqueue(ReconcileJob::make_job("inbox")));  // a queued run from an import
  t.clock.advance(3min);
  EXPECT_EQ(*s.tick(), 1);  // health; reconcile joined the queued run
  EXPECT_EQ(s.overlaps_skipped(), 1);
  const auto jobs = *store::JobsRepo(*t.store).list(std::nullopt, 100);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(*t.store->db().query_int("SELECT count(*) FROM jobs WHERE kind = 'reconcile'"), 1);
  EXPECT_EQ(*t.store->db().query_int("SELECT count(*) FROM schedules WHERE name = 'health' AND spec = 'every 30s'"), 1);
}

}  // namespace
}  // namespace bankrec::jobs
