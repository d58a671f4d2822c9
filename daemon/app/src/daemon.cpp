// bankrecd: the service's process life cycle (contracts/cli.md "Executables"). This first
// increment serves /healthz, /readyz and /metrics over HTTPS, reports to systemd and handles
// signals; intake, jobs and the console join it with their issues.
#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <optional>
#include <iostream>

#include "bankrec/app/cli.h"
#include "bankrec/app/exit_code.h"
#include "bankrec/base/clock.h"
#include "bankrec/http/server.h"
#include "bankrec/metrics/metrics.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/jobs/ingest.h"
#include "config.h"
#include "inbox.h"
#include "logging.h"
#include "store_context.h"

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

std::shared_ptr<http::Router> make_router(metrics::Registry& registry, const Clock& clock,
                                          std::chrono::system_clock::time_point started) {
  auto router = std::make_shared<http::Router>();
  // Liveness and readiness reveal nothing but their state; no login needed.
  router->add("GET", "/healthz", [](const http::Request&) { return http::Response::json(200, R"({"status":"ok"})"); });
  router->add("GET", "/readyz",
              [](const http::Request&) { return http::Response::json(200, R"({"status":"ready","failing":[]})"); });
  auto& uptime = registry.gauge("bankrec_app_uptime_seconds", "seconds since bankrecd started").unlabelled();
  auto& requests = registry.counter("bankrec_http_metrics_scrapes_total", "scrapes of /metrics").unlabelled();
  router->add("GET", "/metrics", [&registry, &clock, &uptime, &requests, started](const http::Request&) {
    requests.inc();
    uptime.set(std::chrono::duration_cast<std::chrono::seconds>(clock.now() - started).count());
    return http::Response::text(200, registry.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  return router;
}

int serve(const DaemonOptions& options) {
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

  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

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

  Inbox::Folders folders{{}, data_dir / "archive", data_dir / "failed"};
  // Without configured folders: DATA_DIR/inbox, scanned every few seconds (inotify comes later).
  std::uint32_t rescan_seconds = config->inboxes.empty() ? 5 : 3600;
  for (const auto& in : config->inboxes) {
    folders.inboxes.emplace_back(in.path);
    rescan_seconds = std::min(rescan_seconds, in.rescan_seconds);
  }
  if (folders.inboxes.empty()) folders.inboxes.push_back(data_dir / "inbox");
  for (const auto& dir : folders.inboxes) {
    std::error_code ec;
    fs::create_directories(dir, ec);
  }
  Inbox inbox(**store, formats, folders, registry);
  auto server = http::Server::start(server_config, make_router(registry, clock, started));
  if (!server) {
    log_error(server.error());
    return exit_code_for(server.error());
  }
  const auto fingerprint = http::certificate_fingerprint(server_config.cert_file);
  log->info("listening on https://{}:{} certificate_sha256={}", server_config.address, (*server)->port(),
            fingerprint ? *fingerprint : std::string("?"));
  inbox.start(std::chrono::seconds(rescan_seconds));
  notify("READY=1\nSTATUS=serving https on " + listen_text);

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      // A bad new config is refused and the running one kept (the admin sees why in the log).
      notify("RELOADING=1");
      auto next = load_config(options.config, /*required=*/false);
      if (next) {
        config = std::move(next);
        init_logging(choose_log_format(config->log_format), config->log_level);
        log->info("configuration reloaded config=\"{}\" (listen address and data dir apply at restart)", config->source);
      } else {
        log->error("reload refused, keeping the running configuration: {}", format_cli_error(next.error()));
      }
      notify("READY=1");
      continue;
    }
    log->info("stopping signal={}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    notify("STOPPING=1");
    inbox.stop();  // finishes the file it is importing (all-or-nothing either way)
    (*server)->stop();
    log->info("stopped");
    spdlog::shutdown();
    return kExitOk;
  }
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
