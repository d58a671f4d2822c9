#include "bankrec/testing/testing.h"
#include "bankrec/net/smtp_client.h"

namespace bankrec::net {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono;

MailMessage sample() {
  MailMessage m;
  m.from = {"bankrec@example.com", "bankrec"};
  m.to = {{"finance@example.com", ""}, {"it@example.com", "IT \"Ops\""}};
  m.subject = "Parser failure";
  m.text_body = "line one\n.dot line\nsecond = two";
  m.html_body = "<p>line one</p>";
  return m;
}

TEST(Mime, builds_a_multipart_alternative_message) {
  const auto date = sys_days{year{2026} / 11 / 22} + hours{9} + minutes{5};
  auto r = build_mime_message(sample(), date, "<id1@bankrec.local>", "=_bankrec_0123456789ab");
  ASSERT_OK(r);
  const std::string& m = *r;
  EXPECT_THAT(m, HasSubstr("Date: Sun, 22 Nov 2026 09:05:00 +0000\r\n"));
  EXPECT_THAT(m, HasSubstr("Message-ID: <id1@bankrec.local>\r\n"));
  EXPECT_THAT(m, HasSubstr("From: \"bankrec\" <bankrec@example.com>\r\n"));
  EXPECT_THAT(m, HasSubstr("To: <finance@example.com>,\r\n \"IT \\\"Ops\\\"\" <it@example.com>\r\n"));
  EXPECT_THAT(m, HasSubstr("Subject: Parser failure\r\n"));
  EXPECT_THAT(m, HasSubstr("MIME-Version: 1.0\r\n"));
  EXPECT_THAT(m, HasSubstr("Content-Type: multipart/alternative; boundary=\"=_bankrec_0123456789ab\"\r\n"));
  EXPECT_THAT(m, HasSubstr("--=_bankrec_0123456789ab\r\nContent-Type: text/plain; charset=UTF-8\r\n"));
  EXPECT_THAT(m, HasSubstr("line one\r\n.dot line\r\nsecond =3D two\r\n"));
  EXPECT_THAT(m, HasSubstr("Content-Type: text/html; charset=UTF-8\r\n"));
  EXPECT_THAT(m, HasSubstr("--=_bankrec_0123456789ab--\r\n"));
  EXPECT_THAT(m, Not(HasSubstr("\n\n")));  // CRLF everywhere
}

TEST(Mime, encodes_non_ascii_headers_and_bodies) {
  MailMessage m = sample();
  m.subject = "Zahlungseingang Müller GmbH – 3 Posten offen, bitte prüfen Sie die Zuordnung heute noch";
  m.from.display_name = "Buchhaltung Köln";
  m.text_body = "Grüße";
  auto r = build_mime_message(m, system_clock::time_point{}, "<a@b>", "=_bankrec_0123456789ab");
  ASSERT_OK(r);
  EXPECT_THAT(*r, HasSubstr("Subject: =?UTF-8?B?"));
  EXPECT_THAT(*r, HasSubstr("?=\r\n =?UTF-8?B?"));  // folded into several encoded words
  EXPECT_THAT(*r, HasSubstr("From: =?UTF-8?B?QnVjaGhhbHR1bmcgS8O2bG4=?= <bankrec@example.com>"));
  EXPECT_THAT(*r, HasSubstr("Gr=C3=BC=C3=9Fe"));
  for (std::size_t pos = 0, next; (next = r->find("\r\n", pos)) != std::string::npos; pos = next + 2)
    EXPECT_LE(next - pos, 78u) << r->substr(pos, next - pos);
}

TEST(Mime, encoded_word_keeps_utf8_sequences_whole) {
  EXPECT_EQ(encode_header_word("plain"), "plain");
  EXPECT_EQ(encode_header_word("ä"), "=?UTF-8?B?w6Q=?=");
}

TEST(Mime, refuses_header_injection_and_bad_addresses) {
  MailMessage m = sample();
  m.subject = "hi\r\nBcc: victim@example.com";
  EXPECT_ERR(build_mime_message(m, {}, "<a@b>", "=_bankrec_0123456789ab"), Errc::invalid_input, HasSubstr("line break"));
  m = sample();
  m.to = {{"finance@example.com>\r\nRCPT TO:<x@y", ""}};
  EXPECT_ERR(build_mime_message(m, {}, "<a@b>", "=_bankrec_0123456789ab"), Errc::invalid_input, HasSubstr("e-mail"));
  m = sample();
  m.extra_headers = {{"X-Alert", "a\nb"}};
  EXPECT_ERR(build_mime_message(m, {}, "<a@b>", "=_bankrec_0123456789ab"), Errc::invalid_input, HasSubstr("header"));
  m = sample();
  m.text_body = "\xff\xfe";
  EXPECT_ERR(build_mime_message(m, {}, "<a@b>", "=_bankrec_0123456789ab"), Errc::invalid_input, HasSubstr("utf-8"));
  for (const char* bad : {"", "a", "@b", "a@", "a@@b", "a b@c", "a@b..c", "<a@b>", "a@b,c@d"})
    EXPECT_FALSE(validate_mail_address(bad)) << bad;
  EXPECT_OK(validate_mail_address("first.last+tag@sub.example.com"));
}

TEST(Mime, text_only_message_is_a_single_part) {
  MailMessage m = sample();
  m.html_body.clear();
  auto r = build_mime_message(m, {}, "<a@b>", "=_bankrec_0123456789ab");
  ASSERT_OK(r);
  EXPECT_THAT(*r, Not(HasSubstr("multipart")));
  EXPECT_THAT(*r, HasSubstr("Content-Type: text/plain; charset=UTF-8\r\n"));
}

}  // namespace
}  // namespace bankrec::net
