#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

/// Real servers on 127.0.0.1 for the net tests: blocking OpenSSL over plain sockets, one thread
/// per connection. Small on purpose, but they speak real TLS (with optional client-certificate
/// verification), real HTTP/1.1 and real ESMTP (STARTTLS, implicit TLS, AUTH PLAIN/LOGIN, DATA).
namespace bankrec::net::testing {

/// One accepted connection; starts plain and may be upgraded to TLS.
class Conn {
 public:
  Conn(int fd, SSL_CTX* ctx) : fd_(fd), ctx_(ctx) {}
  ~Conn();
  bool start_tls();                    ///< server-side handshake; false on failure
  bool is_tls() const { return ssl_ != nullptr; }
  std::string peer_subject() const;    ///< verified client certificate subject, or ""
  std::optional<std::string> read_line(std::size_t max = 64 * 1024);  ///< without CRLF
  std::optional<std::string> read_exact(std::size_t n);
  bool write(std::string_view data);
  int fd() const { return fd_; }
  /// Bytes read ahead of the last line (for handing the connection over to a relay).
  std::string take_buffer() { return std::exchange(buffer_, {}); }

 private:
  int raw_read(char* buf, int n);
  int fd_;
  SSL_CTX* ctx_;
  SSL* ssl_ = nullptr;
  std::string buffer_;
};

struct TlsOptions {
  std::filesystem::path cert, key;
  std::filesystem::path client_ca;    ///< when set, a client certificate from this CA is required
};

/// Accept loop; `on_connection` runs on its own thread per connection.
class TestServer {
 public:
  TestServer(const TlsOptions& tls, std::function<void(Conn&)> on_connection);
  virtual ~TestServer();
  std::uint16_t port() const { return port_; }
  /// Blocks the calling connection thread until the server stops (a "hanging" server).
  void hang();
  void stop();

 private:
  void accept_loop();
  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::function<void(Conn&)> on_connection_;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable stopped_cv_;
  std::vector<std::thread> workers_;
  std::vector<int> client_fds_;
};

struct TestHttpRequest {
  std::string method, target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string client_subject;  ///< from the verified client certificate
  std::string header(std::string_view name) const;
};

struct TestHttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool hang = false;  ///< never answer (until the server stops)
};

/// HTTPS server (HTTP/1.1, Content-Length bodies, one request per connection).
class HttpTestServer {
 public:
  using Handler = std::function<TestHttpResponse(const TestHttpRequest&)>;
  HttpTestServer(const TlsOptions& tls, Handler handler);
  std::uint16_t port() const { return server_.port(); }
  std::string url(std::string_view path = "/") const {
    return "https://127.0.0.1:" + std::to_string(port()) + std::string(path);
  }
  std::vector<TestHttpRequest> requests() const;
  void stop() { server_.stop(); }

 private:
  void serve(Conn& conn);
  Handler handler_;
  mutable std::mutex mutex_;
  std::vector<TestHttpRequest> requests_;
  TestServer server_;  // last: its threads use the members above
};

struct ReceivedMail {
  std::string helo, mail_from;
  std::vector<std::string> rcpt_to;
  std::string data;  ///< dot-unstuffed, CRLF line ends, without the final "."
  std::string auth_user, auth_password;
  bool was_tls = false;
};

/// ESMTP server. mode implicit_tls: TLS from the first byte (smtps); starttls: plain greeting,
/// STARTTLS offered; plain_only: STARTTLS not offered (a client must refuse to go on).
class SmtpTestServer {
 public:
  enum class Mode { implicit_tls, starttls, plain_only };
  SmtpTestServer(const TlsOptions& tls, Mode mode, std::string user, std::string password);
  std::uint16_t port() const { return server_.port(); }
  std::string url() const {
    return std::string(mode_ == Mode::implicit_tls ? "smtps" : "smtp") + "://127.0.0.1:" + std::to_string(port());
  }
  std::vector<ReceivedMail> messages() const;
  /// Commands received in plain text before TLS (for checks that nothing secret went in clear).
  std::vector<std::string> plaintext_commands() const;
  void set_fail_data(int code) { fail_data_ = code; }

 private:
  void serve(Conn& conn);
  Mode mode_;
  std::string user_, password_;
  std::atomic<int> fail_data_{0};
  mutable std::mutex mutex_;
  std::vector<ReceivedMail> messages_;
  std::vector<std::string> plaintext_;
  TestServer server_;
};

/// A plain-HTTP forward proxy that only does CONNECT (how curl tunnels https through a proxy),
/// to 127.0.0.1 only. Optionally requires Basic credentials (407 otherwise).
class ProxyTestServer {
 public:
  ProxyTestServer(const TlsOptions& tls, std::string required_basic_credentials = {});
  std::uint16_t port() const { return server_.port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::vector<std::string> connect_lines() const;  ///< "CONNECT 127.0.0.1:PORT HTTP/1.1", one per tunnel

 private:
  void serve(Conn& conn);
  std::string required_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  TestServer server_;
};

}  // namespace bankrec::net::testing
