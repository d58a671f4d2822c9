#include "bankrec/jobs/scheduler.h"

#include <algorithm>

namespace bankrec::jobs {

Scheduler::Scheduler(Queue& queue, store::Store& store, std::mutex& store_mutex, const Clock& clock,
                     std::uint64_t seed)
    : queue_(queue), store_(store), store_mutex_(store_mutex), clock_(clock), rng_(seed) {}

Result<void> Scheduler::add(ScheduledJob job) {
  if (job.name.empty() || job.name.size() > 200) return fail(Errc::invalid_input, "schedule name must have 1 to 200 bytes");
  for (const auto& e : entries_)
    if (e.job.name == job.name) return fail(Errc::conflict, "duplicate schedule '" + job.name + "'");
  std::optional<std::string> last;
  {
    std::lock_guard lock(store_mutex_);
    last = BANKREC_TRY(store::JobsRepo(store_).schedule_last_fired(job.name));
  }
  Entry entry{std::move(job), std::nullopt};
  const TimePoint now = clock_.now();
  if (last) {
    // Fired before: the next run after that one. When that lies in the past (we were down), it is
    // due now, and fires once however many runs were missed.
    entry.next = entry.job.schedule.next_after(BANKREC_TRY(parse_utc_timestamp(*last)));
  } else {
    entry.next = entry.job.schedule.next_after(now);
  }
  {
    std::lock_guard lock(store_mutex_);
    BANKREC_TRY(store::JobsRepo(store_).record_schedule(entry.job.name, entry.job.schedule.text(), std::nullopt, entry.next));
  }
  entries_.push_back(std::move(entry));
  return ok();
}

Result<int> Scheduler::tick() {
  const TimePoint now = clock_.now();
  int fired = 0;
  for (Entry& e : entries_) {
    if (!e.next || *e.next > now) continue;
    std::chrono::milliseconds jitter{0};
    if (e.job.jitter.count() > 0) {
      std::uniform_int_distribution<std::int64_t> pick(0, std::chrono::milliseconds(e.job.jitter).count());
      jitter = std::chrono::milliseconds(pick(rng_));
    }
    store::NewJob job;
    job.kind = e.job.kind;
    job.payload_json = e.job.payload_json;
    job.dedup_key = "schedule:" + e.job.name;
    job.run_after = now + jitter;
    job.created_by = "scheduler";
    const auto enqueued = BANKREC_TRY(queue_.enqueue(job));
    if (enqueued.created) {
      ++fired;
    } else {
      ++overlaps_skipped_;  // the previous run is still queued or running: no overlap
    }
    e.next = e.job.schedule.next_after(now);
    std::lock_guard lock(store_mutex_);
    BANKREC_TRY(store::JobsRepo(store_).record_schedule(e.job.name, e.job.schedule.text(), now, e.next));
  }
  return fired;
}

std::optional<TimePoint> Scheduler::next_due() const {
  std::optional<TimePoint> earliest;
  for (const Entry& e : entries_)
    if (e.next && (!earliest || *e.next < *earliest)) earliest = e.next;
  return earliest;
}

}  // namespace bankrec::jobs
