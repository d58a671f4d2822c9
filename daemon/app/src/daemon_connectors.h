#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/connectors/connector.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/jobs/connector_run.h"
#include "bankrec/jobs/health.h"
#include "bankrec/jobs/queue.h"
#include "bankrec/jobs/scheduler.h"
#include "bankrec/metrics/metrics.h"
#include "bankrec/store/connectors_repo.h"
#include "commands.h"
#include "config.h"

/// Bank connectors in bankrecd and the CLI (issue 7): the connectors key, the config rows, one
/// `fetch` job per enabled connector on its schedule, health checks and the reconcile hook.
namespace bankrec::app {

/// $CREDENTIALS_DIRECTORY/connectors.key, BANKREC_CONNECTORS_KEY_FILE, DATA_DIR/connectors.key.
store::KeyLocations connectors_key_where(const GlobalOptions& global);
/// The config's connectors as rows for ConnectorsRepo::sync (settings without secrets).
std::vector<store::ConnectorDefinition> connector_definitions(const AppConfig& config);
/// The configured connector `name`; not_found lists the configured names.
Result<const connectors::ConnectorSettings*> configured_connector(const AppConfig& config, std::string_view name);

/// Where connector alerts go: bankrecd's AlertSink, or the CLI's own AlertManager.
using ConnectorAlertSink = std::function<void(const jobs::ConnectorAlert&)>;

class DaemonConnectors {
 public:
  /// Opens (or makes) the connectors key, syncs the config's connectors into the database and builds
  /// each enabled connector with its HTTP client. A connector that cannot be built stops the start.
  static Result<std::unique_ptr<DaemonConnectors>> create(const AppConfig& config, const GlobalOptions& global,
                                                          store::Store& store, std::mutex& store_mutex,
                                                          const formats::FormatRegistry& formats, const Clock& clock,
                                                          metrics::Registry& metrics, ConnectorAlertSink alerts,
                                                          jobs::IngestOptions ingest);
  ~DaemonConnectors();

  /// The `fetch` handler (payload {"connector":"NAME"}) and one health check per connector
  /// ("connector:NAME": last success age against its schedule, consent expiry, stopped state).
  void install(jobs::Queue& queue, jobs::Health& health);
  /// One schedule per enabled connector ("connector:NAME", kind fetch, no jitter).
  Result<void> add_schedules(jobs::Scheduler& scheduler);
  /// Called after a fetch stored new entries (bankrecd asks for a reconciliation run here).
  void on_new_entries(std::function<void(const std::string& connector, std::int64_t entries)> hook) {
    new_entries_hook_ = std::move(hook);
  }
  /// The job handler itself (also for tests).
  jobs::JobOutcome run(const store::JobRecord& job);

 private:
  struct Entry;
  DaemonConnectors() = default;
  jobs::HealthCheck health_check(const std::string& name);

  store::Store* store_ = nullptr;
  std::mutex* store_mutex_ = nullptr;
  const Clock* clock_ = nullptr;
  std::unique_ptr<store::SecretKey> key_;
  std::unique_ptr<jobs::ConnectorMetrics> metrics_;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_;
  std::function<void(const std::string&, std::int64_t)> new_entries_hook_;
};

}  // namespace bankrec::app
