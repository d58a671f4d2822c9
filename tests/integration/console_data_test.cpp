// The console's data API against a real bankrecd over HTTPS (issue 8): sign-in, upload of a CAMT file,
// the statement and its entries, the audit log; the upload limit from the config; and the TLS check
// CI runs: `openssl s_client` shows TLS 1.0/1.1 and weak ciphers refused, TLS 1.2 and 1.3 accepted.
#include <curl/curl.h>

#include <cstdio>

#include "console_harness.h"
#include "daemon_harness.h"

namespace bankrec {
namespace {

using ::testing::HasSubstr;
using daemon_test::Daemon;
namespace fs = std::filesystem;
using namespace console_test;

/// `openssl s_client` with the given options against the daemon; true when the handshake completed.
bool openssl_handshake(std::uint16_t port, const std::string& options, std::string* output = nullptr) {
  const std::string cmd = "openssl s_client -connect 127.0.0.1:" + std::to_string(port) + " -servername localhost " +
                          options + " </dev/null 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return false;
  std::string out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = ::pclose(pipe);
  if (output) *output = out;
  // A completed handshake prints the negotiated cipher; a refused one prints "Cipher is (NONE)" or an alert.
  return status == 0 && out.find("Cipher is (NONE)") == std::string::npos &&
         (out.find("New, TLSv1.") != std::string::npos || out.find("Protocol  : TLSv1.") != std::string::npos);
}

class ConsoleDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(dir_.path(), "console:\n  max_upload_mb: 1\n");
    ASSERT_TRUE(daemon_->start());
    port_ = static_cast<std::uint16_t>(std::stoi(daemon_->base().substr(daemon_->base().rfind(':') + 1)));
  }

  void add_user(const std::string& name, const std::string& role) {
    std::string out;
    ASSERT_EQ(run_with_input({BANKREC_CLI, "--data-dir", daemon_->data().string(), "user", "add", name, "--role", role},
                             std::string(kPassword) + "\n", &out),
              0)
        << out;
  }

  std::vector<std::string> sign_in(const std::string& name) {
    const Reply r = call("POST", "/api/v1/auth/login", login_body(name, kPassword), {});
    EXPECT_EQ(r.status, 200) << r.body;
    return session_of(r).headers();
  }

  Reply call(const std::string& method, const std::string& path, const std::string& body,
             std::vector<std::string> headers) {
    return request(method, daemon_->base() + path, daemon_->ca(), body, headers);
  }

  testing::TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  std::uint16_t port_ = 0;
};

