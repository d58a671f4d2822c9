// Bank connectors over HTTP: status, connection log, run now (a fetch job), and the consent flow
// hosted by the console (issue 7's re-authorisation link): start → the bank's URL; the bank
// redirects the admin's browser to /api/v1/connectors/callback, which completes the code exchange.
// A decoupled consent (the person approves in the banking app) has no URL: the daemon polls the
// bank, and the page polls GET .../consent for the progress until the bank decides.
#include "api_admin_util.h"
#include "bankrec/jobs/queue.h"
#include "bankrec/jobs/scheduler.h"
#include "bankrec/store/connectors_repo.h"
#include "bankrec/store/console_admin_repo.h"

namespace bankrec::http::admin {
namespace {

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

Result<store::ConnectorsRepo> repo_of(const AdminApi& api) {
  if (api.connectors_key == nullptr) return fail(Errc::unavailable, "connectors are not available in this daemon");
  return store::ConnectorsRepo(api.db, *api.connectors_key);
}

Result<json::object> connector_json(const AdminApi& api, store::ConnectorsRepo& repo, const store::ConnectorRow& row) {
  json::object o;
  o["name"] = row.name;
  o["type"] = row.kind;
  o["enabled"] = row.enabled;
  o["state"] = row.state;
  o["state_detail"] = text_or_null(row.state_detail);
  o["last_run"] = text_or_null(row.last_run_at);
  o["last_status"] = text_or_null(row.last_status);
  o["last_success"] = text_or_null(row.last_success_at);
  o["last_error"] = row.last_status && *row.last_status != "ok" ? json::value(*row.last_status) : json::value(nullptr);
  const auto consent = BANKREC_TRY(repo.consent(row.name));
  o["consent_state"] = consent ? json::value(consent->state) : json::value(nullptr);
  o["consent_expires_at"] =
      consent && consent->valid_until ? json::value(consent->valid_until->iso()) : json::value(nullptr);
  o["next_run"] = nullptr;
  if (row.enabled && row.state == "active")
    if (auto schedule = jobs::Schedule::parse(row.schedule))
      if (auto next = schedule->next_after(api.clock.now())) o["next_run"] = store::utc_timestamp(*next);
  json::array accounts;
  for (const auto& c : BANKREC_TRY(repo.cursors(row.name))) accounts.emplace_back(c.account);
  o["accounts"] = std::move(accounts);
  return o;
}

Response list_connectors(const AdminApi& api) {
  return respond([&]() -> Result<Response> {
    json::array items;
    if (api.connectors_key != nullptr) {
      std::lock_guard lock(api.db_mutex);
      auto repo = BANKREC_TRY(repo_of(api));
      for (const auto& row : BANKREC_TRY(repo.list())) items.push_back(BANKREC_TRY(connector_json(api, repo, row)));
    }
    return json_response(200, json::object{{"items", std::move(items)}, {"next", nullptr}});
  });
}

Response connector_log(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const auto params = query_params(request);
    const std::size_t limit = BANKREC_TRY(limit_param(params));
    const std::int64_t before = BANKREC_TRY(after_param(params));
    const std::string name(request.param("name"));
    std::lock_guard lock(api.db_mutex);
    auto repo = BANKREC_TRY(repo_of(api));
    BANKREC_TRY(repo.get(name));  // not_found for an unknown connector
    const auto rows = BANKREC_TRY(store::ConsoleAdminRepo(api.db).connector_log(name, before, limit));
    json::array items;
    for (const auto& r : rows)
      items.push_back(json::object{{"id", r.id},
                                   {"at", r.at},
                                   {"account", text_or_null(r.account)},
                                   {"operation", r.operation},
                                   {"outcome", r.outcome},
                                   {"status", r.http_status},
                                   {"request_id", text_or_null(r.request_id)},
                                   {"elapsed_ms", r.elapsed_ms},
                                   {"message", r.operation + " " + r.outcome}});
    return json_response(200, page(std::move(items), limit, rows.empty() ? 0 : rows.back().id));
  });
}

Response run_now(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    if (!api.run_connector) return fail(Errc::unavailable, "connectors are not available in this daemon");
    const std::int64_t job = BANKREC_TRY(api.run_connector(std::string(request.param("name")), request.principal->name));
    return json_response(202, json::object{{"job_id", job}});
  });
}

