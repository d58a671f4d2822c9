#pragma once
// Shared by the connector integration tests: waiting, one HTTPS request that does not follow
// redirects (the tests play the browser), the real bankrec-sandbox, and a data dir with the CLI on it
// whose every output is kept, so a test can grep it all for secrets.
#include <curl/curl.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bankrec/testing/testing.h"

namespace bankrec::sandbox_test {

namespace fs = std::filesystem;

/// Waits up to `seconds` for `pred`, asking once more at the end.
template <class Pred>
bool soon(Pred pred, int seconds = 30) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pred();
}

struct Fetched {
  long status = 0;  //!< 0 when the transfer failed
  std::string body, location;
};

inline std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

/// One request, redirects not followed (the test is the browser and follows them itself). An empty
/// `ca` means the system's trust store; a non-empty body is sent as JSON.
inline Fetched fetch(const std::string& method, const std::string& url, const std::string& ca,
                     const std::string& body = {}) {
  Fetched r;
  CURL* c = curl_easy_init();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!ca.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca.c_str());
  curl_slist* headers = nullptr;
  if (!body.empty()) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  if (curl_easy_perform(c) == CURLE_OK) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    char* loc = nullptr;
    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
    if (loc) r.location = loc;
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return r;
}

/// The real bankrec-sandbox on a free port below `root`, its data from `seed`, `days` deep; `flags`
/// are added to its command line. `url` and `cert` are what it printed once ready.
class Sandbox {
 public:
  Sandbox(const fs::path& root, int seed, int days, const std::vector<std::string>& flags = {}) {
    std::vector<std::string> argv{BANKREC_SANDBOX, "--listen", "127.0.0.1:0", "--data-dir", (root / "sandbox").string(),
                                  "--seed", std::to_string(seed), "--days", std::to_string(days)};
    argv.insert(argv.end(), flags.begin(), flags.end());
    process_ = std::make_unique<testing::Process>(argv, root, "sandbox");
    EXPECT_TRUE(soon([&] {
      std::ifstream in(root / "sandbox.out");
      bool ready = false;
      for (std::string line; std::getline(in, line);) {
        if (line == "ready") ready = true;
        if (line.starts_with("url=")) url = line.substr(4);
        if (line.starts_with("cert=")) cert = line.substr(5);
      }
      return ready;
    })) << process_->stderr_text();
  }
  /// GET `path` parsed as JSON (null when it is not).
  boost::json::value get_json(const std::string& path) const {
    boost::system::error_code ec;
    return boost::json::parse(fetch("GET", url + path, cert).body, ec);
  }
  /// POST `body` as JSON to one of the sandbox's switches.
  Fetched post(const std::string& path, const std::string& body) const {
    return fetch("POST", url + path, cert, body);
  }
  std::string url, cert;

 private:
  std::unique_ptr<testing::Process> process_;
};

/// A data dir with bankrec.yaml beside it, and the CLI on them; keeps all the CLI printed.
class Site {
 public:
  fs::path root() const { return dir_.path(); }
  fs::path config() const { return dir_.path() / "bankrec.yaml"; }
  fs::path data() const { return dir_.path() / "data"; }

  testing::CommandResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), {BANKREC_CLI, "--data-dir", data().string(), "--config", config().string()});
    auto r = testing::run_command(args);
    capture(r.out + r.err);
    return r;
  }
  /// `bankrec connector secret NAME KIND` with the value on standard input (never on a command line).
  testing::CommandResult secret(const std::string& name, const std::string& kind, const std::string& value) {
    const fs::path file = dir_.path() / "secret.in";
    testing::write_file(file, value + "\n");
    const std::string cmd = std::string("exec '") + BANKREC_CLI + "' --data-dir '" + data().string() + "' --config '" +
                            config().string() + "' connector secret " + name + " " + kind + " < '" + file.string() +
                            "'";
    auto r = testing::run_command({"/bin/sh", "-c", cmd});
    fs::remove(file);
    capture(r.out + r.err);
    return r;
  }
  /// Whether `bankrec connector list` shows connector `name` with a sync of account `iban` (the
  /// line "NAME ... IBAN=..."), i.e. the connector has polled its bank at least once.
  bool connector_synced(const std::string& name, const std::string& iban) {
    std::istringstream in(cli({"connector", "list"}).out);
    for (std::string line; std::getline(in, line);)
      if (line.starts_with(name + " ") && line.find(iban + "=") != std::string::npos) return true;
    return false;
  }
  /// Every .out and .err file the processes wrote in the dir, plus every captured output.
  std::string everything() const {
    std::string all = captured_;
    for (const auto& e : fs::directory_iterator(dir_.path()))
      if (e.is_regular_file() && (e.path().extension() == ".out" || e.path().extension() == ".err"))
        all += testing::read_file(e.path());
    return all;
  }
  void capture(const std::string& text) { captured_ += text; }

 private:
  testing::TempDir dir_;
  std::string captured_;
};

}  // namespace bankrec::sandbox_test
