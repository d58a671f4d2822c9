#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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

namespace bankrec::http {
struct ConsentProgress;
}

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

  // ---- the console (daemon_connectors_console.cpp) ----
  /// The connectors key: the console reads connector state through it (never a secret).
  const store::SecretKey& secrets_key() const { return *key_; }
  /// Queues a fetch of an enabled connector now (audited connector.run_now); returns the job id.
  Result<std::int64_t> run_now(jobs::Queue& queue, const std::string& name, const std::string& actor);
  /// The console-hosted consent of the configured connector `settings`: the bank's authorisation URL
  /// with `redirect_uri` as the callback. The flow's state is remembered (single use, 15 minutes)
  /// with the admin who started it. The flow uses its own connector instance, as the CLI does.
  Result<std::string> begin_consent(const connectors::ConnectorSettings& settings, const std::string& redirect_uri,
                                    const std::string& actor);
  /// Completes the flow from the bank's redirect (code exchange, tokens stored encrypted, consent
  /// recorded and audited as the admin who started it); returns the connector's name.
  Result<std::string> finish_consent(const std::map<std::string, std::string>& query);
  /// The latest console-started authorisation of connector `name` (nullopt: none in the last 15
  /// minutes). A decoupled one (begin_consent returned an empty URL) is waited for on a thread of its
  /// own that polls the bank; its outcome is recorded and audited as the admin who started it.
  std::optional<http::ConsentProgress> consent_progress(const std::string& name);

  /// What a reload changed.
  struct ReloadSummary {
    std::vector<std::string> added, removed, changed;
    std::size_t unchanged = 0;
    std::string describe() const;  ///< "added=a removed=- changed=b unchanged=2"
  };
  /// SIGHUP: applies `config.connectors` without a restart. Every new or changed connector is built
  /// first; when one cannot be built (or the database sync fails) nothing changes and the error says
  /// why. Otherwise the set is swapped at once: runs in flight finish on the connector they started
  /// with, removed connectors lose their schedule (their rows and secrets stay, disabled), added and
  /// changed ones get theirs. Connectors added after the start are watched by the "connectors" health
  /// check. Thread-safe against run() and the health checks.
  Result<ReloadSummary> reload(const AppConfig& config, jobs::Scheduler& scheduler);
  /// Names of the connectors running now (enabled ones), sorted.
  std::vector<std::string> names() const;
  /// SIGHUP: the ingest options (profiles_dir's profiles, pending expiry, import batch size) for
  /// every connector run that starts from now on, of changed and unchanged connectors alike; runs in
  /// flight finish with the options they started with. Thread-safe against run().
  void set_ingest_options(const jobs::IngestOptions& options);
  /// The ingest options the next run uses.
  jobs::IngestOptions ingest_options() const;

 private:
  struct Entry;
  DaemonConnectors() = default;
  jobs::HealthCheck health_check(const std::string& name);
  jobs::CheckResult check_one(const Entry& entry);
  std::shared_ptr<Entry> find_entry(std::string_view name) const;
  Result<std::shared_ptr<Entry>> build_entry(const connectors::ConnectorSettings& settings);

  store::Store* store_ = nullptr;
  std::mutex* store_mutex_ = nullptr;
  const Clock* clock_ = nullptr;
  std::unique_ptr<store::SecretKey> key_;
  std::unique_ptr<jobs::ConnectorMetrics> metrics_;
  const formats::FormatRegistry* formats_ = nullptr;
  ConnectorAlertSink alerts_;
  jobs::IngestOptions ingest_;  //!< as at start-up: only for the console's consent flows, which import nothing
  mutable std::mutex ingest_mutex_;  //!< guards live_ingest_
  jobs::IngestOptions live_ingest_;  //!< what runs use (set_ingest_options)
  mutable std::mutex entries_mutex_;  //!< guards entries_ and own_checks_ (reload swaps the map)
  std::map<std::string, std::shared_ptr<Entry>, std::less<>> entries_;
  std::vector<std::string> own_checks_;  //!< connectors with their own "connector:NAME" health check
  std::function<void(const std::string&, std::int64_t)> new_entries_hook_;
  struct ConsentFlow;  //!< a console-hosted authorisation in progress (daemon_connectors_console.cpp)
  void wait_decoupled(ConsentFlow& flow);  //!< a decoupled flow's thread: poll the bank, record the outcome
  std::mutex consents_mutex_;
  std::vector<std::shared_ptr<ConsentFlow>> consent_flows_;
};

}  // namespace bankrec::app
