#include "bankrec/net/smtp_client.h"

#include "bankrec/testing/testing.h"
#include "fixed_clock.h"
#include "test_pki.h"
#include "test_servers.h"

namespace bankrec::net {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::FixedClock;
using testing::SmtpTestServer;
using testing::TestPki;

class SmtpClientTest : public ::testing::Test {
 protected:
  SmtpClientTest() : pki_(TestPki::create(dir_.path())) {}
  testing::TlsOptions tls() const { return {pki_.server_cert, pki_.server_key, {}}; }
  SmtpConfig config(const SmtpTestServer& server) const {
    SmtpConfig c;
    c.url = server.url();
    c.username = "bankrec";
    c.password = "sm7p-p4ss";
    c.tls.ca_file = pki_.ca_cert;
    c.total_timeout = std::chrono::milliseconds(20'000);
    return c;
  }
  static MailMessage message() {
    MailMessage m;
    m.from = {"bankrec@example.com", "bankrec"};
    m.to = {{"finance@example.com", ""}, {"it@example.com", "IT"}};
    m.subject = "Parserfehler: Kontoauszug März";
    m.text_body = "A file could not be read.\n.leading dot line\n..two dots\nend";
    m.html_body = "<p>A file could not be read.</p>";
    m.extra_headers = {{"X-Bankrec-Alert", "parser_failure"}};
    return m;
  }
  Result<SmtpSendResult> send(const SmtpConfig& c, const MailMessage& m) {
    auto client = make_smtp_client(c, clock_);
    if (!client) return Unexpected{client.error()};
    return (*client)->send(m);
  }

  bankrec::testing::TempDir dir_;
  TestPki pki_;
  FixedClock clock_;
};

void expect_delivered(const testing::ReceivedMail& mail, const std::string& message_id) {
  EXPECT_TRUE(mail.was_tls);
  EXPECT_EQ(mail.auth_user, "bankrec");
  EXPECT_EQ(mail.auth_password, "sm7p-p4ss");
  EXPECT_EQ(mail.helo, "bankrec.localdomain");
  EXPECT_THAT(mail.mail_from, HasSubstr("<bankrec@example.com>"));
  EXPECT_THAT(mail.rcpt_to, ElementsAre(HasSubstr("<finance@example.com>"), HasSubstr("<it@example.com>")));
  EXPECT_THAT(mail.data, HasSubstr("Message-ID: " + message_id + "\r\n"));
  EXPECT_THAT(mail.data, HasSubstr("Date: Sun, 22 Nov 2026 09:00:00 +0000\r\n"));
  EXPECT_THAT(mail.data, HasSubstr("Subject: =?UTF-8?B?UGFyc2VyZmVobGVyOiBLb250b2F1c3p1ZyBNw6Ryeg==?=\r\n"));
  EXPECT_THAT(mail.data, HasSubstr("X-Bankrec-Alert: parser_failure\r\n"));
  EXPECT_THAT(mail.data, HasSubstr("multipart/alternative"));
  // dot-stuffed on the wire by curl, unstuffed by the server: the text arrives unchanged
  EXPECT_THAT(mail.data, HasSubstr("\r\n.leading dot line\r\n..two dots\r\nend\r\n"));
  EXPECT_THAT(mail.data, HasSubstr("<p>A file could not be read.</p>"));
}

TEST_F(SmtpClientTest, sends_over_implicit_tls) {
  SmtpTestServer server(tls(), SmtpTestServer::Mode::implicit_tls, "bankrec", "sm7p-p4ss");
  auto r = send(config(server), message());
  ASSERT_OK(r);
  EXPECT_THAT(r->message_id, ::testing::MatchesRegex("<[0-9a-f]{32}@bankrec.localdomain>"));
  const auto mails = server.messages();
  ASSERT_EQ(mails.size(), 1u);
  expect_delivered(mails[0], r->message_id);
}

TEST_F(SmtpClientTest, sends_over_starttls_and_authenticates_only_after_it) {
  SmtpTestServer server(tls(), SmtpTestServer::Mode::starttls, "bankrec", "sm7p-p4ss");
  auto r = send(config(server), message());
  ASSERT_OK(r);
  const auto mails = server.messages();
  ASSERT_EQ(mails.size(), 1u);
  expect_delivered(mails[0], r->message_id);
  for (const auto& cmd : server.plaintext_commands()) {
    EXPECT_THAT(cmd, Not(HasSubstr("AUTH")));
    EXPECT_THAT(cmd, Not(HasSubstr("MAIL")));
  }
  EXPECT_THAT(server.plaintext_commands(), ::testing::Contains(HasSubstr("STARTTLS")));
}

TEST_F(SmtpClientTest, refuses_a_server_without_starttls) {
  SmtpTestServer server(tls(), SmtpTestServer::Mode::plain_only, "bankrec", "sm7p-p4ss");
  auto r = send(config(server), message());
  EXPECT_ERR(r, Errc::unavailable, HasSubstr("starttls"));
  EXPECT_TRUE(server.messages().empty());
  for (const auto& cmd : server.plaintext_commands()) EXPECT_THAT(cmd, Not(HasSubstr("AUTH")));
}

TEST_F(SmtpClientTest, refuses_a_server_certificate_from_an_unknown_ca) {
  SmtpTestServer server(tls(), SmtpTestServer::Mode::implicit_tls, "bankrec", "sm7p-p4ss");
  SmtpConfig c = config(server);
  c.tls.ca_file = pki_.other_ca_cert;
  EXPECT_ERR(send(c, message()), Errc::unavailable, HasSubstr("smtp delivery failed"));
  EXPECT_TRUE(server.messages().empty());
}

TEST_F(SmtpClientTest, reports_a_wrong_password_without_echoing_it) {
  SmtpTestServer server(tls(), SmtpTestServer::Mode::implicit_tls, "bankrec", "sm7p-p4ss");
  SmtpConfig c = config(server);
  c.password = "wrong-Pa55";
  auto r = send(c, message());
  EXPECT_ERR(r, Errc::permission_denied, HasSubstr("authentication failed"));
  EXPECT_THAT(r.error().describe(), Not(HasSubstr("wrong-Pa55")));
}

TEST_F(SmtpClientTest, a_permanent_rejection_is_invalid_input_and_a_temporary_one_unavailable) {
  SmtpTestServer server(tls(), SmtpTestServer::Mode::implicit_tls, "bankrec", "sm7p-p4ss");
  server.set_fail_data(554);
  EXPECT_ERR(send(config(server), message()), Errc::invalid_input, HasSubstr("554"));
  server.set_fail_data(451);
  EXPECT_ERR(send(config(server), message()), Errc::unavailable, HasSubstr("451"));
}

TEST_F(SmtpClientTest, validates_the_configuration) {
  SmtpConfig c;
  c.url = "http://mail.example.com";
  EXPECT_ERR(make_smtp_client(c, clock_), Errc::invalid_input, HasSubstr("smtps://"));
  c.url = "smtps://user:pw@mail.example.com";
  auto r = make_smtp_client(c, clock_);
  EXPECT_ERR(r, Errc::invalid_input, HasSubstr("credentials"));
  EXPECT_THAT(r.error().describe(), Not(HasSubstr("pw@")));
  c.url = "smtp://mail.example.com:587";
  c.username = "u";
  EXPECT_ERR(make_smtp_client(c, clock_), Errc::invalid_input, HasSubstr("without a password"));
  c.password = "p";
  EXPECT_OK(make_smtp_client(c, clock_));
}

}  // namespace
}  // namespace bankrec::net
