// bankrecd on 127.0.0.1 with a temp data dir; users made with the real `bankrec user` CLI (password
// on stdin, TOTP enrolment answered with a code computed here); sign-in over real HTTPS with libcurl.
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "bankrec/testing/testing.h"

namespace bankrec {
namespace {

using ::testing::HasSubstr;

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
  /// Reads until a line starting with `prefix` has arrived; returns that line ("" at end of output).
  std::string read_line_starting(const std::string& prefix) {
    for (;;) {
      std::size_t start = 0;
      while (true) {
        const auto nl = buffer_.find('\n', start);
        if (nl == std::string::npos) break;
        const std::string line = buffer_.substr(start, nl - start);
        start = nl + 1;
        if (line.starts_with(prefix)) {
          seen_ += buffer_.substr(0, start);
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
  /// Reads the rest and waits for the exit code.
  int finish(std::string* output) {
    char chunk[4096];
    ssize_t n;
    while ((n = ::read(out_, chunk, sizeof chunk)) > 0) buffer_.append(chunk, static_cast<std::size_t>(n));
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    *output = seen_ + buffer_;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  bool reaped_ = false;
  std::string buffer_, seen_;
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
  std::string code = std::to_string(bin % 1000000);
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
  std::string header(const std::string& name) const {
    std::string lower_headers, lower_name;
    for (char c : headers) lower_headers += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (char c : name) lower_name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto p = lower_headers.find("\n" + lower_name + ":");
    if (p == std::string::npos) return {};
    const auto start = headers.find_first_not_of(' ', p + 2 + name.size());
    return headers.substr(start, headers.find('\r', start) - start);
  }
};

std::size_t append(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

Reply request(const std::string& method, const std::string& url, const std::filesystem::path& ca,
              const std::string& body = {}, const std::vector<std::string>& headers = {}) {
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

std::string json_field(const std::string& body, const std::string& key) {
  const auto p = body.find("\"" + key + "\":\"");
  if (p == std::string::npos) return {};
  const auto start = p + key.size() + 4;
  return body.substr(start, body.find('"', start) - start);
}

struct Session {
  std::string cookie, csrf;
};

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    const std::string listen = "127.0.0.1:" + std::to_string(testing::free_loopback_port());
    base_ = "https://" + listen;
    daemon_ = std::make_unique<testing::Process>(
        std::vector<std::string>{BANKRECD, "--data-dir", data_.string(), "--listen", listen, "--config",
                                 (dir_.path() / "absent.yaml").string()},
        dir_.path(), "bankrecd");
    ca_ = data_ / "tls" / "cert.pem";
    for (int i = 0; i < 400; ++i) {
      if (std::filesystem::exists(ca_) && request("GET", base_ + "/healthz", ca_).code == CURLE_OK) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "bankrecd did not come up: " << daemon_->stderr_text();
  }

  std::vector<std::string> cli(std::initializer_list<std::string> args) {
    std::vector<std::string> argv{BANKREC_CLI, "--data-dir", data_.string()};
    argv.insert(argv.end(), args);
    return argv;
  }

  void add_user(const std::string& name, const std::string& role) {
    Child child(cli({"user", "add", name, "--role", role}));
    child.write(std::string(kPassword) + "\n");
    child.close_input();
    std::string out;
    ASSERT_EQ(child.finish(&out), 0) << out;
    EXPECT_THAT(out, HasSubstr("created user " + name));
  }

  /// `bankrec user totp NAME`: reads the otpauth URI, answers with the current code; returns the secret.
  std::string enrol(const std::string& name) {
    Child child(cli({"user", "totp", name}));
    const std::string uri = child.read_line_starting("otpauth://");
    EXPECT_THAT(uri, ::testing::StartsWith("otpauth://totp/bankrec:" + name + "?secret="));
    const auto s = uri.find("secret=") + 7;
    const std::string secret = base32_decode(uri.substr(s, uri.find('&', s) - s));
    child.write(totp(secret, step_now()) + "\n");
    child.close_input();
    std::string out;
    EXPECT_EQ(child.finish(&out), 0) << out;
    EXPECT_THAT(out, HasSubstr("\u2588"));  // the QR code in half blocks
    EXPECT_THAT(out, HasSubstr("Recovery codes"));
    return secret;
  }

  Reply login(const std::string& name, const std::string& password, const std::string& code = {}) {
    std::string body = "{\"name\":\"" + name + "\",\"password\":\"" + password + "\"";
    if (!code.empty()) body += ",\"totp\":\"" + code + "\"";
    return request("POST", base_ + "/api/v1/auth/login", ca_, body + "}");
  }

  static Session session_of(const Reply& r) {
    const std::string set_cookie = r.header("Set-Cookie");
    return {set_cookie.substr(0, set_cookie.find(';')), json_field(r.body, "csrf_token")};
  }

  Reply as(const Session& s, const std::string& method, const std::string& path, const std::string& body = {},
           bool csrf = true) {
    std::vector<std::string> headers{"Cookie: " + s.cookie};
    if (csrf) headers.push_back("X-CSRF-Token: " + s.csrf);
    return request(method, base_ + path, ca_, body, headers);
  }

  static constexpr const char* kPassword = "Kaffeetasse+Regenschirm";
  testing::TempDir dir_;
  std::filesystem::path data_, ca_;
  std::string base_;
  std::unique_ptr<testing::Process> daemon_;
};

TEST_F(ConsoleTest, admin_signs_in_with_totp_over_https_and_a_viewer_is_kept_out) {
  add_user("admin", "admin");
  const std::string secret = enrol("admin");
  add_user("viv", "viewer");

  // Without the code the password alone is not enough; the next step's code is fresh (the CLI used this one).
  EXPECT_EQ(login("admin", kPassword).status, 401);
  const Reply ok = login("admin", kPassword, totp(secret, step_now() + 1));
  ASSERT_EQ(ok.status, 200) << ok.body << daemon_->stderr_text();
  const std::string cookie = ok.header("Set-Cookie");
  EXPECT_THAT(cookie, ::testing::StartsWith("__Host-bankrec_session="));
  for (const char* flag : {"Path=/", "Secure", "HttpOnly", "SameSite=Strict"}) EXPECT_THAT(cookie, HasSubstr(flag));
  EXPECT_EQ(ok.header("Cache-Control"), "no-store");
  EXPECT_THAT(ok.header("Strict-Transport-Security"), HasSubstr("max-age="));
  EXPECT_THAT(ok.header("Content-Security-Policy"), HasSubstr("default-src 'self'"));
  EXPECT_EQ(ok.header("X-Content-Type-Options"), "nosniff");
  const Session admin = session_of(ok);
  ASSERT_FALSE(admin.csrf.empty());

  const Reply users = as(admin, "GET", "/api/v1/users");
  EXPECT_EQ(users.status, 200) << users.body;
  EXPECT_THAT(users.body, HasSubstr("\"name\":\"viv\""));
  EXPECT_THAT(users.body, HasSubstr("\"totp_enrolled\":true"));

  const Reply viewer_login = login("viv", kPassword);
  ASSERT_EQ(viewer_login.status, 200) << viewer_login.body;
  const Session viewer = session_of(viewer_login);
  EXPECT_EQ(as(viewer, "GET", "/api/v1/auth/me").status, 200);
  const Reply denied = as(viewer, "GET", "/api/v1/users");
  EXPECT_EQ(denied.status, 403);
  EXPECT_THAT(denied.body, HasSubstr("\"forbidden\""));
  EXPECT_EQ(as(viewer, "PATCH", "/api/v1/users/1", "{\"role\":\"viewer\"}").status, 403);

  // CSRF: a state change without the header is refused and changes nothing.
  const Reply no_csrf = as(admin, "POST", "/api/v1/auth/logout", {}, /*csrf=*/false);
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_THAT(no_csrf.body, HasSubstr("\"csrf\""));
  EXPECT_EQ(as(admin, "GET", "/api/v1/auth/me").status, 200);

  // Logout ends the session on the server: the old cookie no longer works.
  const Reply out = as(admin, "POST", "/api/v1/auth/logout");
  EXPECT_EQ(out.status, 200) << out.body;
  EXPECT_THAT(out.header("Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(as(admin, "GET", "/api/v1/auth/me").status, 401);
  EXPECT_EQ(as(admin, "GET", "/api/v1/users").status, 401);

  std::string list;
  Child lister(cli({"user", "list"}));
  lister.close_input();
  EXPECT_EQ(lister.finish(&list), 0);
  EXPECT_THAT(list, HasSubstr("admin"));
  EXPECT_THAT(list, HasSubstr("viewer"));
}

TEST_F(ConsoleTest, repeated_wrong_passwords_lock_the_account) {
  add_user("lou", "accountant");
  const Reply unknown = login("nobody", "whatever-password");
  for (int i = 0; i < 5; ++i) {
    const Reply r = login("lou", "wrong-password-" + std::to_string(i));
    EXPECT_EQ(r.status, 401) << r.body;
    if (i == 0) {
      EXPECT_EQ(r.body, unknown.body);  // the same answer as for a user who does not exist
    }
  }
  const Reply locked = login("lou", kPassword);
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_FALSE(locked.header("Retry-After").empty());
  // The CLI shows the lock and lifts it.
  std::string list;
  Child lister(cli({"user", "list", "--json"}));
  lister.close_input();
  EXPECT_EQ(lister.finish(&list), 0);
  EXPECT_THAT(list, ::testing::MatchesRegex("(.|\n)*\"name\":\"lou\"[^\n]*\"locked_until\":\"20(.|\n)*"));
  Child unlock(cli({"user", "unlock", "lou"}));
  unlock.close_input();
  std::string out;
  EXPECT_EQ(unlock.finish(&out), 0) << out;
  EXPECT_EQ(login("lou", kPassword).status, 200);
}

TEST_F(ConsoleTest, the_cli_refuses_a_common_password) {
  Child child(cli({"user", "add", "pat", "--role", "viewer"}));
  child.write("Password2024!\n");
  child.close_input();
  std::string out;
  EXPECT_EQ(child.finish(&out), 2) << out;
  EXPECT_THAT(out, HasSubstr("too common"));
}

}  // namespace
}  // namespace bankrec
