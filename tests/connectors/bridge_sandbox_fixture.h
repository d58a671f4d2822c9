#pragma once

// The real bankrec-sandbox process for the Bridge and GoCardless connector tests: started on
// 127.0.0.1 with a fresh data dir, its certificate trusted by a real libcurl client, its control
// endpoints (/_sandbox/faults, /_sandbox/ledger, /_sandbox/state) reachable, and a clock that follows
// the sandbox's (real time, advanced by the test to expire tokens).

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bankrec/connectors/connector.h"
#include "bankrec/net/http_client.h"
#include "bankrec/testing/testing.h"
#include "memory_state.h"

namespace bankrec::connectors::testing {

/// Real time plus an offset the test can advance.
class ShiftClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now() + offset_; }
  std::chrono::steady_clock::time_point steady_now() const override { return std::chrono::steady_clock::now() + offset_; }
  void advance(std::chrono::system_clock::duration d) { offset_ += d; }

 private:
  std::chrono::system_clock::duration offset_{0};
};

class SandboxProcess {
 public:
  SandboxProcess() {
    const std::vector<std::string> argv{BANKREC_SANDBOX, "--listen", "127.0.0.1:0", "--data-dir", (dir_.path() / "data").string(),
                                        "--seed", "7"};
    process_ = std::make_unique<bankrec::testing::Process>(argv, dir_.path(), "sandbox");
    for (int i = 0; i < 400 && url_.empty(); ++i) {
      std::ifstream in(dir_.path() / "sandbox.out");
      std::map<std::string, std::string> kv;
      bool ready = false;
      for (std::string line; std::getline(in, line);) {
        if (line == "ready") ready = true;
        if (const auto eq = line.find('='); eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
      }
      if (ready) {
        url_ = kv["url"];
        cert_ = kv["cert"];
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (url_.empty()) {
      ADD_FAILURE() << "sandbox did not become ready: " << process_->stderr_text();
      return;
    }
    net::HttpClientConfig config;
    config.tls.ca_file = cert_;
    config.total_timeout = std::chrono::milliseconds(5000);
    auto client = net::make_http_client(config, clock_, [this](const net::HttpExchangeLog& log) { http_log_.push_back(log.to_string()); });
    if (!client) {
      ADD_FAILURE() << client.error().describe();
      return;
    }
    http_ = std::move(*client);
  }

  const std::string& url() const { return url_; }
  net::HttpClient& http() { return *http_; }
  ShiftClock& clock() { return clock_; }
  const std::vector<std::string>& http_log() const { return http_log_; }

  /// A plain GET/POST without connector logic (control endpoints, the "browser").
  net::HttpResult call(const std::string& method, const std::string& target, const std::string& body = {}) {
    net::HttpRequest r;
    r.method = method;
    r.url = target.starts_with("https://") ? target : url_ + target;
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    r.body = body;
    return http_->send(r);
  }

  void fault(const std::string& path, const std::string& kind, int count = 1) {
    const auto r = call("POST", "/_sandbox/faults",
                        R"({"path":")" + path + R"(","fault":")" + kind + R"(","count":)" + std::to_string(count) + "}");
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_EQ(r->status, 201);
  }
  boost::json::value json_get(const std::string& target) {
    const auto r = call("GET", target);
    EXPECT_TRUE(r.has_value()) << target << ": " << (r ? "" : r.error().message);
    if (!r) return {};
    return boost::json::parse(r->body);
  }
  boost::json::value ledger(const std::string& account) { return json_get("/_sandbox/ledger?account=" + account); }
  boost::json::value state() { return json_get("/_sandbox/state"); }
  std::int64_t requests(const std::string& path) {
    const auto s = state();
    const auto* n = s.at("requests").as_object().if_contains(path);
    return n ? n->to_number<std::int64_t>() : 0;
  }

 private:
  bankrec::testing::TempDir dir_;
  std::unique_ptr<bankrec::testing::Process> process_;
  std::string url_, cert_;
  ShiftClock clock_;
  std::unique_ptr<net::HttpClient> http_;
  std::vector<std::string> http_log_;
};

/// A connector run's context with an in-memory state; keeps every connection event.
struct Harness {
  SandboxProcess sandbox;
  MemoryState state;
  std::vector<ConnectionEvent> events;
  std::unique_ptr<ConnectorContext> ctx;

  Harness() {
    ctx = std::make_unique<ConnectorContext>("test", sandbox.http(), sandbox.clock(), state,
                                             [this](const ConnectionEvent& e) { events.push_back(e); });
  }
  /// A fresh context (a new run): retry_after starts empty.
  void new_run() {
    ctx = std::make_unique<ConnectorContext>("test", sandbox.http(), sandbox.clock(), state,
                                             [this](const ConnectionEvent& e) { events.push_back(e); });
  }
};

inline std::string str(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64()) return std::to_string(v.as_int64());
  return {};
}

}  // namespace bankrec::connectors::testing
