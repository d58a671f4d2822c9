// `bankrec connector list|secret|consent|sync|log` (issue 7): bank connectors as an operator sees
// them. Secrets come from standard input only and are stored encrypted; consent runs the bank's
// authorisation in a browser with a loopback redirect; sync is one fetch run now.
#include <unistd.h>

#include <utility>  // before Asio (g++ 12)

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "bankrec/app/exit_code.h"
#include "bankrec/jobs/alerts.h"
#include "bankrec/jobs/connector_run.h"
#include "bankrec/jobs/ingest.h"
#include "bankrec/net/http_client.h"
#include "alert_sink.h"
#include "commands.h"
#include "config.h"
#include "daemon_connectors.h"
#include "store_context.h"

namespace bankrec::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct Options {
  std::string name, kind;
  int redirect_port = 0;
  int timeout_seconds = 600;
  std::int64_t limit = 50;
};

/// Everything a connector command works on: config, store, connectors key, one connector built.
struct Session {
  AppConfig config;
  std::unique_ptr<StoreContext> ctx;
  std::unique_ptr<store::SecretKey> key;
  std::mutex mutex;
  formats::FormatRegistry formats;
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<connectors::Connector> connector;
  std::unique_ptr<jobs::AlertManager> alerts;
  std::unique_ptr<jobs::ConnectorEnv> env;
  const connectors::ConnectorSettings* settings = nullptr;
};

Result<std::unique_ptr<Session>> open_session(const GlobalOptions& global, bool create_key) {
  auto s = std::make_unique<Session>();
  s->config = BANKREC_TRY(load_config(global.config, /*required=*/global.config_given));
  s->ctx = BANKREC_TRY(open_store_context(global));
  s->key = std::make_unique<store::SecretKey>(BANKREC_TRY(store::open_connectors_key(connectors_key_where(global), create_key)));
  BANKREC_TRY(store::ConnectorsRepo(*s->ctx->store, *s->key).sync(connector_definitions(s->config), cli_actor()));
  return s;
}

/// Builds the named connector with its HTTP client and an alert manager on the same database (the
/// daemon delivers what is raised here from its outbox).
Result<void> build_connector(Session& s, std::string_view name) {
  s.settings = BANKREC_TRY(configured_connector(s.config, name));
  s.formats.add(jobs::statement_json_format());
  formats::register_builtin_formats(s.formats);
  s.http = BANKREC_TRY(net::make_http_client(s.settings->http, s.ctx->clock));
  s.connector = BANKREC_TRY(connectors::builtin_registry().create(*s.settings));
  s.alerts = BANKREC_TRY(jobs::AlertManager::create(alerts_config(s.config), *s.ctx->store, s.ctx->clock));
  jobs::ConnectorAlertFn alert = [&s](const jobs::ConnectorAlert& a) {
    if (a.resolve) {
      (void)s.alerts->resolve(a.kind, a.key);
      return;
    }
    if (auto r = s.alerts->raise(a.kind, a.key, a.severity, a.message, jobs::AlertObject{"connector", s.settings->name}); !r)
      std::cerr << "bankrec: warning: cannot record alert: " << r.error().message << '\n';
    std::cerr << "bankrec: alert " << jobs::alert_kind_name(a.kind) << ": " << a.message << '\n';
  };
  jobs::IngestOptions ingest;
  ingest.import.batch_entries = static_cast<int>(s.config.import_batch_size);
  ingest.import.pending_expiry_days = static_cast<int>(s.config.pending_expiry_days);
  s.env = std::make_unique<jobs::ConnectorEnv>(jobs::ConnectorEnv{*s.ctx->store, s.mutex, *s.key, s.formats, s.ctx->clock,
                                                                  *s.http, alert, nullptr, ingest});
  return ok();
}

int run_list(const GlobalOptions& global) {
  auto s = open_session(global, /*create_key=*/true);
  if (!s) return report_error(s.error());
  store::ConnectorsRepo repo(*(*s)->ctx->store, *(*s)->key);
  auto rows = repo.list();
  if (!rows) return report_error(rows.error());
  std::printf("%-20s %-11s %-8s %-14s %-24s %-24s %s\n", "NAME", "TYPE", "ENABLED", "STATE", "CONSENT", "LAST_SUCCESS",
              "CURSORS");
  for (const auto& r : *rows) {
    auto consent = repo.consent(r.name);
    std::string consent_text = "-";
    if (consent && *consent)
      consent_text = (*consent)->state + ((*consent)->valid_until ? " until " + (*consent)->valid_until->iso() : "");
    std::string cursors;
    if (auto list = repo.cursors(r.name))
      for (const auto& c : *list)
        cursors += (cursors.empty() ? "" : " ") + c.account + "=" + (c.booked_through ? c.booked_through->iso() : "-");
    std::printf("%-20s %-11s %-8s %-14s %-24s %-24s %s\n", r.name.c_str(), r.kind.c_str(), r.enabled ? "yes" : "no",
                r.state.c_str(), consent_text.c_str(), r.last_success_at.value_or("-").c_str(),
                cursors.empty() ? "-" : cursors.c_str());
  }
  return kExitOk;
}

