// Sign-in, sessions, CSRF, throttling, step-up and RBAC through the Router, with a FakeClock and a
// real encrypted store; no sockets (the integration test covers HTTPS).
#include "bankrec/http/auth_service.h"

#include <boost/json.hpp>

#include "auth_test_support.h"
#include "store_test_util.h"

namespace bankrec::http {
namespace {

using ::testing::HasSubstr;
using store::testing_util::TestStore;
namespace json = boost::json;
using auth_test_support::error_code;
using auth_test_support::header;

constexpr const char* kPassword = "Kaffeetasse+Regenschirm";

struct Session {
  std::string cookie;  // "__Host-bankrec_session=..."
  std::string csrf;
};

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuthOptions options;
    options.hash_cost = auth::HashCost::minimum();  // many logins below; Argon2id cost is tested in auth_test
    options.on_lockout = [this](std::string_view scope, std::string_view key) {
      lockouts_.push_back(std::string(scope) + ":" + std::string(key));
    };
    service_ = std::make_shared<AuthService>(*t_.store, secrets_, t_.clock, options);
    install_auth_routes(router_, service_);
  }

  Response call(const std::string& method, const std::string& path, const std::string& body = {},
                const Session* session = nullptr, bool with_csrf = true, const std::string& remote = "10.0.0.1") {
    Request r;
    r.method = method;
    r.path = r.target = path;
    r.body = body;
    r.remote_address = remote;
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    if (session) {
      r.headers.emplace_back("Cookie", "theme=dark; " + session->cookie);
      if (with_csrf) r.headers.emplace_back("X-CSRF-Token", session->csrf);
    }
    return router_.dispatch(std::move(r));
  }

  std::string login_body(const std::string& name, const std::string& password, const std::string& totp = {}) {
    json::object o{{"name", name}, {"password", password}};
    if (!totp.empty()) o["totp"] = totp;
    return json::serialize(o);
  }

  std::optional<Session> login(const std::string& name, const std::string& totp = {}, const std::string& remote = "10.0.0.1") {
    const Response r = call("POST", "/api/v1/auth/login", login_body(name, kPassword, totp), nullptr, false, remote);
    if (r.status != 200) {
      ADD_FAILURE() << "login of " << name << ": " << r.status << " " << r.body;
      return std::nullopt;
    }
    const std::string set_cookie = header(r, "Set-Cookie");
    Session s;
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    s.csrf = std::string(json::parse(r.body).at("csrf_token").as_string());
    return s;
  }

  std::int64_t step_now() const { return auth_test_support::step_now(t_.clock); }
  /// A code for a step not used yet: the fake clock moves on by one step first.
  std::string next_code(const std::string& secret) {
    t_.clock.advance(std::chrono::seconds(30));
    return auth::totp_code(secret, step_now());
  }

  /// Creates a user; with `enrol`, enrols TOTP and returns the raw secret.
  std::string add_user(const std::string& name, Role role, bool enrol) {
    return auth_test_support::create_user(*service_, t_.clock, name, role, kPassword, enrol);
  }

  std::vector<std::string> audit_actions() {
    std::vector<std::string> out;
    EXPECT_OK(t_.store->audit().for_each("", "", [&](const store::AuditEntry& e) -> Result<void> {
      out.push_back(e.action + " " + e.object_id + " " + e.details);
      return ok();
    }));
    return out;
  }

  TestStore t_;
  store::SecretKey secrets_ = store::SecretKey::generate();
  std::shared_ptr<AuthService> service_;
  Router router_;
  std::vector<std::string> lockouts_;
};