TEST_F(ConsoleDataTest, upload_then_statements_entries_original_and_audit_over_https) {
  add_user("anna", "accountant");
  auto anna = sign_in("anna");
  const std::string bytes = daemon_test::camt_statement(41, 23);
  auto headers = anna;
  headers.push_back("X-File-Name: november.xml");
  headers.push_back("Content-Type: application/octet-stream");
  const Reply up = call("POST", "/api/v1/uploads", bytes, headers);
  ASSERT_EQ(up.status, 200) << up.body << daemon_->log();
  EXPECT_EQ(json_field(up.body, "status"), "imported");
  EXPECT_EQ(json_int(up.body, "entries"), 23);
  EXPECT_EQ(up.header("Cache-Control"), "no-store");
  const std::int64_t file_id = json_int(up.body, "file_id");

  const Reply statements = call("GET", "/api/v1/statements?source=upload", {}, anna);
  ASSERT_EQ(statements.status, 200) << statements.body;
  EXPECT_THAT(statements.body, HasSubstr("\"file_name\":\"november.xml\""));
  EXPECT_THAT(statements.body, HasSubstr("\"account_iban\":\"DE89370400440532013000\""));
  EXPECT_EQ(json_int(statements.body, "entries"), 23);

  // All 23 lines across pages of 10, following `next`.
  std::string after;
  int seen = 0, pages = 0;
  for (; pages < 10; ++pages) {
    const Reply page = call("GET", "/api/v1/entries?limit=10" + (after.empty() ? "" : "&after=" + after), {}, anna);
    ASSERT_EQ(page.status, 200) << page.body;
    for (std::size_t p = page.body.find("\"purpose\":"); p != std::string::npos; p = page.body.find("\"purpose\":", p + 1))
      ++seen;
    after = json_field(page.body, "next");
    if (after.empty()) break;
  }
  EXPECT_EQ(seen, 23);
  EXPECT_EQ(pages, 2);

  const Reply original = call("GET", "/api/v1/files/" + std::to_string(file_id) + "/original", {}, anna);
  EXPECT_EQ(original.status, 200);
  EXPECT_EQ(original.body, bytes);

  // The same bytes again: a duplicate, nothing added.
  const Reply again = call("POST", "/api/v1/uploads", bytes, headers);
  EXPECT_EQ(json_field(again.body, "status"), "duplicate_file") << again.body;

  const Reply audit = call("GET", "/api/v1/audit?actor=anna", {}, anna);
  ASSERT_EQ(audit.status, 200);
  EXPECT_THAT(audit.body, HasSubstr("\"action\":\"upload.file\""));
  EXPECT_THAT(audit.body, HasSubstr("\"action\":\"import.file\""));
  EXPECT_THAT(audit.body, HasSubstr("\"action\":\"import.duplicate_file\""));
  const Reply verify = call("GET", "/api/v1/audit/verify", {}, anna);
  EXPECT_THAT(verify.body, HasSubstr("\"ok\":true")) << verify.body;

  // The upload asked for a reconciliation run.
  EXPECT_TRUE(daemon_test::eventually([&] {
    return call("GET", "/api/v1/jobs", {}, anna).body.find("\"kind\":\"reconcile\"") != std::string::npos;
  }));

  // console.max_upload_mb: 1 in the config: a 2 MiB upload is refused with 413 and leaves no file.
  const Reply big = call("POST", "/api/v1/uploads", std::string(2 * 1024 * 1024, 'x'), headers);
  EXPECT_EQ(big.status, 413) << curl_easy_strerror(big.code);
  EXPECT_TRUE(daemon_test::files_below(daemon_->data() / "tmp" / "uploads").empty());

  const Reply yaml = call("GET", "/api/v1/openapi.yaml", {}, anna);
  EXPECT_EQ(yaml.status, 200);
  EXPECT_THAT(yaml.body, HasSubstr("/api/v1/uploads:"));

  // A viewer reads but may not upload.
  add_user("vera", "viewer");
  auto vera = sign_in("vera");
  EXPECT_EQ(call("GET", "/api/v1/entries", {}, vera).status, 200);
  vera.push_back("X-File-Name: x.xml");
  EXPECT_EQ(call("POST", "/api/v1/uploads", bytes, vera).status, 403);
}

TEST_F(ConsoleDataTest, tls_1_0_1_1_and_weak_ciphers_are_refused_tls_1_2_and_1_3_accepted) {
  std::string out;
  EXPECT_TRUE(openssl_handshake(port_, "-tls1_3", &out)) << out;
  EXPECT_TRUE(openssl_handshake(port_, "-tls1_2", &out)) << out;
  // The client is told to allow the old versions (security level 0), so the refusal is the server's.
  EXPECT_FALSE(openssl_handshake(port_, "-tls1_1 -cipher DEFAULT@SECLEVEL=0", &out)) << out;
  EXPECT_FALSE(openssl_handshake(port_, "-tls1 -cipher DEFAULT@SECLEVEL=0", &out)) << out;
  // With TLS 1.2: an AEAD suite of the Mozilla intermediate list works; CBC with SHA-1 (the same key
  // exchange and certificate), 3DES, RC4 and NULL ciphers are refused.
  EXPECT_TRUE(openssl_handshake(port_, "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256", &out)) << out;
  EXPECT_FALSE(openssl_handshake(port_, "-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA", &out)) << out;
  EXPECT_FALSE(openssl_handshake(port_, "-tls1_2 -cipher ECDHE-ECDSA-AES256-SHA384", &out)) << out;
  EXPECT_FALSE(openssl_handshake(port_, "-tls1_2 -cipher 'DES-CBC3-SHA:ECDHE-ECDSA-DES-CBC3-SHA@SECLEVEL=0'", &out))
      << out;
  EXPECT_FALSE(openssl_handshake(port_, "-tls1_2 -cipher 'RC4:NULL:eNULL:aNULL@SECLEVEL=0'", &out)) << out;
  // No compression.
  EXPECT_TRUE(openssl_handshake(port_, "-tls1_2", &out));
  EXPECT_THAT(out, HasSubstr("Compression: NONE"));
}

}  // namespace
}  // namespace bankrec
