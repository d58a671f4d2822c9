// Issue 7, the rest: Bridge v2 (e-mail/password users), XS2A redirect and decoupled SCA,
// transactions delivered as a download link, and connectors applied by SIGHUP. The real `bankrec`
// CLI and `bankrecd` against the real `bankrec-sandbox` over verified TLS; the test plays the
// person with the browser (or with the banking app, through the sandbox's switches).
#include <signal.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "sandbox_harness.h"

namespace bankrec {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kBridgeSecret = "sandbox-bridge-secret";

using sandbox_test::fetch;
using sandbox_test::soon;
using Reply = sandbox_test::Fetched;

/// bankrec-sandbox with extra flags, its data 20 days deep.
class ScaSandbox : public sandbox_test::Sandbox {
 public:
  ScaSandbox(const fs::path& root, const std::vector<std::string>& flags)
      : sandbox_test::Sandbox(root, /*seed=*/13, /*days=*/20, flags) {}
  void post_ok(const std::string& path, const std::string& body) const {
    ASSERT_EQ(post(path, body).status, 200) << path << " " << body;
  }
  /// Booked plus pending lines of an account (by IBAN or resource id), as the bank holds them.
  std::int64_t lines(const std::string& account) const {
    const json::value v = get_json("/_sandbox/ledger?account=" + account);
    return static_cast<std::int64_t>(v.at("booked").as_array().size() + v.at("pending").as_array().size());
  }
  /// IBAN of the sandbox's first account of `bank` with cash account type `type`.
  std::string iban(const std::string& bank, const std::string& type = "CACC") const {
    const json::value state = get_json("/_sandbox/state");  // kept alive for the loop
    for (const auto& a : state.at("accounts").as_array())
      if (a.at("bank").as_string() == bank && a.at("type").as_string() == type && a.at("iban").is_string())
        return std::string(a.at("iban").as_string());
    return {};
  }
};

/// A data dir whose bankrec.yaml the test writes, and the CLI on it.
class Site : public sandbox_test::Site {
 public:
  void write_config(const std::string& connectors) {
    testing::write_file(config(), "data_dir: " + data().string() +
                                      "\nretry:\n  base_seconds: 1\n  cap_seconds: 2\n  max_attempts: 3\n"
                                      "health:\n  schedule: every 1m\n"
                                      "connectors:" + (connectors.empty() ? std::string(" []\n") : "\n" + connectors));
  }
  /// `bankrec connector consent NAME` in the background; returns its output file.
  std::unique_ptr<testing::Process> start_consent(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{BANKREC_CLI, "--data-dir", data().string(), "--config", config().string(), "connector",
                                  "consent", name, "--timeout", "60"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<testing::Process>(argv, root(), "consent-" + name + "-" + std::to_string(++consents_));
  }
  fs::path consent_out(const std::string& name) const {
    return root() / ("consent-" + name + "-" + std::to_string(consents_) + ".out");
  }
  /// The first https:// line the consent command printed.
  std::string printed_url(const std::string& name) const {
    std::string url;
    soon([&] {
      std::ifstream in(consent_out(name));
      for (std::string line; std::getline(in, line);)
        if (line.starts_with("https://")) url = line;
      return !url.empty();
    });
    return url;
  }
  /// Per account of a `connector sync` output: "ACCOUNT ... new=N".
  static std::map<std::string, std::int64_t> new_per_account(const std::string& out) {
    std::map<std::string, std::int64_t> m;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      const auto at = line.find(" new=");
      if (at == std::string::npos || line.find(" fetched ") == std::string::npos) continue;
      m[line.substr(0, line.find(' '))] = std::stoll(line.substr(at + 5));
    }
    return m;
  }