TEST_F(AuthTest, login_sets_a_strict_host_cookie_and_me_returns_user_and_csrf_token) {
  add_user("alice", Role::accountant, false);
  const Response r = call("POST", "/api/v1/auth/login", login_body("alice", kPassword));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string cookie = header(r, "Set-Cookie");
  EXPECT_THAT(cookie, ::testing::StartsWith("__Host-bankrec_session="));
  for (const char* flag : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict", "; Max-Age=43200"})
    EXPECT_THAT(cookie, HasSubstr(flag));
  EXPECT_THAT(cookie, ::testing::Not(HasSubstr("Domain")));
  const auto session = login("alice");
  ASSERT_TRUE(session);
  const Response me = call("GET", "/api/v1/auth/me", {}, &*session);
  ASSERT_EQ(me.status, 200) << me.body;
  const auto v = json::parse(me.body);
  EXPECT_EQ(v.at("user").at("name").as_string(), "alice");
  EXPECT_EQ(v.at("user").at("role").as_string(), "accountant");
  EXPECT_EQ(v.at("csrf_token").as_string(), session->csrf);
  EXPECT_EQ(json::serialize(v.at("user").at("permissions")), R"(["read","upload","review"])");
  // The session id is stored only hashed.
  const std::string id = session->cookie.substr(session->cookie.find('=') + 1);
  EXPECT_EQ(*t_.store->db().query_int("SELECT count(*) FROM sessions WHERE id = '" + id + "'"), 0);
  EXPECT_EQ(*t_.store->db().query_int("SELECT count(*) FROM sessions WHERE id = '" + auth::hash_hex(id) + "'"), 1);
  EXPECT_THAT(audit_actions().back(), HasSubstr("auth.login alice"));
}

TEST_F(AuthTest, wrong_password_and_unknown_user_get_the_same_answer) {
  add_user("alice", Role::viewer, false);
  const Response wrong = call("POST", "/api/v1/auth/login", login_body("alice", "not the password"));
  const Response unknown = call("POST", "/api/v1/auth/login", login_body("nobody", kPassword));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(error_code(wrong), "invalid_credentials");
  EXPECT_TRUE(header(wrong, "Set-Cookie").empty());
  EXPECT_EQ(call("POST", "/api/v1/auth/login", "{\"name\":1}").status, 400);
  Request form;
  form.method = "POST";
  form.path = "/api/v1/auth/login";
  form.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  form.body = "name=alice&password=x";
  EXPECT_EQ(router_.dispatch(form).status, 400);  // only JSON: no cross-site form login
}

TEST_F(AuthTest, enrolled_users_need_a_code_and_a_used_code_is_refused) {
  const std::string secret = add_user("bob", Role::approver, true);
  const Response no_code = call("POST", "/api/v1/auth/login", login_body("bob", kPassword));
  EXPECT_EQ(no_code.status, 401);
  EXPECT_EQ(error_code(no_code), "totp_required");
  const std::string code = next_code(secret);
  ASSERT_TRUE(login("bob", code));
  const Response replay = call("POST", "/api/v1/auth/login", login_body("bob", kPassword, code));
  EXPECT_EQ(replay.status, 401);
  EXPECT_EQ(error_code(replay), "invalid_credentials");
  // An older code than the last one used is refused as well, even inside the window.
  const Response older = call("POST", "/api/v1/auth/login", login_body("bob", kPassword, auth::totp_code(secret, step_now() - 1)));
  EXPECT_EQ(older.status, 401);
  EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("bob", kPassword, "000000")).status, 401);
}

TEST_F(AuthTest, a_recovery_code_works_once) {
  const auto user = service_->create_user("carol", Role::admin, kPassword, "test");
  ASSERT_OK(user);
  const auto e = service_->begin_totp(user->id, "test");
  const std::string secret = *auth::base32_decode(e->secret_base32);
  const auto codes = service_->confirm_totp(user->id, auth::totp_code(secret, step_now()), "test");
  ASSERT_OK(codes);
  ASSERT_EQ(codes->size(), 10u);
  const std::string body = json::serialize(json::object{{"name", "carol"}, {"password", kPassword}, {"recovery_code", (*codes)[3]}});
  EXPECT_EQ(call("POST", "/api/v1/auth/login", body).status, 200);
  EXPECT_EQ(call("POST", "/api/v1/auth/login", body).status, 401);
  EXPECT_EQ(service_->get_user(user->id)->recovery_codes_left, 9);
}

