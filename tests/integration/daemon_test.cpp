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

}  // namespace
}  // namespace bankrec
