// The console's data API, read side: dashboard, statements, entries, errors, jobs, alerts, audit
// (issue 8). Every list pages by keyset (ConsoleDataRepo); every store use is under the store mutex.
#include "bankrec/http/api_data.h"

#include <chrono>

#include "api_data_util.h"
#include "api_data_routes.h"
#include "bankrec/domain/json.h"
#include "bankrec/store/audit_log.h"
#include "bankrec/store/jobs_repo.h"
#include "bankrec/store/console_data_repo.h"

namespace bankrec::http::data {
namespace {

json::object statement_json(const store::StatementRow& s) {
  json::object o;
  o["id"] = s.id;
  o["file_id"] = s.file_id;
  o["file_name"] = s.file_name;
  o["source"] = s.source;
  o["bank"] = s.bank;
  o["account_iban"] = s.account_iban;
  o["currency"] = s.currency;
  o["period_from"] = opt(s.period_from);
  o["period_to"] = opt(s.period_to);
  o["opening_balance"] = opt_money(s.opening_minor, s.currency);
  o["closing_balance"] = opt_money(s.closing_minor, s.currency);
  o["entries"] = s.entries;
  o["status"] = s.status;
  o["received_at"] = s.received_at;
  json::array warnings;
  for (const auto& w : s.warnings) warnings.emplace_back(w);
  o["warnings"] = std::move(warnings);
  return o;
}

std::optional<std::string> date_text(const std::optional<domain::Date>& d) {
  return d ? std::optional<std::string>(d->iso()) : std::nullopt;
}

json::object audit_json(const store::AuditEntry& e) {
  json::object o;
  o["seq"] = e.seq;
  o["at"] = e.time;
  o["actor"] = e.actor;
  o["action"] = e.action;
  o["object"] = e.object_type + ":" + e.object_id;
  boost::system::error_code ec;
  json::value details = json::parse(e.details, ec);
  o["detail"] = ec ? json::value(e.details) : std::move(details);
  o["hash"] = e.hash;
  return o;
}

std::string today(const Clock& clock) {
  const auto days = std::chrono::duration_cast<std::chrono::days>(clock.now().time_since_epoch()).count();
  return domain::Date::from_days(days).iso();
}

Response dashboard(DataApi& api) {
  return respond([&]() -> Result<Response> {
    store::Dashboard d;
    {
      std::lock_guard lock(api.store_mutex);
      d = BANKREC_TRY(store::ConsoleDataRepo(api.store).dashboard(today(api.clock)));
    }
    json::object o;
    json::array accounts, totals, history, intake, rate, connectors;
    for (const auto& a : d.accounts)
      accounts.emplace_back(json::object{{"iban", a.iban},
                                         {"currency", a.currency},
                                         {"bank", a.bank},
                                         {"balance", opt_money(a.balance_minor, a.currency)},
                                         {"balance_date", opt(a.balance_date)}});
    for (const auto& t : d.totals)
      totals.emplace_back(json::object{{"currency", t.currency}, {"amount", money_text(t.minor, t.currency)}});
    for (const auto& h : d.balance_history)
      history.emplace_back(
          json::object{{"date", h.date}, {"currency", h.currency}, {"amount", money_text(h.minor, h.currency)}});
    for (const auto& i : d.intake_today)
      intake.emplace_back(json::object{{"source", i.source}, {"files", i.files}, {"entries", i.entries}});
    for (const auto& r : d.auto_rate)
      rate.emplace_back(json::object{{"date", r.date},
                                     {"entries", r.entries},
                                     {"reconciled", r.reconciled},
                                     {"review", r.review},
                                     {"unmatched", r.unmatched}});
    for (const auto& c : d.connectors)
      connectors.emplace_back(json::object{{"name", c.name},
                                           {"type", c.type},
                                           {"state", c.state},
                                           {"light", c.light},
                                           {"last_success", opt(c.last_success)},
                                           {"consent_expires_at", opt(c.consent_expires_at)}});
    o["accounts"] = std::move(accounts);
    o["totals"] = std::move(totals);
    o["balance_history"] = std::move(history);
    o["intake_today"] = std::move(intake);
    o["auto_rate"] = std::move(rate);
    o["review_backlog"] = d.review_backlog;
    o["open_alerts"] = d.open_alerts;
    o["connectors"] = std::move(connectors);
    return json_response(200, o);
  });
}

Response list_statements(DataApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const Query q = BANKREC_TRY(Query::of(request, {"account", "source", "status", "from", "to", "limit", "after"}));
    store::StatementFilter filter;
    filter.account_iban = q.text("account");
    filter.source = q.text("source");
    filter.status = q.text("status");
    filter.from = BANKREC_TRY(q.date("from"));
    filter.to = BANKREC_TRY(q.date("to"));
    const auto page = BANKREC_TRY(q.page());
    std::lock_guard lock(api.store_mutex);
    const auto rows = BANKREC_TRY(store::ConsoleDataRepo(api.store).statements(filter, page));
    return json_response(200, page_json(rows, statement_json));
  });
}