TEST_F(AuthTest, sessions_end_after_the_idle_timeout_and_the_absolute_lifetime) {
  add_user("dave", Role::viewer, false);
  auto s = login("dave");
  ASSERT_TRUE(s);
  t_.clock.advance(std::chrono::minutes(29));
  EXPECT_EQ(call("GET", "/api/v1/auth/me", {}, &*s).status, 200);
  t_.clock.advance(std::chrono::minutes(29));  // 58 min after login, but only 29 idle
  EXPECT_EQ(call("GET", "/api/v1/auth/me", {}, &*s).status, 200);
  t_.clock.advance(std::chrono::minutes(30));
  const Response idle = call("GET", "/api/v1/auth/me", {}, &*s);
  EXPECT_EQ(idle.status, 401);
  EXPECT_EQ(error_code(idle), "unauthenticated");

  s = login("dave");
  for (int i = 0; i < 12 * 3 - 1; ++i) {  // active every 20 minutes for 11 h 40 min
    t_.clock.advance(std::chrono::minutes(20));
    ASSERT_EQ(call("GET", "/api/v1/auth/me", {}, &*s).status, 200) << i;
  }
  t_.clock.advance(std::chrono::minutes(20));  // 12 h after login
  EXPECT_EQ(call("GET", "/api/v1/auth/me", {}, &*s).status, 401);
}

TEST_F(AuthTest, logout_ends_this_session_and_logout_all_every_session) {
  add_user("erin", Role::viewer, false);
  const auto a = login("erin"), b = login("erin"), c = login("erin");
  ASSERT_TRUE(a && b && c);
  const Response out = call("POST", "/api/v1/auth/logout", {}, &*a);
  EXPECT_EQ(out.status, 200);
  EXPECT_THAT(header(out, "Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(call("GET", "/api/v1/auth/me", {}, &*a).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/auth/me", {}, &*b).status, 200);
  const Response all = call("POST", "/api/v1/auth/logout-all", {}, &*b);
  EXPECT_EQ(all.status, 200);
  EXPECT_THAT(all.body, HasSubstr("\"sessions_ended\":2"));
  EXPECT_EQ(call("GET", "/api/v1/auth/me", {}, &*c).status, 401);
  Session forged{"__Host-bankrec_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x"};
  EXPECT_EQ(call("GET", "/api/v1/auth/me", {}, &forged).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/auth/me").status, 401);
}

TEST_F(AuthTest, state_changing_requests_need_the_sessions_csrf_token) {
  add_user("frank", Role::viewer, false);
  auto s = login("frank");
  ASSERT_TRUE(s);
  const Response missing = call("POST", "/api/v1/auth/logout", {}, &*s, /*with_csrf=*/false);
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(error_code(missing), "csrf");
  Session wrong = *s;
  wrong.csrf[0] = wrong.csrf[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_code(call("POST", "/api/v1/auth/logout", {}, &wrong)), "csrf");
  // Another session's token does not fit this session.
  auto other = login("frank");
  Session mixed{s->cookie, other->csrf};
  EXPECT_EQ(error_code(call("POST", "/api/v1/auth/logout", {}, &mixed)), "csrf");
  EXPECT_EQ(call("GET", "/api/v1/auth/me", {}, &*s, /*with_csrf=*/false).status, 200);  // reads need none
  EXPECT_EQ(call("POST", "/api/v1/auth/logout", {}, &*s).status, 200);
}

TEST_F(AuthTest, repeated_failures_lock_the_account_for_a_while_with_an_audit_entry) {
  add_user("gina", Role::viewer, false);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("gina", "wrong password " + std::to_string(i))).status, 401);
  const Response locked = call("POST", "/api/v1/auth/login", login_body("gina", kPassword));
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(error_code(locked), "too_many_attempts");
  EXPECT_EQ(header(locked, "Retry-After"), "900");
  EXPECT_EQ(lockouts_, std::vector<std::string>{"account:gina"});
  const auto actions = audit_actions();
  EXPECT_EQ(std::count_if(actions.begin(), actions.end(), [](const std::string& a) { return a.starts_with("auth.login_failed gina"); }), 5);
  EXPECT_TRUE(std::any_of(actions.begin(), actions.end(), [](const std::string& a) { return a.starts_with("auth.lockout gina"); }));
  for (const auto& a : actions) EXPECT_THAT(a, ::testing::Not(HasSubstr("wrong password")));
  // Unknown names lock the same way, so a lock tells nothing about existence.
  for (int i = 0; i < 5; ++i) call("POST", "/api/v1/auth/login", login_body("ghost", "x"), nullptr, false, "10.0.0.2");
  EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("ghost", "x"), nullptr, false, "10.0.0.2").status, 429);
  t_.clock.advance(std::chrono::minutes(15));
  EXPECT_TRUE(login("gina"));
}

