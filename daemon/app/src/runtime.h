#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bankrec/jobs/connector_run.h"
#include "bankrec/jobs/health.h"
#include "bankrec/jobs/queue.h"
#include "bankrec/jobs/reconcile_job.h"
#include "bankrec/jobs/scheduler.h"
#include "inbox.h"

namespace bankrec::app {

/// Where bankrecd raises alerts: parser failures, dead letters, health checks that change state.
/// The alert manager (daemon/jobs/src/alerts*, with e-mail and webhook delivery) implements this
/// interface and replaces LoggingAlertSink in daemon.cpp; until then the events are logged only.
/// Called on worker threads; implementations must be thread-safe and must not block for long.
class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual void parse_failed(const std::string& file, const std::string& error) = 0;
  virtual void dead_letter(const jobs::RunReport& report) = 0;
  virtual void health_changed(const jobs::CheckReport& now, jobs::HealthStatus before) = 0;
  /// After a reconciliation run: raises `unmatched_above_threshold` or resolves it.
  virtual void reconcile_judged(const jobs::UnmatchedVerdict& verdict, std::int64_t job_id) = 0;
  /// A bank connector's failure or consent expiry (raise, or resolve when `alert.resolve`).
  virtual void connector_alert(const jobs::ConnectorAlert& alert) { (void)alert; }
  /// Console sign-in locked after repeated failures (scope "account" or "address", the key).
  virtual void login_locked(std::string_view scope, std::string_view key) {
    (void)scope;
    (void)key;
  }
};

struct RuntimeOptions {
  static constexpr unsigned kMaxWorkers = 16;   //!< the pool is made this big once, so a reload can raise `workers`
  unsigned workers = 2;                         //!< jobs run at the same time (imports serialise on the store)
  std::chrono::milliseconds poll{1000};         //!< the queue is looked at this often without a wake-up
  std::chrono::seconds rescan{60};              //!< periodic inbox rescan besides inotify
  std::chrono::seconds stop_bound{60};          //!< SIGTERM: how long the running jobs may take to finish
  std::optional<std::pair<std::string, std::uint16_t>> plain_metrics;  //!< loopback plain-HTTP /metrics
};

/// bankrecd's event loop: one Asio io_context thread takes signals, timers (queue pump, inbox
/// rescan, watchdog), inotify events and the plain-HTTP metrics port; blocking work (database,
/// parsing, health checks) runs on a small thread pool, so the loop and the HTTPS server stay
/// responsive during a long import.
class Runtime {
 public:
  Runtime(jobs::Queue& queue, jobs::Scheduler& scheduler, Inbox& inbox, const Clock& clock,
          std::function<std::string()> render_metrics, RuntimeOptions options);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// Binds the plain metrics port when configured (before READY=1, so a bad address fails the start).
  Result<void> prepare();
  /// Runs until SIGTERM/SIGINT; SIGHUP calls `reload` on the loop thread. Returns true when every
  /// running job finished, false when the stop bound was reached first (the process must then exit
  /// without waiting: the interrupted job is requeued at the next start).
  bool run(const std::function<void()>& reload);
  /// Asks the loop to look at the queue now (thread-safe).
  void wake();
  /// True once SIGTERM/SIGINT arrived (thread-safe): long jobs stop between batches.
  bool stopping() const;
  /// Reload, called from the `reload` callback (the loop thread): worker count, rescan period and
  /// the inbox folders to watch (inotify watches follow the inbox's current folders).
  void apply(unsigned workers, std::chrono::seconds rescan);
  /// Sends STATUS= to systemd now (and after the next queue look). Loop thread.
  void set_status_note(std::string note);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bankrec::app