Response get_statement(DataApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const std::int64_t id = BANKREC_TRY(id_param(request, "statement"));
    std::lock_guard lock(api.store_mutex);
    store::ConsoleDataRepo repo(api.store);
    const auto row = BANKREC_TRY(repo.statement(id));
    store::EntryFilter filter;
    filter.statement_id = id;
    filter.sort = store::EntrySort::booking_date_asc;
    const auto entries = BANKREC_TRY(repo.entries(filter, {.limit = 500, .after = {}}));
    json::object o = statement_json(row);
    json::array list;
    for (const auto& e : entries.items) list.emplace_back(entry_json(e));
    o["entry_count"] = row.entries;
    o["entries"] = std::move(list);  // the first 500 in booking order; entries?statement=ID pages through all
    o["entries_more"] = entries.next.has_value();
    return json_response(200, o);
  });
}

Response list_entries(DataApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const Query q = BANKREC_TRY(
        Query::of(request, {"account", "from", "to", "status", "min", "max", "q", "sort", "statement", "limit", "after"}));
    store::EntryFilter filter;
    filter.account_iban = q.text("account");
    filter.from = BANKREC_TRY(q.date("from"));
    filter.to = BANKREC_TRY(q.date("to"));
    filter.status = q.text("status");
    filter.min_minor = BANKREC_TRY(q.amount("min"));
    filter.max_minor = BANKREC_TRY(q.amount("max"));
    filter.q = q.text("q");
    filter.sort = BANKREC_TRY(store::parse_entry_sort(q.text("sort").value_or("")));
    if (auto s = q.text("statement")) {
      std::int64_t id = 0;
      const auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), id);
      if (ec != std::errc() || end != s->data() + s->size()) return fail(Errc::invalid_input, "statement must be an id");
      filter.statement_id = id;
    }
    const auto page = BANKREC_TRY(q.page());
    std::lock_guard lock(api.store_mutex);
    const auto rows = BANKREC_TRY(store::ConsoleDataRepo(api.store).entries(filter, page));
    return json_response(200, page_json(rows, entry_json));
  });
}

Response get_entry(DataApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const std::int64_t id = BANKREC_TRY(id_param(request, "entry"));
    std::lock_guard lock(api.store_mutex);
    store::ConsoleDataRepo repo(api.store);
    const auto row = BANKREC_TRY(repo.entry(id));
    json::object o = entry_json(row);
    boost::system::error_code ec;
    json::value fields = json::parse(domain::to_json(row.entry), ec);
    o["fields"] = ec ? json::value(json::object()) : std::move(fields);
    const auto matches = BANKREC_TRY(repo.matches_of(id));
    json::array list;
    // The entry's own audit entries, its matches' and its file's import, newest first.
    std::vector<store::AuditEntry> history = BANKREC_TRY(repo.audit_of("entry", std::to_string(id), 100));
    for (const auto& m : matches) {
      json::array allocations;
      std::int64_t total = 0;
      for (const auto& a : m.allocations) {
        allocations.emplace_back(json::object{{"item", a.item}, {"amount", money_text(a.amount_minor, a.currency)}});
        total += a.amount_minor;
      }
      json::value reasons = json::parse(m.reasons_json, ec);
      list.emplace_back(json::object{
          {"id", m.id},
          {"item", m.allocations.empty() ? json::value(nullptr) : json::value(m.allocations.front().item)},
          {"amount", money_text(total, row.entry.amount.currency().str())},
          {"decision", m.decision},
          {"status", m.status},
          {"score", m.score ? json::value(*m.score) : json::value(nullptr)},
          {"reasons", ec ? json::value(json::array()) : std::move(reasons)},
          {"decided_by", opt(m.decided_by)},
          {"decided_at", opt(m.decided_at)},
          {"allocations", std::move(allocations)}});
      auto more = BANKREC_TRY(repo.audit_of("match", std::to_string(m.id), 20));
      history.insert(history.end(), more.begin(), more.end());
    }
    auto file = BANKREC_TRY(repo.audit_of("source_file", std::to_string(row.source_file_id), 5));
    history.insert(history.end(), file.begin(), file.end());
    std::sort(history.begin(), history.end(), [](const auto& a, const auto& b) { return a.seq > b.seq; });
    json::array audit;
    for (const auto& e : history) audit.emplace_back(audit_json(e));
    o["matches"] = std::move(list);
    o["audit"] = std::move(audit);
    return json_response(200, o);
  });
}