/// The console's own origin as the browser reached it: the callback must come back here.
Result<std::string> origin_of(const Request& request) {
  const std::string_view host = request.header("Host");
  if (host.empty() || host.size() > 255) return fail(Errc::invalid_input, "request has no usable Host header");
  for (char c : host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' && c != '[' && c != ']')
      return fail(Errc::invalid_input, "request has no usable Host header");
  return "https://" + std::string(host);
}

Response start_consent(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    if (!api.start_consent) return fail(Errc::unavailable, "connectors are not available in this daemon");
    const std::string redirect = BANKREC_TRY(origin_of(request)) + "/api/v1/connectors/callback";
    const std::string name(request.param("name"));
    const std::string url = BANKREC_TRY(api.start_consent(name, redirect, request.principal->name));
    json::object out{{"url", url.empty() ? json::value(nullptr) : json::value(url)}, {"redirect_uri", redirect}};
    const auto progress = api.consent_progress ? api.consent_progress(name) : std::nullopt;
    out["approach"] = progress ? progress->approach : std::string(url.empty() ? "decoupled" : "redirect");
    out["state"] = progress ? progress->state : std::string("pending");
    out["message"] = progress ? json::value(progress->message) : json::value(nullptr);
    return json_response(200, std::move(out));
  });
}

Response consent_progress(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    if (!api.consent_progress) return fail(Errc::unavailable, "connectors are not available in this daemon");
    const std::string name(request.param("name"));
    {
      std::lock_guard lock(api.db_mutex);
      auto repo = BANKREC_TRY(repo_of(api));
      BANKREC_TRY(repo.get(name));  // not_found for an unknown connector
    }
    const auto p = api.consent_progress(name);
    if (!p) return json_response(200, json::object{{"state", "none"}});
    const auto or_null = [](const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); };
    return json_response(200, json::object{{"approach", p->approach},
                                           {"state", p->state},
                                           {"message", or_null(p->message)},
                                           {"started_at", or_null(p->started_at)},
                                           {"finished_at", or_null(p->finished_at)},
                                           {"valid_until", or_null(p->valid_until)}});
  });
}

Response callback(const AdminApi& api, const Request& request) {
  const auto page = [](int status, const std::string& text) {
    return Response::text(status,
                          "<!doctype html><html><head><meta charset=\"utf-8\"><title>bankrec</title></head><body><p>" +
                              html_escape(text) + "</p><p><a href=\"/#/connectors\">Back to the connectors</a></p></body></html>",
                          "text/html; charset=utf-8");
  };
  if (!api.finish_consent) return page(503, "connectors are not available in this daemon");
  const auto params = query_params(request);
  auto name = api.finish_consent(params);
  if (!name) return page(status_for(name.error().code), "the bank's authorisation was not completed: " + name.error().message);
  Response r = Response::text(303, {}, "text/plain; charset=utf-8");
  r.headers.emplace_back("Location", "/#/connectors?consent=" + *name);
  return r;
}

}  // namespace

void install_connector_routes(Router& router, std::shared_ptr<const AdminApi> api) {
  const Access read = Access::need(Permission::read);
  const Access manage = Access::need(Permission::manage_connectors);
  router.add("GET", "/api/v1/connectors", read, [api](const Request&) { return list_connectors(*api); });
  router.add("GET", "/api/v1/connectors/{name}/log", read, [api](const Request& r) { return connector_log(*api, r); });
  router.add("POST", "/api/v1/connectors/{name}/run", manage, [api](const Request& r) { return run_now(*api, r); });
  router.add("POST", "/api/v1/connectors/{name}/consent", manage.with_step_up(),
             [api](const Request& r) { return start_consent(*api, r); });
  router.add("GET", "/api/v1/connectors/{name}/consent", manage,
             [api](const Request& r) { return consent_progress(*api, r); });
  // The bank's redirect: a cross-site navigation carries no SameSite=Strict cookie, so no session;
  // the state (random, single-use, expiring, bound to the admin's step-up'd start) authorises it.
  Access anyone = Access::anyone();
  anyone.blocking = true;  // the token exchange and the database
  router.add("GET", "/api/v1/connectors/callback", anyone, [api](const Request& r) { return callback(*api, r); });
}

}  // namespace bankrec::http::admin
