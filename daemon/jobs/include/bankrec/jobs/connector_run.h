#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bankrec/base/clock.h"
#include "bankrec/connectors/connector.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/jobs/alerts.h"
#include "bankrec/jobs/ingest.h"
#include "bankrec/jobs/queue.h"
#include "bankrec/metrics/metrics.h"
#include "bankrec/store/connectors_repo.h"
#include "bankrec/store/store.h"

/// The connector runner: one fetch run of one bank connector, from the consent check to the cursor
/// move, through the same ingestion as files. Errors follow connector.h's convention and come back as
/// a JobOutcome for the persistent queue.
namespace bankrec::jobs {

/// connectors::ConnectorState over store::ConnectorsRepo; every call takes the store mutex.
class StoreConnectorState final : public connectors::ConnectorState {
 public:
  StoreConnectorState(store::Store& store, std::mutex& store_mutex, const store::SecretKey& secrets_key,
                      std::string connector)
      : store_(store), mutex_(store_mutex), key_(secrets_key), connector_(std::move(connector)) {}
  Result<std::optional<Value>> read(std::string_view key, bool secret) override;
  Result<void> write(const std::vector<Write>& writes) override;

 private:
  store::Store& store_;
  std::mutex& mutex_;
  const store::SecretKey& key_;
  std::string connector_;
};

/// An alert the runner wants raised (or resolved); app forwards it to the AlertManager.
struct ConnectorAlert {
  AlertKind kind = AlertKind::connector_failure;
  std::string key;  //!< "NAME" for connector_failure, "NAME:14" / ":7" / ":1" for consent_expiring
  AlertSeverity severity = AlertSeverity::error;
  std::string message;
  bool resolve = false;  //!< the condition cleared
};
using ConnectorAlertFn = std::function<void(const ConnectorAlert&)>;

/// The connector metrics, registered once per process (names as in etc/grafana/bankrec.json's style):
///   bankrec_connector_requests_total{connector,outcome}        outcome "ok", "http_503", "timeout", ...
///   bankrec_connector_request_duration_seconds{connector}      histogram of bank round trips
///   bankrec_connector_last_success_timestamp_seconds{connector,account}
///   bankrec_connector_entries_imported_total{connector}
///   bankrec_connector_runs_total{connector,outcome}            outcome succeeded, retry, permanent, skipped
struct ConnectorMetrics {
  explicit ConnectorMetrics(metrics::Registry& registry);
  metrics::Family<metrics::Counter>& requests;
  metrics::Family<metrics::Histogram>& latency;
  metrics::Family<metrics::Gauge>& last_success;
  metrics::Family<metrics::Counter>& entries;
  metrics::Family<metrics::Counter>& runs;
};

/// What a run needs besides the connector: all borrowed, all outliving the run.
struct ConnectorEnv {
  store::Store& store;
  std::mutex& store_mutex;  //!< guards `store` (one connection shared with other workers)
  const store::SecretKey& secrets_key;
  const formats::FormatRegistry& formats;  //!< must contain statement_json_format()
  const Clock& clock;
  net::HttpClient& http;
  ConnectorAlertFn alert;              //!< may be empty
  ConnectorMetrics* metrics = nullptr;  //!< may be null
  IngestOptions ingest;
};

/// One account's part of a run.
struct AccountRun {
  std::string account;  //!< IBAN, else the provider's account id
  domain::Date from, to;
  std::string status;  //!< "fetched", "skipped: daily access budget spent (4/4)", "failed: ..."
  int files = 0;       //!< documents ingested (a statement JSON counts as one)
  std::int64_t entries_new = 0;
  std::int64_t entries_skipped = 0;
  std::optional<domain::Date> cursor;  //!< after the run
};

struct ConnectorRunReport {
  JobOutcome outcome;
  std::vector<AccountRun> accounts;
  std::int64_t entries_new = 0;
  bool stopped = false;  //!< the connector now needs a new consent
  bool skipped = false;  //!< nothing was done (the connector waits for a consent or is disabled)
  connectors::ConsentStatus consent;
  int gaps_closed = 0;
};

/// Sees the connection log of a run: each event is persisted to the store's connection log (and
/// counted in the metrics) when the run flushes, after every account and at the end.
class ConnectionLogWriter {
 public:
  explicit ConnectionLogWriter(ConnectorEnv& env) : env_(env) {}
  void add(const connectors::ConnectionEvent& event);
  Result<void> flush();

 private:
  ConnectorEnv& env_;
  std::mutex mutex_;
  std::vector<store::ConnectionLogRow> pending_;
};

/// One fetch run: consent check (alerts 14/7/1 days before expiry; an expired or revoked consent
/// stops the connector with an alert naming `bankrec connector consent NAME` and opens gap tasks from
/// each account's cursor), then per account: from = cursor - overlap_days (first run: today -
/// history_days) to today within the daily access budget (a retry after the budget is spent waits
/// for the next UTC day), statements ingested as statement JSON and raw documents through sniffing,
/// the cursor moved only after the ingest committed. Covered gap tasks close at the end.
ConnectorRunReport run_connector(connectors::Connector& connector, const connectors::ConnectorSettings& settings,
                                 ConnectorEnv& env);

/// After a successful interactive authorisation (`bankrec connector consent`): records the consent,
/// puts the connector back to active and resolves its connector_failure alert. Audited with `actor`.
Result<void> record_authorisation(ConnectorEnv& env, const connectors::ConnectorSettings& settings,
                                  const connectors::ConsentStatus& consent, std::string_view actor);

/// The settings of a connector as stored in `connectors.settings_json` (no secrets, stable order).
std::string settings_json(const connectors::ConnectorSettings& settings);

/// Seconds until the next UTC midnight after `now` (when a spent daily access budget is renewed).
std::chrono::seconds until_next_utc_day(std::chrono::system_clock::time_point now);

}  // namespace bankrec::jobs
