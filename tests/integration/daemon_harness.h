#pragma once
// Shared by the bankrecd integration tests: HTTPS GET, waiting, statements to drop in the inbox, and
// the daemon process with its own data dir, config and port.
#include <curl/curl.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bankrec/store/store.h"
#include "bankrec/testing/testing.h"

namespace bankrec::daemon_test {

namespace fs = std::filesystem;

struct Reply {
  CURLcode code = CURLE_COULDNT_CONNECT;
  long status = 0;
  std::string body;
};

inline std::size_t append_body(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

inline Reply get(const std::string& url, const fs::path& ca = {}) {
  Reply r;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (!ca.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  r.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_cleanup(curl);
  return r;
}

/// Waits up to `seconds` for `pred`.
template <class Pred>
bool eventually(Pred pred, int seconds = 20) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

inline std::vector<fs::path> files_below(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file()) out.push_back(it->path());
  return out;
}

inline std::string amount_text(std::int64_t minor) {
  return std::to_string(minor / 100) + "." + (minor % 100 < 10 ? "0" : "") + std::to_string(minor % 100);
}

/// The amount of line `i` of a statement made by camt_statement(..., amount_offset).
inline std::int64_t line_amount(int i, std::int64_t amount_offset = 0) { return 1000 + (i * 7919) % 250000 + amount_offset; }

/// A camt.053 statement number `file` with `entries` booked lines of its own (distinct references,
/// remittance "Rechnung INV-<file>-<i>").
inline std::string camt_statement(int file, int entries, std::int64_t amount_offset = 0) {
  std::string body;
  body.reserve(static_cast<std::size_t>(entries) * 420);
  for (int i = 1; i <= entries; ++i) {
    const std::string ref = std::to_string(file) + "-" + std::to_string(i);
    body += "<Ntry><Amt Ccy=\"EUR\">" + amount_text(line_amount(i, amount_offset)) +
            "</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt>"
            "<ValDt><Dt>2026-11-20</Dt></ValDt><AcctSvcrRef>REF-" + ref + "</AcctSvcrRef>"
            "<NtryDtls><TxDtls><RmtInf><Ustrd>Rechnung INV-" + ref + "</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt>"
         "<GrpHdr><MsgId>MSG-" + std::to_string(file) + "</MsgId><CreDtTm>2026-11-21T06:00:00+01:00</CreDtTm></GrpHdr>"
         "<Stmt><Id>STMT-" + std::to_string(file) + "</Id><ElctrncSeqNb>" + std::to_string(file) +
         "</ElctrncSeqNb><CreDtTm>2026-11-21T06:00:00+01:00</CreDtTm>"
         "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>\n" + body +
         "</Stmt></BkToCstmrStmt></Document>\n";
}

/// bankrecd with its own data dir, config and port. `wrapper` goes before the executable (e.g. env).
class Daemon {
 public:
  Daemon(const fs::path& root, const std::string& config_text) : root_(root), data_(root / "data") {
    port_ = testing::free_loopback_port();
    write_config(config_text);
  }
  void write_config(const std::string& text) const { testing::write_file(config(), text); }
  fs::path config() const { return root_ / "bankrec.yaml"; }
  const fs::path& data() const { return data_; }
  std::string base() const { return "https://127.0.0.1:" + std::to_string(port_); }
  fs::path ca() const { return data_ / "tls" / "cert.pem"; }

  /// Starts it and waits until /healthz answers.
  ::testing::AssertionResult start(std::vector<std::string> wrapper = {}) {
    std::vector<std::string> argv = std::move(wrapper);
    for (const std::string& a : {std::string(BANKRECD), std::string("--data-dir"), data_.string(), std::string("--listen"),
                                 "127.0.0.1:" + std::to_string(port_), std::string("--config"), config().string()})
      argv.push_back(a);
    process_ = std::make_unique<testing::Process>(argv, root_, "bankrecd-" + std::to_string(++starts_));
    if (eventually([&] { return fs::exists(ca()) && get(base() + "/healthz", ca()).status == 200; }))
      return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "bankrecd did not come up: " << process_->stderr_text();
  }
  testing::Process& process() { return *process_; }
  std::string log() const { return process_ ? process_->stderr_text() : ""; }
  bool log_has(const std::string& text) const { return log().find(text) != std::string::npos; }
  testing::CommandResult cli(std::vector<std::string> args) const {
    args.insert(args.begin(), {BANKREC_CLI, "--data-dir", data_.string(), "--config", config().string()});
    return testing::run_command(args);
  }

 private:
  fs::path root_, data_;
  std::uint16_t port_ = 0;
  int starts_ = 0;
  std::unique_ptr<testing::Process> process_;
};

/// Opens the database of a stopped (or running: WAL) bankrecd through the store library.
inline std::unique_ptr<store::Store> open_database(const fs::path& data, const Clock& clock) {
  static store::StderrCheckpointSink sink;
  const auto signing = store::load_signing_key(data / "audit.key");
  EXPECT_TRUE(signing.has_value());
  if (!signing) return nullptr;
  auto s = store::open_with_key_file(data / "bankrec.db", data / "db.key", *signing, clock, &sink);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().describe());
  if (!s) return nullptr;
  return std::move(*s);
}

inline std::int64_t query(const fs::path& data, const std::string& sql) {
  SystemClock clock;
  auto s = open_database(data, clock);
  if (!s) return -1;
  auto v = s->db().query_int(sql);
  EXPECT_TRUE(v.has_value()) << sql;
  return v ? *v : -1;
}

}  // namespace bankrec::daemon_test
