#include "bankrec/jobs/alerts.h"

#include <sys/stat.h>

#include <mutex>
#include <set>

#include "bankrec/testing/testing.h"
#include "store_test_util.h"
#include "test_pki.h"
#include "test_servers.h"

namespace bankrec::jobs {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using net::testing::HttpTestServer;
using net::testing::SmtpTestServer;
using net::testing::TestHttpRequest;
using net::testing::TestHttpResponse;
using store::testing_util::TestStore;
using namespace std::chrono;

constexpr const char* kSmtpPassword = "sm7p-Secret-pw";
constexpr const char* kWebhookKey = "whk-0123456789abcdef-secret";

/// A webhook receiver as webhook.h tells receivers to build it.
class Receiver {
 public:
  explicit Receiver(const Clock& clock) : clock_(clock) {}
  TestHttpResponse handle(const TestHttpRequest& r) {
    std::lock_guard lock(mutex_);
    if (fail_status_ != 0) return {fail_status_, {{"Retry-After", "600"}}, "down"};
    auto ok = net::verify_webhook_signature(kWebhookKey, r.header("X-Bankrec-Timestamp"), r.header("X-Bankrec-Delivery"),
                                            r.header("X-Bankrec-Signature"), r.body, clock_.now());
    if (!ok) return {401, {}, ok.error().message};
    if (!seen_.insert(r.header("X-Bankrec-Delivery")).second) return {409, {}, "replay"};
    bodies_.push_back(r.body);
    return {204, {}, ""};
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  void set_fail(int status) {
    std::lock_guard lock(mutex_);
    fail_status_ = status;
  }

 private:
  const Clock& clock_;
  std::mutex mutex_;
  int fail_status_ = 0;
  std::set<std::string> seen_;
  std::vector<std::string> bodies_;
};

class Alerts : public ::testing::Test {
 protected:
  Alerts()
      : pki_(net::testing::TestPki::create(dir_.path())),
        smtp_({pki_.server_cert, pki_.server_key, {}}, SmtpTestServer::Mode::starttls, "bankrec", kSmtpPassword),
        receiver_(t_.clock),
        hook_server_({pki_.server_cert, pki_.server_key, {}}, [this](const TestHttpRequest& r) { return receiver_.handle(r); }) {
    write_secret("smtp.password", std::string(kSmtpPassword) + "\n");
    write_secret("webhook.key", kWebhookKey);
  }

  void write_secret(const std::string& name, const std::string& content, mode_t mode = 0600) {
    bankrec::testing::write_file(dir_.path() / name, content);
    ::chmod((dir_.path() / name).c_str(), mode);
  }

  AlertsConfig config() const {
    AlertsConfig c;
    c.email = EmailAlertChannel{smtp_.url(), "bankrec@example.com", {"finance@example.com", "it@example.com"},
                                "bankrec", (dir_.path() / "smtp.password").string(), pki_.ca_cert.string()};
    c.webhook = WebhookAlertChannel{hook_server_.url("/hook"), (dir_.path() / "webhook.key").string(),
                                    pki_.ca_cert.string(), ""};
    c.templates_dir = bankrec::testing::source_dir() / "etc" / "templates" / "alerts";
    c.instance = "bankrec-test";
    c.console_url = "https://bankrec.example:8443/#/alerts";
    return c;
  }

  std::unique_ptr<AlertManager> manager(const AlertsConfig& c) {
    auto m = AlertManager::create(c, *t_.store, t_.clock, [this](const AlertNotice& n) { journal_.push_back(n); });
    EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().describe());
    return m ? std::move(*m) : nullptr;
  }
  std::vector<std::string> texts(const std::string& sql) { return *t_.store->db().query_texts(sql); }