 private:
  int consents_ = 0;
};

std::string xs2a_entry(const std::string& name, const ScaSandbox& bank, const std::string& iban, const std::string& schedule,
                       const std::string& options) {
  return "  - name: " + name + "\n    type: xs2a\n    base_url: " + bank.url + "/v1\n    accounts: [" + iban +
         "]\n    schedule: " + schedule + "\n    history_days: 40\n    jitter_minutes: 0\n    options:\n"
         "      client_id: PSDDE-BAFIN-123456\n      sca_poll_ms: 200\n      sca_timeout_seconds: 30\n" + options +
         "    tls:\n      ca_file: " + bank.cert + "\n";
}

TEST(ConnectorsSca, bridge_v2_user_by_e_mail_connect_then_sync_imports_the_ledger) {
  Site site;
  const std::uint16_t port = testing::free_loopback_port();
  ScaSandbox bank(site.root(), {"--bridge-redirect-url", "http://127.0.0.1:" + std::to_string(port) + "/callback"});
  const std::string iban = bank.iban("musterbank");
  site.write_config("  - name: legacy\n    type: bridge\n    base_url: " + bank.url + "\n    accounts: [" + iban +
                    "]\n    history_days: 40\n    options:\n      client_id: sandbox-bridge-client\n"
                    "      api_version: v2\n      user_email: finance@retailer.example\n      account_types: checking\n"
                    "    tls:\n      ca_file: " + bank.cert + "\n");
  ASSERT_EQ(site.cli({"init"}).exit_code, 0);
  ASSERT_EQ(site.secret("legacy", "client_secret", kBridgeSecret).exit_code, 0);
  auto consent = site.start_consent("legacy", {"--redirect-port", std::to_string(port)});
  const std::string url = site.printed_url("legacy");
  ASSERT_THAT(url, HasSubstr("/bridge/connect/")) << consent->stderr_text();
  // Bridge Connect ends on the app's redirect URL (the CLI's loopback) with the context it was given.
  const Reply connect = fetch("GET", url, bank.cert);
  ASSERT_EQ(connect.status, 302) << connect.body;
  ASSERT_THAT(connect.location, HasSubstr("context="));
  EXPECT_EQ(fetch("GET", connect.location, "").status, 200);
  ASSERT_EQ(consent->wait(30000), 0) << consent->stderr_text();
  site.capture(consent->stderr_text());

  auto sync = site.cli({"connector", "sync", "legacy"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  const auto fetched = Site::new_per_account(sync.out);
  ASSERT_TRUE(fetched.contains(iban)) << sync.out;
  EXPECT_EQ(fetched.at(iban), bank.lines(iban));
  const json::value state = bank.get_json("/_sandbox/state");
  EXPECT_GT(state.at("requests").at("/v2/authenticate").as_int64(), 0);
  EXPECT_EQ(state.at("requests").as_object().if_contains("/v3/aggregation/authorization/token"), nullptr);
  auto again = site.cli({"connector", "sync", "legacy"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr(" 0 new entries"));
  const std::string all = site.everything();
  EXPECT_EQ(all.find(kBridgeSecret), std::string::npos);
  EXPECT_EQ(all.find("bk2-"), std::string::npos) << "a derived password leaked";
}

TEST(ConnectorsSca, xs2a_redirect_consent_at_the_banks_page_then_sync) {
  Site site;
  ScaSandbox bank(site.root(), {"--xs2a-sca", "redirect"});
  const std::string iban = bank.iban("musterbank");
  site.write_config(xs2a_entry("redirect", bank, iban, "daily 06:00", ""));
  ASSERT_EQ(site.cli({"init"}).exit_code, 0);
  auto consent = site.start_consent("redirect");
  const std::string url = site.printed_url("redirect");
  ASSERT_THAT(url, HasSubstr("/xs2a/sca/")) << consent->stderr_text();
  const Reply page = fetch("GET", url, bank.cert);  // the PSU approves at the bank
  ASSERT_EQ(page.status, 302);
  ASSERT_TRUE(page.location.starts_with("http://127.0.0.1:")) << page.location;
  EXPECT_EQ(fetch("GET", page.location, "").status, 200);
  ASSERT_EQ(consent->wait(30000), 0) << consent->stderr_text();
  EXPECT_THAT(testing::read_file(site.consent_out("redirect")), HasSubstr("consent valid until"));

  auto sync = site.cli({"connector", "sync", "redirect"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  EXPECT_EQ(Site::new_per_account(sync.out)[iban], bank.lines(iban));
}

TEST(ConnectorsSca, xs2a_decoupled_consent_in_the_banking_app_then_download_link_transactions_are_imported) {
  Site site;
  ScaSandbox bank(site.root(), {"--xs2a-sca", "preferred", "--xs2a-download"});
  bank.post_ok("/_sandbox/xs2a", R"({"decoupled_polls":3})");
  const std::string iban = bank.iban("musterbank");
  site.write_config(xs2a_entry("app", bank, iban, "daily 06:00", "      sca_approach: decoupled\n      psu_id: muster-psu\n"));
  ASSERT_EQ(site.cli({"init"}).exit_code, 0);
  auto consent = site.start_consent("app");
  ASSERT_EQ(consent->wait(30000), 0) << consent->stderr_text();
  const std::string out = testing::read_file(site.consent_out("app"));
  EXPECT_THAT(out, HasSubstr("approve the access in the banking app of PSU muster-psu"));
  EXPECT_THAT(out, HasSubstr("consent valid until"));

  auto sync = site.cli({"connector", "sync", "app"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  EXPECT_EQ(Site::new_per_account(sync.out)[iban], bank.lines(iban));
  auto log = site.cli({"connector", "log", "app", "--limit", "50"});
  EXPECT_THAT(log.out, HasSubstr("transactions-download"));
  EXPECT_THAT(log.out, HasSubstr("consent-status"));
}

TEST(ConnectorsSca, sighup_adds_a_connector_that_then_syncs_and_a_bad_one_keeps_the_running_set) {
  Site site;
  ScaSandbox bank(site.root(), {"--xs2a-sca", "decoupled"});
  bank.post_ok("/_sandbox/xs2a", R"({"decoupled_polls":1})");
  const std::string iban = bank.iban("musterbank");
  site.write_config("");
  ASSERT_EQ(site.cli({"init"}).exit_code, 0);
  const auto port = testing::free_loopback_port();
  testing::Process daemon({BANKRECD, "--data-dir", site.data().string(), "--config", site.config().string(), "--listen",
                           "127.0.0.1:" + std::to_string(port)},
                          site.root(), "bankrecd");
  ASSERT_TRUE(soon([&] { return daemon.stderr_text().find("listening on") != std::string::npos; })) << daemon.stderr_text();

  // The admin adds a connector, authorises it, and reloads the running daemon.
  const std::string added = xs2a_entry("added", bank, iban, "every 5s", "      sca_approach: decoupled\n      psu_id: muster-psu\n");
  site.write_config(added);
  auto consent = site.start_consent("added");
  ASSERT_EQ(consent->wait(30000), 0) << consent->stderr_text();
  daemon.signal(SIGHUP);
  ASSERT_TRUE(soon([&] { return daemon.stderr_text().find("connectors reloaded added=added") != std::string::npos; }))
      << daemon.stderr_text();
  ASSERT_TRUE(soon([&] { return site.connector_synced("added", iban); }, 60))
      << site.cli({"connector", "list"}).out << daemon.stderr_text();

  // A connector whose CA file is missing cannot be built: the running set stays, and says why.
  site.write_config(added + "  - name: broken\n    type: xs2a\n    base_url: " + bank.url +
                    "/v1\n    options:\n      client_id: PSDDE-BAFIN-1\n    tls:\n      ca_file: " +
                    (site.root() / "missing-ca.pem").string() + "\n");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(soon([&] {
    return daemon.stderr_text().find("connectors not changed, keeping the running ones: connector 'broken'") != std::string::npos;
  })) << daemon.stderr_text();
  // An invalid connectors section refuses the whole reload.
  site.write_config(added + "  - name: Bad Name\n    type: nope\n    base_url: https://x\n");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(soon([&] { return daemon.stderr_text().find("reload refused") != std::string::npos; })) << daemon.stderr_text();
  // Removing the connector drops its schedule.
  site.write_config("");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(soon([&] { return daemon.stderr_text().find("removed=added") != std::string::npos; })) << daemon.stderr_text();
  EXPECT_THAT(daemon.stderr_text(), HasSubstr("schedule=connector:added removed"));
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(30000), 0);
  site.capture(daemon.stderr_text());
  EXPECT_EQ(site.everything().find("Bearer "), std::string::npos);
}

}  // namespace
}  // namespace bankrec
