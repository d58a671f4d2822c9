// bankrecd: the service's process life cycle (contracts/cli.md "Executables"): config, store,
// the persistent job queue with its workers, the inbox, the scheduler, health checks, HTTPS
// (/healthz, /readyz, /metrics), systemd notify/watchdog and signals. Bank connectors and the
// console join it with their issues.
#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <optional>
#include <iostream>
#include <mutex>
#include <random>
#include <unistd.h>

#include "bankrec/app/cli.h"
#include "bankrec/app/exit_code.h"
#include "bankrec/base/clock.h"
#include "bankrec/http/server.h"
#include "bankrec/metrics/metrics.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/jobs/health.h"
#include "bankrec/jobs/ingest.h"
#include "bankrec/jobs/maintenance.h"
#include "bankrec/jobs/queue.h"
#include "bankrec/jobs/reconcile_job.h"
#include "bankrec/jobs/scheduler.h"
#include "bankrec/store/database.h"
#include "bankrec/store/secret_key.h"
#include "bankrec/store/jobs_repo.h"
#include "alert_sink.h"
#include "config.h"
#include "daemon_connectors.h"
#include "daemon_console.h"
#include "daemon_settings.h"
#include "inbox.h"
#include "logging.h"
#include "runtime.h"
#include "store_context.h"
#include "user_commands.h"

#include <spdlog/spdlog.h>

namespace bankrec::app {
namespace {

namespace fs = std::filesystem;

struct DaemonOptions {
  std::string config = "/etc/bankrec/bankrec.yaml";
  std::optional<std::string> data_dir;  ///< overrides the config file's data_dir
  std::optional<std::string> listen;    ///< overrides the config file's listen
};

void log_error(const Error& error) { std::cerr << format_cli_error(error) << '\n'; }

/// The data dir and its folders (0700: statements are confidential).
Result<void> prepare_data_dir(const fs::path& dir) {
  for (const fs::path& p : {dir, dir / "inbox", dir / "archive", dir / "failed", dir / "tls"}) {
    std::error_code ec;
    fs::create_directories(p, ec);
    if (ec) return fail(Errc::invalid_input, "cannot create directory: " + ec.message(), p.string());
    if (::chmod(p.c_str(), 0700) != 0 && p == dir)
      return fail(Errc::permission_denied, "cannot restrict permissions", p.string());
  }
  return ok();
}

void notify(const std::string& state) { sd_notify(0, state.c_str()); }

void create_folders(const std::vector<fs::path>& dirs) {
  for (const auto& dir : dirs) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) spdlog::get("app")->warn("cannot create inbox folder=\"{}\": {}", dir.string(), ec.message());
  }
}

