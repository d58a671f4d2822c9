// The scheduler with a fixed clock: fires into the queue, no overlap, one catch-up after downtime.
#include "bankrec/jobs/scheduler.h"

#include "store_test_util.h"

namespace bankrec::jobs {
namespace {

using namespace std::chrono_literals;
using store::testing_util::TestStore;

struct Fixture {
  TestStore t;
  std::mutex mutex;
  Queue queue{*t.store, mutex, t.clock, QueueOptions{.owner = "test", .seed = 1}};

  std::vector<store::JobRecord> jobs() { return *store::JobsRepo(*t.store).list(std::nullopt, 100); }
};

ScheduledJob health_every_minute(std::chrono::seconds jitter = 0s) {
  ScheduledJob j;
  j.name = "health";
  j.schedule = *Schedule::parse("every 1m");
  j.kind = store::JobKind::health;
  j.jitter = jitter;
  return j;
}

TEST(Scheduler, fires_when_due_and_not_before) {
  Fixture f;  // 09:00:00
  Scheduler s(f.queue, *f.t.store, f.mutex, f.t.clock, 1);
  ASSERT_OK(s.add(health_every_minute()));
  EXPECT_EQ(*s.next_due(), f.t.clock.now() + 60s);
  EXPECT_EQ(*s.tick(), 0);
  f.t.clock.advance(60s);
  EXPECT_EQ(*s.tick(), 1);
  const auto jobs = f.jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].kind, store::JobKind::health);
  EXPECT_EQ(jobs[0].dedup_key, "schedule:health");
  EXPECT_EQ(jobs[0].created_by, "scheduler");
  EXPECT_EQ(*s.next_due(), f.t.clock.now() + 60s);
}

// The previous run is still queued: the next fire is skipped rather than piling up.
TEST(Scheduler, never_overlaps_the_same_job) {
  Fixture f;
  Scheduler s(f.queue, *f.t.store, f.mutex, f.t.clock, 1);
  ASSERT_OK(s.add(health_every_minute()));
  f.t.clock.advance(60s);
  EXPECT_EQ(*s.tick(), 1);
  f.t.clock.advance(60s);
  EXPECT_EQ(*s.tick(), 0);
  EXPECT_EQ(s.overlaps_skipped(), 1);
  EXPECT_EQ(f.jobs().size(), 1u);
  // Once it ran, the schedule fires again.
  f.queue.set_handler(store::JobKind::health, [](const store::JobRecord&) { return JobOutcome::success(); });
  ASSERT_TRUE(f.queue.run_one()->has_value());
  f.t.clock.advance(60s);
  EXPECT_EQ(*s.tick(), 1);
  EXPECT_EQ(f.jobs().size(), 2u);
}

// Down for three hours: one catch-up run at start, then the normal rhythm.
TEST(Scheduler, catches_up_once_after_downtime) {
  Fixture f;
  {
    Scheduler before(f.queue, *f.t.store, f.mutex, f.t.clock, 1);
    ScheduledJob j = health_every_minute();
    j.schedule = *Schedule::parse("every 15m");
    ASSERT_OK(before.add(j));
    f.t.clock.advance(15min);
    EXPECT_EQ(*before.tick(), 1);
  }
  f.queue.set_handler(store::JobKind::health, [](const store::JobRecord&) { return JobOutcome::success(); });
  ASSERT_TRUE(f.queue.run_one()->has_value());
  f.t.clock.advance(3h);
  Scheduler after(f.queue, *f.t.store, f.mutex, f.t.clock, 1);
  ScheduledJob j = health_every_minute();
  j.schedule = *Schedule::parse("every 15m");
  ASSERT_OK(after.add(j));
  EXPECT_LT(*after.next_due(), f.t.clock.now());  // missed while down
  EXPECT_EQ(*after.tick(), 1);
  EXPECT_EQ(*after.tick(), 0);  // not a burst of twelve
  EXPECT_EQ(*after.next_due(), f.t.clock.now() + 15min);
  EXPECT_EQ(f.jobs().size(), 2u);
}

TEST(Scheduler, first_start_waits_for_the_first_slot) {
  Fixture f;
  Scheduler s(f.queue, *f.t.store, f.mutex, f.t.clock, 1);
  ScheduledJob j = health_every_minute();
  j.schedule = *Schedule::parse("daily 06:00 Europe/Berlin");
  ASSERT_OK(s.add(j));
  EXPECT_EQ(*s.tick(), 0);
  EXPECT_EQ(store::utc_timestamp(*s.next_due()), "2026-11-23T05:00:00.000Z");
}

TEST(Scheduler, jitter_delays_the_job_within_its_bound) {
  Fixture f;
  Scheduler s(f.queue, *f.t.store, f.mutex, f.t.clock, 99);
  ASSERT_OK(s.add(health_every_minute(30s)));
  f.t.clock.advance(60s);
  EXPECT_EQ(*s.tick(), 1);
  const auto run_after = *parse_utc_timestamp(f.jobs()[0].run_after);
  EXPECT_GE(run_after, f.t.clock.now());
  EXPECT_LE(run_after, f.t.clock.now() + 30s);
}

TEST(Scheduler, refuses_duplicate_names) {
  Fixture f;
  Scheduler s(f.queue, *f.t.store, f.mutex, f.t.clock, 1);
  ASSERT_OK(s.add(health_every_minute()));
  EXPECT_ERR(s.add(health_every_minute()), Errc::conflict, ::testing::HasSubstr("duplicate schedule 'health'"));
}

}  // namespace
}  // namespace bankrec::jobs
