#include "bankrec/jobs/queue.h"

#include <date/date.h>

#include <charconv>
#include <exception>

namespace bankrec::jobs {

using Clock_tp = std::chrono::system_clock::time_point;

Result<Clock_tp> parse_utc_timestamp(std::string_view text) {
  // "YYYY-MM-DDTHH:MM:SS[.mmm]Z" exactly as utc_timestamp() writes it.
  const auto bad = [&] { return fail(Errc::invalid_input, "invalid UTC timestamp '" + std::string(text) + "'"); };
  if (text.size() != 20 && text.size() != 24) return bad();
  const auto num = [&](std::size_t at, std::size_t len, int& out) {
    const auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + len, out);
    return ec == std::errc() && end == text.data() + at + len;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  if (!num(0, 4, y) || text[4] != '-' || !num(5, 2, mo) || text[7] != '-' || !num(8, 2, d) || text[10] != 'T' ||
      !num(11, 2, h) || text[13] != ':' || !num(14, 2, mi) || text[16] != ':' || !num(17, 2, s) || text.back() != 'Z')
    return bad();
  if (text.size() == 24 && (text[19] != '.' || !num(20, 3, ms))) return bad();
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)}, date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad();
  return Clock_tp(date::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{s} +
                  std::chrono::milliseconds{ms});
}

Queue::Queue(store::Store& store, std::mutex& store_mutex, const Clock& clock, QueueOptions options,
             metrics::Registry* metrics)
    : store_(store),
      store_mutex_(store_mutex),
      clock_(clock),
      options_(std::move(options)),
      backoff_(std::make_unique<Backoff>(options_.retry, options_.seed)),
      repo_(store) {
  if (metrics == nullptr) return;
  durations_ = &metrics->histogram("bankrec_jobs_duration_seconds", "run time of one job attempt, by kind and outcome",
                                   metrics::duration_buckets(), {"kind", "outcome"});
  runs_ = &metrics->counter("bankrec_jobs_runs_total", "job attempts, by kind and outcome", {"kind", "outcome"});
  depth_ = &metrics->gauge("bankrec_jobs_queue_depth", "jobs in the persistent queue, by state", {"state"});
  dead_letters_ = &metrics->gauge("bankrec_jobs_dead_letters", "open dead letters (retry or dismiss them)").unlabelled();
}

void Queue::set_handler(store::JobKind kind, JobHandler handler) {
  if (!handlers_.contains(kind)) kinds_.push_back(kind);
  handlers_[kind] = std::move(handler);
}

Result<store::Enqueued> Queue::enqueue(store::NewJob job) {
  std::lock_guard lock(store_mutex_);
  if (job.max_attempts == 0) job.max_attempts = options_.retry.max_attempts;
  return repo_.enqueue(job);
}

void Queue::set_retry_policy(const RetryPolicy& policy) {
  std::lock_guard lock(store_mutex_);
  options_.retry = policy;
  options_.seed = options_.seed * 6364136223846793005ull + 1442695040888963407ull;  // a fresh jitter sequence
  backoff_ = std::make_unique<Backoff>(policy, options_.seed);
}

RetryPolicy Queue::retry_policy() const {
  std::lock_guard lock(store_mutex_);
  return options_.retry;
}

Result<store::Recovery> Queue::recover() {
  std::lock_guard lock(store_mutex_);
  return repo_.requeue_interrupted();
}

Result<std::optional<RunReport>> Queue::run_one() {
  if (kinds_.empty()) return std::optional<RunReport>{};
  std::optional<store::JobRecord> job;
  {
    std::lock_guard lock(store_mutex_);
    job = BANKREC_TRY(repo_.claim(options_.owner, options_.lease, kinds_));
  }
  if (!job) return std::optional<RunReport>{};

  RunReport report;
  report.job = *job;
  const auto started = clock_.steady_now();
  JobOutcome outcome;
  try {
    outcome = handlers_.at(job->kind)(*job);
  } catch (const std::exception& e) {
    // A handler bug must not take the worker down; the job is retried and ends as a dead letter.
    outcome = JobOutcome::retry(Error{Errc::internal, std::string("unexpected exception: ") + e.what(), {}});
  }
  report.seconds = std::chrono::duration<double>(clock_.steady_now() - started).count();
  report.outcome = outcome.kind;
  if (outcome.kind != JobOutcome::Kind::succeeded) report.error = outcome.error.describe();

  {
    std::lock_guard lock(store_mutex_);
    if (outcome.kind == JobOutcome::Kind::succeeded) {
      BANKREC_TRY(repo_.succeed(job->id, options_.owner));
    } else if (outcome.kind == JobOutcome::Kind::retry && job->attempts < job->max_attempts) {
      const auto at = clock_.now() + backoff_->delay(job->attempts, outcome.retry_after);
      BANKREC_TRY(repo_.retry_later(job->id, options_.owner, report.error, at));
      report.retry_at = at;
    } else {
      const std::string why = outcome.kind == JobOutcome::Kind::permanent
                                  ? report.error
                                  : report.error + " (gave up after " + std::to_string(job->attempts) + " attempts)";
      report.dead_letter_id = BANKREC_TRY(repo_.bury(job->id, options_.owner, why));
      report.dead = true;
    }
  }
  const char* outcome_name = report.dead ? "dead" : outcome.kind == JobOutcome::Kind::succeeded ? "succeeded" : "retry";
  if (durations_ != nullptr) durations_->with({store::job_kind_name(job->kind), outcome_name}).observe(report.seconds);
  if (runs_ != nullptr) runs_->with({store::job_kind_name(job->kind), outcome_name}).inc();
  if (report.dead && dead_letter_hook_) dead_letter_hook_(report);
  if (finished_hook_) finished_hook_(report);
  return std::optional<RunReport>{std::move(report)};
}

Result<std::optional<Clock_tp>> Queue::next_due() {
  std::optional<std::string> text;
  {
    std::lock_guard lock(store_mutex_);
    text = BANKREC_TRY(repo_.next_run_after());
  }
  if (!text) return std::optional<Clock_tp>{};
  return std::optional<Clock_tp>{BANKREC_TRY(parse_utc_timestamp(*text))};
}

Result<store::QueueCounts> Queue::counts() {
  store::QueueCounts c;
  {
    std::lock_guard lock(store_mutex_);
    c = BANKREC_TRY(repo_.counts());
  }
  if (depth_ != nullptr) {
    depth_->with({"queued"}).set(c.queued);
    depth_->with({"running"}).set(c.running);
    depth_->with({"failed"}).set(c.failed);
    depth_->with({"dead"}).set(c.dead);
  }
  if (dead_letters_ != nullptr) dead_letters_->set(c.dead_letters_open);
  return c;
}

}  // namespace bankrec::jobs
