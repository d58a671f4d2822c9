// SIGHUP hands the reloaded ingest options to the connectors too, not only to the inbox: a real
// bankrecd, the real bankrec-sandbox over TLS, and a pending line that only the reloaded
// `import.pending_expiry_days` expires when the connector next imports.
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <sstream>

#include "sandbox_harness.h"

namespace bankrec {
namespace {

namespace json = boost::json;
using sandbox_test::soon;
using ::testing::HasSubstr;

std::string iso_days_from_today(int days) {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day d{today + std::chrono::days(days)};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return out;
}

/// "daily HH:MM" twelve hours from now (UTC): a schedule that does not fire while the test runs.
std::string daily_far_from_now() {
  const auto now = std::chrono::system_clock::now() + std::chrono::hours(12);
  const auto minutes = std::chrono::floor<std::chrono::minutes>(now - std::chrono::floor<std::chrono::days>(now)).count();
  char out[32];
  std::snprintf(out, sizeof out, "daily %02d:%02d", static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
  return out;
}

/// Audit entries of `action` by `actor` (bankrec audit export, JSON Lines); -1 when the export
/// failed (the daemon may hold the write lock for a moment: callers ask again).
int audit_count(sandbox_test::Site& site, const std::string& action, const std::string& actor) {
  const auto exported = site.cli({"audit", "export"});
  if (exported.exit_code != 0) return -1;
  int n = 0;
  std::istringstream in(exported.out);
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    const json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) continue;
    const auto* a = v.as_object().if_contains("action");
    const auto* who = v.as_object().if_contains("actor");
    if (a && who && a->is_string() && who->is_string() && a->as_string() == action && who->as_string() == actor) ++n;
  }
  return n;
}

TEST(ConnectorsReload, a_reloaded_pending_expiry_reaches_the_connectors_imports) {
  sandbox_test::Site site;
  sandbox_test::Sandbox bank(site.root(), 13, 20, {"--xs2a-sca", "decoupled"});
  ASSERT_EQ(bank.post("/_sandbox/xs2a", R"({"decoupled_polls":1})").status, 200);
  std::string iban;
  const json::value state = bank.get_json("/_sandbox/state");
  for (const auto& a : state.at("accounts").as_array())
    if (a.at("bank").as_string() == "musterbank" && a.at("type").as_string() == "CACC" && a.at("iban").is_string()) {
      iban = std::string(a.at("iban").as_string());
      break;
    }
  ASSERT_FALSE(iban.empty());

  const std::string quiet = daily_far_from_now();
  const auto write_config = [&](int expiry_days, const std::string& schedule) {
    testing::write_file(site.config(),
                        "data_dir: " + site.data().string() + "\nimport:\n  pending_expiry_days: " +
                            std::to_string(expiry_days) + "\nmaintenance:\n  schedule: " + quiet +
                            "\nconnectors:\n  - name: live\n    type: xs2a\n    base_url: " + bank.url +
                            "/v1\n    accounts: [" + iban + "]\n    schedule: " + schedule +
                            "\n    history_days: 40\n    jitter_minutes: 0\n    options:\n"
                            "      client_id: PSDDE-BAFIN-123456\n      sca_poll_ms: 200\n      sca_timeout_seconds: 30\n"
                            "      sca_approach: decoupled\n      psu_id: muster-psu\n    tls:\n      ca_file: " +
                            bank.cert + "\n");
  };
  // Start: pending lines expire after a year; the connector runs far from now.
  write_config(365, quiet);
  ASSERT_EQ(site.cli({"init"}).exit_code, 0);
  auto consent = site.cli({"connector", "consent", "live", "--timeout", "60"});
  ASSERT_EQ(consent.exit_code, 0) << consent.out << consent.err;

  // A pending line ten days old, of another account: a year's expiry keeps it open.
  const std::string ten_days_ago = iso_days_from_today(-10);
  testing::write_file(site.root() / "pending.json",
                      R"({"file":"pending.json","format":"bankrec.json","statements":[{"account":{"iban":"DE89370400440532013000","currency":"EUR"},)"
                      R"("from_date":")" + ten_days_ago + R"(","to_date":")" + ten_days_ago + R"(","entries":[{"booking_date":")" +
                          ten_days_ago + R"(","value_date":")" + ten_days_ago +
                          R"(","amount":"-42.00","currency":"EUR","status":"pending","remittance":"Kartenzahlung vorgemerkt"}]}]})");
  const auto imported = site.cli({"import", (site.root() / "pending.json").string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  ASSERT_EQ(audit_count(site, "entries.expire_pending", "system"), 0);  // no daemon yet: nothing holds the database

  const auto port = testing::free_loopback_port();
  testing::Process daemon({BANKRECD, "--data-dir", site.data().string(), "--config", site.config().string(), "--listen",
                           "127.0.0.1:" + std::to_string(port)},
                          site.root(), "bankrecd");
  ASSERT_TRUE(soon([&] { return daemon.stderr_text().find("listening on") != std::string::npos; })) << daemon.stderr_text();

  // The admin shortens the expiry to five days and lets the connector run every few seconds; the
  // connector is rebuilt by the reload, and its next import must expire with the new setting.
  write_config(5, "every 3s");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(soon([&] { return daemon.stderr_text().find("connectors reloaded added=- removed=- changed=live") != std::string::npos; }))
      << daemon.stderr_text();
  ASSERT_TRUE(soon([&] { return site.connector_synced("live", iban); }, 60))
      << site.cli({"connector", "list"}).out << daemon.stderr_text();
  // The connector's import (actor "system"; the maintenance job would be "maintenance") expired it.
  EXPECT_TRUE(soon([&] { return audit_count(site, "entries.expire_pending", "system") == 1; }, 30))
      << daemon.stderr_text();
  int by_maintenance = -1;
  ASSERT_TRUE(soon([&] { return (by_maintenance = audit_count(site, "entries.expire_pending", "maintenance")) >= 0; }));
  EXPECT_EQ(by_maintenance, 0);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(30000), 0);
  site.capture(daemon.stderr_text());
  EXPECT_EQ(site.everything().find("Bearer "), std::string::npos);
}

}  // namespace
}  // namespace bankrec