Response list_errors(DataApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const Query q = BANKREC_TRY(Query::of(request, {"kind", "limit", "after"}));
    const auto page = BANKREC_TRY(q.page());
    std::lock_guard lock(api.store_mutex);
    const auto rows = BANKREC_TRY(store::ConsoleDataRepo(api.store).errors(q.text("kind"), page));
    return json_response(200, page_json(rows, [](const store::ErrorRow& e) {
                           return json::object{{"kind", e.kind},     {"id", e.id},         {"at", e.at},
                                               {"source", e.source}, {"message", e.message}, {"detail", e.detail},
                                               {"can_retry", e.can_retry}};
                         }));
  });
}

Response list_jobs(DataApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const Query q = BANKREC_TRY(Query::of(request, {"state", "limit", "after"}));
    const auto state = q.text("state");
    if (state) BANKREC_TRY(store::parse_job_state(*state));
    const auto page = BANKREC_TRY(q.page());
    std::lock_guard lock(api.store_mutex);
    const auto rows = BANKREC_TRY(store::ConsoleDataRepo(api.store).jobs(state, page));
    return json_response(200, page_json(rows, [](const store::JobRow& j) {
                           return json::object{{"id", j.id},
                                               {"kind", j.kind},
                                               {"state", j.state},
                                               {"attempts", j.attempts},
                                               {"last_error", opt(j.last_error)},
                                               {"created_at", j.created_at},
                                               {"next_run_at", j.run_after},
                                               {"dead_letter", j.dead_letter_id.has_value()}};
                         }));
  });
}

Response list_alerts(DataApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const Query q = BANKREC_TRY(Query::of(request, {"state", "limit", "after"}));
    const std::string state = q.text("state").value_or("open");
    if (state != "open" && state != "all") return fail(Errc::invalid_input, "state must be open or all");
    const auto page = BANKREC_TRY(q.page());
    std::lock_guard lock(api.store_mutex);
    const auto rows = BANKREC_TRY(store::ConsoleDataRepo(api.store).alerts(state == "open", page));
    return json_response(200, page_json(rows, [](const store::AlertRow& a) {
                           const auto nl = a.message.find('\n');
                           return json::object{
                               {"id", a.id},
                               {"kind", a.kind},
                               {"severity", a.severity},
                               {"title", a.message.substr(0, nl)},
                               {"detail", nl == std::string::npos ? std::string() : a.message.substr(nl + 1)},
                               {"state", a.state},
                               {"first_at", a.first_at},
                               {"last_at", a.last_at},
                               {"count", a.count},
                               {"object", opt(a.object)},
                               {"acknowledged_at", opt(a.acknowledged_at)},
                               {"acknowledged_by", opt(a.acknowledged_by)}};
                         }));
  });
}

Response list_audit(DataApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const Query q = BANKREC_TRY(Query::of(request, {"actor", "action", "object", "from", "to", "limit", "after"}));
    store::AuditFilter filter;
    filter.actor = q.text("actor");
    filter.action = q.text("action");
    filter.object = q.text("object");
    filter.from = q.text("from");
    filter.to = q.text("to");
    const auto page = BANKREC_TRY(q.page());
    std::lock_guard lock(api.store_mutex);
    const auto rows = BANKREC_TRY(store::ConsoleDataRepo(api.store).audit(filter, page));
    return json_response(200, page_json(rows, audit_json));
  });
}

/// What the last verification of the audit chain found, so the Audit page does not walk the whole
/// chain on every load (hundreds of thousands of entries and a signature per checkpoint): the whole
/// chain is walked on the first request, when asked (POST), and once it is a day old; in between a
/// request checks only the entries added since, from the last one verified.
struct ChainStatus {
  bool known = false;
  std::int64_t last_seq = 0;
  std::string last_hash;
  std::int64_t entries = 0, checkpoints = 0;
  std::chrono::system_clock::time_point whole_at;
};

constexpr std::chrono::hours kWholeChainEvery{24};

