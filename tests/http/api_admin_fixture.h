#pragma once
// The admin API through the Router with real sign-in (AuthService on a real encrypted store, a
// FakeClock), a review day (three open items, one line in review with two suggestions), a rules file
// in a temp dir, one connector row with a connection log, and fakes for what only the app does.
#include <boost/json.hpp>
#include <map>

#include "../jobs/reconcile_test_data.h"
#include "auth_test_support.h"
#include "bankrec/http/api_admin.h"
#include "bankrec/jobs/reconcile_run.h"
#include "bankrec/reconcile/rules.h"
#include "bankrec/store/connectors_repo.h"
#include "bankrec/store/reconcile_repo.h"
#include "store_test_util.h"

namespace bankrec::http::admin_test {

namespace json = boost::json;
using store::testing_util::TestStore;

inline constexpr const char* kPassword = "Kaffeetasse+Regenschirm";

struct Session {
  std::string cookie;  // "__Host-bankrec_session=..."
  std::string csrf;
  std::string bearer;  // "brk_..." instead of a cookie
};

/// A tiny rules "parser" standing in for the app's YAML reader: "threshold: N" sets auto_threshold,
/// anything else is a problem at line 1 in the app's error format.
inline Result<reconcile::RuleSet> fake_parse_rules(const std::string& yaml, const std::string& file) {
  reconcile::RuleSet rules = reconcile::default_rule_set();
  if (yaml.starts_with("threshold: ")) {
    rules.auto_threshold = std::stoi(yaml.substr(11));
    return rules;
  }
  return fail(Errc::invalid_input, file + ":1:1: rules[0].when: unknown key 'whenn'\n" + file +
                                       ":3:5: auto_threshold: expected a whole number from 0 to 100");
}

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuthOptions options;
    options.hash_cost = auth::HashCost::minimum();
    auth_ = std::make_shared<AuthService>(*t_.store, secrets_, t_.clock, options);
    install_auth_routes(router_, auth_);

    store::ReconcileRepo repo(*t_.store);
    using namespace jobs::testing_data;
    ASSERT_OK(repo.import_open_items({invoice("I1", "RE-2026-000001", 5000), invoice("I2", "RE-2026-000002", 5000),
                                      invoice("I3", "RE-2026-000003", 8000)},
                                     "items.csv", "test"));
    store_lines(*t_.store, {line(5000, "B1", "Zahlung")}, std::string(64, 'a'));
    ASSERT_OK(jobs::run_reconcile(*t_.store, reconcile::default_rule_set()));
    entry_ = *t_.store->db().query_int("SELECT id FROM entries WHERE bank_reference = 'B1'");

    store::ConnectorsRepo connectors(*t_.store, secrets_);
    ASSERT_OK(connectors.sync({{"spk", "xs2a", "{}", "every 1h", true}}, "test"));
    std::vector<store::ConnectionLogRow> rows;
    for (int i = 1; i <= 3; ++i)
      rows.push_back({0, "2026-11-22T08:0" + std::to_string(i) + ":00.000Z", "spk", "DE89370400440532013000",
                      "transactions", "ok", 200, "req-" + std::to_string(i), 10});
    ASSERT_OK(connectors.append_log(rows));

