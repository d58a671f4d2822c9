#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/jobs/queue.h"
#include "bankrec/jobs/reconcile_run.h"
#include "bankrec/metrics/metrics.h"
#include "bankrec/reconcile/rules.h"
#include "bankrec/store/store.h"

/// The daemon's `reconcile` job: run_reconcile() on the worker pool after imports and on a schedule,
/// coalesced so that at most one run is queued and never two run at the same time.
namespace bankrec::jobs {

/// When a run leaves too many lines without a match (bankrec.yaml reconcile.unmatched_alert).
struct UnmatchedThreshold {
  std::uint32_t count = 0;    //!< at least this many unmatched lines in one run; 0: not used
  std::uint32_t percent = 0;  //!< at least this share (1..100) of the run's lines; 0: not used
};

/// What one run means for the `unmatched_above_threshold` alert.
struct UnmatchedVerdict {
  bool above = false;  //!< raise (true) or resolve (false)
  std::string message;
};

/// nullopt when the run decided no line or no threshold is set: the alert stays as it is.
std::optional<UnmatchedVerdict> judge_unmatched(const store::DecisionCounts& counts, const UnmatchedThreshold& threshold);

struct ReconcileJobSettings {
  std::shared_ptr<const reconcile::RuleSet> rules;  //!< required
  UnmatchedThreshold unmatched;
  std::size_t batch_entries = 20000;  //!< entries per engine run and transaction; the store lock is freed between
};

/// One run's outcome, handed to the result hook (alerts, logs).
struct ReconcileReport {
  std::int64_t job_id = 0;
  ReconcileRunSummary summary;
  bool skipped_no_open_items = false;  //!< nothing to match against: entries left undecided
  bool interrupted = false;            //!< stopped between batches (shutdown); the rest waits for the next run
  std::optional<UnmatchedVerdict> verdict;
};

class ReconcileJob {
 public:
  static constexpr const char* kDedupKey = "reconcile";

  /// `store_mutex` guards `store` (shared with the queue and the importers); it is held per batch.
  ReconcileJob(Queue& queue, store::Store& store, std::mutex& store_mutex, const Clock& clock,
               ReconcileJobSettings settings, metrics::Registry* metrics = nullptr);

  /// Rules and thresholds (reload). Thread-safe; a running job finishes with the old ones.
  void set_settings(ReconcileJobSettings settings);
  /// Called between batches; true stops the run (the undecided rest waits for the next run).
  void set_stop_check(std::function<bool()> stopping) { stopping_ = std::move(stopping); }
  /// Called after each run on the worker's thread (without the store lock).
  void on_report(std::function<void(const ReconcileReport&)> hook) { report_hook_ = std::move(hook); }

  /// The job every trigger enqueues (dedup key "reconcile").
  static store::NewJob make_job(std::string_view created_by);
  /// Asks for a run: joins the queued one if there is one; while one runs, a follow-up is queued
  /// when it finishes (the running one may have read its entries before this request's import).
  Result<void> request(std::string_view created_by);

  /// The queue handler for JobKind::reconcile.
  JobOutcome run(const store::JobRecord& job);
  /// The queue's finish hook (any kind; acts on reconcile jobs only).
  void finished(const RunReport& report);
  /// Refreshes the open-review and unmatched gauges from the database.
  Result<void> refresh_gauges();

 private:
  Result<ReconcileReport> run_batches(std::int64_t job_id, const ReconcileJobSettings& settings);

  Queue& queue_;
  store::Store& store_;
  std::mutex& store_mutex_;
  const Clock& clock_;
  std::mutex settings_mutex_;
  ReconcileJobSettings settings_;
  std::function<bool()> stopping_;
  std::function<void(const ReconcileReport&)> report_hook_;

  std::mutex trigger_mutex_;  //!< guards running_ and again_; taken before store_mutex_
  bool running_ = false;
  bool again_ = false;

  metrics::Family<metrics::Counter>* decisions_ = nullptr;
  metrics::Gauge* review_open_ = nullptr;
  metrics::Gauge* unmatched_open_ = nullptr;
  metrics::Gauge* last_run_ = nullptr;
};

}  // namespace bankrec::jobs
