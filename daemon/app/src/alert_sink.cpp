#include "alert_sink.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "bankrec/jobs/alerts.h"
#include "store_context.h"

namespace bankrec::app {
namespace {

spdlog::level::level_enum log_level(jobs::AlertSeverity severity) {
  switch (severity) {
    case jobs::AlertSeverity::info: return spdlog::level::info;
    case jobs::AlertSeverity::warning: return spdlog::level::warn;
    case jobs::AlertSeverity::error: return spdlog::level::err;
    case jobs::AlertSeverity::critical: return spdlog::level::critical;
  }
  return spdlog::level::err;
}

class ManagedAlertSink final : public AlertSink {
 public:
  ManagedAlertSink(std::unique_ptr<StoreContext> store, std::unique_ptr<jobs::AlertManager> manager)
      : store_(std::move(store)), manager_(std::move(manager)), thread_([this] { deliver_loop(); }) {}

  ~ManagedAlertSink() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    // One last attempt at what is due; whatever fails stays in the outbox for the next start.
    (void)manager_->deliver_due();
  }

  void parse_failed(const std::string& file, const std::string& error) override {
    const std::string name = std::filesystem::path(file).filename().string();
    raise(jobs::AlertKind::parser_failure, name, jobs::AlertSeverity::error, "cannot import " + name + ": " + error,
          jobs::AlertObject{"file", name});
  }

  void dead_letter(const jobs::RunReport& r) override {
    const std::string id = std::to_string(r.dead_letter_id.value_or(r.job.id));
    raise(jobs::AlertKind::dead_letter, id, jobs::AlertSeverity::error,
          std::string("job ") + std::to_string(r.job.id) + " (" + store::job_kind_name(r.job.kind) + ") failed " +
              std::to_string(r.job.attempts) + " times and went to the dead letters: " + r.error,
          jobs::AlertObject{"dead_letter", id});
  }

  void health_changed(const jobs::CheckReport& now, jobs::HealthStatus) override {
    if (now.status == jobs::HealthStatus::ok) {
      if (auto r = manager_->resolve(jobs::AlertKind::health_check_failed, now.name); !r)
        spdlog::get("jobs")->error("cannot resolve alert health_check_failed/{}: {}", now.name, r.error().message);
      wake();
      return;
    }
    raise(jobs::AlertKind::health_check_failed, now.name,
          now.status == jobs::HealthStatus::fail ? jobs::AlertSeverity::error : jobs::AlertSeverity::warning,
          "health check " + now.name + " " + jobs::health_status_name(now.status) + ": " + now.message,
          jobs::AlertObject{"health_check", now.name});
  }

  void reconcile_judged(const jobs::UnmatchedVerdict& verdict, std::int64_t job_id) override {
    // One key: the condition is "the latest run left too many lines unmatched".
    if (!verdict.above) {
      if (auto r = manager_->resolve(jobs::AlertKind::unmatched_above_threshold, "reconcile"); !r)
        spdlog::get("jobs")->error("cannot resolve alert unmatched_above_threshold: {}", r.error().message);
      wake();
      return;
    }
    raise(jobs::AlertKind::unmatched_above_threshold, "reconcile", jobs::AlertSeverity::warning, verdict.message,
          jobs::AlertObject{"job", std::to_string(job_id)});
  }

  void connector_alert(const jobs::ConnectorAlert& a) override {
    if (a.resolve) {
      if (auto r = manager_->resolve(a.kind, a.key); !r)
        spdlog::get("jobs")->error("cannot resolve alert {}/{}: {}", jobs::alert_kind_name(a.kind), a.key, r.error().message);
      wake();
      return;
    }
    const std::string name = a.key.substr(0, a.key.find(':'));
    raise(a.kind, a.key, a.severity, a.message, jobs::AlertObject{"connector", name});
  }
  void login_locked(std::string_view scope, std::string_view key) override {
    // The key is a login name or an address, never a password (auth_service logs only valid names).
    const std::string k = std::string(scope) + ":" + std::string(key);
    raise(jobs::AlertKind::login_lockout, k, jobs::AlertSeverity::warning,
          "console sign-in locked after repeated failures (" + std::string(scope) + " '" + std::string(key) + "')",
          jobs::AlertObject{scope == "account" ? "user" : "address", std::string(key)});
  }

 private:
  void raise(jobs::AlertKind kind, const std::string& key, jobs::AlertSeverity severity, const std::string& message,
             jobs::AlertObject object) {
    if (auto r = manager_->raise(kind, key, severity, message, std::move(object)); !r)
      spdlog::get("jobs")->error("cannot record alert {}/{}: {}", jobs::alert_kind_name(kind), key, r.error().message);
    wake();
  }

  /// Tells the delivery thread there is something to send; the flag makes a wake-up that comes while
  /// it is busy delivering count too.
  void wake() {
    {
      std::lock_guard lock(mutex_);
      due_ = true;
    }
    wake_.notify_all();
  }

  /// Delivers what is due now, after a raise, and every 30 s (retries and rate-limited notices).
  void deliver_loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      auto stats = manager_->deliver_due();
      if (!stats)
        spdlog::get("jobs")->error("alert delivery: {}", stats.error().message);
      else if (stats->failed > 0)
        spdlog::get("jobs")->warn("alert delivery sent={} failed={} postponed={} (failed ones are retried)",
                                  stats->sent, stats->failed, stats->postponed);
      lock.lock();
      // Checked under the lock: a stop or a raise that came during delivery is not slept through.
      wake_.wait_for(lock, std::chrono::seconds(30), [this] { return stopping_ || due_; });
      due_ = false;
    }
  }

  std::unique_ptr<StoreContext> store_;
  std::unique_ptr<jobs::AlertManager> manager_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool due_ = false;
  std::thread thread_;
};

}  // namespace

jobs::AlertsConfig alerts_config(const AppConfig& config) {
  jobs::AlertsConfig out;
  if (config.email) {
    jobs::EmailAlertChannel email;
    email.smtp_url = config.email->smtp_url;
    email.from = config.email->from;
    email.to = config.email->to;
    email.username = config.email->username.value_or("");
    email.password_file = config.email->password_file.value_or("");
    email.ca_file = config.email->ca_file.value_or("");
    out.email = std::move(email);
  }
  if (config.webhook) {
    jobs::WebhookAlertChannel webhook;
    webhook.url = config.webhook->url;
    webhook.secret_file = config.webhook->secret_file.value_or("");
    webhook.ca_file = config.webhook->ca_file.value_or("");
    out.webhook = std::move(webhook);
  }
  out.templates_dir = config.alerts.templates_dir;
  out.instance = config.alerts.instance;
  out.console_url = config.alerts.console_url.value_or("");
  out.max_per_hour_per_channel = config.alerts.max_per_hour;
  return out;
}

Result<std::unique_ptr<AlertSink>> make_alert_sink(const AppConfig& config, const GlobalOptions& global,
                                                   const Clock& clock) {
  auto store = BANKREC_TRY(open_store_context(global));
  auto journal = [](const jobs::AlertNotice& n) {
    spdlog::get("jobs")->log(n.resolved ? spdlog::level::info : log_level(n.severity), "alert={} key=\"{}\" {}: {}",
                             jobs::alert_kind_name(n.kind), n.key, n.resolved ? "resolved" : "raised", n.message);
  };
  auto manager = BANKREC_TRY(jobs::AlertManager::create(alerts_config(config), *store->store, clock, journal));
  return std::unique_ptr<AlertSink>(new ManagedAlertSink(std::move(store), std::move(manager)));
}

}  // namespace bankrec::app
