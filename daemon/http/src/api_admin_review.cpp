// The review queue and open items over HTTP: the console's version of `bankrec review ...`, on the
// same jobs/reconcile_review functions. A decision with a write-off needs the approve permission and
// a fresh step-up besides the review permission of the route.
#include <algorithm>
#include <cstdlib>

#include "api_admin_util.h"
#include "bankrec/jobs/reconcile_review.h"
#include "bankrec/store/console_admin_repo.h"
#include "bankrec/store/reconcile_repo.h"

namespace bankrec::http::admin {
namespace {

bool may(const Principal& p, Permission permission) {
  if (!role_has(p.role, permission)) return false;
  if (!p.token_id) return true;
  return std::find(p.token_scopes.begin(), p.token_scopes.end(), permission) != p.token_scopes.end();
}

/// A write-off is an approval: approve permission and a fresh one-time code.
std::optional<Response> refuse_writeoff(const Principal& p) {
  if (!may(p, Permission::approve)) return Response::error(403, "forbidden", "a write-off needs the approver role");
  if (!p.step_up_fresh) return Response::error(403, "step_up_required", "confirm with a fresh one-time code first");
  return std::nullopt;
}

json::object entry_json(const store::EntrySummary& e, const std::string& purpose) {
  json::object o;
  o["id"] = e.id;
  o["statement_id"] = e.statement_id;
  o["account_iban"] = e.account_iban;
  o["booking_date"] = text_or_null(e.booking_date);
  o["value_date"] = text_or_null(e.value_date);
  o["amount"] = money_text(e.amount_minor, e.currency);
  o["currency"] = e.currency;
  o["counterparty_name"] = text_or_null(e.counterparty_name);
  o["counterparty_iban"] = text_or_null(e.counterparty_iban);
  o["purpose"] = text_or_null(purpose);
  o["status"] = e.status;
  o["end_to_end_id"] = text_or_null(e.end_to_end_id);
  o["bank_reference"] = text_or_null(e.bank_reference);
  o["pending"] = e.pending;
  return o;
}

json::value reasons_of(const std::string& reasons_json) {
  boost::system::error_code ec;
  json::value v = json::parse(reasons_json, ec);
  return ec ? json::value(json::array()) : v;
}

Result<json::object> match_json(store::ReconcileRepo& repo, const store::MatchView& m, const std::string& currency,
                                const std::vector<store::WriteoffView>& writeoffs) {
  json::object o;
  o["index"] = m.rank ? json::value(*m.rank) : json::value(nullptr);
  o["match_id"] = m.id;
  o["decision"] = m.decision;
  o["status"] = m.status;
  o["score"] = m.score;
  o["shadow_auto"] = m.shadow_auto;
  json::array matches;
  for (const auto& a : m.allocations) {
    const auto item = BANKREC_TRY(repo.item_balance(a.item_key));
    const std::string cur = a.currency.empty() ? currency : a.currency;
    matches.push_back(json::object{{"item", a.item_key},
                                   {"amount", money_text(a.amount_minor, cur)},
                                   {"partner", item ? json::value(item->partner_key) : json::value(nullptr)}});
  }
  o["matches"] = std::move(matches);
  o["reasons"] = reasons_of(m.reasons_json);
  o["writeoff"] = nullptr;
  for (const auto& w : writeoffs)
    if (w.match_id == m.id)
      o["writeoff"] = json::object{{"amount", money_text(w.amount_minor, currency)}, {"reason", w.reason}};
  return o;
}

/// The review object of one entry: its summary and its proposed suggestions by rank (`history`:
/// every match it had, oldest first).
Result<json::object> review_json(store::Store& db, std::int64_t entry_id, bool history) {
  store::ReconcileRepo repo(db);
  store::ConsoleAdminRepo admin(db);
  const store::ReviewItem item = BANKREC_TRY(repo.review_entry(entry_id));
  const auto summaries = BANKREC_TRY(admin.entry_summaries({entry_id}));
  if (summaries.empty()) return fail(Errc::not_found, "entry " + std::to_string(entry_id) + " not found");
  const auto writeoffs = BANKREC_TRY(admin.writeoffs_of_entry(entry_id));
  std::vector<store::MatchView> proposed;
  for (const auto& m : item.suggestions)
    if (m.status == "proposed" && m.rank) proposed.push_back(m);
  std::sort(proposed.begin(), proposed.end(), [](const auto& a, const auto& b) { return *a.rank < *b.rank; });
  json::object o;
  o["entry"] = entry_json(summaries.front(), item.remittance);
  json::array suggestions;
  for (const auto& m : proposed) suggestions.push_back(BANKREC_TRY(match_json(repo, m, item.currency, writeoffs)));
  o["suggestions"] = std::move(suggestions);
  if (history) {
    json::array all;
    for (const auto& m : item.suggestions) all.push_back(BANKREC_TRY(match_json(repo, m, item.currency, writeoffs)));
    o["history"] = std::move(all);
  }
  return o;
}

Response list_review(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const auto params = query_params(request);
    const std::size_t limit = BANKREC_TRY(limit_param(params));
    const std::int64_t after = BANKREC_TRY(after_param(params));
    std::string account;
    for (char c : param_or(params, "account"))
      if (c != ' ') account += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::lock_guard lock(api.db_mutex);
    const auto ids = BANKREC_TRY(store::ConsoleAdminRepo(api.db).review_ids(after, account, limit));
    json::array items;
    for (const std::int64_t id : ids) items.push_back(BANKREC_TRY(review_json(api.db, id, false)));
    return json_response(200, page(std::move(items), limit, ids.empty() ? 0 : ids.back()));
  });
}

