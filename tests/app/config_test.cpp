#include "config.h"

#include "bankrec/testing/testing.h"

namespace bankrec::app {
namespace {

using ::testing::HasSubstr;

TEST(Config, empty_or_missing_file_gives_defaults) {
  const auto empty = parse_config("", "b.yaml");
  ASSERT_OK(empty);
  EXPECT_EQ(empty->listen, "127.0.0.1:8443");
  EXPECT_EQ(empty->data_dir, "/var/lib/bankrec");
  const auto missing = load_config("/nonexistent/bankrec.yaml", /*required=*/false);
  ASSERT_OK(missing);
  EXPECT_EQ(missing->source, "built-in defaults");
  EXPECT_ERR(load_config("/nonexistent/bankrec.yaml", /*required=*/true), Errc::invalid_input,
             HasSubstr("config file not found"));
}

TEST(Config, reads_every_section) {
  const auto cfg = parse_config(R"(
data_dir: /srv/bankrec
listen: 0.0.0.0:9443
tls: {certificate: /etc/bankrec/tls/cert.pem, key: /etc/bankrec/tls/key.pem}
log: {level: debug, format: journald}
inbox:
  - path: /srv/sftp/bank1
    account: DE89370400440532013000
    rescan_seconds: 30
import: {batch_size: 500, pending_expiry_days: 7}
retry: {base_seconds: 10, factor: 3, cap_seconds: 600, max_attempts: 5}
audit: {checkpoint_every: 100}
metrics: {plain_listen: 127.0.0.1:9464}
alerts:
  email: {smtp_url: "smtps://mail.example:465", from: bankrec@example.com, to: [finance@example.com],
          username: bankrec, password_file: /etc/bankrec/smtp.pass}
  webhook: {url: "https://hooks.example/bankrec", secret_file: /etc/bankrec/hook.key}
connectors: []
)",
                                "bankrec.yaml");
  ASSERT_OK(cfg);
  EXPECT_EQ(cfg->data_dir, "/srv/bankrec");
  EXPECT_EQ(cfg->log_format, "journald");
  ASSERT_EQ(cfg->inboxes.size(), 1u);
  EXPECT_EQ(cfg->inboxes[0].account.value_or(""), "DE89370400440532013000");
  EXPECT_EQ(cfg->retry.factor, 3u);
  ASSERT_TRUE(cfg->email);
  EXPECT_EQ(cfg->email->to, std::vector<std::string>{"finance@example.com"});
  const std::string dump = redacted_dump(*cfg);
  EXPECT_THAT(dump, Not(HasSubstr("smtp.pass")));
  EXPECT_THAT(dump, HasSubstr("<redacted>"));
}

TEST(Config, reports_every_problem_with_file_line_column_and_key) {
  const auto cfg = parse_config("listen: nowhere\nretry:\n  factor: 99\n  bogus: 1\nlog: {level: loud}\n",
                                "bad.yaml");
  ASSERT_FALSE(cfg);
  const std::string& m = cfg.error().message;
  EXPECT_THAT(m, HasSubstr("bad.yaml:1:9: listen: expected ADDR:PORT"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:3:11: retry.factor: expected a whole number from 1 to 10"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:4:3: retry.bogus: unknown key"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:5:14: log.level: expected one of"));
}

TEST(Config, refuses_half_tls_and_non_loopback_plain_metrics) {
  EXPECT_ERR(parse_config("tls: {certificate: /a.pem}\n", "t.yaml"), Errc::invalid_input,
             HasSubstr("give both certificate and key"));
  EXPECT_ERR(parse_config("metrics: {plain_listen: 0.0.0.0:9464}\n", "m.yaml"), Errc::invalid_input,
             HasSubstr("loopback"));
}

TEST(Config, syntax_errors_name_the_position) {
  const auto cfg = parse_config("listen: [\n", "s.yaml");
  ASSERT_FALSE(cfg);
  EXPECT_THAT(cfg.error().where, HasSubstr("s.yaml:"));
}

TEST(Config, the_shipped_example_is_valid_and_equals_the_defaults) {
  const auto cfg = load_config((testing::source_dir() / "etc" / "bankrec.yaml").string(), /*required=*/true);
  ASSERT_OK(cfg);
  AppConfig defaults;
  EXPECT_EQ(cfg->listen, defaults.listen);
  EXPECT_EQ(cfg->data_dir, defaults.data_dir);
  EXPECT_EQ(cfg->retry.max_attempts, defaults.retry.max_attempts);
  EXPECT_EQ(cfg->audit_checkpoint_every, defaults.audit_checkpoint_every);
}

}  // namespace
}  // namespace bankrec::app
