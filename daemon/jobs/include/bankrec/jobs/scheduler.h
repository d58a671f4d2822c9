#pragma once

#include <bitset>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/jobs/queue.h"
#include "bankrec/store/jobs_repo.h"

namespace bankrec::jobs {

using TimePoint = std::chrono::system_clock::time_point;

/// When something runs, in the local time of a named IANA zone (UTC when none is given):
///   `every 15m` / `every 30s` / `every 2h`   fixed period, aligned to multiples since the epoch
///   `daily 06:00 Europe/Berlin`             once a day at that wall-clock time
///   `0 6 * * 1-5 Europe/Berlin`             5-field cron: minute hour day-of-month month day-of-week
///                                           (`*`, `a-b`, `*/n`, `a-b/n`, lists; Sunday is 0 or 7;
///                                           day-of-month and day-of-week both restricted: either matches)
/// Daylight saving time: a wall-clock time that does not exist (spring forward, 02:30 in Berlin) runs
/// at the instant the clocks jump; one that exists twice (fall back) runs once, at its first occurrence.
class Schedule {
 public:
  static Result<Schedule> parse(std::string_view text);
  /// The first run time strictly after `t`; nullopt only for a cron expression that never matches
  /// (`0 0 31 2 *`).
  std::optional<TimePoint> next_after(TimePoint t) const;
  const std::string& text() const { return text_; }

  struct Spec;  //!< opaque: the parsed fields and the zone (date/tz stays in src/)

 private:
  std::string text_;
  std::shared_ptr<const Spec> spec_;
};

/// One named schedule that enqueues a job each time it fires.
struct ScheduledJob {
  std::string name;  //!< stable: the scheduler's memory in the database is keyed by it
  Schedule schedule;
  store::JobKind kind = store::JobKind::health;
  std::string payload_json = "{}";
  std::chrono::seconds jitter{0};  //!< the job's run_after is the fire time plus a random 0..jitter
  /// The job's dedup key; default "schedule:<name>". Sharing another trigger's key (the reconcile
  /// job's "reconcile") makes both coalesce into one live job.
  std::optional<std::string> dedup_key;
};

/// Fires schedules into the queue. Catch-up: after downtime a schedule that missed runs fires once
/// (not once per missed run). No overlap: while the previous job of a schedule is queued, running or
/// waiting for a retry, a fire is skipped (the job's dedup key is "schedule:<name>"). Schedules may be
/// replaced while tick() runs on another thread (reload).
class Scheduler {
 public:
  Scheduler(Queue& queue, store::Store& store, std::mutex& store_mutex, const Clock& clock, std::uint64_t seed);

  /// Registers a schedule, reading when it last fired from the database.
  Result<void> add(ScheduledJob job);
  /// Reload: registers a new schedule, or updates a known one; when its text changed, the next run
  /// is the first one after now (a changed time never fires at once for a past slot). Thread-safe.
  Result<void> replace(ScheduledJob job);
  /// Forgets a schedule (its job, if queued, still runs); false when unknown. Thread-safe.
  bool remove(std::string_view name);
  /// The registered schedules' names and texts, in the order added.
  std::vector<std::pair<std::string, std::string>> list() const;
  /// Fires every schedule that is due now; returns how many enqueued a job.
  Result<int> tick();
  /// The earliest next fire time; nullopt without schedules.
  std::optional<TimePoint> next_due() const;
  /// Skipped fires because the previous run had not finished.
  std::int64_t overlaps_skipped() const { return overlaps_skipped_; }

 private:
  struct Entry {
    ScheduledJob job;
    std::optional<TimePoint> next;
  };
  Queue& queue_;
  store::Store& store_;
  std::mutex& store_mutex_;
  const Clock& clock_;
  std::mt19937_64 rng_;
  mutable std::mutex mutex_;  //!< guards entries_ (taken before store_mutex_, never after)
  std::vector<Entry> entries_;
  std::int64_t overlaps_skipped_ = 0;
};

}  // namespace bankrec::jobs