  bankrec::testing::TempDir dir_;
  net::testing::TestPki pki_;
  TestStore t_;
  SmtpTestServer smtp_;
  Receiver receiver_;
  HttpTestServer hook_server_;
  std::vector<AlertNotice> journal_;
};

TEST_F(Alerts, a_new_alert_goes_to_journal_console_mail_and_webhook) {
  auto alerts = manager(config());
  auto r = alerts->raise(AlertKind::parser_failure, "file:day<1>.sta", AlertSeverity::error,
                         "day<1>.sta:14:7: invalid amount '12x' <script>alert(1)</script>", AlertObject{"source_file", "42"});
  ASSERT_OK(r);
  EXPECT_TRUE(r->created);
  ASSERT_EQ(journal_.size(), 1u);
  EXPECT_EQ(journal_[0].kind, AlertKind::parser_failure);
  EXPECT_FALSE(journal_[0].resolved);
  EXPECT_EQ(journal_priority(journal_[0].severity), 3);

  auto listed = alerts->list(/*open_only=*/true, 10);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].object_id, "42");

  auto stats = alerts->deliver_due();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->sent, 2);
  EXPECT_EQ(stats->failed, 0);

  const auto mails = smtp_.messages();
  ASSERT_EQ(mails.size(), 1u);
  const std::string& data = mails[0].data;
  EXPECT_TRUE(mails[0].was_tls);
  EXPECT_THAT(data, HasSubstr("Subject: [bankrec-test] Alert: statement file could not be read - file:day<1>.sta\r\n"));
  EXPECT_THAT(data, HasSubstr("X-Bankrec-Alert: parser_failure\r\n"));
  EXPECT_THAT(data, HasSubstr("multipart/alternative"));
  // the HTML part escapes what came from outside; the text part keeps it verbatim
  EXPECT_THAT(data, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(data, HasSubstr("invalid amount '12x' <script>"));
  EXPECT_THAT(data, HasSubstr("What to do: open the file in the console"));

  const auto bodies = receiver_.bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_THAT(bodies[0], HasSubstr(R"("event":"raised","instance":"bankrec-test")"));
  EXPECT_THAT(bodies[0], HasSubstr(R"("kind":"parser_failure","key":"file:day<1>.sta","severity":"error","state":"open")"));
  EXPECT_THAT(bodies[0], HasSubstr(R"("object":{"type":"source_file","id":"42"})"));
  EXPECT_THAT(texts("SELECT channel || ' ' || state || ' ' || attempts FROM alert_deliveries ORDER BY id"),
              ::testing::ElementsAre("email sent 1", "webhook sent 1"));

  auto again = alerts->deliver_due();
  ASSERT_OK(again);
  EXPECT_EQ(again->sent, 0);
}

TEST_F(Alerts, a_repeated_alert_is_counted_not_sent_again) {
  auto alerts = manager(config());
  ASSERT_OK(alerts->raise(AlertKind::dead_letter, "job:17", AlertSeverity::error, "import failed 8 times"));
  ASSERT_OK(alerts->deliver_due());
  t_.clock.advance(minutes(10));
  auto second = alerts->raise(AlertKind::dead_letter, "job:17", AlertSeverity::error, "import failed 8 times");
  ASSERT_OK(second);
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->occurrences, 2);
  ASSERT_OK(alerts->deliver_due());
  EXPECT_EQ(smtp_.messages().size(), 1u);
  EXPECT_EQ(receiver_.bodies().size(), 1u);
  EXPECT_EQ(journal_.size(), 1u);
}