TEST_F(AuthTest, one_address_trying_many_names_is_locked) {
  add_user("hank", Role::viewer, false);
  for (int i = 0; i < 20; ++i)
    call("POST", "/api/v1/auth/login", login_body("name" + std::to_string(i), "x"), nullptr, false, "192.0.2.7");
  EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("hank", kPassword), nullptr, false, "192.0.2.7").status, 429);
  EXPECT_TRUE(login("hank", {}, "192.0.2.8"));  // another address is not affected
  EXPECT_THAT(lockouts_, ::testing::Contains("address:192.0.2.7"));
}

TEST_F(AuthTest, approver_and_admin_reach_only_enrolment_until_totp_is_set_up) {
  add_user("ivy", Role::admin, false);
  auto s = login("ivy");
  ASSERT_TRUE(s);
  const Response me = call("GET", "/api/v1/auth/me", {}, &*s);
  EXPECT_THAT(me.body, HasSubstr("\"enrolment_needed\":true"));
  EXPECT_EQ(error_code(call("GET", "/api/v1/users", {}, &*s)), "totp_enrolment_required");
  const Response enrol = call("POST", "/api/v1/auth/totp/enrol", "{}", &*s);
  ASSERT_EQ(enrol.status, 200) << enrol.body;
  const auto e = json::parse(enrol.body);
  EXPECT_THAT(std::string(e.at("qr_svg").as_string()), ::testing::StartsWith("<svg"));
  EXPECT_THAT(std::string(e.at("otpauth_uri").as_string()), ::testing::StartsWith("otpauth://totp/bankrec:ivy?secret="));
  const std::string secret = *auth::base32_decode(e.at("secret").as_string());
  EXPECT_EQ(call("POST", "/api/v1/auth/totp/confirm", R"({"code":"000000"})", &*s).status, 400);
  const Response confirm = call("POST", "/api/v1/auth/totp/confirm",
                                json::serialize(json::object{{"code", auth::totp_code(secret, step_now())}}), &*s);
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  EXPECT_EQ(json::parse(confirm.body).at("recovery_codes").as_array().size(), 10u);
  EXPECT_EQ(call("GET", "/api/v1/users", {}, &*s).status, 200);
  // The secret never reaches the audit log.
  for (const auto& a : audit_actions()) EXPECT_THAT(a, ::testing::Not(HasSubstr(e.at("secret").as_string().c_str())));
}

