#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/store/store.h"

/// The persistent job queue and the dead-letter queue (tables `jobs`, `dead_letters`, `schedules`;
/// schema step 4). Every method is one short write or read transaction on the caller's thread; the
/// Store is not thread-safe, so callers that share one serialise access (jobs::Queue does).
namespace bankrec::store {

using TimePoint = std::chrono::system_clock::time_point;

/// What a job does. Stable names: they are stored and shown.
enum class JobKind { fetch, import, reconcile, notify, health };
/// queued → running → succeeded | failed (waits for its retry, run_after) | dead (dead letter).
enum class JobState { queued, running, succeeded, failed, dead };

const char* job_kind_name(JobKind kind) noexcept;
const char* job_state_name(JobState state) noexcept;
/// Parses a stored or user-given name; invalid_input names the allowed values.
Result<JobKind> parse_job_kind(std::string_view name);
Result<JobState> parse_job_state(std::string_view name);

struct JobRecord {
  std::int64_t id = 0;
  JobKind kind = JobKind::notify;
  JobState state = JobState::queued;
  std::string payload_json = "{}";
  std::optional<std::string> dedup_key;
  std::int64_t attempts = 0;  //!< claims so far, including the running one
  std::int64_t max_attempts = 1;
  std::string run_after;  //!< UTC text
  std::optional<std::string> lease_owner, lease_until, started_at, finished_at, error;
  std::string created_at, created_by, updated_at;
};

struct NewJob {
  JobKind kind = JobKind::notify;
  std::string payload_json = "{}";  //!< a JSON object, at most kMaxPayloadBytes
  std::optional<std::string> dedup_key;  //!< while a live job has this key, enqueue() returns that one
  std::int64_t max_attempts = 0;  //!< 0: jobs::Queue fills in its retry policy; the repository then uses 8
  std::optional<TimePoint> run_after;  //!< default: now
  std::string created_by = "system";
  /// Also returns (without creating) when a dead job with this dedup_key has an open dead letter: a
  /// file that keeps failing is not picked up again by every rescan until a person retries or dismisses it.
  bool wait_for_open_dead_letter = false;
};

/// A job that ran out of attempts or failed permanently, with its last error.
struct DeadLetter {
  std::int64_t id = 0;
  std::int64_t job_id = 0;
  JobKind kind = JobKind::notify;
  std::string payload_json, error;
  std::int64_t attempts = 0;
  std::string created_at;
  std::optional<std::string> resolved_at, resolved_by, resolution, note;
};

/// Result of enqueue(): the job's id and whether it was created (false: a live job with the same
/// dedup_key already existed and is returned instead).
struct Enqueued {
  std::int64_t id = 0;
  bool created = false;
};

/// Jobs per state, and open dead letters.
struct QueueCounts {
  std::int64_t queued = 0, running = 0, succeeded = 0, failed = 0, dead = 0;
  std::int64_t dead_letters_open = 0;
};

/// What requeue_interrupted() did at start-up.
struct Recovery {
  std::int64_t requeued = 0;      //!< running jobs put back in the queue
  std::int64_t dead_lettered = 0;  //!< running jobs that had used up their attempts
};

class JobsRepo {
 public:
  static constexpr std::size_t kMaxPayloadBytes = 64 * 1024;
  static constexpr std::size_t kMaxErrorBytes = 4 * 1024;  //!< longer errors are cut (with "…")
  static constexpr std::int64_t kMaxListRows = 10'000;

  explicit JobsRepo(Store& store) : store_(store) {}

  /// Adds a job (or finds the live one with the same dedup_key).
  Result<Enqueued> enqueue(const NewJob& job);
  /// Claims the due job that has waited longest (queued/failed with run_after <= now, or running with
  /// an expired lease): state running, attempts + 1, lease until now + lease. nullopt when none is due.
  /// `kinds` empty = any kind.
  Result<std::optional<JobRecord>> claim(std::string_view owner, std::chrono::seconds lease,
                                         const std::vector<JobKind>& kinds = {});
  /// Keeps a long job's lease (only while `owner` still holds it; conflict otherwise).
  Result<void> extend_lease(std::int64_t id, std::string_view owner, std::chrono::seconds lease);
  Result<void> succeed(std::int64_t id, std::string_view owner);
  /// A failed attempt that will be retried at `run_after`.
  Result<void> retry_later(std::int64_t id, std::string_view owner, std::string_view error, TimePoint run_after);
  /// A failed job that will not be retried: state dead plus a dead letter; returns the dead letter's id.
  Result<std::int64_t> bury(std::int64_t id, std::string_view owner, std::string_view error);
  /// At start-up, before any claim: every job left `running` by a process that died goes back to
  /// `queued` (its attempt counted), or to the dead letters when that was its last attempt — so a
  /// file that crashes the importer cannot crash the daemon forever.
  Result<Recovery> requeue_interrupted();

  Result<std::optional<JobRecord>> find(std::int64_t id);
  /// Newest first; `state` nullopt = all.
  Result<std::vector<JobRecord>> list(std::optional<JobState> state, std::int64_t limit);
  /// The earliest run_after among queued/failed jobs (for the dispatcher's timer).
  Result<std::optional<std::string>> next_run_after();
  Result<QueueCounts> counts();
  /// Removes succeeded jobs finished before `before`; returns how many.
  Result<std::int64_t> prune_succeeded(TimePoint before);

  /// Open dead letters oldest first, or all (with resolved ones) newest first.
  Result<std::vector<DeadLetter>> dead_letters(bool include_resolved, std::int64_t limit);
  Result<std::optional<DeadLetter>> find_dead_letter(std::int64_t id);
  /// Requeues the dead letter's job with fresh attempts; audit-logged (`dead_letter.retry`).
  /// not_found for an unknown id, conflict when already resolved or when a live job has its key.
  Result<std::int64_t> retry_dead_letter(std::int64_t id, std::string_view actor);
  /// Closes the dead letter without running it again; audit-logged (`dead_letter.dismiss`).
  Result<void> dismiss_dead_letter(std::int64_t id, std::string_view actor, std::string_view note);

  /// The scheduler's memory (table `schedules`).
  Result<std::optional<std::string>> schedule_last_fired(std::string_view name);
  Result<void> record_schedule(std::string_view name, std::string_view spec, std::optional<TimePoint> fired,
                               std::optional<TimePoint> next);

 private:
  Result<std::int64_t> bury_locked(const JobRecord& job, std::string_view error);
  Store& store_;
};

}  // namespace bankrec::store
