#include "daemon_connectors.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>

#include "bankrec/domain/json.h"
#include "bankrec/jobs/queue.h"
#include "bankrec/net/http_client.h"
#include "bankrec/store/audit_log.h"
#include "store_context.h"

namespace bankrec::app {

struct DaemonConnectors::Entry {
  connectors::ConnectorSettings settings;
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<connectors::Connector> connector;
  std::unique_ptr<jobs::ConnectorEnv> env;
  std::string fingerprint;  //!< what a reload compares: settings, TLS, proxy, timeouts, jitter
  std::mutex run_mutex;  //!< one run of a connector at a time (a manual sync beside a scheduled one)
};

namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

std::string fingerprint_of(const connectors::ConnectorSettings& s) {
  // settings_json holds no secrets; the proxy may carry credentials, so it is compared but never shown.
  return jobs::settings_json(s) + "|" + s.http.proxy + "|" + s.http.tls.client_key_file + "|" +
         std::to_string(s.http.connect_timeout.count()) + "|" + std::to_string(s.http.total_timeout.count()) + "|" +
         std::to_string(s.http.max_response_bytes) + "|" + std::to_string(s.jitter_minutes) + "|" +
         (s.enabled ? "on" : "off");
}

jobs::ScheduledJob schedule_of(const connectors::ConnectorSettings& s, jobs::Schedule schedule) {
  return {"connector:" + s.name, std::move(schedule), store::JobKind::fetch,
          "{\"connector\":" + domain::json_quote(s.name) + "}", std::chrono::minutes(s.jitter_minutes)};
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out.empty() ? "-" : out;
}

}  // namespace

store::KeyLocations connectors_key_where(const GlobalOptions& global) {
  return {env_or_empty("CREDENTIALS_DIRECTORY"), env_or_empty("BANKREC_CONNECTORS_KEY_FILE"), global.data_dir};
}

std::vector<store::ConnectorDefinition> connector_definitions(const AppConfig& config) {
  std::vector<store::ConnectorDefinition> out;
  for (const auto& s : config.connectors)
    out.push_back({s.name, s.type, jobs::settings_json(s), s.schedule, s.enabled});
  return out;
}

Result<const connectors::ConnectorSettings*> configured_connector(const AppConfig& config, std::string_view name) {
  std::string names;
  for (const auto& s : config.connectors) {
    if (s.name == name) return &s;
    names += (names.empty() ? "" : ", ") + s.name;
  }
  return fail(Errc::not_found, "no connector '" + std::string(name) + "' in " + config.source +
                                   (names.empty() ? " (its connectors: list is empty)" : " (configured: " + names + ")"));
}

DaemonConnectors::~DaemonConnectors() = default;

Result<std::unique_ptr<DaemonConnectors>> DaemonConnectors::create(const AppConfig& config, const GlobalOptions& global,
                                                                   store::Store& store, std::mutex& store_mutex,
                                                                   const formats::FormatRegistry& formats,
                                                                   const Clock& clock, metrics::Registry& metrics,
                                                                   ConnectorAlertSink alerts, jobs::IngestOptions ingest) {
  std::unique_ptr<DaemonConnectors> d(new DaemonConnectors());
  d->store_ = &store;
  d->store_mutex_ = &store_mutex;
  d->clock_ = &clock;
  d->metrics_ = std::make_unique<jobs::ConnectorMetrics>(metrics);
  d->key_ = std::make_unique<store::SecretKey>(
      BANKREC_TRY(store::open_connectors_key(connectors_key_where(global), /*create=*/true)));
  {
    std::lock_guard lock(store_mutex);
    BANKREC_TRY(store::ConnectorsRepo(store, *d->key_).sync(connector_definitions(config), "bankrecd"));
  }
  d->formats_ = &formats;
  d->alerts_ = std::move(alerts);
  d->ingest_ = ingest;
  d->live_ingest_ = std::move(ingest);
  for (const auto& s : config.connectors) {
    if (!s.enabled) continue;
    d->entries_.emplace(s.name, BANKREC_TRY(d->build_entry(s)));
  }
  return d;
}

Result<std::shared_ptr<DaemonConnectors::Entry>> DaemonConnectors::build_entry(const connectors::ConnectorSettings& s) {
  auto entry = std::make_shared<Entry>();
  entry->settings = s;
  entry->fingerprint = fingerprint_of(s);
  const std::string name = s.name;
  entry->http = BANKREC_TRY(net::make_http_client(s.http, *clock_, [name](const net::HttpExchangeLog& x) {
    spdlog::get("jobs")->debug("connector={} {}", name, x.to_string());
  }));
  entry->connector = BANKREC_TRY(connectors::builtin_registry().create(s));
  // run() sets the ingest options of the moment on its copy of this environment.
  entry->env = std::make_unique<jobs::ConnectorEnv>(jobs::ConnectorEnv{
      *store_, *store_mutex_, *key_, *formats_, *clock_, *entry->http, alerts_, metrics_.get(), ingest_options()});
  return entry;
}

