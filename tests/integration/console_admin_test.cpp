// The admin API against a real bankrecd over HTTPS on 127.0.0.1: open items and a statement loaded
// with the real CLI, a line in review, an admin (TOTP enrolled with the CLI, codes computed here with
// OpenSSL) accepts a suggestion and the audit log has it; an API token is created, used by a machine
// client with `Authorization: Bearer`, revoked, and refused afterwards.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

#include "daemon_harness.h"

namespace bankrec {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr const char* kPassword = "Kaffeetasse+Regenschirm";

/// A CLI process with stdin and stdout on pipes, for answering its prompts.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv) {
    int in[2], out[2];
    EXPECT_EQ(::pipe(in), 0);
    EXPECT_EQ(::pipe(out), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::dup2(out[1], 2);
      ::close(in[1]);
      ::close(out[0]);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    in_ = in[1];
    out_ = out[0];
  }
  ~Child() {
    if (in_ >= 0) ::close(in_);
    ::close(out_);
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void write(const std::string& text) {
    EXPECT_EQ(::write(in_, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void close_input() {
    ::close(in_);
    in_ = -1;
  }
  /// Reads until a line starting with `prefix` arrived; returns it ("" at the end of the output).
  std::string read_line_starting(const std::string& prefix) {
    for (;;) {
      std::size_t start = 0;
      for (auto nl = buffer_.find('\n'); nl != std::string::npos; nl = buffer_.find('\n', start)) {
        const std::string line = buffer_.substr(start, nl - start);
        start = nl + 1;
        if (line.starts_with(prefix)) {
          buffer_.erase(0, start);
          return line;
        }
      }
      char chunk[4096];
      const ssize_t n = ::read(out_, chunk, sizeof chunk);
      if (n <= 0) return {};
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  int finish(std::string* output) {
    char chunk[4096];
    ssize_t n;
    while ((n = ::read(out_, chunk, sizeof chunk)) > 0) buffer_.append(chunk, static_cast<std::size_t>(n));
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    *output = buffer_;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  bool reaped_ = false;
  std::string buffer_;
};

/// RFC 6238 with SHA-1, 6 digits, written here again so the test does not trust bankrec's code.
std::string totp(const std::string& key, std::int64_t step) {
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i, step >>= 8) msg[i] = static_cast<unsigned char>(step & 0xff);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg, 8, mac, &len);
  const int o = mac[len - 1] & 0xf;
  const std::uint32_t bin = ((mac[o] & 0x7fu) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
  const std::string code = std::to_string(bin % 1000000);
  return std::string(6 - code.size(), '0') + code;
}

std::string base32_decode(const std::string& s) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (char c : s) {
    buf = (buf << 5) | static_cast<std::uint32_t>(alphabet.find(c));
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buf >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

std::int64_t step_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() / 30;
}

struct Reply {
  CURLcode code = CURLE_COULDNT_CONNECT;
  long status = 0;
  std::string body, headers;
};

std::size_t append(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

Reply request(const std::string& method, const std::string& url, const fs::path& ca, const std::string& body,
              const std::vector<std::string>& headers) {
  Reply r;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  if (!body.empty()) {
    list = curl_slist_append(list, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  r.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

/// The text of "key":"..." or the digits of "key":N (first occurrence); "" when absent.
std::string json_field(const std::string& body, const std::string& key) {
  auto p = body.find("\"" + key + "\":");
  if (p == std::string::npos) return {};
  p += key.size() + 3;
  if (body[p] == '"') return body.substr(p + 1, body.find('"', p + 1) - p - 1);
  const auto end = body.find_first_not_of("0123456789", p);
  return body.substr(p, end - p);
}

/// One 50.00 EUR line from "Muster Wohnen GmbH" without an invoice number: two invoices of 50.00
/// of that partner fit equally, so the line goes to review with two suggestions.
std::string review_statement() {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt>"
         "<GrpHdr><MsgId>MSG-ADMIN</MsgId><CreDtTm>2026-11-21T06:00:00+01:00</CreDtTm></GrpHdr>"
         "<Stmt><Id>STMT-ADMIN</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>2026-11-21T06:00:00+01:00</CreDtTm>"
         "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>"
         "<Ntry><Amt Ccy=\"EUR\">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
         "<BookgDt><Dt>2026-11-20</Dt></BookgDt><ValDt><Dt>2026-11-20</Dt></ValDt><AcctSvcrRef>REF-A1</AcctSvcrRef>"
         "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Muster Wohnen GmbH</Nm></Dbtr></RltdPties>"
         "<RmtInf><Ustrd>Zahlung</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
         "</Stmt></BkToCstmrStmt></Document>\n";
}

class ConsoleAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<daemon_test::Daemon>(dir_.path(), "log:\n  level: info\n");
    ASSERT_TRUE(daemon_->start());
  }

  std::vector<std::string> cli(std::initializer_list<std::string> args) const {
    std::vector<std::string> argv{BANKREC_CLI, "--data-dir", daemon_->data().string(), "--config",
                                  daemon_->config().string()};
    argv.insert(argv.end(), args);
    return argv;
  }
  void run_cli(std::initializer_list<std::string> args) {
    Child child(cli(args));
    child.close_input();
    std::string out;
    ASSERT_EQ(child.finish(&out), 0) << out;
  }

  /// An admin with TOTP enrolled through the CLI; returns the raw secret.
  std::string add_admin(const std::string& name) {
    {
      Child child(cli({"user", "add", name, "--role", "admin"}));
      child.write(std::string(kPassword) + "\n");
      child.close_input();
      std::string out;
      EXPECT_EQ(child.finish(&out), 0) << out;
    }
    Child child(cli({"user", "totp", name}));
    const std::string uri = child.read_line_starting("otpauth://");
    const auto s = uri.find("secret=") + 7;
    const std::string secret = base32_decode(uri.substr(s, uri.find('&', s) - s));
    child.write(totp(secret, step_now()) + "\n");
    child.close_input();
    std::string out;
    EXPECT_EQ(child.finish(&out), 0) << out;
    return secret;
  }

  Reply call(const std::string& method, const std::string& path, const std::string& body = {},
             const std::vector<std::string>& headers = {}) {
    return request(method, daemon_->base() + path, daemon_->ca(), body, headers);
  }

  testing::TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<daemon_test::Daemon> daemon_;
};

TEST_F(ConsoleAdminTest, accept_in_review_is_audited_and_a_revoked_token_is_refused) {
  const fs::path items = dir_.path() / "items.csv";
  testing::write_file(items,
                      "id,kind,partner_id,partner_name,document_number,amount,currency,due_date\n"
                      "I1,invoice,4711,Muster Wohnen GmbH,RE-2026-000001,50.00,EUR,2026-11-25\n"
                      "I2,invoice,4711,Muster Wohnen GmbH,RE-2026-000002,50.00,EUR,2026-11-25\n");
  const fs::path statement = dir_.path() / "statement.xml";
  testing::write_file(statement, review_statement());
  run_cli({"open-items", "import", items.string()});
  run_cli({"import", statement.string()});
  run_cli({"reconcile"});

  const std::string secret = add_admin("root");
  // The CLI used this step's code; the next step's is fresh.
  const Reply login = call("POST", "/api/v1/auth/login",
                           R"({"name":"root","password":")" + std::string(kPassword) + R"(","totp":")" +
                               totp(secret, step_now() + 1) + "\"}");
  ASSERT_EQ(login.status, 200) << login.body << daemon_->log();
  const auto cookie_at = login.headers.find("__Host-bankrec_session=");
  ASSERT_NE(cookie_at, std::string::npos);
  const std::string cookie = "Cookie: " + login.headers.substr(cookie_at, login.headers.find(';', cookie_at) - cookie_at);
  const std::vector<std::string> session{cookie, "X-CSRF-Token: " + json_field(login.body, "csrf_token")};

  const Reply review = call("GET", "/api/v1/review", {}, session);
  ASSERT_EQ(review.status, 200) << review.body;
  const std::string entry = json_field(review.body, "id");
  ASSERT_FALSE(entry.empty()) << review.body;
  EXPECT_THAT(review.body, HasSubstr("\"index\":2"));
  const Reply accepted = call("POST", "/api/v1/review/" + entry + "/accept", R"({"suggestion":1})", session);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_THAT(accepted.body, HasSubstr("\"status\":\"reconciled\""));

  // The audit log, read with the real CLI, has the decision with the admin as actor; the chain holds.
  const auto exported = daemon_->cli({"audit", "export"});
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  bool found = false;
  std::istringstream lines(exported.out);
  for (std::string line; std::getline(lines, line);)
    found = found || (line.find("\"actor\":\"root\"") != std::string::npos &&
                      line.find("\"reconcile.accept\"") != std::string::npos);
  EXPECT_TRUE(found) << exported.out;
  const auto verified = daemon_->cli({"audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  // A machine client: token created (the sign-in with a code counts as step-up), used, revoked.
  const Reply created = call("POST", "/api/v1/tokens", R"({"name":"erp","scopes":["read"]})", session);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string token = json_field(created.body, "token");
  const std::string token_id = json_field(created.body, "id");
  ASSERT_THAT(token, ::testing::StartsWith("brk_"));
  const std::vector<std::string> bearer{"Authorization: Bearer " + token};
  const Reply machine = call("GET", "/api/v1/open-items?status=all", {}, bearer);
  EXPECT_EQ(machine.status, 200) << machine.body;
  EXPECT_THAT(machine.body, HasSubstr("\"id\":\"I1\""));
  EXPECT_EQ(call("POST", "/api/v1/review/" + entry + "/undo", "", bearer).status, 403);  // read scope only
  EXPECT_EQ(call("DELETE", "/api/v1/tokens/" + token_id, {}, session).status, 204);
  const Reply after = call("GET", "/api/v1/open-items", {}, bearer);
  EXPECT_EQ(after.status, 401) << after.body;
  // The token never shows up in the daemon's log.
  EXPECT_THAT(daemon_->log(), ::testing::Not(HasSubstr(token)));
}

// console.login_* from bankrec.yaml set the throttle; a lockout raises a login_lockout alert.
TEST_F(ConsoleAdminTest, a_lockout_from_the_configured_limit_raises_an_alert) {
  daemon_->process().signal(SIGTERM);
  ASSERT_EQ(daemon_->process().wait(30000), 0) << daemon_->log();
  daemon_->write_config(
      "console:\n  login_max_failures_per_account: 2\n  login_lockout_minutes: 5\n  session_idle_minutes: 10\n");
  ASSERT_TRUE(daemon_->start());
  {
    Child child(cli({"user", "add", "lou", "--role", "accountant"}));
    child.write(std::string(kPassword) + "\n");
    child.close_input();
    std::string out;
    ASSERT_EQ(child.finish(&out), 0) << out;
  }
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(call("POST", "/api/v1/auth/login", R"({"name":"lou","password":"wrong-password-1"})").status, 401);
  const Reply locked = call("POST", "/api/v1/auth/login", R"({"name":"lou","password":")" + std::string(kPassword) + "\"}");
  EXPECT_EQ(locked.status, 429) << locked.body;
  // The lockout lasts 300 s from the last failure; a second may have passed since.
  EXPECT_THAT(locked.headers, ::testing::ContainsRegex("Retry-After: (29[0-9]|300)\r\n"));
  const auto db = daemon_test::open_database(daemon_->data(), clock_);
  ASSERT_TRUE(db);
  EXPECT_EQ(*db->db().query_int("SELECT count(*) FROM alerts WHERE kind = 'login_lockout' AND alert_key = 'account:lou'"),
            1);
  EXPECT_EQ(*db->db().query_int("SELECT count(*) FROM audit_log WHERE action = 'auth.lockout'"), 1);
  EXPECT_TRUE(daemon_->log_has("sign-in locked after repeated failures scope=account key=\"lou\"")) << daemon_->log();
}

}  // namespace
}  // namespace bankrec