TEST_F(AuthTest, user_changes_need_a_fresh_step_up_code) {
  const std::string secret = add_user("jack", Role::admin, true);
  auto s = login("jack", next_code(secret));
  ASSERT_TRUE(s);
  const std::string new_user = json::serialize(json::object{{"name", "kim"}, {"role", "viewer"}, {"password", kPassword}});
  t_.clock.advance(std::chrono::minutes(6));  // the login's code is no longer fresh
  const Response stale = call("POST", "/api/v1/users", new_user, &*s);
  EXPECT_EQ(stale.status, 403);
  EXPECT_EQ(error_code(stale), "step_up_required");
  const std::string code = next_code(secret);
  EXPECT_EQ(call("POST", "/api/v1/auth/step-up", json::serialize(json::object{{"code", code}}), &*s).status, 200);
  EXPECT_EQ(call("POST", "/api/v1/auth/step-up", json::serialize(json::object{{"code", code}}), &*s).status, 403);  // replay
  const Response created = call("POST", "/api/v1/users", new_user, &*s);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t kim = json::parse(created.body).at("user").at("id").as_int64();
  EXPECT_EQ(call("POST", "/api/v1/users", new_user, &*s).status, 409);
  const std::string weak = json::serialize(json::object{{"name", "lea"}, {"role", "viewer"}, {"password", "password1234"}});
  EXPECT_EQ(error_code(call("POST", "/api/v1/users", weak, &*s)), "invalid_input");
  const Response patched = call("PATCH", "/api/v1/users/" + std::to_string(kim), R"({"role":"accountant","disabled":true})", &*s);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_THAT(patched.body, HasSubstr("\"role\":\"accountant\""));
  EXPECT_THAT(patched.body, HasSubstr("\"disabled\":true"));
  EXPECT_EQ(call("PATCH", "/api/v1/users/999", R"({"unlock":true})", &*s).status, 404);
  EXPECT_EQ(call("PATCH", "/api/v1/users/" + std::to_string(kim), R"({"colour":"red"})", &*s).status, 400);
  // The last enabled admin cannot demote or disable itself.
  const Response demote = call("PATCH", "/api/v1/users/" + std::to_string(service_->list_users()->front().id),
                               R"({"role":"viewer"})", &*s);
  EXPECT_EQ(demote.status, 409) << demote.body;
}

TEST_F(AuthTest, every_route_admits_exactly_the_roles_it_should) {
  const auto expected = auth_test_support::auth_route_roles();
  auth_test_support::expect_every_route_listed(router_, expected);
  std::map<Role, std::string> secrets;
  for (Role role : {Role::viewer, Role::accountant, Role::approver, Role::admin})
    secrets[role] = add_user(std::string(store::role_name(role)) + "-user", role, role_requires_totp(role));
  for (const auto& e : expected) {
    if (e.anyone) continue;
    std::string path = e.pattern;
    if (auto p = path.find("{id}"); p != std::string::npos) path.replace(p, 4, "1");
    for (Role role : {Role::viewer, Role::accountant, Role::approver, Role::admin}) {
      // A fresh session per call (logout ends it), signed in with a code: step-up is fresh.
      const std::string name = std::string(store::role_name(role)) + "-user";
      auto s = login(name, secrets[role].empty() ? std::string() : next_code(secrets[role]));
      ASSERT_TRUE(s);
      const Response r = call(e.method, path, e.method == std::string("GET") ? "" : "{}", &*s);
      auth_test_support::expect_role_decision(e, role, path, r);
    }
    // Without a session: 401 everywhere.
    EXPECT_EQ(call(e.method, path, "{}").status, 401) << e.method << " " << path;
  }
}

TEST_F(AuthTest, a_route_without_a_declaration_is_denied_to_every_role) {
  bool called = false;
  router_.add("GET", "/api/v1/undeclared", Access{}, [&](const Request&) {
    called = true;
    return Response::json(200, "{}");
  });
  const std::string secret = add_user("admin-x", Role::admin, true);
  auto s = login("admin-x", next_code(secret));
  ASSERT_TRUE(s);
  EXPECT_EQ(call("GET", "/api/v1/undeclared", {}, &*s).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/undeclared").status, 403);
  EXPECT_FALSE(called);
  EXPECT_DEATH(router_.add("GET", "/api/v1/legacy", [](const Request&) { return Response::json(200, "{}"); }),
               "must declare its access");
}

TEST_F(AuthTest, disabling_a_user_ends_its_sessions) {
  add_user("lena", Role::viewer, false);
  auto s = login("lena");
  ASSERT_TRUE(s);
  http::UserChange change;
  change.disabled = true;
  ASSERT_OK(service_->update_user(service_->list_users()->front().id, change, "test"));
  EXPECT_EQ(call("GET", "/api/v1/auth/me", {}, &*s).status, 401);
  EXPECT_EQ(call("POST", "/api/v1/auth/login", login_body("lena", kPassword)).status, 401);
}

}  // namespace
}  // namespace bankrec::http
