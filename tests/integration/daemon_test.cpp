// Starts the real bankrecd on 127.0.0.1 with a temporary data dir and talks HTTPS to it.
#include <curl/curl.h>
#include <signal.h>

#include <thread>

#include "bankrec/testing/testing.h"

namespace bankrec {
namespace {

using ::testing::HasSubstr;

struct Reply {
  CURLcode code = CURLE_COULDNT_CONNECT;
  long status = 0;
  std::string body;
};

std::size_t append(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

Reply get(const std::string& url, const std::filesystem::path& ca) {
  Reply r;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  r.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_cleanup(curl);
  return r;
}

/// Polls until the daemon answers (or 15 s pass).
Reply wait_until_up(const std::string& url, const std::filesystem::path& ca) {
  Reply r;
  for (int i = 0; i < 300; ++i) {
    if (std::filesystem::exists(ca)) {
      r = get(url, ca);
      if (r.code == CURLE_OK) return r;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return r;
}

TEST(Daemon, serves_health_and_metrics_over_tls_and_stops_on_sigterm) {
  testing::TempDir dir;
  const auto data = dir.path() / "data";
  const std::uint16_t port = testing::free_loopback_port();
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  testing::Process daemon({BANKRECD, "--data-dir", data.string(), "--listen", listen,
                           "--config", (dir.path() / "absent.yaml").string()},
                          dir.path(), "bankrecd");
  const auto ca = data / "tls" / "cert.pem";
  const std::string base = "https://" + listen;

  const Reply health = wait_until_up(base + "/healthz", ca);
  ASSERT_EQ(health.code, CURLE_OK) << daemon.stderr_text();
  EXPECT_EQ(health.status, 200);
  EXPECT_THAT(health.body, HasSubstr("\"ok\""));
  EXPECT_EQ(get(base + "/readyz", ca).status, 200);
  const Reply metrics = get(base + "/metrics", ca);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("# TYPE bankrec_app_uptime_seconds gauge"));
  for (const char* sub : {"inbox", "archive", "failed"}) EXPECT_TRUE(std::filesystem::is_directory(data / sub)) << sub;
  EXPECT_THAT(daemon.stderr_text(), HasSubstr("listening on https://" + listen));

  daemon.signal(SIGHUP);  // a reload keeps it running
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(get(base + "/healthz", ca).status, 200);

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(10000), 0) << daemon.stderr_text();
  EXPECT_NE(get(base + "/healthz", ca).code, CURLE_OK);
}

TEST(Daemon, refuses_a_bad_listen_address) {
  testing::TempDir dir;
  testing::Process daemon({BANKRECD, "--data-dir", (dir.path() / "d").string(), "--listen", "nonsense"}, dir.path(),
                          "bankrecd");
  EXPECT_EQ(daemon.wait(10000), 2);
  EXPECT_THAT(daemon.stderr_text(), HasSubstr("invalid listen address 'nonsense'"));
}

/// Waits up to 20 s for `pred`.
template <class Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 400; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::vector<std::filesystem::path> files_below(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file()) out.push_back(it->path());
  return out;
}

TEST(Daemon, imports_files_dropped_in_the_inbox_and_moves_them) {
  testing::TempDir dir;
  const auto data = dir.path() / "data";
  const auto inbox = dir.path() / "sftp";
  std::filesystem::create_directories(inbox);
  const auto config = dir.path() / "bankrec.yaml";
  testing::write_file(config, "inbox:\n  - path: " + inbox.string() + "\n    rescan_seconds: 1\n");
  const std::uint16_t port = testing::free_loopback_port();
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  testing::Process daemon({BANKRECD, "--data-dir", data.string(), "--listen", listen, "--config", config.string()},
                          dir.path(), "bankrecd");
  const auto ca = data / "tls" / "cert.pem";
  ASSERT_EQ(wait_until_up("https://" + listen + "/healthz", ca).code, CURLE_OK) << daemon.stderr_text();

  const auto demo = testing::source_dir() / "tests" / "fixtures" / "demo";
  std::filesystem::copy_file(demo / "2026-11-20_camt053.xml", inbox / "day.xml");
  testing::write_file(inbox / "notes.txt", "this is no statement\n");
  testing::write_file(inbox / "upload.xml.part", "still arriving");

  ASSERT_TRUE(eventually([&] { return files_below(data / "archive").size() == 1; })) << daemon.stderr_text();
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(data / "failed" / "notes.txt.error.txt"); }))
      << daemon.stderr_text();
  EXPECT_EQ(files_below(data / "archive").front().filename(), "day.xml");
  EXPECT_THAT(testing::read_file(data / "failed" / "notes.txt.error.txt"), HasSubstr("unsupported or unrecognised format"));
  EXPECT_TRUE(std::filesystem::exists(inbox / "upload.xml.part"));  // still being written: left alone
  EXPECT_FALSE(std::filesystem::exists(inbox / "day.xml"));
  const Reply metrics = get("https://" + listen + "/metrics", ca);
  EXPECT_THAT(metrics.body, HasSubstr("bankrec_jobs_inbox_files_total{outcome=\"imported\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("bankrec_jobs_inbox_files_total{outcome=\"failed\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("bankrec_jobs_entries_imported_total{source=\"inbox\"} 5"));

  // The same file again is recognised and archived without adding anything.
  std::filesystem::copy_file(demo / "2026-11-20_camt053.xml", inbox / "day.xml");
  ASSERT_TRUE(eventually([&] { return files_below(data / "archive").size() == 2; })) << daemon.stderr_text();
  EXPECT_THAT(get("https://" + listen + "/metrics", ca).body,
              HasSubstr("bankrec_jobs_inbox_files_total{outcome=\"duplicate\"} 1"));

  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(10000), 0) << daemon.stderr_text();
}

}  // namespace
}  // namespace bankrec