Response show_review(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const std::int64_t id = BANKREC_TRY(id_param(request, "entry_id", "entry"));
    std::lock_guard lock(api.db_mutex);
    return json_response(200, BANKREC_TRY(review_json(api.db, id, true)));
  });
}

Response decided(std::string_view status, std::int64_t match_id) {
  return json_response(200, json::object{{"status", status}, {"match_id", match_id}});
}

Response accept(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const std::int64_t entry_id = BANKREC_TRY(id_param(request, "entry_id", "entry"));
    const json::object body = BANKREC_TRY(body_object(request));
    const std::int64_t index = BANKREC_TRY(int_field(body, "suggestion")).value_or(1);
    if (index < 1 || index > 3) return fail(Errc::invalid_input, "field 'suggestion' must be 1, 2 or 3");
    std::lock_guard lock(api.db_mutex);
    store::ReconcileRepo repo(api.db);
    const auto item = BANKREC_TRY(repo.review_entry(entry_id));
    const auto writeoffs = BANKREC_TRY(store::ConsoleAdminRepo(api.db).writeoffs_of_entry(entry_id));
    for (const auto& m : item.suggestions) {
      if (m.status != "proposed" || m.rank.value_or(0) != index) continue;
      const bool has_writeoff = std::any_of(writeoffs.begin(), writeoffs.end(), [&](const auto& w) { return w.match_id == m.id; });
      if (has_writeoff)
        if (auto refused = refuse_writeoff(*request.principal)) return std::move(*refused);
    }
    const std::int64_t match = BANKREC_TRY(jobs::review_accept(api.db, entry_id, static_cast<int>(index), request.principal->name));
    return decided("reconciled", match);
  });
}

struct WriteoffRequest {
  std::string amount, reason;
};

