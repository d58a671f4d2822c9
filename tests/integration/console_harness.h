#pragma once
// Shared by the console integration tests: HTTPS requests with headers and a body, the session of a
// sign-in reply, tiny JSON field readers, the `bankrec` CLI on pipes for its password and TOTP prompts,
// and an RFC 6238 code computed with OpenSSL (so the tests do not trust bankrec's own TOTP code).
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "bankrec/testing/testing.h"

namespace bankrec::console_test {

inline constexpr const char* kPassword = "Kaffeetasse+Regenschirm";

/// A CLI process with stdin and stdout (stderr joined) on pipes, for answering its prompts.
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
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
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
      for (auto nl = buffer_.find('\n'); nl != std::string::npos; nl = buffer_.find('\n', start)) {
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
  /// Reads the rest and waits for the exit code; `output` gets everything the process printed.
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

/// Runs `argv` with `input` on stdin and closes it; returns the exit code, `output` gets what it printed.
inline int run_with_input(const std::vector<std::string>& argv, const std::string& input,
                          std::string* output) {
  Child child(argv);
  if (!input.empty()) child.write(input);
  child.close_input();
  return child.finish(output);
}

/// RFC 6238 with SHA-1, 6 digits, written here again so the tests do not trust bankrec's code.
inline std::string totp(const std::string& key, std::int64_t step) {
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

inline std::string base32_decode(const std::string& s) {
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

/// The current TOTP time step (30 s).
inline std::int64_t step_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
             .count() /
         30;
}

/// `bankrec user totp NAME` through `cli` (the CLI's argv up to the command): reads the otpauth URI,
/// answers with the current code. Returns the raw secret; `uri` and `output` get what the CLI printed.
inline std::string enrol_totp(std::vector<std::string> cli, const std::string& name, std::string* uri,
                              std::string* output) {
  cli.insert(cli.end(), {"user", "totp", name});
  Child child(cli);
  *uri = child.read_line_starting("otpauth://");
  const auto s = uri->find("secret=") + 7;
  const std::string secret = base32_decode(uri->substr(s, uri->find('&', s) - s));
  child.write(totp(secret, step_now()) + "\n");
  child.close_input();
  EXPECT_EQ(child.finish(output), 0) << *output;
  return secret;
}

inline std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

struct Reply {
  CURLcode code = CURLE_COULDNT_CONNECT;
  long status = 0;
  std::string body, headers;
  /// The value of the first header `name` (any case); "" when absent.
  std::string header(const std::string& name) const {
    const auto p = lower(headers).find("\n" + lower(name) + ":");
    if (p == std::string::npos) return {};
    const auto start = headers.find_first_not_of(' ', p + 2 + name.size());
    return headers.substr(start, headers.find('\r', start) - start);
  }
};

inline std::size_t append_to_string(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

/// One HTTPS request verified against `ca`. A non-empty body is sent as JSON unless `headers` name
/// another Content-Type.
inline Reply request(const std::string& method, const std::string& url, const std::filesystem::path& ca,
                     const std::string& body = {}, const std::vector<std::string>& headers = {}) {
  Reply r;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append_to_string);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);  // large downloads under ASan
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_slist* list = nullptr;
  bool has_content_type = false;
  for (const auto& h : headers) {
    list = curl_slist_append(list, h.c_str());
    has_content_type = has_content_type || lower(h).starts_with("content-type:");
  }
  if (!body.empty()) {
    if (!has_content_type) list = curl_slist_append(list, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());  // binary bodies too: the size is given
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  r.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

/// The text of "key":"..." or the digits of "key":N (first occurrence); "" when absent.
inline std::string json_field(const std::string& body, const std::string& key) {
  auto p = body.find("\"" + key + "\":");
  if (p == std::string::npos) return {};
  p += key.size() + 3;
  if (body[p] == '"') return body.substr(p + 1, body.find('"', p + 1) - p - 1);
  const auto end = body.find_first_not_of("0123456789", p);
  return body.substr(p, end - p);
}

/// The number of "key":N (first occurrence); -1 when absent.
inline std::int64_t json_int(const std::string& body, const std::string& key) {
  const auto p = body.find("\"" + key + "\":");
  if (p == std::string::npos) return -1;
  return std::stoll(body.substr(p + key.size() + 3));
}

/// The cookie and CSRF token of a sign-in reply.
struct Session {
  std::string cookie, csrf;
  /// As request headers: "Cookie: …" and, with `csrf`, "X-CSRF-Token: …".
  std::vector<std::string> headers(bool with_csrf = true) const {
    std::vector<std::string> out{"Cookie: " + cookie};
    if (with_csrf) out.push_back("X-CSRF-Token: " + csrf);
    return out;
  }
};

inline Session session_of(const Reply& login) {
  const std::string set_cookie = login.header("Set-Cookie");
  return {set_cookie.substr(0, set_cookie.find(';')), json_field(login.body, "csrf_token")};
}

/// The body of POST /api/v1/auth/login; `code` only when not empty.
inline std::string login_body(const std::string& name, const std::string& password,
                              const std::string& code = {}) {
  std::string body = "{\"name\":\"" + name + "\",\"password\":\"" + password + "\"";
  if (!code.empty()) body += ",\"totp\":\"" + code + "\"";
  return body + "}";
}

}  // namespace bankrec::console_test
