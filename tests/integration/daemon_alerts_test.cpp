// The real bankrecd with e-mail and webhook alerts configured: a file that cannot be parsed lands in
// failed/ with its reason, and one alert arrives at a local SMTP server (STARTTLS + AUTH) and at a
// local HTTPS webhook receiver that verifies the HMAC signature and rejects anything else.
#include <signal.h>
#include <sys/stat.h>

#include <optional>
#include <thread>

#include "bankrec/net/webhook.h"
#include "bankrec/testing/testing.h"
#include "test_pki.h"
#include "test_servers.h"

namespace bankrec {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

template <class Pred>
bool eventually(Pred pred, int seconds = 30) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void write_secret(const fs::path& file, const std::string& text) {
  testing::write_file(file, text);
  ::chmod(file.c_str(), 0600);
}

TEST(DaemonAlerts, bad_inbox_file_alerts_by_mail_and_signed_webhook) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "pki");
  const auto pki = net::testing::TestPki::create(dir.path() / "pki");
  const std::string webhook_key = "0123456789abcdef-webhook-test-key";
  const std::string smtp_password = "s3cret-smtp-password";

  // The receiver answers 204 only to a correctly signed, fresh delivery.
  std::atomic<int> verified{0}, rejected{0};
  net::testing::HttpTestServer receiver({pki.server_cert, pki.server_key, {}}, [&](const net::testing::TestHttpRequest& r) {
    auto ok = net::verify_webhook_signature(webhook_key, r.header("X-Bankrec-Timestamp"), r.header("X-Bankrec-Delivery"),
                                            r.header("X-Bankrec-Signature"), r.body, std::chrono::system_clock::now());
    (ok ? verified : rejected)++;
    return net::testing::TestHttpResponse{ok ? 204 : 401, {}, ""};
  });
  net::testing::SmtpTestServer smtp({pki.server_cert, pki.server_key, {}}, net::testing::SmtpTestServer::Mode::starttls,
                                    "bankrec", smtp_password);

  write_secret(dir.path() / "smtp.password", smtp_password + "\n");
  write_secret(dir.path() / "webhook.key", webhook_key + "\n");
  const fs::path data = dir.path() / "data";
  const std::string config =
      "alerts:\n"
      "  email:\n"
      "    smtp_url: " + smtp.url() + "\n"
      "    from: bankrec@example.com\n"
      "    to: [finance@example.com]\n"
      "    username: bankrec\n"
      "    password_file: " + (dir.path() / "smtp.password").string() + "\n"
      "    ca_file: " + pki.ca_cert.string() + "\n"
      "  webhook:\n"
      "    url: " + receiver.url("/hooks/bankrec") + "\n"
      "    secret_file: " + (dir.path() / "webhook.key").string() + "\n"
      "    ca_file: " + pki.ca_cert.string() + "\n"
      "  templates_dir: " + (testing::source_dir() / "etc" / "templates" / "alerts").string() + "\n";
  testing::write_file(dir.path() / "bankrec.yaml", config);

  const std::uint16_t port = testing::free_loopback_port();
  testing::Process daemon({BANKRECD, "--data-dir", data.string(), "--listen", "127.0.0.1:" + std::to_string(port),
                           "--config", (dir.path() / "bankrec.yaml").string()},
                          dir.path(), "bankrecd");
  ASSERT_TRUE(eventually([&] { return fs::exists(data / "inbox"); })) << daemon.stderr_text();
  testing::write_file(data / "inbox" / "broken.xml", "<Document><BkToCstmrStmt><Stmt>\n");

  ASSERT_TRUE(eventually([&] { return fs::exists(data / "failed" / "broken.xml.error.txt"); })) << daemon.stderr_text();
  // Other alerts (a health check on a nearly full disk, say) may come first: look for this one.
  const auto parser_mail = [&]() -> std::optional<net::testing::ReceivedMail> {
    for (const auto& m : smtp.messages())
      if (m.data.find("X-Bankrec-Alert: parser_failure") != std::string::npos) return m;
    return std::nullopt;
  };
  const auto parser_hook = [&]() -> std::optional<net::testing::TestHttpRequest> {
    for (const auto& r : receiver.requests())
      if (r.body.find("\"parser_failure\"") != std::string::npos) return r;
    return std::nullopt;
  };
  ASSERT_TRUE(eventually([&] { return parser_mail().has_value() && parser_hook().has_value(); })) << daemon.stderr_text();

  const auto mail = *parser_mail();
  EXPECT_TRUE(mail.was_tls);
  EXPECT_EQ(mail.auth_user, "bankrec");
  EXPECT_THAT(mail.rcpt_to, ::testing::ElementsAre(HasSubstr("finance@example.com")));
  EXPECT_THAT(mail.data, HasSubstr("multipart/alternative"));
  EXPECT_THAT(mail.data, HasSubstr("broken.xml"));
  for (const auto& line : smtp.plaintext_commands()) EXPECT_THAT(line, Not(HasSubstr("AUTH")));

  const auto hook = *parser_hook();
  EXPECT_EQ(hook.target, "/hooks/bankrec");
  EXPECT_THAT(hook.body, HasSubstr("broken.xml"));
  EXPECT_EQ(rejected.load(), 0);

  // Secrets never reach the log.
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(30'000), 0);
  const std::string log = daemon.stderr_text();
  EXPECT_THAT(log, Not(HasSubstr(smtp_password)));
  EXPECT_THAT(log, Not(HasSubstr(webhook_key)));
  EXPECT_THAT(log, HasSubstr("alert=parser_failure"));
}

}  // namespace
}  // namespace bankrec
