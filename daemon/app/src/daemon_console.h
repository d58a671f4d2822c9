#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/http/auth_service.h"
#include "bankrec/http/router.h"
#include "bankrec/jobs/health.h"
#include "bankrec/jobs/ingest.h"
#include "bankrec/jobs/queue.h"
#include "bankrec/jobs/reconcile_job.h"
#include "bankrec/metrics/metrics.h"
#include "bankrec/store/store.h"
#include "commands.h"
#include "config.h"

/// The console's REST API and web UI inside bankrecd (issue 8): what the daemon hands to the
/// three parts (data API, admin API, static UI). Everything lives as long as the server runs.
namespace bankrec::app {

class Inbox;
class AlertSink;
class DaemonConnectors;

struct ConsoleWiring {
  store::Store& db;            ///< bankrecd's connection; every use under store_mutex
  std::mutex& store_mutex;
  const Clock& clock;
  metrics::Registry& registry;
  jobs::Queue& queue;
  Inbox& inbox;
  jobs::ReconcileJob& reconciler;
  DaemonConnectors& connectors;
  AlertSink& alerts;
  jobs::Health& health;
  const formats::FormatRegistry& formats;
  const AppConfig& config;     ///< as loaded at start (a reload does not change this copy)
  const GlobalOptions& global;
  std::filesystem::path data_dir;
  std::shared_ptr<http::AuthService> auth;
  /// The ingestion options in force now (they follow reloads): profiles, pending expiry, batches.
  std::function<jobs::IngestOptions()> ingest_options;
  /// Asks bankrecd to reload its configuration (as SIGHUP does), e.g. after the rules changed.
  std::function<void()> request_reload;
};

/// Owns what the console parts opened; alive as long as the router's routes may run.
class ConsoleParts {
 public:
  virtual ~ConsoleParts() = default;
};

/// The three parts; each lives in its own file (console_data_wiring.cpp, console_admin_wiring.cpp,
/// console_static_wiring.cpp) and may keep state in `keep`.
Result<void> install_console_data(http::Router& router, ConsoleWiring& wiring,
                                  std::vector<std::shared_ptr<void>>& keep);
Result<void> install_console_admin(http::Router& router, ConsoleWiring& wiring,
                                   std::vector<std::shared_ptr<void>>& keep);
Result<void> install_console_static(http::Router& router, ConsoleWiring& wiring,
                                    std::vector<std::shared_ptr<void>>& keep);

/// Installs all three, in that order.
Result<std::unique_ptr<ConsoleParts>> install_console(http::Router& router, ConsoleWiring& wiring);

}  // namespace bankrec::app