int run_secret(const Options& o, const GlobalOptions& global) {
  if (::isatty(STDIN_FILENO)) std::cerr << "enter the " << o.kind << " for " << o.name << " and press Ctrl-D:\n";
  std::string value((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  auto s = open_session(global, /*create_key=*/true);
  if (!s) return report_error(s.error());
  if (auto known = configured_connector((*s)->config, o.name); !known) return report_error(known.error());
  auto stored = store::ConnectorsRepo(*(*s)->ctx->store, *(*s)->key).store_secret(o.name, o.kind, value, cli_actor());
  std::fill(value.begin(), value.end(), '\0');
  if (!stored) return report_error(stored.error());
  std::cout << "connector " << o.name << ": secret " << o.kind << " stored (encrypted)\n";
  return kExitOk;
}

/// Waits for the bank's redirect to http://127.0.0.1:PORT/callback and returns its query.
Result<std::map<std::string, std::string>> await_callback(tcp::acceptor& acceptor, int timeout_seconds) {
  asio::io_context& io = static_cast<asio::io_context&>(acceptor.get_executor().context());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  for (;;) {
    tcp::socket socket(io);
    boost::system::error_code ec;
    acceptor.async_accept(socket, [&](boost::system::error_code e) { ec = e; });
    io.restart();
    io.run_until(deadline);
    if (!socket.is_open() || ec) {
      acceptor.cancel();
      return fail(Errc::unavailable, "no redirect from the bank arrived within " + std::to_string(timeout_seconds) + " s");
    }
    beast::flat_buffer buffer;
    beast::http::request<beast::http::string_body> request;
    beast::http::read(socket, buffer, request, ec);
    if (ec) continue;
    const std::string target(request.target());
    beast::http::response<beast::http::string_body> response;
    response.version(request.version());
    response.set(beast::http::field::content_type, "text/html; charset=utf-8");
    response.set(beast::http::field::cache_control, "no-store");
    if (!target.starts_with("/callback")) {
      response.result(beast::http::status::not_found);
      response.body() = "not found";
      response.prepare_payload();
      beast::http::write(socket, response, ec);
      continue;
    }
    std::map<std::string, std::string> query;
    const auto parsed = boost::urls::parse_origin_form(target);
    if (parsed)
      for (const auto& p : parsed->params()) query[std::string(p.key)] = std::string(p.value);
    response.result(beast::http::status::ok);
    response.body() = "<!doctype html><title>bankrec</title><p>bankrec received the bank's answer. You can close this window.</p>";
    response.prepare_payload();
    beast::http::write(socket, response, ec);
    return query;
  }
}

int run_consent(const Options& o, const GlobalOptions& global) {
  auto s = open_session(global, /*create_key=*/true);
  if (!s) return report_error(s.error());
  if (auto r = build_connector(**s, o.name); !r) return report_error(r.error());
  Session& session = **s;
  asio::io_context io;
  boost::system::error_code ec;
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(o.redirect_port));
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return report_error({Errc::unavailable, "cannot listen on 127.0.0.1:" + std::to_string(o.redirect_port) + ": " + ec.message(), {}});
  const std::string redirect = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/callback";

  jobs::StoreConnectorState state(*session.ctx->store, session.mutex, *session.key, o.name);
  jobs::ConnectionLogWriter log(*session.env);
  connectors::ConnectorContext cctx(o.name, *session.http, session.ctx->clock, state,
                                    [&log](const connectors::ConnectionEvent& e) { log.add(e); });
  auto start = session.connector->begin_authorisation(cctx, redirect);
  (void)log.flush();
  if (!start) return report_error(start.error());
  std::map<std::string, std::string> callback;
  if (start->url.empty()) {
    // Decoupled SCA: nothing to open; the bank asks the account holder in its app, and
    // finish_authorisation() waits for its verdict.
    std::cout << start->message << " ...\n" << std::flush;
  } else {
    std::cout << "open this address in a browser and approve the access at the bank:\n" << start->url << '\n'
              << (start->message.empty() ? "" : start->message + "\n") << "waiting for the redirect to " << redirect
              << " ...\n"
              << std::flush;
    auto received = await_callback(acceptor, o.timeout_seconds);
    if (!received) return report_error(received.error());
    callback = std::move(*received);
    // OAuth sends `state` back; Bridge Connect calls it `context`.
    const std::string returned = callback.contains("state") ? callback["state"] : callback["context"];
    if (!start->state.empty() && returned != start->state)
      return report_error({Errc::permission_denied, "the redirect's state does not match this authorisation (ignored)", {}});
  }
  auto consent = session.connector->finish_authorisation(cctx, callback);
  (void)log.flush();
  if (!consent) return report_error(consent.error());
  if (auto r = jobs::record_authorisation(*session.env, *session.settings, *consent, cli_actor()); !r)
    return report_error(r.error());
  std::cout << "connector " << o.name << ": consent " << connectors::consent_state_name(consent->state);
  if (consent->valid_until) std::cout << " until " << consent->valid_until->iso();
  std::cout << '\n';
  return consent->state == connectors::ConsentStatus::State::valid ? kExitOk : kExitBadInput;
}

int run_sync(const Options& o, const GlobalOptions& global) {
  auto s = open_session(global, /*create_key=*/true);
  if (!s) return report_error(s.error());
  if (auto r = build_connector(**s, o.name); !r) return report_error(r.error());
  Session& session = **s;
  const auto report = jobs::run_connector(*session.connector, *session.settings, *session.env);
  for (const auto& a : report.accounts)
    std::printf("%s %s..%s %s new=%lld skipped=%lld cursor=%s\n", a.account.c_str(), a.from.iso().c_str(),
                a.to.iso().c_str(), a.status.c_str(), static_cast<long long>(a.entries_new),
                static_cast<long long>(a.entries_skipped), a.cursor ? a.cursor->iso().c_str() : "-");
  if (report.skipped) {
    std::cout << "connector " << o.name << ": "
              << (report.stopped ? "stopped until `bankrec connector consent " + o.name + "`" : std::string("disabled"))
              << '\n';
    return report.stopped ? kExitBadInput : kExitOk;
  }
  if (report.outcome.kind != jobs::JobOutcome::Kind::succeeded) {
    Error e = report.outcome.error;
    if (report.outcome.retry_after) e.message += " (retry after " + std::to_string(report.outcome.retry_after->count()) + " s)";
    return report_error(e);
  }
  std::cout << "connector " << o.name << ": " << report.accounts.size() << " accounts, " << report.entries_new
            << " new entries" << (report.gaps_closed > 0 ? ", " + std::to_string(report.gaps_closed) + " gaps closed" : "")
            << '\n';
  return kExitOk;
}

int run_log(const Options& o, const GlobalOptions& global) {
  auto s = open_session(global, /*create_key=*/true);
  if (!s) return report_error(s.error());
  auto rows = store::ConnectorsRepo(*(*s)->ctx->store, *(*s)->key).log(o.name, o.limit);
  if (!rows) return report_error(rows.error());
  std::printf("%-25s %-24s %-13s %-10s %-6s %-8s %s\n", "TIME", "ACCOUNT", "OPERATION", "OUTCOME", "STATUS", "MS",
              "REQUEST_ID");
  for (const auto& r : *rows)
    std::printf("%-25s %-24s %-13s %-10s %-6d %-8lld %s\n", r.at.c_str(), r.account.empty() ? "-" : r.account.c_str(),
                r.operation.c_str(), r.outcome.c_str(), r.http_status, static_cast<long long>(r.elapsed_ms),
                r.request_id.c_str());
  return kExitOk;
}

}  // namespace

