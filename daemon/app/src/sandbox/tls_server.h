#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "bankrec/base/result.h"
#include "bankrec/http/server.h"

/// The sandbox's own HTTPS front end (Beast, TLS 1.2+). Unlike bankrecd's server it can misbehave
/// on purpose: answer late, never answer, or cut a response off mid-body.
namespace bankrec::app::sandbox {

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  http::Headers headers;
  std::string body;
  std::chrono::milliseconds delay{0};  ///< wait this long before answering
  bool hang = false;                   ///< never answer; the connection stays open until the client leaves
  bool truncate = false;               ///< announce the whole body, send half of it, cut the connection
};

using Handler = std::function<Reply(const http::Request&)>;

struct TlsServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds io_timeout{30};
  unsigned max_connections = 64;
  unsigned threads = 2;
};

class TlsServer {
 public:
  static Result<std::unique_ptr<TlsServer>> start(const TlsServerConfig& config, Handler handler);
  virtual ~TlsServer() = default;
  virtual std::uint16_t port() const = 0;
  virtual void stop() = 0;
};

}  // namespace bankrec::app::sandbox
