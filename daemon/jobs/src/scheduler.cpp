#include "bankrec/jobs/scheduler.h"

#include <algorithm>

namespace bankrec::jobs {

Scheduler::Scheduler(Queue& queue, store::Store& store, std::mutex& store_mutex, const Clock& clock,
                     std::uint64_t seed)
    : queue_(queue), store_(store), store_mutex_(store_mutex), clock_(clock), rng_(seed) {}

Result<void> Scheduler::add(ScheduledJob job) {
  if (job.name.empty() || job.name.size() > 200) return fail(Errc::invalid_input, "schedule name must have 1 to 200 bytes");
  std::lock_guard entries_lock(mutex_);
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

Result<void> Scheduler::replace(ScheduledJob job) {
  std::unique_lock entries_lock(mutex_);
  const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.job.name == job.name; });
  if (it == entries_.end()) {
    entries_lock.unlock();
    return add(std::move(job));
  }
  const bool changed = it->job.schedule.text() != job.schedule.text();
  it->job = std::move(job);
  if (!changed) return ok();
  it->next = it->job.schedule.next_after(clock_.now());
  std::lock_guard lock(store_mutex_);
  return store::JobsRepo(store_).record_schedule(it->job.name, it->job.schedule.text(), std::nullopt, it->next);
}

bool Scheduler::remove(std::string_view name) {
  std::lock_guard entries_lock(mutex_);
  const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.job.name == name; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

std::vector<std::pair<std::string, std::string>> Scheduler::list() const {
  std::lock_guard entries_lock(mutex_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const Entry& e : entries_) out.emplace_back(e.job.name, e.job.schedule.text());
  return out;
}

Result<int> Scheduler::tick() {
  std::lock_guard entries_lock(mutex_);
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
    job.dedup_key = e.job.dedup_key.value_or("schedule:" + e.job.name);
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
  std::lock_guard entries_lock(mutex_);
  std::optional<TimePoint> earliest;
  for (const Entry& e : entries_)
    if (e.next && (!earliest || *e.next < *earliest)) earliest = e.next;
  return earliest;
}

}  // namespace bankrec::jobs
