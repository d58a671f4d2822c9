// The console's "original file downloadable" through a real bankrecd over HTTPS (issue 8): uploads,
// inbox files, ZIP members and failed files come back byte-identical with RFC 6266 headers, and a
// large download is sent in pieces, so the daemon's peak memory stays far below the file's size.
#include <curl/curl.h>
#include <signal.h>

#include <cctype>
#include <fstream>
#include <random>

#include "console_harness.h"
#include "daemon_harness.h"

namespace bankrec {
namespace {

using ::testing::HasSubstr;
using daemon_test::Daemon;
namespace fs = std::filesystem;

using console_test::json_field;
using console_test::kPassword;
using console_test::Reply;
using console_test::request;

/// Every integer value of `key` in the text, in order.
std::vector<std::int64_t> json_ints(const std::string& body, const std::string& key) {
  std::vector<std::int64_t> out;
  const std::string needle = "\"" + key + "\":";
  for (auto p = body.find(needle); p != std::string::npos; p = body.find(needle, p + 1))
    if (std::isdigit(static_cast<unsigned char>(body[p + needle.size()])) != 0)
      out.push_back(std::stoll(body.substr(p + needle.size())));
  return out;
}

/// Bytes that are no bank format (NULs and high bytes included): their import fails.
std::string junk(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  std::mt19937 gen(seed);
  for (auto& c : s) c = static_cast<char>(gen() & 0xff);
  s[0] = '\x7f';  // never a ZIP, XML or PDF signature
  return s;
}

/// A kB figure from /proc/<pid>/status ("VmHWM", "VmRSS"); -1 when missing.
long proc_kb(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(field + ":")) return std::stol(line.substr(field.size() + 1));
  return -1;
}

class ConsoleOriginalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(dir_.path(), "console:\n  max_upload_mb: 64\n");
    ASSERT_TRUE(daemon_->start());
    const auto r = testing::run_command({"/bin/sh", "-c",
                                         "printf '%s\\n' '" + std::string(kPassword) + "' | " + BANKREC_CLI +
                                             " --data-dir " + daemon_->data().string() + " user add anna --role accountant"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    sign_in();
  }

  void sign_in() {
    const Reply r = call("POST", "/api/v1/auth/login",
                         "{\"name\":\"anna\",\"password\":\"" + std::string(kPassword) + "\"}",
                         {"Content-Type: application/json"});
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string cookie = r.header("Set-Cookie");
    anna_ = {"Cookie: " + cookie.substr(0, cookie.find(';')), "X-CSRF-Token: " + json_field(r.body, "csrf_token")};
  }

  Reply call(const std::string& method, const std::string& path, const std::string& body,
             std::vector<std::string> headers) {
    return request(method, daemon_->base() + path, daemon_->ca(), body, headers);
  }

  Reply upload(const std::string& encoded_name, const std::string& bytes) {
    auto headers = anna_;
    headers.push_back("X-File-Name: " + encoded_name);
    headers.push_back("Content-Type: application/octet-stream");
    return call("POST", "/api/v1/uploads", bytes, headers);
  }

  Reply original(std::int64_t file_id, const std::string& method = "GET") {
    return call(method, "/api/v1/files/" + std::to_string(file_id) + "/original", {}, anna_);
  }

  testing::TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  std::vector<std::string> anna_;
};

TEST_F(ConsoleOriginalsTest, an_upload_comes_back_byte_identical_with_its_utf8_name) {
  const std::string bytes = daemon_test::camt_statement(51, 7);
  const Reply up = upload("Kontoauszug%20M%C3%A4rz%201.xml", bytes);
  ASSERT_EQ(up.status, 200) << up.body << daemon_->log();
  EXPECT_EQ(json_field(up.body, "status"), "imported");
  const auto ids = json_ints(up.body, "file_id");
  ASSERT_EQ(ids.size(), 1u);

  const Reply got = original(ids[0]);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_TRUE(got.body == bytes);
  EXPECT_EQ(got.header("Content-Length"), std::to_string(bytes.size()));
  EXPECT_EQ(got.header("Content-Type"), "application/octet-stream");
  // RFC 6266: an ASCII fallback (no quote, no UTF-8) and the exact name as RFC 8187 UTF-8.
  EXPECT_EQ(got.header("Content-Disposition"),
            "attachment; filename=\"Kontoauszug M__rz 1.xml\"; filename*=UTF-8''Kontoauszug%20M%C3%A4rz%201.xml");
  // The headers every response gets.
  EXPECT_EQ(got.header("Cache-Control"), "no-store");
  EXPECT_EQ(got.header("X-Content-Type-Options"), "nosniff");
  EXPECT_THAT(got.header("Strict-Transport-Security"), HasSubstr("max-age="));
  EXPECT_THAT(got.header("Content-Security-Policy"), HasSubstr("frame-ancestors 'none'"));

  const Reply head = original(ids[0], "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("Content-Length"), std::to_string(bytes.size()));
  EXPECT_TRUE(head.body.empty());

  // Still answered on the same daemon after a HEAD and a GET (the connection logic did not break).
  EXPECT_EQ(original(ids[0] + 1000).status, 404);
}

// A file that cannot be imported keeps its original: the clerk downloads what failed.
TEST_F(ConsoleOriginalsTest, a_failed_upload_keeps_its_original) {
  const std::string bytes = junk(100'000, 7);
  const Reply up = upload("broken.csv", bytes);
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(json_field(up.body, "status"), "error");
  const auto ids = json_ints(up.body, "file_id");
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_GT(ids[0], 0);
  const Reply got = original(ids[0]);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_TRUE(got.body == bytes);
  EXPECT_EQ(got.header("Content-Disposition"), "attachment; filename=\"broken.csv\"");
}

// A ZIP's members are files of their own: each one's download is that member's bytes.
TEST_F(ConsoleOriginalsTest, each_zip_member_downloads_as_its_own_bytes) {
  const fs::path dir = dir_.path() / "zip";
  fs::create_directories(dir);
  const std::string a = daemon_test::camt_statement(61, 3), b = daemon_test::camt_statement(62, 4);
  testing::write_file(dir / "a.xml", a);
  testing::write_file(dir / "b.xml", b);
  const auto zipped = testing::run_command({"/bin/sh", "-c", "cd " + dir.string() + " && zip -q both.zip a.xml b.xml"});
  ASSERT_EQ(zipped.exit_code, 0) << zipped.err;
  std::ifstream in(dir / "both.zip", std::ios::binary);
  const std::string archive((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  const Reply up = upload("both.zip", archive);
  ASSERT_EQ(up.status, 200) << up.body;
  const auto members = up.body.find("\"members\"");
  ASSERT_NE(members, std::string::npos) << up.body;
  const auto ids = json_ints(up.body.substr(members), "file_id");
  ASSERT_EQ(ids.size(), 2u) << up.body;
  const Reply first = original(ids[0]), second = original(ids[1]);
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  // Members in archive order; each is offered under its own name, not "both.zip/a.xml".
  EXPECT_TRUE(first.body == a);
  EXPECT_TRUE(second.body == b);
  EXPECT_EQ(first.header("Content-Disposition"), "attachment; filename=\"a.xml\"");
}

TEST_F(ConsoleOriginalsTest, an_inbox_file_comes_back_byte_identical) {
  const std::string bytes = daemon_test::camt_statement(71, 5);
  testing::write_file(daemon_->data() / "inbox" / "from-the-bank.xml", bytes);
  std::string list;
  ASSERT_TRUE(daemon_test::eventually(
      [&] {
        list = call("GET", "/api/v1/statements?source=inbox", {}, anna_).body;
        return list.find("from-the-bank.xml") != std::string::npos;
      },
      60))
      << list << daemon_->log();
  const auto ids = json_ints(list, "file_id");
  ASSERT_EQ(ids.size(), 1u) << list;
  const Reply got = original(ids[0]);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_TRUE(got.body == bytes);
  EXPECT_EQ(got.header("Content-Disposition"), "attachment; filename=\"from-the-bank.xml\"");
}

// 48 MiB come back in pieces: the daemon's peak resident memory (VmHWM of a fresh process, reset
// before the download) grows by no more than SQLite's bounded page cache, not by copies of the file.
TEST_F(ConsoleOriginalsTest, a_large_download_keeps_the_daemons_memory_bounded) {
  constexpr std::size_t kSize = 48u << 20;
  const std::string bytes = junk(kSize, 11);
  const Reply up = upload("big.bin", bytes);
  ASSERT_EQ(up.status, 200) << up.body << daemon_->log();
  const auto ids = json_ints(up.body, "file_id");
  ASSERT_EQ(ids.size(), 1u) << up.body;

  // A fresh process, so the upload's own peak is not in the figure.
  daemon_->process().signal(SIGTERM);
  ASSERT_EQ(daemon_->process().wait(30'000), 0) << daemon_->log();
  ASSERT_TRUE(daemon_->start());
  sign_in();
  const int pid = daemon_->process().pid();
  ASSERT_EQ(original(1'000'000).status, 404);  // the download route has run once before the baseline
  // Start-up may have peaked higher than the process now holds: the peak is reset to the current
  // resident size (clear_refs 5, Linux 4.0+) so that it measures the download alone.
  {
    std::ofstream reset("/proc/" + std::to_string(pid) + "/clear_refs");
    reset << "5";
  }
  const long before_kb = proc_kb(pid, "VmHWM");
  ASSERT_GT(before_kb, 0);
  EXPECT_LE(before_kb, proc_kb(pid, "VmRSS") + 1024) << "the peak was not reset";

  const Reply got = original(ids[0]);
  ASSERT_EQ(got.status, 200) << curl_easy_strerror(got.code);
  EXPECT_EQ(got.header("Content-Length"), std::to_string(kSize));
  ASSERT_EQ(got.body.size(), kSize);
  EXPECT_TRUE(got.body == bytes);
  const long after_kb = proc_kb(pid, "VmHWM");
  const long growth_kb = after_kb - before_kb;
  std::printf("download of %zu MiB: daemon peak RSS %ld kB -> %ld kB (+%ld kB)\n", kSize >> 20, before_kb, after_kb,
              growth_kb);
  // What remains is SQLite's page cache holding the pages read (cache_size = -65536: at most 64 MiB
  // whatever the file's size), plus a 256 KiB piece. Sent whole, the BLOB, its copy in the body and
  // the cache would add about 3 x 48 MiB.
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer keeps freed memory in quarantine (256 MiB by default), so every piece sent stays
  // resident there: the bound says nothing under it. The bytes were checked above.
  (void)growth_kb;
#else
  EXPECT_LT(growth_kb, 80 * 1024) << "peak RSS grew by " << growth_kb << " kB for a " << (kSize >> 10)
                                  << " kB download";
#endif
}

}  // namespace
}  // namespace bankrec
