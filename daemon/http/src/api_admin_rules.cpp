// Reconciliation rules over HTTP: read the file, validate a draft (problems with line and key), a
// dry run of a draft against recent open lines beside the rules in force, and saving (atomic
// replace of the file, audited with before/after digests, then a reload of the daemon).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <variant>

#include "api_admin_util.h"
#include "bankrec/base/bytes.h"
#include "bankrec/domain/date.h"
#include "bankrec/reconcile/engine.h"
#include "bankrec/store/console_admin_repo.h"
#include "bankrec/store/reconcile_repo.h"

namespace bankrec::http {

std::vector<RulesProblem> rules_problems(std::string_view error_text) {
  std::vector<RulesProblem> out;
  while (!error_text.empty()) {
    const auto nl = error_text.find('\n');
    std::string_view line = error_text.substr(0, nl);
    error_text = nl == std::string_view::npos ? std::string_view() : error_text.substr(nl + 1);
    if (line.empty()) continue;
    RulesProblem p;
    p.message = std::string(line);
    // FILE:LINE:COL: key.path: message (the file name has no ':' here: the API names it rules.yaml)
    const auto c1 = line.find(':');
    const auto c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    const auto c3 = c2 == std::string_view::npos ? c2 : line.find(": ", c2 + 1);
    if (c3 != std::string_view::npos) {
      if (const auto n = admin::parse_int(line.substr(c1 + 1, c2 - c1 - 1)); n && *n > 0 && *n < 1'000'000'000) {
        p.line = static_cast<int>(*n);
        std::string_view rest = line.substr(c3 + 2);
        const auto k = rest.find(": ");
        if (k != std::string_view::npos && rest.substr(0, k).find(' ') == std::string_view::npos) {
          p.key = std::string(rest.substr(0, k));
          rest.remove_prefix(k + 2);
        }
        p.message = std::string(rest);
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

namespace admin {
namespace {

constexpr std::size_t kMaxRulesBytes = 4U << 20U;
constexpr std::size_t kMaxDryRunLines = 20000;
constexpr std::size_t kMaxChangesListed = 500;
constexpr const char* kDraftName = "rules.yaml";

Result<std::string> read_text(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::string();
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(Errc::unavailable, "cannot read " + path + ": " + ec.message());
  if (size > kMaxRulesBytes) return fail(Errc::invalid_input, path + " is larger than 4 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::unavailable, "cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json::array problems_json(const std::vector<RulesProblem>& problems) {
  json::array out;
  for (const auto& p : problems)
    out.push_back(json::object{{"line", p.line}, {"key", p.key}, {"message", p.message}});
  return out;
}

/// The draft's rule set, or a 400 response carrying the problems.
Result<std::variant<reconcile::RuleSet, Response>> parse_draft(const AdminApi& api, const std::string& yaml) {
  if (yaml.size() > kMaxRulesBytes) return fail(Errc::invalid_input, "rules are larger than 4 MiB");
  auto rules = api.parse_rules(yaml, kDraftName);
  if (rules) return std::variant<reconcile::RuleSet, Response>(std::move(*rules));
  if (rules.error().code != Errc::invalid_input) return Unexpected{rules.error()};
  json::object o{{"error", json::object{{"code", "invalid_input"}, {"message", "the rules have problems"}}},
                 {"ok", false},
                 {"problems", problems_json(rules_problems(rules.error().message))}};
  return std::variant<reconcile::RuleSet, Response>(json_response(400, o));
}

Response get_rules(const AdminApi& api) {
  return respond([&]() -> Result<Response> {
    const std::string yaml = api.rules_path.empty() ? std::string() : BANKREC_TRY(read_text(api.rules_path));
    reconcile::RuleSet rules = reconcile::default_rule_set();
    if (!yaml.empty()) rules = BANKREC_TRY(api.parse_rules(yaml, api.rules_path));
    json::array list;
    for (const auto& r : rules.rules) {
      std::string strategies;
      for (const auto s : r.strategies) strategies += (strategies.empty() ? "" : ",") + std::string(reconcile::strategy_name(s));
      list.push_back(json::object{{"name", r.name},
                                  {"strategy", strategies.empty() ? "all" : strategies},
                                  {"enabled", !r.shadow},
                                  {"shadow", r.shadow},
                                  {"allow_auto", r.allow_auto}});
    }
    json::object o{{"yaml", yaml}, {"path", api.rules_path}, {"rules", std::move(list)},
                   {"defaults", yaml.empty()}};
    return json_response(200, o);
  });
}

Response validate(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const std::string yaml = BANKREC_TRY(required_string(BANKREC_TRY(body_object(request)), "yaml"));
    auto parsed = BANKREC_TRY(parse_draft(api, yaml));
    if (auto* r = std::get_if<Response>(&parsed)) {
      r->status = 200;  // a validation answers 200 either way; the problems are the answer
      boost::system::error_code ec;
      auto v = json::parse(r->body, ec);
      v.as_object().erase("error");
      r->body = json::serialize(v);
      return std::move(*r);
    }
    return json_response(200, json::object{{"ok", true}, {"problems", json::array()}});
  });
}

std::string describe(const reconcile::Decision& d, const std::string& currency) {
  switch (d.kind) {
    case reconcile::DecisionKind::automatic: {
      std::string out = "auto";
      for (const auto& m : d.matches) out += " " + m.item_id + " " + money_text(m.amount.minor(), currency);
      if (d.writeoff) out += " write-off " + money_text(d.writeoff->amount.minor(), currency);
      return out;
    }
    case reconcile::DecisionKind::suggest: {
      std::string out = "suggest";
      if (!d.suggestions.empty())
        for (const auto& m : d.suggestions.front().matches) out += " " + m.item_id;
      return out;
    }
    case reconcile::DecisionKind::none: return "none";
  }
  return "none";
}

struct Tally {
  std::int64_t automatic = 0, suggest = 0, none = 0;
  void add(reconcile::DecisionKind k) {
    (k == reconcile::DecisionKind::automatic ? automatic : k == reconcile::DecisionKind::suggest ? suggest : none)++;
  }
};

Response dry_run(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    const json::object body = BANKREC_TRY(body_object(request));
    const std::string yaml = BANKREC_TRY(required_string(body, "yaml"));
    const std::int64_t days = BANKREC_TRY(int_field(body, "days")).value_or(30);
    if (days < 1 || days > 366) return fail(Errc::invalid_input, "field 'days' must be from 1 to 366");
    auto parsed = BANKREC_TRY(parse_draft(api, yaml));
    if (auto* r = std::get_if<Response>(&parsed)) return std::move(*r);
    reconcile::RuleSet draft = std::move(std::get<reconcile::RuleSet>(parsed));
    const std::string current_yaml = api.rules_path.empty() ? std::string() : BANKREC_TRY(read_text(api.rules_path));
    reconcile::RuleSet current = reconcile::default_rule_set();
    if (!current_yaml.empty()) current = BANKREC_TRY(api.parse_rules(current_yaml, api.rules_path));
    const auto today = std::chrono::floor<std::chrono::days>(api.clock.now()).time_since_epoch().count();
    const std::string since = domain::Date::from_days(today - days).iso();
    std::vector<store::RecentEntry> entries;
    std::vector<domain::OpenItem> items;
    {
      std::lock_guard lock(api.db_mutex);
      entries = BANKREC_TRY(store::ConsoleAdminRepo(api.db).recent_open_entries(since, kMaxDryRunLines));
      for (auto& stored : BANKREC_TRY(store::ReconcileRepo(api.db).load_open_items())) items.push_back(std::move(stored.item));
    }
    std::vector<reconcile::EntryRef> refs;
    for (std::size_t i = 0; i < entries.size(); ++i)
      refs.push_back({&entries[i].entry, "db", 0, static_cast<std::uint32_t>(i), entries[i].account_iban});
    const auto before_engine = BANKREC_TRY(reconcile::Engine::create(items, std::move(current)));
    const auto after_engine = BANKREC_TRY(reconcile::Engine::create(std::move(items), std::move(draft)));
    const auto before = before_engine.run(refs);
    const auto after = after_engine.run(refs);
    Tally tb, ta;
    json::array changed;
    std::int64_t changes = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      tb.add(before[i].kind);
      ta.add(after[i].kind);
      const std::string currency(entries[i].entry.amount.currency().str());
      const std::string b = describe(before[i], currency), a = describe(after[i], currency);
      if (a == b) continue;
      ++changes;
      if (changed.size() < kMaxChangesListed)
        changed.push_back(json::object{{"entry_id", entries[i].id}, {"before", b}, {"after", a}, {"score", after[i].score},
                                       {"status", entries[i].status}});
    }
    json::object summary{{"auto_before", tb.automatic}, {"auto_after", ta.automatic},
                         {"suggest_before", tb.suggest}, {"suggest_after", ta.suggest},
                         {"none_before", tb.none},       {"none_after", ta.none},
                         {"changed", changes},           {"since", since}};
    return json_response(200, json::object{{"entries", static_cast<std::int64_t>(entries.size())},
                                           {"changed", std::move(changed)},
                                           {"summary", std::move(summary)}});
  });
}

/// Writes `text` to a temporary file beside `path`, fsyncs it and renames it over `path`, then
/// fsyncs the directory: a crash leaves either the old or the new file, never a torn one.
Result<void> replace_file(const std::string& path, const std::string& text) {
  const std::filesystem::path target(path);
  const std::string tmp = (target.parent_path() / ("." + target.filename().string() + ".tmp")).string();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return fail(Errc::unavailable, "cannot write " + tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(Errc::unavailable, "cannot write " + tmp + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return fail(Errc::unavailable, "cannot sync " + tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return fail(Errc::unavailable, "cannot replace " + path + ": " + why);
  }
  const std::string dir = target.parent_path().empty() ? "." : target.parent_path().string();
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return ok();
}

Response put_rules(const AdminApi& api, const Request& request) {
  return respond([&]() -> Result<Response> {
    if (api.rules_path.empty())
      return fail(Errc::conflict, "no rules file is configured (reconcile.rules in bankrec.yaml)");
    const std::string yaml = BANKREC_TRY(required_string(BANKREC_TRY(body_object(request)), "yaml"));
    auto parsed = BANKREC_TRY(parse_draft(api, yaml));
    if (auto* r = std::get_if<Response>(&parsed)) return std::move(*r);
    const std::string before = BANKREC_TRY(read_text(api.rules_path));
    const std::string actor = request.principal->name;
    {
      // Audit first (fail closed): no file change without its entry.
      std::lock_guard lock(api.db_mutex);
      BANKREC_TRY(api.db.write([&]() -> Result<void> {
        BANKREC_TRY(api.db.audit().append({actor, "rules.update", "rules_file", api.rules_path,
                                      "{\"before_sha256\":\"" + store::sha256_hex(as_bytes(before)) +
                                          "\",\"after_sha256\":\"" + store::sha256_hex(as_bytes(yaml)) + "\"}"}));
        return ok();
      }));
    }
    BANKREC_TRY(replace_file(api.rules_path, yaml));
    if (api.request_reload) api.request_reload();
    return json_response(200, json::object{{"ok", true}, {"sha256", store::sha256_hex(as_bytes(yaml))}});
  });
}

}  // namespace

void install_rules_routes(Router& router, std::shared_ptr<const AdminApi> api) {
  const Access rules = Access::need(Permission::manage_rules);
  router.add("GET", "/api/v1/rules", Access::need(Permission::read), [api](const Request&) { return get_rules(*api); });
  router.add("POST", "/api/v1/rules/validate", rules, [api](const Request& r) { return validate(*api, r); });
  router.add("POST", "/api/v1/rules/dry-run", rules, [api](const Request& r) { return dry_run(*api, r); });
  router.add("PUT", "/api/v1/rules", rules.with_step_up(), [api](const Request& r) { return put_rules(*api, r); });
}

}  // namespace admin
}  // namespace bankrec::http