TEST_F(Alerts, clearing_the_condition_sends_a_resolved_notice) {
  auto alerts = manager(config());
  ASSERT_OK(alerts->raise(AlertKind::connector_failure, "connector:sparkasse", AlertSeverity::warning, "503 from bank"));
  ASSERT_OK(alerts->deliver_due());
  t_.clock.advance(minutes(30));
  auto resolved = alerts->resolve(AlertKind::connector_failure, "connector:sparkasse");
  ASSERT_OK(resolved);
  EXPECT_TRUE(*resolved);
  auto nothing = alerts->resolve(AlertKind::connector_failure, "connector:sparkasse");
  ASSERT_OK(nothing);
  EXPECT_FALSE(*nothing);
  ASSERT_OK(alerts->deliver_due());

  const auto mails = smtp_.messages();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_THAT(mails[1].data, HasSubstr("Subject: [bankrec-test] Resolved: bank connector failed"));
  EXPECT_THAT(mails[1].data, HasSubstr("State:       resolved"));
  const auto bodies = receiver_.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_THAT(bodies[1], HasSubstr(R"("event":"resolved")"));
  EXPECT_THAT(bodies[1], HasSubstr(R"("resolved_at":"2026-11-22T09:30:00.000Z")"));
  ASSERT_EQ(journal_.size(), 2u);
  EXPECT_TRUE(journal_[1].resolved);
  EXPECT_TRUE(alerts->list(/*open_only=*/true, 10)->empty());
}

TEST_F(Alerts, failed_deliveries_are_kept_and_retried_with_the_last_error) {
  auto alerts = manager(config());
  smtp_.set_fail_data(451);
  receiver_.set_fail(503);
  ASSERT_OK(alerts->raise(AlertKind::audit_verification_failed, "audit", AlertSeverity::critical,
                          "entry 1234 was changed"));
  auto first = alerts->deliver_due();
  ASSERT_OK(first);
  EXPECT_EQ(first->failed, 2);
  EXPECT_THAT(texts("SELECT channel || ' ' || state || ' ' || attempts || ' ' || last_error FROM alert_deliveries "
                    "ORDER BY id"),
              ::testing::ElementsAre(AllOf(HasSubstr("email pending 1"), HasSubstr("451")),
                                     AllOf(HasSubstr("webhook pending 1"), HasSubstr("503"))));
  // not due yet: the e-mail waits retry_base (60 s), the webhook its Retry-After (600 s)
  EXPECT_EQ(alerts->deliver_due()->failed, 0);
  smtp_.set_fail_data(0);
  receiver_.set_fail(0);
  t_.clock.advance(seconds(61));
  auto second = alerts->deliver_due();
  ASSERT_OK(second);
  EXPECT_EQ(second->sent, 1);
  EXPECT_EQ(smtp_.messages().size(), 1u);
  t_.clock.advance(seconds(600));
  auto third = alerts->deliver_due();
  ASSERT_OK(third);
  EXPECT_EQ(third->sent, 1);
  EXPECT_EQ(receiver_.bodies().size(), 1u);
  EXPECT_THAT(texts("SELECT state || ' ' || attempts FROM alert_deliveries ORDER BY id"),
              ::testing::ElementsAre("sent 2", "sent 2"));
}

TEST_F(Alerts, rate_limit_per_channel_delays_but_never_drops) {
  AlertsConfig c = config();
  c.max_per_hour_per_channel = 2;
  auto alerts = manager(c);
  for (const char* key : {"file:a", "file:b", "file:c"})
    ASSERT_OK(alerts->raise(AlertKind::parser_failure, key, AlertSeverity::error, "cannot read"));
  auto first = alerts->deliver_due();
  ASSERT_OK(first);
  EXPECT_EQ(first->sent, 4);
  EXPECT_EQ(first->postponed, 2);
  EXPECT_EQ(smtp_.messages().size(), 2u);
  t_.clock.advance(minutes(61));
  auto later = alerts->deliver_due();
  ASSERT_OK(later);
  EXPECT_EQ(later->sent, 2);
  EXPECT_EQ(smtp_.messages().size(), 3u);
  EXPECT_EQ(receiver_.bodies().size(), 3u);
}

