#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/http/router.h"

/// The HTTPS server of bankrecd (console, REST API, health and metrics). Beast, Asio and OpenSSL
/// stay inside src/: callers see plain request and response values.
namespace bankrec::http {

struct ServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8443;  ///< 0 picks a free port (tests)
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds io_timeout{30};
  unsigned max_connections = 256;
  unsigned threads = 2;
  unsigned blocking_threads = 2;  ///< runs routes that may block (database, Argon2id): Router::is_blocking
};

/// A running server. Fallible construction through start(); stop() (or the destructor) closes the
/// listener, lets sessions finish until a short deadline and joins the I/O threads.
class Server {
 public:
  static Result<std::unique_ptr<Server>> start(const ServerConfig& config, std::shared_ptr<const Router> router);
  virtual ~Server() = default;
  virtual std::uint16_t port() const = 0;
  virtual void stop() = 0;
};

/// Parses "ADDR:PORT" ("127.0.0.1:8443", "[::1]:8443").
Result<std::pair<std::string, std::uint16_t>> parse_listen_address(std::string_view text);

/// Creates a self-signed certificate (EC P-256, SHA-256, CN and SAN for `host_names` and
/// 127.0.0.1/::1, valid 825 days) with its key (mode 0600) unless both files exist. Writes are atomic.
Result<void> ensure_self_signed_certificate(const std::filesystem::path& cert_file,
                                            const std::filesystem::path& key_file,
                                            const std::vector<std::string>& host_names);

/// SHA-256 fingerprint of a PEM certificate, "AB:CD:...", for logs and for pinning.
Result<std::string> certificate_fingerprint(const std::filesystem::path& cert_file);

}  // namespace bankrec::http