std::shared_ptr<http::Router> make_router(metrics::Registry& registry, const Clock& clock,
                                          std::chrono::system_clock::time_point started, const jobs::Health& health) {
  auto router = std::make_shared<http::Router>();
  // Liveness and readiness reveal nothing but their state; no login needed.
  router->add("GET", "/healthz", [](const http::Request&) { return http::Response::json(200, R"({"status":"ok"})"); });
  router->add("GET", "/readyz", [&health](const http::Request&) {
    // The latest scheduled results: cheap, never waits for the database.
    return http::Response::json(health.ready() ? 200 : 503, health.readiness_json());
  });
  auto& uptime = registry.gauge("bankrec_app_uptime_seconds", "seconds since bankrecd started").unlabelled();
  auto& requests = registry.counter("bankrec_http_metrics_scrapes_total", "scrapes of /metrics").unlabelled();
  router->add("GET", "/metrics", [&registry, &clock, &uptime, &requests, started](const http::Request&) {
    requests.inc();
    uptime.set(std::chrono::duration_cast<std::chrono::seconds>(clock.now() - started).count());
    return http::Response::text(200, registry.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  return router;
}

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

int serve(const DaemonOptions& options) {
  // A peer that hangs up during a TLS write (mail server, webhook, bank) must not kill the service.
  ::signal(SIGPIPE, SIG_IGN);
  // The whole config is validated before anything starts; every problem is printed.
  auto config = load_config(options.config, /*required=*/false);
  if (!config) {
    log_error(config.error());
    return kExitBadInput;
  }
  init_logging(choose_log_format(config->log_format), config->log_level);
  const auto log = spdlog::get("app");
  log->info("starting version={} config=\"{}\"", version(), config->source);
  const fs::path data_dir = options.data_dir.value_or(config->data_dir);
  const std::string listen_text = options.listen.value_or(config->listen);
  if (auto r = prepare_data_dir(data_dir); !r) {
    log_error(r.error());
    return exit_code_for(r.error());
  }
  auto listen = http::parse_listen_address(listen_text);
  if (!listen) {
    log_error(listen.error());
    return kExitBadInput;
  }
  http::ServerConfig server_config;
  server_config.address = listen->first;
  server_config.port = listen->second;
  if (config->tls_certificate) {
    server_config.cert_file = *config->tls_certificate;
    server_config.key_file = *config->tls_key;
  } else {
    // No certificate configured: a self-signed one in the data dir, made once.
    server_config.cert_file = data_dir / "tls" / "cert.pem";
    server_config.key_file = data_dir / "tls" / "key.pem";
    if (auto r = http::ensure_self_signed_certificate(server_config.cert_file, server_config.key_file, {"localhost"});
        !r) {
      log_error(r.error());
      return exit_code_for(r.error());
    }
  }
  // Schedules, rules, folders, workers and retry: what a reload applies again.
  auto live = derive_live_settings(*config, data_dir);
  if (!live) {
    log_error(live.error());
    return exit_code_for(live.error());
  }
  RuntimeOptions runtime_options;
  runtime_options.workers = live->workers;
  runtime_options.stop_bound = std::chrono::seconds(config->stop_timeout_seconds);
  if (config->metrics_plain_listen) runtime_options.plain_metrics = *http::parse_listen_address(*config->metrics_plain_listen);

  // Initialise an empty data dir the way `bankrec init` does, then keep the store open.
  GlobalOptions global;
  global.data_dir = data_dir.string();
  global.config = options.config;
  if (auto r = run_init(global); !r) {
    log_error(r.error());
    return exit_code_for(r.error());
  }
  auto store = open_store_context(global);
  if (!store) {
    log_error(store.error());
    return exit_code_for(store.error());
  }
  formats::FormatRegistry formats;
  formats::register_builtin_formats(formats);
  formats.add(jobs::statement_json_format());

  SystemClock clock;
  metrics::Registry registry;
  const auto started = clock.now();
  std::mutex store_mutex;  // one SQLite connection, shared by the workers and the health checks
  store::Store& db = *(*store)->store;
  // Alerts: deduplicated in the database (the console's list), journald, e-mail and webhook. A bad
  // template or an unreadable secret file stops the start with the reason.
  auto alert_sink = make_alert_sink(*config, global, clock);
  if (!alert_sink) {
    log_error(alert_sink.error());
    return exit_code_for(alert_sink.error());
  }
  AlertSink& alerts = **alert_sink;

  jobs::QueueOptions queue_options;
  queue_options.retry = live->retry;
  queue_options.owner = "bankrecd:" + std::to_string(::getpid());
  queue_options.seed = random_seed();
  jobs::Queue queue(db, store_mutex, clock, queue_options, &registry);
  queue.on_dead_letter([&alerts](const jobs::RunReport& r) { alerts.dead_letter(r); });
  if (auto recovered = queue.recover(); !recovered) {
    log_error(recovered.error());
    return exit_code_for(recovered.error());
  } else if (recovered->requeued + recovered->dead_lettered > 0) {
    log->warn("jobs interrupted by the previous stop requeued={} dead_lettered={}", recovered->requeued,
              recovered->dead_lettered);
  }

  Inbox::Folders folders{live->inboxes, data_dir / "archive", data_dir / "failed"};
  create_folders(folders.inboxes);
  runtime_options.rescan = live->rescan;
  Inbox inbox(db, store_mutex, formats, folders, clock, registry);
  inbox.set_ingest_options(live->ingest);
  inbox.on_failure([&alerts](const std::string& file, const std::string& error) { alerts.parse_failed(file, error); });
  queue.set_handler(store::JobKind::import, [&inbox](const store::JobRecord& job) { return inbox.run_import(job); });

  // Reconciliation: after each import with new lines (coalesced) and on reconcile.schedule.
  jobs::ReconcileJob reconciler(queue, db, store_mutex, clock, live->reconcile, &registry);
  std::atomic<bool> reconcile_after_import = live->reconcile_after_import;
  queue.set_handler(store::JobKind::reconcile, [&reconciler](const store::JobRecord& job) { return reconciler.run(job); });
  queue.on_finished([&reconciler](const jobs::RunReport& r) { reconciler.finished(r); });
  inbox.on_imported([&](const std::string& file, std::int64_t) {
    if (!reconcile_after_import) return;
    if (auto r = reconciler.request("inbox"); !r)
      log->error("cannot queue the reconciliation after file=\"{}\": {}", file, r.error().describe());
  });
  if (auto r = reconciler.refresh_gauges(); !r) log->warn("reconcile gauges: {}", r.error().describe());

  // Health: checks run as `health` jobs on the configured schedule, and once before READY=1.
  jobs::Health health(clock, &registry);
  auto& db_size = registry.gauge("bankrec_store_db_size_bytes", "size of the encrypted database with its WAL").unlabelled();
  jobs::DatabaseCheckOptions db_check;
  db_check.open_reader = [path = (*store)->paths.db,
                          key_file = (*store)->db_key_file]() -> Result<std::unique_ptr<store::Database>> {
    const auto key = BANKREC_TRY(store::load_secret_key(key_file));
    return store::Database::open(path, key);
  };
  health.add("database", jobs::database_check(db, store_mutex, &db_size, std::move(db_check)));
  health.add("audit_chain", jobs::audit_check(db, store_mutex));
  health.add("dead_letters", jobs::dead_letter_check(db, store_mutex, config->health_max_dead_letters));
  health.add("disk", jobs::disk_check(data_dir, 256ull * 1024 * 1024, 0.05));
  health.add("certificate", jobs::certificate_check(server_config.cert_file, clock, std::chrono::hours(24 * 30)));
  health.add("inbox_backlog", [&inbox, &clock] {
    return jobs::inbox_backlog_check(inbox.folders().inboxes, clock, std::chrono::minutes(15))();
  });
  // CONNECTORS: each connector adds its last-success and consent-expiry checks here.
  auto bank_connectors = DaemonConnectors::create(*config, global, db, store_mutex, formats, clock, registry,
                                                  [&alerts](const jobs::ConnectorAlert& a) { alerts.connector_alert(a); },
                                                  live->ingest);
  if (!bank_connectors) {
    log_error(bank_connectors.error());
    return exit_code_for(bank_connectors.error());
  }
  (*bank_connectors)->install(queue, health);
  (*bank_connectors)->on_new_entries([&](const std::string& name, std::int64_t) {
    if (reconcile_after_import) (void)reconciler.request("connector:" + name);
  });
  health.on_change([&alerts](const jobs::CheckReport& now, jobs::HealthStatus before) { alerts.health_changed(now, before); });
  std::mutex maintenance_mutex;  // guards maintenance_options (reload)
  jobs::MaintenanceOptions maintenance_options = live->maintenance;
  queue.set_handler(store::JobKind::health, [&](const store::JobRecord& job) {
    if (job.payload_json.find("\"maintenance\"") != std::string::npos) {
      jobs::MaintenanceOptions options;
      {
        std::lock_guard lock(maintenance_mutex);
        options = maintenance_options;
      }
      const auto done = jobs::run_maintenance(db, store_mutex, options);
      if (!done) return jobs::JobOutcome::retry(done.error());
      log->info("maintenance done job={} pending_expired={} wal_frames={} wal_checkpointed={}", job.id, done->expired,
                done->wal_frames, done->frames_checkpointed);
      return jobs::JobOutcome::success();
    }
    health.run_all();
    if (auto c = queue.counts(); !c) return jobs::JobOutcome::retry(c.error());
    std::lock_guard lock(store_mutex);
    if (auto pruned = store::JobsRepo(db).prune_succeeded(clock.now() - std::chrono::hours(24 * 7)); !pruned)
      return jobs::JobOutcome::retry(pruned.error());
    return jobs::JobOutcome::success();
  });
  health.run_all();
  (void)queue.counts();

  jobs::Scheduler scheduler(queue, db, store_mutex, clock, random_seed());
  for (const auto& job : live->schedules) {
    if (auto r = scheduler.add(job); !r) {
      log_error(r.error());
      return exit_code_for(r.error());
    }
  }
  if (auto r = (*bank_connectors)->add_schedules(scheduler); !r) {  // CONNECTORS: one fetch schedule each
    log_error(r.error());
    return exit_code_for(r.error());
  }
  // Lines left undecided by a stop or an earlier failure are taken up now (a no-op when there are none).
  if (live->reconcile_after_import) (void)reconciler.request("startup");

  auto router = make_router(registry, clock, started, health);
  // CONSOLE: sign-in, sessions and users (issue 8); owns its database connection.
  auto console_auth = install_console_auth(*router, global, clock);
  if (!console_auth) {
    log_error(console_auth.error());
    return exit_code_for(console_auth.error());
  }
  // CONSOLE: the REST API and the web UI (issue 8), each part in its own console_*_wiring.cpp.
  ConsoleWiring console_wiring{db,
                               store_mutex,
                               clock,
                               registry,
                               queue,
                               inbox,
                               reconciler,
                               **bank_connectors,
                               alerts,
                               health,
                               formats,
                               *config,
                               global,
                               data_dir,
                               (*console_auth)->service(),
                               [&inbox] { return inbox.ingest_options(); },
                               [] { ::kill(::getpid(), SIGHUP); }};
  auto console = install_console(*router, console_wiring);
  if (!console) {
    log_error(console.error());
    return exit_code_for(console.error());
  }
  // The runtime owns the signal set: made before the server says it listens, so a SIGHUP or SIGTERM
  // sent right after that line is queued for the loop instead of killing the process by default.
  Runtime runtime(queue, scheduler, inbox, clock, [&registry] { return registry.render(); }, runtime_options);
  auto server = http::Server::start(server_config, router);
  if (!server) {
    log_error(server.error());
    return exit_code_for(server.error());
  }
  const auto fingerprint = http::certificate_fingerprint(server_config.cert_file);
  log->info("listening on https://{}:{} certificate_sha256={}", server_config.address, (*server)->port(),
            fingerprint ? *fingerprint : std::string("?"));
  reconciler.set_stop_check([&runtime] { return runtime.stopping(); });
  reconciler.on_report([&](const jobs::ReconcileReport& r) {
    if (r.skipped_no_open_items) {
      log->info("reconciliation skipped job={}: no open items loaded (bankrec open-items import)", r.job_id);
      return;
    }
    const auto& c = r.summary.counts;
    log->info("reconciliation done job={} entries={} auto={} suggest={} none={}{}", r.job_id, r.summary.entries,
              c.reconciled, c.review, c.unmatched, r.interrupted ? " (interrupted by the stop)" : "");
    if (r.summary.entries > 0)
      runtime.set_status_note("last reconciliation: " + std::to_string(r.summary.entries) + " lines, " +
                              std::to_string(c.reconciled) + " auto, " + std::to_string(c.review) + " review, " +
                              std::to_string(c.unmatched) + " unmatched");
    if (r.verdict) alerts.reconcile_judged(*r.verdict, r.job_id);
  });
  if (auto r = runtime.prepare(); !r) {
    log_error(r.error());
    return exit_code_for(r.error());
  }
  notify("READY=1\nSTATUS=serving https on " + listen_text + "; watching " + std::to_string(folders.inboxes.size()) +
         " inbox folders; " + std::to_string(live->workers) + " workers");

  const bool clean = runtime.run([&] {
    // A bad new config is refused and the running one kept (the admin sees why in the log).
    auto next = load_config(options.config, /*required=*/false);
    if (!next) {
      log->error("reload refused, keeping the running configuration: {}", format_cli_error(next.error()));
      return;
    }
    auto next_live = derive_live_settings(*next, data_dir);
    if (!next_live) {
      log->error("reload refused, keeping the running configuration: {}", format_cli_error(next_live.error()));
      return;
    }
    config = std::move(next);
    init_logging(choose_log_format(config->log_format), config->log_level);
    // Schedules first: a failure here (the database) keeps the old ones and says so.
    for (const auto& job : next_live->schedules)
      if (auto r = scheduler.replace(job); !r) log->error("schedule={} not changed: {}", job.name, r.error().describe());
    for (const auto& [name, text] : scheduler.list()) {
      if (name.starts_with("connector:")) continue;  // the connectors' own, re-synced below
      const bool kept = std::any_of(next_live->schedules.begin(), next_live->schedules.end(),
                                    [&](const jobs::ScheduledJob& j) { return j.name == name; });
      if (!kept && scheduler.remove(name)) log->info("schedule={} removed", name);
    }
    // CONNECTORS: added, removed and changed connectors with their schedules; a connector that cannot
    // be built keeps the running set (the rest of the reload still applies).
    (*bank_connectors)->set_ingest_options(next_live->ingest);
    if (auto r = (*bank_connectors)->reload(*config, scheduler); !r)
      log->error("connectors not changed, keeping the running ones: {}", r.error().describe());
    else
      log->info("connectors reloaded {}", r->describe());
    queue.set_retry_policy(next_live->retry);
    create_folders(next_live->inboxes);
    inbox.set_folders(next_live->inboxes);
    inbox.set_ingest_options(next_live->ingest);
    reconciler.set_settings(next_live->reconcile);
    reconcile_after_import = next_live->reconcile_after_import;
    {
      std::lock_guard lock(maintenance_mutex);
      maintenance_options = next_live->maintenance;
    }
    runtime.apply(next_live->workers, next_live->rescan);
    std::string schedules;
    for (const auto& [name, text] : scheduler.list()) schedules += (schedules.empty() ? "" : ", ") + name + "=" + text;
    log->info("configuration reloaded config=\"{}\" workers={} inbox_folders={} retry_max_attempts={} schedules=\"{}\" "
              "(listen, data dir, TLS and alert channels apply at restart)",
              config->source, next_live->workers, next_live->inboxes.size(), next_live->retry.max_attempts, schedules);
  });
  (*server)->stop();
  log->info(clean ? "stopped" : "stopped with jobs still running (they resume at the next start)");
  spdlog::shutdown();
  if (!clean) std::_Exit(kExitOk);  // workers are still inside a job: don't wait for them, nothing is lost
  return kExitOk;
}

}  // namespace

int run_daemon(int argc, char** argv) {
  CLI::App cli{"bankrecd: the bankrec service (intake, parsing, reconciliation, console)", "bankrecd"};
  cli.set_version_flag("--version", std::string("bankrecd ") + version());
  DaemonOptions options;
  cli.add_option("--config", options.config, "config file (default /etc/bankrec/bankrec.yaml; built-in defaults when absent)")
      ->envname("BANKREC_CONFIG");
  cli.add_option("--data-dir", options.data_dir, "data directory (default: the config's data_dir, /var/lib/bankrec)")
      ->envname("BANKREC_DATA_DIR");
  cli.add_option("--listen", options.listen,
                 "HTTPS address of the console, API, health and metrics (default: the config's listen, 127.0.0.1:8443)");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? kExitOk : kExitBadInput;
  }
  return serve(options);
}

}  // namespace bankrec::app
