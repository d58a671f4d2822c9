// The console's part of DaemonConnectors (issue 7's re-authorisation link, issue 8's connectors
// page): run now, and the bank authorisation hosted by the console instead of the CLI's loopback
// listener. A flow keeps its own connector instance between start and callback (PKCE verifier and
// state live in it), as `bankrec connector consent` does within one process. A decoupled
// authorisation (the person approves in the banking app; nothing to open) is waited for on a thread
// of the flow's own, which polls the bank's consent status; the console's page polls its progress.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <thread>

#include "bankrec/domain/json.h"
#include "bankrec/http/api_admin.h"
#include "bankrec/jobs/connector_run.h"
#include "bankrec/net/http_client.h"
#include "bankrec/store/audit_log.h"
#include "daemon_connectors.h"

namespace bankrec::app {

namespace {

constexpr auto kConsentLifetime = std::chrono::minutes(15);
constexpr std::size_t kMaxConsentFlows = 16;

/// The daemon's clock for a decoupled wait, except that a cancelled wait's steady time jumps past
/// any polling deadline: the connector's poll loop then ends at once instead of asking the bank on.
class CancellableClock final : public Clock {
 public:
  CancellableClock(const Clock& real, const std::atomic<bool>& cancelled) : real_(real), cancelled_(cancelled) {}
  std::chrono::system_clock::time_point now() const override { return real_.now(); }
  std::chrono::steady_clock::time_point steady_now() const override {
    return real_.steady_now() + (cancelled_.load() ? std::chrono::hours(24 * 365) : std::chrono::hours(0));
  }

 private:
  const Clock& real_;
  const std::atomic<bool>& cancelled_;
};

/// Moves the flows older than kConsentLifetime from `flows` to `gone` (destroyed by the caller
/// after it released its lock).
template <class Flows>
void take_expired(Flows& flows, Flows& gone, std::chrono::steady_clock::time_point now) {
  for (auto it = flows.begin(); it != flows.end();)
    if (now - (*it)->started > kConsentLifetime) {
      gone.push_back(std::move(*it));
      it = flows.erase(it);
    } else {
      ++it;
    }
}

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

  // A decoupled flow's progress, under `progress_mutex`; its waiting thread never takes
  // consents_mutex_, and the flow's destructor stops and joins it.
  bool decoupled = false;
  std::string started_at;
  std::mutex progress_mutex;
  std::condition_variable wake;
  std::atomic<bool> cancelled{false};
  std::string status = "pending", message, finished_at, valid_until;
  std::thread worker;