void DaemonConnectors::set_ingest_options(const jobs::IngestOptions& options) {
  std::lock_guard lock(ingest_mutex_);
  live_ingest_ = options;
}

jobs::IngestOptions DaemonConnectors::ingest_options() const {
  std::lock_guard lock(ingest_mutex_);
  return live_ingest_;
}

std::shared_ptr<DaemonConnectors::Entry> DaemonConnectors::find_entry(std::string_view name) const {
  std::lock_guard lock(entries_mutex_);
  const auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second;
}

std::vector<std::string> DaemonConnectors::names() const {
  std::lock_guard lock(entries_mutex_);
  std::vector<std::string> out;
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

void DaemonConnectors::install(jobs::Queue& queue, jobs::Health& health) {
  queue.set_handler(store::JobKind::fetch, [this](const store::JobRecord& job) { return run(job); });
  for (const std::string& name : names()) {
    health.add("connector:" + name, health_check(name));
    own_checks_.push_back(name);
  }
  // Health checks cannot be added once the daemon runs: connectors a reload adds report here.
  health.add("connectors", [this]() -> jobs::CheckResult {
    std::vector<std::shared_ptr<Entry>> later;
    {
      std::lock_guard lock(entries_mutex_);
      for (const auto& [name, entry] : entries_)
        if (std::find(own_checks_.begin(), own_checks_.end(), name) == own_checks_.end()) later.push_back(entry);
    }
    if (later.empty()) return {jobs::HealthStatus::ok, std::to_string(names().size()) + " connectors"};
    jobs::CheckResult out{jobs::HealthStatus::ok, ""};
    for (const auto& entry : later) {
      const jobs::CheckResult r = check_one(*entry);
      if (r.status != jobs::HealthStatus::ok) out.status = jobs::HealthStatus::warn;
      out.message += (out.message.empty() ? "" : "; ") + entry->settings.name + ": " + r.message;
    }
    return out;
  });
}

Result<void> DaemonConnectors::add_schedules(jobs::Scheduler& scheduler) {
  std::lock_guard lock(entries_mutex_);
  for (const auto& [name, entry] : entries_) {
    auto schedule = BANKREC_TRY(jobs::Schedule::parse(entry->settings.schedule));
    BANKREC_TRY(scheduler.add(schedule_of(entry->settings, std::move(schedule))));
  }
  return ok();
}

std::string DaemonConnectors::ReloadSummary::describe() const {
  return "added=" + joined(added) + " removed=" + joined(removed) + " changed=" + joined(changed) +
         " unchanged=" + std::to_string(unchanged);
}

Result<DaemonConnectors::ReloadSummary> DaemonConnectors::reload(const AppConfig& config, jobs::Scheduler& scheduler) {
  std::map<std::string, std::shared_ptr<Entry>, std::less<>> next;
  ReloadSummary summary;
  // Build everything new first: a connector that cannot be built keeps the whole running set.
  for (const auto& s : config.connectors) {
    if (!s.enabled) continue;
    const auto current = find_entry(s.name);
    if (current && current->fingerprint == fingerprint_of(s)) {
      next.emplace(s.name, current);
      ++summary.unchanged;
      continue;
    }
    auto built = build_entry(s);
    if (!built) {
      Error e = built.error();
      e.message = "connector '" + s.name + "': " + (e.where.empty() ? "" : e.where + ": ") + e.message;
      e.where.clear();
      return Unexpected{std::move(e)};
    }
    (current ? summary.changed : summary.added).push_back(s.name);
    next.emplace(s.name, std::move(*built));
  }
  std::vector<jobs::ScheduledJob> schedules;
  for (const auto& [name, entry] : next)
    schedules.push_back(schedule_of(entry->settings, BANKREC_TRY(jobs::Schedule::parse(entry->settings.schedule))));
  {
    std::lock_guard lock(*store_mutex_);
    BANKREC_TRY(store::ConnectorsRepo(*store_, *key_).sync(connector_definitions(config), "bankrecd (reload)"));
  }
  {
    std::lock_guard lock(entries_mutex_);
    for (const auto& [name, entry] : entries_)
      if (!next.contains(name)) summary.removed.push_back(name);
    entries_.swap(next);  // runs in flight keep their Entry alive through their shared_ptr
  }
  for (const std::string& name : summary.removed)
    if (scheduler.remove("connector:" + name)) spdlog::get("app")->info("schedule=connector:{} removed", name);
  for (auto& job : schedules)
    if (auto r = scheduler.replace(job); !r)
      spdlog::get("app")->error("schedule={} not changed: {}", job.name, r.error().describe());
  return summary;
}

jobs::JobOutcome DaemonConnectors::run(const store::JobRecord& job) {
  boost::system::error_code ec;
  const auto value = boost::json::parse(job.payload_json, ec);
  const auto* name_value = !ec && value.is_object() ? value.as_object().if_contains("connector") : nullptr;
  if (name_value == nullptr || !name_value->is_string())
    return jobs::JobOutcome::permanent({Errc::invalid_input, "fetch job without a connector name", {}});
  const std::string name(name_value->as_string());
  const std::shared_ptr<Entry> held = find_entry(name);
  if (!held)
    return jobs::JobOutcome::permanent({Errc::not_found, "connector '" + name + "' is not configured or not enabled", {}});
  Entry& entry = *held;
  std::lock_guard run_lock(entry.run_mutex);
  const auto log = spdlog::get("jobs");
  log->info("connector fetching connector={} job={} attempt={}", name, job.id, job.attempts);
  // The ingest options of now, not those of the start or of the reload that built the connector.
  jobs::ConnectorEnv env = *entry.env;
  env.ingest = ingest_options();
  const auto report = jobs::run_connector(*entry.connector, entry.settings, env);
  for (const auto& a : report.accounts)
    log->info("connector account connector={} account={} from={} to={} status=\"{}\" new={} skipped={}", name,
              a.account, a.from.iso(), a.to.iso(), a.status, a.entries_new, a.entries_skipped);
  if (report.outcome.kind != jobs::JobOutcome::Kind::succeeded)
    log->warn("connector run failed connector={} job={}: {}", name, job.id, report.outcome.error.message);
  else if (report.skipped)
    log->info("connector skipped connector={}: {}", name, report.stopped ? "waiting for a new consent" : "disabled");
  if (report.entries_new > 0 && new_entries_hook_) new_entries_hook_(name, report.entries_new);
  return report.outcome;
}

jobs::HealthCheck DaemonConnectors::health_check(const std::string& name) {
  return [this, name]() -> jobs::CheckResult {
    const std::shared_ptr<Entry> entry = find_entry(name);
    if (!entry) return {jobs::HealthStatus::ok, "removed from the configuration (or disabled) at a reload"};
    return check_one(*entry);
  };
}

jobs::CheckResult DaemonConnectors::check_one(const Entry& entry) {
  const std::string& name = entry.settings.name;
  std::optional<store::ConnectorRow> row;
  std::optional<store::ConsentRow> consent;
  {
    std::lock_guard lock(*store_mutex_);
    store::ConnectorsRepo repo(*store_, *key_);
    auto r = repo.find(name);
    if (!r) return {jobs::HealthStatus::warn, "cannot read connector state: " + r.error().message};
    row = *r;
    auto c = repo.consent(name);
    if (c) consent = *c;
  }
  if (!row) return {jobs::HealthStatus::warn, "connector not in the database yet"};
  if (row->state == "needs_consent")
    return {jobs::HealthStatus::warn, "stopped until `bankrec connector consent " + name + "`: " + row->state_detail.value_or("")};
  const auto now = clock_->now();
  const auto today = domain::Date::from_days(std::chrono::floor<std::chrono::days>(now).time_since_epoch().count());
  if (consent && consent->valid_until && consent->valid_until->to_days() - today.to_days() <= 7)
    return {jobs::HealthStatus::warn, "consent expires on " + consent->valid_until->iso()};
  if (!row->last_success_at) {
    if (row->last_status && *row->last_status != "ok")
      return {jobs::HealthStatus::warn, "no successful fetch yet; last: " + *row->last_status};
    return {jobs::HealthStatus::ok, "no fetch yet"};
  }
  auto last = jobs::parse_utc_timestamp(*row->last_success_at);
  auto schedule = jobs::Schedule::parse(entry.settings.schedule);
  if (last && schedule) {
    // Late when the run after the one after the last success should have happened by now (+1 h).
    const auto next = schedule->next_after(*last);
    const auto after = next ? schedule->next_after(*next) : std::nullopt;
    if (after && now > *after + std::chrono::hours(1))
      return {jobs::HealthStatus::warn, "no successful fetch since " + *row->last_success_at};
  }
  return {jobs::HealthStatus::ok, "last success " + *row->last_success_at};
}

}  // namespace bankrec::app