    rules_path_ = (dir_.path() / "rules.yaml").string();
    testing::write_file(rules_path_, "threshold: 85\n");
    auto api = std::make_shared<AdminApi>(AdminApi{*t_.store, db_mutex_, t_.clock, auth_});
    api->connectors_key = &secrets_;
    api->rules_path = rules_path_;
    api->parse_rules = fake_parse_rules;
    api->request_reload = [this] { ++reloads_; };
    api->run_connector = [this](const std::string& name, const std::string& actor) -> Result<std::int64_t> {
      if (name != "spk") return fail(Errc::not_found, "connector '" + name + "' is not configured");
      runs_.push_back(name + " by " + actor);
      return std::int64_t{42};
    };
    api->start_consent = [this](const std::string& name, const std::string& redirect,
                                const std::string& actor) -> Result<std::string> {
      consent_starts_.push_back(name + " " + redirect + " " + actor);
      return consent_url_;
    };
    api->consent_progress = [this](const std::string&) { return consent_progress_; };
    api->finish_consent = [](const std::map<std::string, std::string>& query) -> Result<std::string> {
      const auto it = query.find("state");
      if (it == query.end() || it->second != "s1") return fail(Errc::permission_denied, "no authorisation is waiting");
      return std::string("spk");
    };
    api->settings_json = [] { return std::string(R"({"config":{"listen":"127.0.0.1:8443"},"read_only":true})"); };
    install_admin_routes(router_, api);
  }

  Response call(const std::string& method, const std::string& target, const std::string& body = {},
                const Session* session = nullptr, bool with_csrf = true) {
    Request r;
    r.method = method;
    r.target = target;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.body = body;
    r.remote_address = "10.0.0.1";
    r.headers.emplace_back("Host", "bankrec.example:8443");
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    if (session && !session->bearer.empty()) r.headers.emplace_back("Authorization", "Bearer " + session->bearer);
    if (session && !session->cookie.empty()) {
      r.headers.emplace_back("Cookie", session->cookie);
      if (with_csrf) r.headers.emplace_back("X-CSRF-Token", session->csrf);
    }
    return router_.dispatch(std::move(r));
  }

  static std::string error_code(const Response& r) { return auth_test_support::error_code(r); }
  static json::value body(const Response& r) {
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    return ec ? json::value(nullptr) : v;
  }
  static std::string header(const Response& r, std::string_view name) { return auth_test_support::header(r, name); }

  std::int64_t step_now() const { return auth_test_support::step_now(t_.clock); }
  std::string next_code(const std::string& secret) {
    t_.clock.advance(std::chrono::seconds(30));
    return auth::totp_code(secret, step_now());
  }

  /// Creates a user of `role` named after it (TOTP enrolled for approver and admin).
  void add_user(Role role) {
    const std::string name = std::string(store::role_name(role)) + "-user";
    const std::string secret =
        auth_test_support::create_user(*auth_, t_.clock, name, role, kPassword, role_requires_totp(role));
    if (!secret.empty()) secrets_by_role_[role] = secret;
  }
  /// Signs in as the role's user; approver and admin with a code, so step-up is fresh.
  Session login(Role role) {
    const std::string name = std::string(store::role_name(role)) + "-user";
    json::object o{{"name", name}, {"password", kPassword}};
    if (secrets_by_role_.contains(role)) o["totp"] = next_code(secrets_by_role_[role]);
    const Response r = call("POST", "/api/v1/auth/login", json::serialize(o));
    EXPECT_EQ(r.status, 200) << r.body;
    Session s;
    const std::string set_cookie = header(r, "Set-Cookie");
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    if (r.status == 200) s.csrf = std::string(json::parse(r.body).at("csrf_token").as_string());
    return s;
  }
  void add_all_users() {
    for (Role role : {Role::viewer, Role::accountant, Role::approver, Role::admin}) add_user(role);
  }

  std::vector<std::string> audit_lines() {
    std::vector<std::string> out;
    EXPECT_OK(t_.store->audit().for_each("", "", [&](const store::AuditEntry& e) -> Result<void> {
      out.push_back(e.actor + " " + e.action + " " + e.object_id + " " + e.details);
      return ok();
    }));
    return out;
  }
  bool audited(const std::string& needle) {
    for (const auto& l : audit_lines())
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
  std::int64_t open_minor(const std::string& item) {
    return *t_.store->db().query_int("SELECT open_minor FROM open_items WHERE item_key = '" + item + "'");
  }
  std::string entry_status() {
    return (*t_.store->db().query_texts("SELECT status FROM entries WHERE id = " + std::to_string(entry_))).front();
  }

  testing::TempDir dir_;
  TestStore t_;
  store::SecretKey secrets_ = store::SecretKey::generate();
  std::mutex db_mutex_;
  std::shared_ptr<AuthService> auth_;
  Router router_;
  std::int64_t entry_ = 0;
  std::string rules_path_;
  int reloads_ = 0;
  std::vector<std::string> runs_, consent_starts_;
  std::string consent_url_ = "https://bank.example/authorize?state=s1";  //!< "" plays a decoupled start
  std::optional<ConsentProgress> consent_progress_;
  std::map<Role, std::string> secrets_by_role_;
};

}  // namespace bankrec::http::admin_test