/// A person's match with a write-off: the items' rest is closed and the write-off must be that rest.
Result<std::int64_t> match_with_writeoff(const AdminApi& api, std::int64_t entry_id, const std::vector<jobs::ItemPick>& picks,
                                         const WriteoffRequest& writeoff, const std::string& actor) {
  store::ReconcileRepo repo(api.db);
  const auto entry = BANKREC_TRY(repo.review_entry(entry_id));
  if (entry.status != "review")
    return fail(Errc::conflict, "entry " + std::to_string(entry_id) + " is " + entry.status + ", not in review");
  const std::int64_t sign = entry.amount_minor < 0 ? -1 : 1;
  std::int64_t left = std::llabs(entry.amount_minor), rest = 0;
  std::vector<std::pair<std::string, std::int64_t>> allocations;
  for (const auto& pick : picks) {
    const auto item = BANKREC_TRY(repo.item_balance(pick.item_key));
    if (!item) return fail(Errc::not_found, "open item '" + pick.item_key + "' is not known");
    if (item->currency != entry.currency)
      return fail(Errc::invalid_input, "open item '" + pick.item_key + "' is in " + item->currency);
    const std::int64_t open = std::llabs(item->open_signed_minor);
    if (open == 0) return fail(Errc::conflict, "open item '" + pick.item_key + "' is settled");
    const std::int64_t amount = pick.amount ? BANKREC_TRY(parse_money(*pick.amount, entry.currency, "amount"))
                                            : std::min(open, left);
    if (amount <= 0 || amount > open)
      return fail(Errc::invalid_input, "amount for open item '" + pick.item_key + "' must be above zero and at most " +
                                           money_text(open, entry.currency));
    left -= amount;
    rest += open - amount;
    allocations.emplace_back(pick.item_key, amount * (item->open_signed_minor > 0 ? 1 : -1));
  }
  if (left < 0) return fail(Errc::invalid_input, "the items get more than the line's amount");
  const std::int64_t magnitude = BANKREC_TRY(parse_money(writeoff.amount, entry.currency, "writeoff.amount"));
  if (magnitude <= 0 || magnitude != rest)
    return fail(Errc::invalid_input, "the write-off must be the rest the items keep open: " + money_text(rest, entry.currency));
  store::ConsoleAdminRepo admin(api.db);
  // Signed like the entry's opposite: the line paid less than was due (reconcile_repo's closes_rest).
  const std::int64_t id =
      BANKREC_TRY(admin.propose_manual(entry_id, allocations, entry.currency, -sign * magnitude, writeoff.reason, actor));
  if (auto accepted = repo.accept(id, actor); !accepted) {
    (void)admin.reject_match(id, actor);
    return Unexpected{accepted.error()};
  }
  BANKREC_TRY(api.db.write([&]() -> Result<void> {
    BANKREC_TRY(api.db.audit().append({actor, "reconcile.writeoff", "match", std::to_string(id),
                                  "{\"entry\":" + std::to_string(entry_id) + ",\"amount\":" +
                                      json::serialize(json::value(money_text(magnitude, entry.currency))) +
                                      ",\"currency\":" + json::serialize(json::value(entry.currency)) +
                                      ",\"reason\":" + json::serialize(json::value(writeoff.reason)) + "}"}));
    return ok();
  }));
  return id;
}

Result<std::vector<jobs::ItemPick>> picks_of(const json::object& body) {
  const auto* list = body.if_contains("matches");
  if (list == nullptr || !list->is_array() || list->as_array().empty())
    return fail(Errc::invalid_input, "field 'matches' must be a list of {item, amount}");
  std::vector<jobs::ItemPick> picks;
  for (const auto& v : list->as_array()) {
    if (!v.is_object()) return fail(Errc::invalid_input, "each of 'matches' must be an object {item, amount}");
    jobs::ItemPick pick;
    pick.item_key = BANKREC_TRY(required_string(v.as_object(), "item"));
    pick.amount = BANKREC_TRY(string_field(v.as_object(), "amount"));
    if (pick.amount && pick.amount->starts_with('-')) pick.amount->erase(0, 1);  // magnitudes
    picks.push_back(std::move(pick));
  }
  return picks;
}

Response match(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const std::int64_t entry_id = BANKREC_TRY(id_param(request, "entry_id", "entry"));
    const json::object body = BANKREC_TRY(body_object(request));
    const auto picks = BANKREC_TRY(picks_of(body));
    const auto* w = body.if_contains("writeoff");
    if (w != nullptr && !w->is_null()) {
      if (!w->is_object()) return fail(Errc::invalid_input, "field 'writeoff' must be {amount, reason} or null");
      if (auto refused = refuse_writeoff(*request.principal)) return std::move(*refused);
      WriteoffRequest wr{BANKREC_TRY(required_string(w->as_object(), "amount")),
                         BANKREC_TRY(required_string(w->as_object(), "reason"))};
      if (wr.reason.empty()) return fail(Errc::invalid_input, "a write-off needs a reason");
      std::lock_guard lock(api.db_mutex);
      return decided("reconciled", BANKREC_TRY(match_with_writeoff(api, entry_id, picks, wr, request.principal->name)));
    }
    std::lock_guard lock(api.db_mutex);
    return decided("reconciled", BANKREC_TRY(jobs::review_match(api.db, entry_id, picks, request.principal->name)));
  });
}

