#include "bankrec/jobs/reconcile_job.h"

#include <utility>

namespace bankrec::jobs {

std::optional<UnmatchedVerdict> judge_unmatched(const store::DecisionCounts& counts, const UnmatchedThreshold& threshold) {
  const std::int64_t lines = counts.reconciled + counts.review + counts.unmatched;
  if (lines <= 0 || (threshold.count == 0 && threshold.percent == 0)) return std::nullopt;
  const std::int64_t unmatched = counts.unmatched;
  const bool by_count = threshold.count > 0 && unmatched >= static_cast<std::int64_t>(threshold.count);
  // Integer arithmetic: unmatched/lines >= percent/100.
  const bool by_share = threshold.percent > 0 && unmatched * 100 >= static_cast<std::int64_t>(threshold.percent) * lines;
  const std::int64_t share_tenths = unmatched * 1000 / lines;
  std::string message = std::to_string(unmatched) + " of " + std::to_string(lines) + " lines (" +
                        std::to_string(share_tenths / 10) + "." + std::to_string(share_tenths % 10) +
                        "%) left unmatched by the last reconciliation run";
  if (by_count || by_share) {
    message += " (threshold:";
    if (threshold.count > 0) message += " " + std::to_string(threshold.count) + " lines";
    if (threshold.count > 0 && threshold.percent > 0) message += " or";
    if (threshold.percent > 0) message += " " + std::to_string(threshold.percent) + "%";
    message += "; bankrec review, or load the missing open items)";
  }
  return UnmatchedVerdict{by_count || by_share, std::move(message)};
}

ReconcileJob::ReconcileJob(Queue& queue, store::Store& store, std::mutex& store_mutex, const Clock& clock,
                           ReconcileJobSettings settings, metrics::Registry* metrics)
    : queue_(queue), store_(store), store_mutex_(store_mutex), clock_(clock), settings_(std::move(settings)) {
  if (metrics == nullptr) return;
  decisions_ = &metrics->counter("bankrec_reconcile_decisions_total",
                                 "statement lines decided by the daemon's reconciliation, by decision", {"decision"});
  for (const char* d : {"auto", "suggest", "none"}) decisions_->with({d});
  review_open_ = &metrics->gauge("bankrec_reconcile_open_review_items", "statement lines waiting for a person (review)")
                      .unlabelled();
  unmatched_open_ =
      &metrics->gauge("bankrec_reconcile_unmatched_entries", "statement lines without a match (unmatched)").unlabelled();
  last_run_ = &metrics->gauge("bankrec_reconcile_last_run_timestamp_seconds",
                              "when the last reconciliation run finished (unix time)")
                   .unlabelled();
}

void ReconcileJob::set_settings(ReconcileJobSettings settings) {
  std::lock_guard lock(settings_mutex_);
  settings_ = std::move(settings);
}

store::NewJob ReconcileJob::make_job(std::string_view created_by) {
  store::NewJob job;
  job.kind = store::JobKind::reconcile;
  job.dedup_key = kDedupKey;
  job.created_by = std::string(created_by);
  return job;
}

Result<void> ReconcileJob::request(std::string_view created_by) {
  std::lock_guard lock(trigger_mutex_);
  if (running_) {
    again_ = true;  // queued by finished(): the running job may have read its entries already
    return ok();
  }
  BANKREC_TRY(queue_.enqueue(make_job(created_by)));
  return ok();
}

void ReconcileJob::finished(const RunReport& report) {
  if (report.job.kind != store::JobKind::reconcile) return;
  std::lock_guard lock(trigger_mutex_);
  running_ = false;
  if (!again_) return;
  again_ = false;
  // A failed run waits for its retry (still the live job with this key): the request joins it.
  (void)queue_.enqueue(make_job("reconcile"));
}

JobOutcome ReconcileJob::run(const store::JobRecord& job) {
  {
    std::lock_guard lock(trigger_mutex_);
    running_ = true;
    again_ = false;  // this run reads everything committed before now
  }
  ReconcileJobSettings settings;
  {
    std::lock_guard lock(settings_mutex_);
    settings = settings_;
  }
  auto report = run_batches(job.id, settings);
  if (!report) {
    if (report.error().code == Errc::invalid_input) return JobOutcome::permanent(report.error());
    return JobOutcome::retry(report.error());
  }
  if (auto r = refresh_gauges(); !r) return JobOutcome::retry(r.error());
  if (last_run_ != nullptr)
    last_run_->set(std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count());
  if (report_hook_) report_hook_(*report);
  return JobOutcome::success();
}

Result<ReconcileReport> ReconcileJob::run_batches(std::int64_t job_id, const ReconcileJobSettings& settings) {
  if (!settings.rules) return fail(Errc::internal, "reconcile job without rules");
  ReconcileReport report;
  report.job_id = job_id;
  {
    std::lock_guard lock(store_mutex_);
    // Without any open item every line would be marked unmatched, and later items could no longer
    // find them: wait until items are loaded (bankrec open-items import).
    if (BANKREC_TRY(store_.db().query_int("SELECT count(*) FROM open_items")) == 0) {
      report.skipped_no_open_items = true;
      return report;
    }
  }
  ReconcileRunOptions options;
  options.batch_entries = settings.batch_entries;
  options.max_batches = 1;  // one batch per lock: imports and health checks go on between batches
  options.actor = "bankrecd";
  for (std::size_t round = 0; round < 1000; ++round) {
    if (stopping_ && stopping_()) {
      report.interrupted = true;
      break;
    }
    ReconcileRunSummary batch;
    {
      std::lock_guard lock(store_mutex_);
      batch = BANKREC_TRY(run_reconcile(store_, *settings.rules, options));
    }
    if (batch.entries == 0) break;
    report.summary.entries += batch.entries;
    report.summary.batches += batch.batches;
    report.summary.counts.reconciled += batch.counts.reconciled;
    report.summary.counts.review += batch.counts.review;
    report.summary.counts.unmatched += batch.counts.unmatched;
    if (decisions_ != nullptr) {
      decisions_->with({"auto"}).inc(static_cast<std::uint64_t>(batch.counts.reconciled));
      decisions_->with({"suggest"}).inc(static_cast<std::uint64_t>(batch.counts.review));
      decisions_->with({"none"}).inc(static_cast<std::uint64_t>(batch.counts.unmatched));
    }
  }
  report.verdict = judge_unmatched(report.summary.counts, settings.unmatched);
  return report;
}

Result<void> ReconcileJob::refresh_gauges() {
  if (review_open_ == nullptr) return ok();
  std::int64_t review = 0, unmatched = 0;
  {
    std::lock_guard lock(store_mutex_);
    review = BANKREC_TRY(store_.db().query_int("SELECT count(*) FROM entries WHERE status = 'review'"));
    unmatched = BANKREC_TRY(store_.db().query_int("SELECT count(*) FROM entries WHERE status = 'unmatched'"));
  }
  review_open_->set(review);
  unmatched_open_->set(unmatched);
  return ok();
}

}  // namespace bankrec::jobs
