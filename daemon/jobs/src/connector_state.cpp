// The runner's store-facing pieces: ConnectorState over the repository, the connection log writer,
// the metrics, the settings JSON and the consent bookkeeping after an interactive authorisation.
#include "bankrec/domain/json.h"
#include "bankrec/jobs/connector_run.h"
#include "bankrec/store/audit_log.h"

namespace bankrec::jobs {

Result<std::optional<connectors::ConnectorState::Value>> StoreConnectorState::read(std::string_view key, bool secret) {
  std::lock_guard lock(mutex_);
  auto stored = BANKREC_TRY(store::ConnectorsRepo(store_, key_).read(connector_, key, secret));
  if (!stored) return std::optional<Value>();
  return std::optional<Value>(Value{std::move(stored->value), stored->expires});
}

Result<void> StoreConnectorState::write(const std::vector<Write>& writes) {
  std::vector<store::ValueWrite> rows;
  rows.reserve(writes.size());
  for (const auto& w : writes) rows.push_back({w.key, w.value, w.secret, w.expires});
  std::lock_guard lock(mutex_);
  return store::ConnectorsRepo(store_, key_).write(connector_, rows);
}

ConnectorMetrics::ConnectorMetrics(metrics::Registry& registry)
    : requests(registry.counter("bankrec_connector_requests_total", "requests to bank APIs, by outcome",
                                {"connector", "outcome"})),
      latency(registry.histogram("bankrec_connector_request_duration_seconds", "bank API round trips",
                                 metrics::duration_buckets(), {"connector"})),
      last_success(registry.gauge("bankrec_connector_last_success_timestamp_seconds",
                                  "when an account's transactions were last fetched and stored", {"connector", "account"})),
      entries(registry.counter("bankrec_connector_entries_imported_total", "new entries stored from bank APIs",
                               {"connector"})),
      runs(registry.counter("bankrec_connector_runs_total", "connector fetch runs, by outcome", {"connector", "outcome"})) {}

void ConnectionLogWriter::add(const connectors::ConnectionEvent& e) {
  if (env_.metrics) {
    env_.metrics->requests.with({e.connector, e.outcome}).inc();
    env_.metrics->latency.with({e.connector}).observe(std::chrono::duration<double>(e.elapsed).count());
  }
  std::lock_guard lock(mutex_);
  pending_.push_back({0, store::utc_timestamp(e.at), e.connector, e.account, e.operation, e.outcome, e.http_status,
                      e.request_id, e.elapsed.count()});
}

Result<void> ConnectionLogWriter::flush() {
  std::vector<store::ConnectionLogRow> rows;
  {
    std::lock_guard lock(mutex_);
    rows.swap(pending_);
  }
  if (rows.empty()) return ok();
  std::lock_guard lock(env_.store_mutex);
  return store::ConnectorsRepo(env_.store, env_.secrets_key).append_log(rows);
}

std::string settings_json(const connectors::ConnectorSettings& s) {
  using domain::json_quote;
  std::string out = "{\"type\":" + json_quote(s.type) + ",\"base_url\":" + json_quote(s.base_url) + ",\"accounts\":[";
  for (std::size_t i = 0; i < s.accounts.size(); ++i) out += (i ? "," : "") + json_quote(s.accounts[i]);
  out += "],\"schedule\":" + json_quote(s.schedule) + ",\"overlap_days\":" + std::to_string(s.overlap_days) +
         ",\"history_days\":" + std::to_string(s.history_days) + ",\"options\":{";
  bool first = true;
  for (const auto& [k, v] : s.options) {
    out += (first ? "" : ",") + json_quote(k) + ":" + json_quote(v);
    first = false;
  }
  out += "},\"ca_file\":" + json_quote(s.http.tls.ca_file) + ",\"client_cert\":" + json_quote(s.http.tls.client_cert_file) +
         ",\"proxy\":" + json_quote(s.http.proxy.empty() ? "" : "<set>") + "}";
  return out;
}

std::chrono::seconds until_next_utc_day(std::chrono::system_clock::time_point now) {
  const auto today = std::chrono::floor<std::chrono::days>(now);
  return std::chrono::ceil<std::chrono::seconds>(today + std::chrono::days(1) - now);
}

Result<void> record_authorisation(ConnectorEnv& env, const connectors::ConnectorSettings& settings,
                                  const connectors::ConsentStatus& consent, std::string_view actor) {
  {
    std::lock_guard lock(env.store_mutex);
    store::ConnectorsRepo repo(env.store, env.secrets_key);
    BANKREC_TRY(repo.record_consent(settings.name, consent.id, connectors::consent_state_name(consent.state),
                                    consent.valid_until, actor));
    if (consent.state == connectors::ConsentStatus::State::valid)
      BANKREC_TRY(repo.set_state(settings.name, "active", std::nullopt));
  }
  if (consent.state == connectors::ConsentStatus::State::valid && env.alert)
    env.alert({AlertKind::connector_failure, settings.name, AlertSeverity::error, "", /*resolve=*/true});
  return ok();
}

}  // namespace bankrec::jobs
