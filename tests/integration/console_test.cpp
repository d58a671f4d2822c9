// bankrecd on 127.0.0.1 with a temp data dir; users made with the real `bankrec user` CLI (password
// on stdin, TOTP enrolment answered with a code computed here); sign-in over real HTTPS with libcurl.
#include <chrono>
#include <thread>

#include "console_harness.h"

namespace bankrec {
namespace {

using ::testing::HasSubstr;
using namespace console_test;

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    const std::string listen = "127.0.0.1:" + std::to_string(testing::free_loopback_port());
    base_ = "https://" + listen;
    daemon_ = std::make_unique<testing::Process>(
        std::vector<std::string>{BANKRECD, "--data-dir", data_.string(), "--listen", listen, "--config",
                                 (dir_.path() / "absent.yaml").string()},
        dir_.path(), "bankrecd");
    ca_ = data_ / "tls" / "cert.pem";
    for (int i = 0; i < 400; ++i) {
      if (std::filesystem::exists(ca_) && request("GET", base_ + "/healthz", ca_).code == CURLE_OK) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "bankrecd did not come up: " << daemon_->stderr_text();
  }

  std::vector<std::string> cli(std::initializer_list<std::string> args) {
    std::vector<std::string> argv{BANKREC_CLI, "--data-dir", data_.string()};
    argv.insert(argv.end(), args);
    return argv;
  }

  void add_user(const std::string& name, const std::string& role) {
    std::string out;
    ASSERT_EQ(run_with_input(cli({"user", "add", name, "--role", role}), std::string(kPassword) + "\n", &out), 0)
        << out;
    EXPECT_THAT(out, HasSubstr("created user " + name));
  }

  /// `bankrec user totp NAME`: reads the otpauth URI, answers with the current code; returns the secret.
  std::string enrol(const std::string& name) {
    std::string uri, out;
    const std::string secret = enrol_totp(cli({}), name, &uri, &out);
    EXPECT_THAT(uri, ::testing::StartsWith("otpauth://totp/bankrec:" + name + "?secret="));
    EXPECT_THAT(out, HasSubstr("\u2588"));  // the QR code in half blocks
    EXPECT_THAT(out, HasSubstr("Recovery codes"));
    return secret;
  }

  Reply login(const std::string& name, const std::string& password, const std::string& code = {}) {
    return request("POST", base_ + "/api/v1/auth/login", ca_, login_body(name, password, code));
  }

  Reply as(const Session& s, const std::string& method, const std::string& path, const std::string& body = {},
           bool csrf = true) {
    return request(method, base_ + path, ca_, body, s.headers(csrf));
  }

  testing::TempDir dir_;
  std::filesystem::path data_, ca_;
  std::string base_;
  std::unique_ptr<testing::Process> daemon_;
};

TEST_F(ConsoleTest, admin_signs_in_with_totp_over_https_and_a_viewer_is_kept_out) {
  add_user("admin", "admin");
  const std::string secret = enrol("admin");
  add_user("viv", "viewer");

  // Without the code the password alone is not enough; the next step's code is fresh (the CLI used this one).
  EXPECT_EQ(login("admin", kPassword).status, 401);
  const Reply ok = login("admin", kPassword, totp(secret, step_now() + 1));
  ASSERT_EQ(ok.status, 200) << ok.body << daemon_->stderr_text();
  const std::string cookie = ok.header("Set-Cookie");
  EXPECT_THAT(cookie, ::testing::StartsWith("__Host-bankrec_session="));
  for (const char* flag : {"Path=/", "Secure", "HttpOnly", "SameSite=Strict"}) EXPECT_THAT(cookie, HasSubstr(flag));
  EXPECT_EQ(ok.header("Cache-Control"), "no-store");
  EXPECT_THAT(ok.header("Strict-Transport-Security"), HasSubstr("max-age="));
  EXPECT_THAT(ok.header("Content-Security-Policy"), HasSubstr("default-src 'self'"));
  EXPECT_EQ(ok.header("X-Content-Type-Options"), "nosniff");
  const Session admin = session_of(ok);
  ASSERT_FALSE(admin.csrf.empty());

  const Reply users = as(admin, "GET", "/api/v1/users");
  EXPECT_EQ(users.status, 200) << users.body;
  EXPECT_THAT(users.body, HasSubstr("\"name\":\"viv\""));
  EXPECT_THAT(users.body, HasSubstr("\"totp_enrolled\":true"));

  const Reply viewer_login = login("viv", kPassword);
  ASSERT_EQ(viewer_login.status, 200) << viewer_login.body;
  const Session viewer = session_of(viewer_login);
  EXPECT_EQ(as(viewer, "GET", "/api/v1/auth/me").status, 200);
  const Reply denied = as(viewer, "GET", "/api/v1/users");
  EXPECT_EQ(denied.status, 403);
  EXPECT_THAT(denied.body, HasSubstr("\"forbidden\""));
  EXPECT_EQ(as(viewer, "PATCH", "/api/v1/users/1", "{\"role\":\"viewer\"}").status, 403);

  // CSRF: a state change without the header is refused and changes nothing.
  const Reply no_csrf = as(admin, "POST", "/api/v1/auth/logout", {}, /*csrf=*/false);
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_THAT(no_csrf.body, HasSubstr("\"csrf\""));
  EXPECT_EQ(as(admin, "GET", "/api/v1/auth/me").status, 200);

  // Logout ends the session on the server: the old cookie no longer works.
  const Reply out = as(admin, "POST", "/api/v1/auth/logout");
  EXPECT_EQ(out.status, 200) << out.body;
  EXPECT_THAT(out.header("Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(as(admin, "GET", "/api/v1/auth/me").status, 401);
  EXPECT_EQ(as(admin, "GET", "/api/v1/users").status, 401);

  std::string list;
  EXPECT_EQ(run_with_input(cli({"user", "list"}), {}, &list), 0);
  EXPECT_THAT(list, HasSubstr("admin"));
  EXPECT_THAT(list, HasSubstr("viewer"));
}

TEST_F(ConsoleTest, repeated_wrong_passwords_lock_the_account) {
  add_user("lou", "accountant");
  const Reply unknown = login("nobody", "whatever-password");
  for (int i = 0; i < 5; ++i) {
    const Reply r = login("lou", "wrong-password-" + std::to_string(i));
    EXPECT_EQ(r.status, 401) << r.body;
    if (i == 0) {
      EXPECT_EQ(r.body, unknown.body);  // the same answer as for a user who does not exist
    }
  }
  const Reply locked = login("lou", kPassword);
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_FALSE(locked.header("Retry-After").empty());
  // The CLI shows the lock and lifts it.
  std::string list;
  EXPECT_EQ(run_with_input(cli({"user", "list", "--json"}), {}, &list), 0);
  EXPECT_THAT(list, ::testing::MatchesRegex("(.|\n)*\"name\":\"lou\"[^\n]*\"locked_until\":\"20(.|\n)*"));
  std::string out;
  EXPECT_EQ(run_with_input(cli({"user", "unlock", "lou"}), {}, &out), 0) << out;
  EXPECT_EQ(login("lou", kPassword).status, 200);
}

TEST_F(ConsoleTest, the_cli_refuses_a_common_password) {
  std::string out;
  EXPECT_EQ(run_with_input(cli({"user", "add", "pat", "--role", "viewer"}), "Password2024!\n", &out), 2) << out;
  EXPECT_THAT(out, HasSubstr("too common"));
}

}  // namespace
}  // namespace bankrec
