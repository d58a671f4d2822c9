// The console's part of DaemonConnectors (issue 7's re-authorisation link, issue 8's connectors
// page): run now, and the bank authorisation hosted by the console instead of the CLI's loopback
// listener. A flow keeps its own connector instance between start and callback (PKCE verifier and
// state live in it), as `bankrec connector consent` does within one process.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "bankrec/domain/json.h"
#include "bankrec/jobs/connector_run.h"
#include "bankrec/net/http_client.h"
#include "daemon_connectors.h"

namespace bankrec::app {

namespace {

constexpr auto kConsentLifetime = std::chrono::minutes(15);
constexpr std::size_t kMaxConsentFlows = 16;

}  // namespace

struct DaemonConnectors::ConsentFlow {
  connectors::ConnectorSettings settings;
  std::string actor, state;
  std::chrono::steady_clock::time_point started;
  formats::FormatRegistry formats;  //!< unused by an authorisation; ConnectorEnv wants one
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<connectors::Connector> connector;
  std::unique_ptr<jobs::ConnectorEnv> env;
  std::unique_ptr<jobs::StoreConnectorState> state_store;
};

Result<std::int64_t> DaemonConnectors::run_now(jobs::Queue& queue, const std::string& name, const std::string& actor) {
  const auto running = names();
  if (std::find(running.begin(), running.end(), name) == running.end())
    return fail(Errc::not_found, "connector '" + name + "' is not configured or not enabled");
  store::NewJob job;
  job.kind = store::JobKind::fetch;
  job.payload_json = "{\"connector\":" + domain::json_quote(name) + "}";
  // One manual run at a time: a second click while it waits returns the same job.
  job.dedup_key = "connector-now:" + name;
  job.created_by = actor;
  const auto queued = BANKREC_TRY(queue.enqueue(job));
  {
    std::lock_guard lock(*store_mutex_);
    BANKREC_TRY(store_->write([&]() -> Result<void> {
      BANKREC_TRY(store_->audit().append({actor, "connector.run_now", "connector", name,
                                          "{\"job\":" + std::to_string(queued.id) +
                                              ",\"created\":" + (queued.created ? "true" : "false") + "}"}));
      return ok();
    }));
  }
  return queued.id;
}

Result<std::string> DaemonConnectors::begin_consent(const connectors::ConnectorSettings& settings,
                                                    const std::string& redirect_uri, const std::string& actor) {
  auto flow = std::make_shared<ConsentFlow>();
  flow->settings = settings;
  flow->actor = actor;
  flow->started = clock_->steady_now();
  flow->http = BANKREC_TRY(net::make_http_client(settings.http, *clock_));
  flow->connector = BANKREC_TRY(connectors::builtin_registry().create(settings));
  flow->env = std::make_unique<jobs::ConnectorEnv>(jobs::ConnectorEnv{
      *store_, *store_mutex_, *key_, flow->formats, *clock_, *flow->http, alerts_, metrics_.get(), ingest_});
  flow->state_store = std::make_unique<jobs::StoreConnectorState>(*store_, *store_mutex_, *key_, settings.name);
  jobs::ConnectionLogWriter log(*flow->env);
  connectors::ConnectorContext ctx(settings.name, *flow->http, *clock_, *flow->state_store,
                                   [&log](const connectors::ConnectionEvent& e) { log.add(e); });
  auto start = flow->connector->begin_authorisation(ctx, redirect_uri);
  (void)log.flush();
  if (!start) return Unexpected{start.error()};
  if (start->url.empty())
    return fail(Errc::conflict, "connector '" + settings.name + "': the bank asks for approval in its app (" +
                                    start->message + "); use `bankrec connector consent " + settings.name + "`");
  flow->state = start->state;
  {
    std::lock_guard lock(consents_mutex_);
    const auto now = clock_->steady_now();
    std::erase_if(consent_flows_, [&](const auto& f) { return now - f->started > kConsentLifetime; });
    // A new start of the same connector replaces an older one; the list stays bounded.
    std::erase_if(consent_flows_, [&](const auto& f) { return f->settings.name == settings.name; });
    if (consent_flows_.size() >= kMaxConsentFlows) consent_flows_.erase(consent_flows_.begin());
    consent_flows_.push_back(flow);
  }
  spdlog::get("jobs")->info("connector consent started connector={} actor={}", settings.name, actor);
  return start->url;
}

Result<std::string> DaemonConnectors::finish_consent(const std::map<std::string, std::string>& query) {
  const auto it_state = query.find("state");
  const std::string state = it_state == query.end() ? std::string() : it_state->second;
  std::shared_ptr<ConsentFlow> flow;
  {
    std::lock_guard lock(consents_mutex_);
    const auto now = clock_->steady_now();
    std::erase_if(consent_flows_, [&](const auto& f) { return now - f->started > kConsentLifetime; });
    // The state names the flow; a bank that echoes none matches only a flow that expects none.
    const auto it = std::find_if(consent_flows_.begin(), consent_flows_.end(),
                                 [&](const auto& f) { return !f->state.empty() && f->state == state; });
    if (it != consent_flows_.end()) {
      flow = *it;
      consent_flows_.erase(it);  // single use
    } else if (state.empty()) {
      const auto n = std::count_if(consent_flows_.begin(), consent_flows_.end(), [](const auto& f) { return f->state.empty(); });
      const auto only = std::find_if(consent_flows_.begin(), consent_flows_.end(), [](const auto& f) { return f->state.empty(); });
      if (n == 1) {
        flow = *only;
        consent_flows_.erase(only);
      }
    }
  }
  if (!flow)
    return fail(Errc::permission_denied, "no authorisation of this console is waiting for this answer (expired after 15 "
                                         "minutes, used already, or started elsewhere); start it again");
  jobs::ConnectionLogWriter log(*flow->env);
  connectors::ConnectorContext ctx(flow->settings.name, *flow->http, *clock_, *flow->state_store,
                                   [&log](const connectors::ConnectionEvent& e) { log.add(e); });
  auto consent = flow->connector->finish_authorisation(ctx, query);
  (void)log.flush();
  if (!consent) return Unexpected{consent.error()};
  BANKREC_TRY(jobs::record_authorisation(*flow->env, flow->settings, *consent, flow->actor));
  spdlog::get("jobs")->info("connector consent finished connector={} actor={} state={}", flow->settings.name,
                            flow->actor, connectors::consent_state_name(consent->state));
  if (consent->state != connectors::ConsentStatus::State::valid)
    return fail(Errc::conflict, "connector '" + flow->settings.name + "': the consent is " +
                                    connectors::consent_state_name(consent->state) +
                                    (consent->detail.empty() ? "" : " (" + consent->detail + ")"));
  return flow->settings.name;
}

}  // namespace bankrec::app