void add_connector_commands(CLI::App& cli, CommandTable& table) {
  auto* conn = cli.add_subcommand("connector", "bank connectors: list, secrets, bank consent, sync now, connection log");
  conn->require_subcommand(1);
  auto* list = conn->add_subcommand("list", "configured connectors: type, state, consent, last success, cursors");
  table.push_back({list, [](const GlobalOptions& g) { return run_list(g); }});

  auto secret_opts = std::make_shared<Options>();
  auto* secret = conn->add_subcommand("secret", "store a secret (read from standard input, never an argument), encrypted");
  secret->add_option("NAME", secret_opts->name, "connector name")->required();
  secret->add_option("KIND", secret_opts->kind, "client_secret, secret_key, ... as the connector type names it")->required();
  table.push_back({secret, [secret_opts](const GlobalOptions& g) { return run_secret(*secret_opts, g); }});

  auto consent_opts = std::make_shared<Options>();
  auto* consent = conn->add_subcommand("consent", "authorise access at the bank in a browser (loopback redirect)");
  consent->add_option("NAME", consent_opts->name, "connector name")->required();
  consent->add_option("--redirect-port", consent_opts->redirect_port, "port of http://127.0.0.1:PORT/callback (default: any free)")
      ->check(CLI::Range(0, 65535));
  consent->add_option("--timeout", consent_opts->timeout_seconds, "seconds to wait for the redirect (default 600)")
      ->check(CLI::Range(1, 3600));
  table.push_back({consent, [consent_opts](const GlobalOptions& g) { return run_consent(*consent_opts, g); }});

  auto sync_opts = std::make_shared<Options>();
  auto* sync = conn->add_subcommand("sync", "fetch and import now (one run, as the schedule would)");
  sync->add_option("NAME", sync_opts->name, "connector name")->required();
  table.push_back({sync, [sync_opts](const GlobalOptions& g) { return run_sync(*sync_opts, g); }});

  auto log_opts = std::make_shared<Options>();
  auto* log = conn->add_subcommand("log", "the connection log: every request to the bank, newest first");
  log->add_option("NAME", log_opts->name, "connector name")->required();
  log->add_option("--limit", log_opts->limit, "at most this many (default 50)")->check(CLI::Range(1, 100000));
  table.push_back({log, [log_opts](const GlobalOptions& g) { return run_log(*log_opts, g); }});
}

}  // namespace bankrec::app