  ConsentFlow() = default;
  ConsentFlow(const ConsentFlow&) = delete;
  ConsentFlow& operator=(const ConsentFlow&) = delete;
  ~ConsentFlow() {
    {
      std::lock_guard lock(progress_mutex);
      cancelled = true;
    }
    wake.notify_all();
    if (worker.joinable()) worker.join();
  }
  void finish(std::string outcome, std::string text, std::string finished, std::string until = {}) {
    std::lock_guard lock(progress_mutex);
    status = std::move(outcome);
    message = std::move(text);
    finished_at = std::move(finished);
    valid_until = std::move(until);
  }
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
  flow->state = start->state;
  flow->decoupled = start->url.empty();
  flow->message = start->message;
  flow->started_at = store::utc_timestamp(clock_->now());
  // Flows that leave the list are destroyed after the lock is released: a decoupled one joins its
  // waiting thread, which may be inside a request to the bank.
  std::vector<std::shared_ptr<ConsentFlow>> gone;
  {
    std::lock_guard lock(consents_mutex_);
    take_expired(consent_flows_, gone, clock_->steady_now());
    // A new start of the same connector replaces an older one; the list stays bounded.
    for (auto it = consent_flows_.begin(); it != consent_flows_.end();)
      if ((*it)->settings.name == settings.name) {
        gone.push_back(std::move(*it));
        it = consent_flows_.erase(it);
      } else {
        ++it;
      }
    if (consent_flows_.size() >= kMaxConsentFlows) {
      gone.push_back(std::move(consent_flows_.front()));
      consent_flows_.erase(consent_flows_.begin());
    }
    consent_flows_.push_back(flow);
  }
  if (flow->decoupled) flow->worker = std::thread([this, raw = flow.get()] { wait_decoupled(*raw); });
  spdlog::get("jobs")->info("connector consent started connector={} actor={} approach={}", settings.name, actor,
                            flow->decoupled ? "decoupled" : "redirect");
  return start->url;
}

void DaemonConnectors::wait_decoupled(ConsentFlow& flow) {
  const std::string& name = flow.settings.name;
  CancellableClock clock(*clock_, flow.cancelled);
  jobs::ConnectionLogWriter log(*flow.env);
  connectors::ConnectorContext ctx(name, *flow.http, clock, *flow.state_store,
                                   [&log](const connectors::ConnectionEvent& e) { log.add(e); });
  ctx.set_sleeper([&flow](std::chrono::milliseconds delay) {
    std::unique_lock lock(flow.progress_mutex);
    flow.wake.wait_for(lock, delay, [&flow] { return flow.cancelled.load(); });
  });
  auto consent = flow.connector->finish_authorisation(ctx, {});
  (void)log.flush();
  const auto finished = [this] { return store::utc_timestamp(clock_->now()); };
  if (flow.cancelled) return flow.finish("failed", "the wait for the bank was stopped", finished());
  if (!consent) {
    spdlog::get("jobs")->warn("connector consent failed connector={} actor={} error=\"{}\"", name, flow.actor,
                              consent.error().message);
    return flow.finish("failed", consent.error().message, finished());
  }
  if (auto recorded = jobs::record_authorisation(*flow.env, flow.settings, *consent, flow.actor); !recorded)
    return flow.finish("failed", "the consent could not be recorded: " + recorded.error().message, finished());
  spdlog::get("jobs")->info("connector consent finished connector={} actor={} state={}", name, flow.actor,
                            connectors::consent_state_name(consent->state));
  if (consent->state != connectors::ConsentStatus::State::valid)
    return flow.finish("failed",
                       std::string("the consent is ") + connectors::consent_state_name(consent->state) +
                           (consent->detail.empty() ? "" : " (" + consent->detail + ")"),
                       finished());
  flow.finish("valid", {}, finished(), consent->valid_until ? consent->valid_until->iso() : std::string());
}

std::optional<http::ConsentProgress> DaemonConnectors::consent_progress(const std::string& name) {
  std::shared_ptr<ConsentFlow> flow;
  std::vector<std::shared_ptr<ConsentFlow>> gone;
  {
    std::lock_guard lock(consents_mutex_);
    take_expired(consent_flows_, gone, clock_->steady_now());
    for (const auto& f : consent_flows_)
      if (f->settings.name == name) flow = f;
  }
  if (!flow) return std::nullopt;
  http::ConsentProgress p;
  p.approach = flow->decoupled ? "decoupled" : "redirect";
  p.started_at = flow->started_at;
  std::lock_guard lock(flow->progress_mutex);
  p.state = flow->status;
  p.message = flow->message;
  p.finished_at = flow->finished_at;
  p.valid_until = flow->valid_until;
  return p;
}

Result<std::string> DaemonConnectors::finish_consent(const std::map<std::string, std::string>& query) {
  const auto it_state = query.find("state");
  const std::string state = it_state == query.end() ? std::string() : it_state->second;
  std::shared_ptr<ConsentFlow> flow;
  std::vector<std::shared_ptr<ConsentFlow>> gone;
  {
    std::lock_guard lock(consents_mutex_);
    take_expired(consent_flows_, gone, clock_->steady_now());
    // The state names the flow; a bank that echoes none matches only a flow that expects none.
    const auto it = std::find_if(consent_flows_.begin(), consent_flows_.end(),
                                 [&](const auto& f) { return !f->decoupled && !f->state.empty() && f->state == state; });
    if (it != consent_flows_.end()) {
      flow = *it;
      consent_flows_.erase(it);  // single use
    } else if (state.empty()) {
      const auto waits_without_state = [](const auto& f) { return !f->decoupled && f->state.empty(); };
      const auto n = std::count_if(consent_flows_.begin(), consent_flows_.end(), waits_without_state);
      const auto only = std::find_if(consent_flows_.begin(), consent_flows_.end(), waits_without_state);
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
