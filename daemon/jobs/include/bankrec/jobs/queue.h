#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/jobs/backoff.h"
#include "bankrec/metrics/metrics.h"
#include "bankrec/store/jobs_repo.h"
#include "bankrec/store/store.h"

/// Runs persistent jobs: claim → handler → succeeded, retried later (backoff with full jitter,
/// Retry-After honoured) or dead-lettered. The queue lives in the database, so a restart loses nothing.
namespace bankrec::jobs {

/// What a handler reports for one attempt.
struct JobOutcome {
  enum class Kind { succeeded, retry, permanent };
  Kind kind = Kind::succeeded;
  Error error;
  std::optional<std::chrono::seconds> retry_after;  //!< a server's hint (HTTP Retry-After)

  static JobOutcome success() { return {}; }
  /// A transient failure: tried again after the backoff, until max attempts are used up.
  static JobOutcome retry(Error error, std::optional<std::chrono::seconds> retry_after = {}) {
    return {Kind::retry, std::move(error), retry_after};
  }
  /// Retrying cannot help (bad input): straight to the dead letters.
  static JobOutcome permanent(Error error) { return {Kind::permanent, std::move(error), {}}; }
};

/// Runs one attempt of a job. Called on a worker thread without the store lock held: a handler that
/// touches the store takes the lock itself. Must be idempotent: after a crash it runs again.
using JobHandler = std::function<JobOutcome(const store::JobRecord&)>;

struct QueueOptions {
  RetryPolicy retry;
  /// How long a claim is exclusive; far above any single job's run time (imports are bounded).
  std::chrono::seconds lease{3600};
  std::string owner = "bankrecd";  //!< lease owner, e.g. "bankrecd:<pid>"
  std::uint64_t seed = 0;          //!< jitter seed (tests fix it; the daemon passes a random one)
};

/// What run_one() did.
struct RunReport {
  store::JobRecord job;  //!< as claimed (attempts includes this one)
  JobOutcome::Kind outcome = JobOutcome::Kind::succeeded;
  std::string error;                             //!< empty on success
  bool dead = false;                             //!< went to the dead letters
  std::optional<std::int64_t> dead_letter_id;
  std::optional<std::chrono::system_clock::time_point> retry_at;
  double seconds = 0;  //!< the handler's run time
};

class Queue {
 public:
  /// `store_mutex` guards every use of `store` (one SQLite connection) across threads.
  Queue(store::Store& store, std::mutex& store_mutex, const Clock& clock, QueueOptions options,
        metrics::Registry* metrics = nullptr);

  /// Installs the handler for a kind (before workers start). Kinds without a handler stay queued.
  void set_handler(store::JobKind kind, JobHandler handler);
  /// Called after a job went to the dead letters (on the worker's thread, without the store lock):
  /// the daemon raises an alert here.
  void on_dead_letter(std::function<void(const RunReport&)> hook) { dead_letter_hook_ = std::move(hook); }
  /// Called after every attempt once its outcome is stored (on the worker's thread, without the
  /// store lock): e.g. the reconcile job queues its follow-up run here. Install before workers start.
  void on_finished(std::function<void(const RunReport&)> hook) { finished_hook_ = std::move(hook); }
  /// Replaces the retry policy (reload): attempts already made keep counting; jobs queued from now on
  /// get the new max_attempts, and the next failure of any job waits by the new backoff. Thread-safe.
  void set_retry_policy(const RetryPolicy& policy);

  /// Enqueues; max_attempts 0 means the retry policy's.
  Result<store::Enqueued> enqueue(store::NewJob job);
  /// Start-up recovery of jobs a dead process left running (see JobsRepo::requeue_interrupted).
  Result<store::Recovery> recover();
  /// Claims one due job that has a handler and runs it on this thread; nullopt when none is due.
  Result<std::optional<RunReport>> run_one();
  /// The earliest time a queued or failed job becomes due (or a lease expires); nullopt: nothing waits.
  Result<std::optional<std::chrono::system_clock::time_point>> next_due();
  /// Counts per state; also refreshes the depth gauges.
  Result<store::QueueCounts> counts();

  RetryPolicy retry_policy() const;

 private:
  store::Store& store_;
  std::mutex& store_mutex_;
  const Clock& clock_;
  QueueOptions options_;
  std::unique_ptr<Backoff> backoff_;  //!< guarded by store_mutex_ (replaced on reload)
  store::JobsRepo repo_;
  std::map<store::JobKind, JobHandler> handlers_;
  std::vector<store::JobKind> kinds_;
  std::function<void(const RunReport&)> dead_letter_hook_;
  std::function<void(const RunReport&)> finished_hook_;
  metrics::Family<metrics::Histogram>* durations_ = nullptr;
  metrics::Family<metrics::Counter>* runs_ = nullptr;
  metrics::Family<metrics::Gauge>* depth_ = nullptr;
  metrics::Gauge* dead_letters_ = nullptr;
};

/// Parses UTC text as written by store::utc_timestamp ("2026-11-22T08:49:09.123Z").
Result<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text);

}  // namespace bankrec::jobs