Response no_match(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const std::int64_t entry_id = BANKREC_TRY(id_param(request, "entry_id", "entry"));
    std::string reason;
    if (!request.body.empty()) reason = BANKREC_TRY(string_field(BANKREC_TRY(body_object(request)), "reason")).value_or("");
    std::lock_guard lock(api.db_mutex);
    return decided("unmatched", BANKREC_TRY(jobs::review_no_match(api.db, entry_id, reason, request.principal->name)));
  });
}

Response undo(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const std::int64_t entry_id = BANKREC_TRY(id_param(request, "entry_id", "entry"));
    std::lock_guard lock(api.db_mutex);
    const auto standing = BANKREC_TRY(store::ConsoleAdminRepo(api.db).standing_match(entry_id));
    if (!standing) return fail(Errc::conflict, "entry " + std::to_string(entry_id) + " has no decision to undo");
    return decided("review", BANKREC_TRY(jobs::review_undo(api.db, *standing, request.principal->name)));
  });
}

Response open_items(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const auto params = query_params(request);
    store::OpenItemFilter f;
    f.limit = BANKREC_TRY(limit_param(params));
    f.after_id = BANKREC_TRY(after_param(params));
    f.text = param_or(params, "q");
    f.partner = param_or(params, "partner");
    f.status = param_or(params, "status", "open");
    if (f.status != "open" && f.status != "closed" && f.status != "all")
      return fail(Errc::invalid_input, "status must be open, closed or all");
    std::lock_guard lock(api.db_mutex);
    const auto rows = BANKREC_TRY(store::ConsoleAdminRepo(api.db).open_items(f));
    json::array items;
    for (const auto& r : rows)
      items.push_back(json::object{{"id", r.item_key},
                                   {"kind", r.kind},
                                   {"partner", text_or_null(r.partner)},
                                   {"partner_name", text_or_null(r.partner_name)},
                                   {"amount", money_text(r.amount_minor, r.currency)},
                                   {"open_amount", money_text(r.open_minor, r.currency)},
                                   {"currency", r.currency},
                                   {"issue_date", text_or_null(r.issue_date)},
                                   {"due_date", text_or_null(r.due_date)},
                                   {"reference", text_or_null(r.reference)},
                                   {"document_number", text_or_null(r.document_number)},
                                   {"status", r.status}});
    return json_response(200, page(std::move(items), f.limit, rows.empty() ? 0 : rows.back().id));
  });
}

}  // namespace

void install_review_routes(Router& router, std::shared_ptr<const AdminApi> api) {
  const Access read = Access::need(Permission::read);
  const Access review = Access::need(Permission::review);
  router.add("GET", "/api/v1/review", read, [api](const Request& r) { return list_review(*api, r); });
  router.add("GET", "/api/v1/review/{entry_id}", read, [api](const Request& r) { return show_review(*api, r); });
  router.add("POST", "/api/v1/review/{entry_id}/accept", review, [api](const Request& r) { return accept(*api, r); });
  router.add("POST", "/api/v1/review/{entry_id}/match", review, [api](const Request& r) { return match(*api, r); });
  router.add("POST", "/api/v1/review/{entry_id}/no-match", review, [api](const Request& r) { return no_match(*api, r); });
  router.add("POST", "/api/v1/review/{entry_id}/undo", review, [api](const Request& r) { return undo(*api, r); });
  router.add("GET", "/api/v1/open-items", read, [api](const Request& r) { return open_items(*api, r); });
}

}  // namespace bankrec::http::admin
