#include "test_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <stdexcept>

namespace bankrec::net::testing {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string base64_decode(std::string_view in) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (const char c : in) {
    const auto pos = kAlphabet.find(c);
    if (pos == std::string::npos) continue;
    v = (v << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace

Conn::~Conn() {
  if (ssl_ != nullptr) {
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }
  ::close(fd_);
}

bool Conn::start_tls() {
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  if (SSL_accept(ssl_) != 1) {
    ERR_clear_error();
    // As real servers do: after the alert, close gracefully so that the client reads the alert
    // instead of a reset (unread client data at close() would make the kernel send RST).
    ::shutdown(fd_, SHUT_WR);
    char buf[4096];
    pollfd pfd{fd_, POLLIN, 0};
    while (::poll(&pfd, 1, 2000) > 0 && ::read(fd_, buf, sizeof buf) > 0) {
    }
    SSL_free(ssl_);
    ssl_ = nullptr;
    return false;
  }
  buffer_.clear();
  return true;
}

std::string Conn::peer_subject() const {
  if (ssl_ == nullptr) return {};
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (cert == nullptr) return {};
  char buf[256];
  X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
  X509_free(cert);
  return buf;
}

int Conn::raw_read(char* buf, int n) {
  if (ssl_ != nullptr) return SSL_read(ssl_, buf, n);
  return static_cast<int>(::read(fd_, buf, static_cast<std::size_t>(n)));
}

std::optional<std::string> Conn::read_line(std::size_t max) {
  for (;;) {
    const auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (buffer_.size() > max) return std::nullopt;
    char buf[4096];
    const int n = raw_read(buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

std::optional<std::string> Conn::read_exact(std::size_t n) {
  while (buffer_.size() < n) {
    char buf[4096];
    const int got = raw_read(buf, sizeof buf);
    if (got <= 0) return std::nullopt;
    buffer_.append(buf, static_cast<std::size_t>(got));
  }
  std::string out = buffer_.substr(0, n);
  buffer_.erase(0, n);
  return out;
}

bool Conn::write(std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const int n = ssl_ != nullptr ? SSL_write(ssl_, data.data() + done, static_cast<int>(data.size() - done))
                                  : static_cast<int>(::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL));
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

TestServer::TestServer(const TlsOptions& tls, std::function<void(Conn&)> on_connection)
    : on_connection_(std::move(on_connection)) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that aborts a transfer must not kill the test binary
  ctx_ = SSL_CTX_new(TLS_server_method());
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx_, tls.cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx_, tls.key.c_str(), SSL_FILETYPE_PEM) != 1)
    throw std::runtime_error("test server: cannot load certificate");
  if (!tls.client_ca.empty()) {
    if (SSL_CTX_load_verify_locations(ctx_, tls.client_ca.c_str(), nullptr) != 1)
      throw std::runtime_error("test server: cannot load client ca");
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("test server: cannot listen");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestServer::~TestServer() {
  stop();
  SSL_CTX_free(ctx_);
}

void TestServer::accept_loop() {
  while (!stopping_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    client_fds_.push_back(fd);
    workers_.emplace_back([this, fd] {
      Conn conn(fd, ctx_);
      on_connection_(conn);
    });
  }
}

void TestServer::hang() {
  std::unique_lock lock(mutex_);
  stopped_cv_.wait(lock, [this] { return stopping_.load(); });
}

void TestServer::stop() {
  if (stopping_.exchange(true)) return;
  stopped_cv_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    for (const int fd : client_fds_) ::shutdown(fd, SHUT_RDWR);  // unblocks reads; Conn closes the fd
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
  ::close(listen_fd_);
}

std::string TestHttpRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (lower(n) == lower(name)) return v;
  return {};
}

HttpTestServer::HttpTestServer(const TlsOptions& tls, Handler handler)
    : handler_(std::move(handler)), server_(tls, [this](Conn& c) { serve(c); }) {}

std::vector<TestHttpRequest> HttpTestServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void HttpTestServer::serve(Conn& conn) {
  if (!conn.start_tls()) return;
  TestHttpRequest req;
  req.client_subject = conn.peer_subject();
  const auto first = conn.read_line();
  if (!first) return;
  const auto sp1 = first->find(' '), sp2 = first->rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return;
  req.method = first->substr(0, sp1);
  req.target = first->substr(sp1 + 1, sp2 - sp1 - 1);
  for (;;) {
    const auto line = conn.read_line();
    if (!line) return;
    if (line->empty()) break;
    const auto colon = line->find(':');
    if (colon == std::string::npos) continue;
    std::string value = line->substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    req.headers.emplace_back(line->substr(0, colon), value);
  }
  if (const std::string cl = req.header("Content-Length"); !cl.empty()) {
    const auto body = conn.read_exact(std::stoul(cl));
    if (!body) return;
    req.body = *body;
  }
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(req);
  }
  const TestHttpResponse res = handler_(req);
  if (res.hang) {
    server_.hang();
    return;
  }
  std::string out = "HTTP/1.1 " + std::to_string(res.status) + " X\r\nConnection: close\r\nContent-Length: " +
                    std::to_string(res.body.size()) + "\r\n";
  for (const auto& [n, v] : res.headers) out += n + ": " + v + "\r\n";
  out += "\r\n" + res.body;
  conn.write(out);
}

SmtpTestServer::SmtpTestServer(const TlsOptions& tls, Mode mode, std::string user, std::string password)
    : mode_(mode), user_(std::move(user)), password_(std::move(password)), server_(tls, [this](Conn& c) { serve(c); }) {}

std::vector<ReceivedMail> SmtpTestServer::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

std::vector<std::string> SmtpTestServer::plaintext_commands() const {
  std::lock_guard lock(mutex_);
  return plaintext_;
}

void SmtpTestServer::serve(Conn& conn) {
  if (mode_ == Mode::implicit_tls && !conn.start_tls()) return;
  conn.write("220 test.local ESMTP ready\r\n");
  ReceivedMail mail;
  bool authed = user_.empty();
  auto ehlo_reply = [&] {
    std::string r = "250-test.local\r\n250-8BITMIME\r\n250-SIZE 10485760\r\n";
    if (!conn.is_tls() && mode_ == Mode::starttls) r += "250-STARTTLS\r\n";
    if (conn.is_tls() || mode_ == Mode::plain_only) r += "250-AUTH PLAIN LOGIN\r\n";
    return r + "250 HELP\r\n";
  };
  for (;;) {
    const auto line = conn.read_line();
    if (!line) return;
    if (!conn.is_tls()) {
      std::lock_guard lock(mutex_);
      plaintext_.push_back(*line);
    }
    const std::string cmd = lower(line->substr(0, line->find(' ')));
    const std::string arg = line->find(' ') == std::string::npos ? "" : line->substr(line->find(' ') + 1);
    if (cmd == "ehlo" || cmd == "helo") {
      mail.helo = arg;
      conn.write(ehlo_reply());
    } else if (cmd == "starttls" && mode_ == Mode::starttls && !conn.is_tls()) {
      conn.write("220 go ahead\r\n");
      if (!conn.start_tls()) return;
      mail = ReceivedMail{};
    } else if (cmd == "auth") {
      std::string user, pass;
      if (lower(arg).starts_with("plain")) {
        std::string creds = arg.size() > 6 ? arg.substr(6) : "";
        if (creds.empty()) {
          conn.write("334 \r\n");
          creds = conn.read_line().value_or("");
        }
        const std::string decoded = base64_decode(creds);  // authzid \0 user \0 password
        const auto a = decoded.find('\0'), b = decoded.find('\0', a + 1);
        if (a != std::string::npos && b != std::string::npos) {
          user = decoded.substr(a + 1, b - a - 1);
          pass = decoded.substr(b + 1);
        }
      } else if (lower(arg).starts_with("login")) {
        std::string u = arg.size() > 6 ? arg.substr(6) : "";
        if (u.empty()) {
          conn.write("334 VXNlcm5hbWU6\r\n");
          u = conn.read_line().value_or("");
        }
        conn.write("334 UGFzc3dvcmQ6\r\n");
        user = base64_decode(u);
        pass = base64_decode(conn.read_line().value_or(""));
      }
      mail.auth_user = user;
      mail.auth_password = pass;
      authed = user == user_ && pass == password_;
      conn.write(authed ? "235 2.7.0 authenticated\r\n" : "535 5.7.8 authentication failed\r\n");
    } else if (cmd == "mail") {
      if (!authed) {
        conn.write("530 5.7.0 authentication required\r\n");
        continue;
      }
      mail.mail_from = arg;
      mail.rcpt_to.clear();
      conn.write("250 ok\r\n");
    } else if (cmd == "rcpt") {
      mail.rcpt_to.push_back(arg);
      conn.write("250 ok\r\n");
    } else if (cmd == "data") {
      conn.write("354 end with .\r\n");
      std::string data;
      for (;;) {
        const auto l = conn.read_line();
        if (!l) return;
        if (*l == ".") break;
        data += (l->starts_with("..") ? l->substr(1) : *l) + "\r\n";
      }
      mail.data = data;
      mail.was_tls = conn.is_tls();
      if (const int code = fail_data_; code != 0) {
        conn.write(std::to_string(code) + " rejected\r\n");
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        messages_.push_back(mail);
      }
      conn.write("250 ok queued\r\n");
    } else if (cmd == "quit") {
      conn.write("221 bye\r\n");
      return;
    } else if (cmd == "rset" || cmd == "noop") {
      conn.write("250 ok\r\n");
    } else {
      conn.write("502 command not implemented\r\n");
    }
  }
}

ProxyTestServer::ProxyTestServer(const TlsOptions& tls, std::string required_basic_credentials)
    : required_(std::move(required_basic_credentials)), server_(tls, [this](Conn& c) { serve(c); }) {}

std::vector<std::string> ProxyTestServer::connect_lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

void ProxyTestServer::serve(Conn& conn) {
  const auto first = conn.read_line();
  if (!first) return;
  std::string auth;
  for (;;) {
    const auto line = conn.read_line();
    if (!line) return;
    if (line->empty()) break;
    if (lower(*line).starts_with("proxy-authorization:")) auth = line->substr(line->find(':') + 2);
  }
  {
    std::lock_guard lock(mutex_);
    lines_.push_back(*first);
  }
  if (!first->starts_with("CONNECT 127.0.0.1:")) {
    conn.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    return;
  }
  if (!required_.empty() && !(lower(auth).starts_with("basic ") && base64_decode(auth.substr(6)) == required_)) {
    conn.write("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"\r\n"
               "Content-Length: 0\r\n\r\n");
    return;
  }
  const std::string target = first->substr(18, first->find(' ', 18) - 18);
  const int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(target)));
  if (::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(upstream);
    conn.write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
    return;
  }
  conn.write("HTTP/1.1 200 Connection established\r\n\r\n");
  const std::string ahead = conn.take_buffer();
  if (!ahead.empty()) (void)::send(upstream, ahead.data(), ahead.size(), MSG_NOSIGNAL);
  pollfd fds[2] = {{conn.fd(), POLLIN, 0}, {upstream, POLLIN, 0}};
  char buf[16384];
  for (bool open = true; open;) {
    if (::poll(fds, 2, 1000) < 0) break;
    for (int i = 0; i < 2 && open; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0 || ::send(fds[1 - i].fd, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) open = false;
    }
  }
  ::close(upstream);
}

}  // namespace bankrec::net::testing