TEST_F(Alerts, secrets_come_from_protected_files_and_never_show) {
  AlertsConfig c = config();
  write_secret("open.password", kSmtpPassword, 0644);
  c.email->password_file = (dir_.path() / "open.password").string();
  auto refused = AlertManager::create(c, *t_.store, t_.clock);
  EXPECT_ERR(refused, Errc::permission_denied, HasSubstr("readable by everyone"));
  EXPECT_THAT(refused.error().describe(), Not(HasSubstr(kSmtpPassword)));

  c = config();
  c.webhook->secret_file = (dir_.path() / "missing.key").string();
  EXPECT_ERR(AlertManager::create(c, *t_.store, t_.clock), Errc::invalid_input, HasSubstr("webhook secret file is missing"));

  // a wrong password: the failure is recorded without the password
  c = config();
  write_secret("wrong.password", "Wr0ng-Pa55word");
  c.email->password_file = (dir_.path() / "wrong.password").string();
  c.webhook.reset();
  auto alerts = manager(c);
  ASSERT_OK(alerts->raise(AlertKind::health_check_failed, "disk", AlertSeverity::warning, "3% free"));
  EXPECT_EQ(alerts->deliver_due()->failed, 1);
  const auto errors = texts("SELECT last_error FROM alert_deliveries");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("authentication failed"));
  EXPECT_THAT(errors[0], Not(HasSubstr("Wr0ng-Pa55word")));
}

TEST_F(Alerts, broken_templates_stop_creation_with_file_and_line) {
  AlertsConfig c = config();
  c.templates_dir = dir_.path() / "templates";
  std::filesystem::create_directories(c.templates_dir);
  bankrec::testing::write_file(c.templates_dir / "dead_letter.txt", "Subject: x\n\nhello {{name}}\n");
  bankrec::testing::write_file(c.templates_dir / "dead_letter.html", "<p>{{message}}</p>");
  auto r = AlertManager::create(c, *t_.store, t_.clock);
  EXPECT_ERR(r, Errc::invalid_input, HasSubstr("unknown placeholder '{{name}}'"));
  EXPECT_THAT(r.error().where, HasSubstr("dead_letter.txt:3"));

  bankrec::testing::write_file(c.templates_dir / "dead_letter.txt", "no subject\n");
  EXPECT_ERR(AlertManager::create(c, *t_.store, t_.clock), Errc::invalid_input, HasSubstr("Subject:"));
  std::filesystem::remove(c.templates_dir / "dead_letter.txt");
  EXPECT_ERR(AlertManager::create(c, *t_.store, t_.clock), Errc::invalid_input, HasSubstr("both .txt and .html"));
}

TEST_F(Alerts, without_template_files_the_built_in_default_is_used) {
  AlertsConfig c = config();
  c.templates_dir = dir_.path() / "no-templates";
  auto alerts = manager(c);
  auto rec = store::AlertRecord{};
  rec.id = 5;
  rec.kind = "consent_expiring";
  rec.alert_key = "connector:n26";
  rec.severity = "warning";
  rec.state = "open";
  rec.message = "consent ends on 2026-12-01\r\nBcc: evil@example.com";
  rec.created_at = rec.last_seen_at = "2026-11-22T09:00:00.000Z";
  auto mail = alerts->render_email(rec, "raised");
  ASSERT_OK(mail);
  EXPECT_EQ(mail->subject, "[bankrec-test] Alert: consent expiring (warning)");
  EXPECT_THAT(mail->text, HasSubstr("About:       connector:n26"));
  EXPECT_THAT(mail->html, HasSubstr("<h2>Alert: consent expiring</h2>"));
}

TEST(AlertKinds, names_round_trip) {
  for (const char* name : {"parser_failure", "unmatched_above_threshold", "dead_letter", "connector_failure",
                           "consent_expiring", "health_check_failed", "audit_verification_failed"}) {
    auto k = parse_alert_kind(name);
    ASSERT_OK(k);
    EXPECT_STREQ(alert_kind_name(*k), name);
  }
  EXPECT_ERR(parse_alert_kind("disk_full"), Errc::invalid_input, HasSubstr("unknown alert kind"));
}

}  // namespace
}  // namespace bankrec::jobs