Response verify_audit(DataApi& api, ChainStatus& status, bool whole) {
  return respond([&]() -> Result<Response> {
    std::lock_guard lock(api.store_mutex);
    const auto now = api.clock.now();
    whole = whole || !status.known || now - status.whole_at >= kWholeChainEvery;
    const auto report = BANKREC_TRY(whole ? api.store.audit().verify()
                                          : api.store.audit().verify_after(status.last_seq, status.last_hash));
    if (!report.intact) {
      status.known = false;  // the next request walks the whole chain again
    } else if (whole) {
      status = {true, report.last_seq, report.last_hash, report.entries, report.checkpoints, now};
    } else {
      status.last_seq = report.last_seq;
      status.last_hash = report.last_hash;
      status.entries += report.entries;
      status.checkpoints += report.checkpoints;
    }
    json::object o;
    o["ok"] = report.intact;
    o["entries"] = report.intact ? status.entries : report.entries;
    o["checkpoints"] = report.intact ? status.checkpoints : report.checkpoints;
    o["first_bad_seq"] = report.intact ? json::value(nullptr) : json::value(report.first_bad_seq);
    o["message"] = report.intact ? std::string("the audit chain and its signed checkpoints are intact") : report.problem;
    o["whole_chain"] = whole;
    o["checked"] = report.entries;
    o["whole_chain_verified_at"] = report.intact ? json::value(store::utc_timestamp(status.whole_at)) : json::value(nullptr);
    o["public_key"] = api.store.audit().public_key_hex();
    return json_response(200, o);
  });
}

Response export_audit(DataApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const Query q = BANKREC_TRY(Query::of(request, {"from", "to"}));
    const std::string from = q.text("from").value_or("");
    std::string to = q.text("to").value_or("");
    if (to.size() == 10) to += "~";  // a date: the whole day
    std::string body;
    {
      std::lock_guard lock(api.store_mutex);
      BANKREC_TRY(api.store.audit().for_each(from, to, [&](const store::AuditEntry& e) -> Result<void> {
        body += store::audit_entry_to_json(e);
        body += '\n';
        return ok();
      }));
    }
    Response r = Response::text(200, std::move(body), "application/x-ndjson");
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"bankrec-audit.jsonl\"");
    return r;
  });
}

}  // namespace

json::object entry_json(const store::EntryRow& e) {
  json::object o;
  o["id"] = e.id;
  o["statement_id"] = e.statement_id;
  o["file_id"] = e.source_file_id;
  o["account_iban"] = e.account_iban;
  o["booking_date"] = opt(date_text(e.entry.booking_date));
  o["value_date"] = opt(date_text(e.entry.value_date));
  const std::string currency(e.entry.amount.currency().str());
  o["amount"] = money_text(e.entry.amount.minor(), currency);
  o["currency"] = currency;
  o["counterparty_name"] = opt(e.entry.counterparty.name);
  o["counterparty_iban"] = opt(e.entry.counterparty.iban);
  o["purpose"] = opt(e.entry.remittance);
  o["status"] = e.status;
  o["end_to_end_id"] = opt(e.entry.end_to_end_id);
  o["bank_reference"] = opt(e.entry.bank_reference);
  o["pending"] = e.entry.status == domain::EntryStatus::pending;
  return o;
}

void install_read_routes(Router& router, std::shared_ptr<DataApi> api) {
  const Access read = Access::need(Permission::read);
  router.add("GET", "/api/v1/dashboard", read, [api](const Request&) { return dashboard(*api); });
  router.add("GET", "/api/v1/statements", read, [api](const Request& r) { return list_statements(*api, r); });
  router.add("GET", "/api/v1/statements/{id}", read, [api](const Request& r) { return get_statement(*api, r); });
  router.add("GET", "/api/v1/entries", read, [api](const Request& r) { return list_entries(*api, r); });
  router.add("GET", "/api/v1/entries/{id}", read, [api](const Request& r) { return get_entry(*api, r); });
  router.add("GET", "/api/v1/errors", read, [api](const Request& r) { return list_errors(*api, r); });
  router.add("GET", "/api/v1/jobs", read, [api](const Request& r) { return list_jobs(*api, r); });
  router.add("GET", "/api/v1/alerts", read, [api](const Request& r) { return list_alerts(*api, r); });
  router.add("GET", "/api/v1/audit", read, [api](const Request& r) { return list_audit(*api, r); });
  auto chain = std::make_shared<ChainStatus>();  // guarded by store_mutex
  router.add("GET", "/api/v1/audit/verify", read,
             [api, chain](const Request&) { return verify_audit(*api, *chain, /*whole=*/false); });
  router.add("POST", "/api/v1/audit/verify", read,
             [api, chain](const Request&) { return verify_audit(*api, *chain, /*whole=*/true); });
  router.add("GET", "/api/v1/audit/export", read, [api](const Request& r) { return export_audit(*api, r); });
}

}  // namespace bankrec::http::data
