#include <utility>  // first: awaitable.hpp on g++ 12 uses std::exchange without including it

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "bankrec/http/server.h"
#include "tls_context.h"

namespace bankrec::http {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::string_view kSecurityHeaders[][2] = {
    {"Strict-Transport-Security", "max-age=63072000; includeSubDomains"},
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
     "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
};

void log_io_error(const beast::error_code& ec, const char* what) {
  // Ordinary client behaviour: closing without TLS close_notify, timeouts, resets.
  if (ec == net::error::eof || ec == ssl::error::stream_truncated || ec == beast::error::timeout ||
      ec == net::error::connection_reset || ec == net::error::broken_pipe || ec == net::error::operation_aborted || ec == bhttp::error::end_of_stream)
    return;
  std::fprintf(stderr, "bankrecd: http: %s: %s\n", what, ec.message().c_str());
}

/// The request line and headers; the body is the caller's business.
template <class Body>
Request to_request_head(const bhttp::request<Body>& req, const std::string& remote) {
  Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  const auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  for (const auto& field : req) r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  r.remote_address = remote;
  return r;
}

Request to_request(bhttp::request<bhttp::string_body>&& req, const std::string& remote) {
  Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  const auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  for (const auto& field : req) r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  r.body = std::move(req.body());
  r.remote_address = remote;
  return r;
}

/// Every response, whatever produced it (a route, the router's 404/405, the server's 413/431), gets
/// the security headers; API responses and error bodies are never cached (`api`: the path is under /api/).
template <class Body>
void set_head(bhttp::response<Body>& res, const Response& response, bool keep_alive, bool api) {
  res.set(bhttp::field::server, "bankrecd");
  res.set(bhttp::field::content_type, response.content_type);
  for (const auto& h : kSecurityHeaders) res.set(h[0], h[1]);
  if (response.content_type.starts_with("application/json") || response.content_type.starts_with("text/plain"))
    res.set(bhttp::field::cache_control, "no-store");
  for (auto& [k, v] : response.headers) res.set(k, v);
  if (api) res.set(bhttp::field::cache_control, "no-store");  // after the route's own headers: not overridable
  res.keep_alive(keep_alive);
}

bhttp::response<bhttp::string_body> to_beast(Response&& response, unsigned version, bool keep_alive, bool head,
                                             bool api = true) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), version};
  set_head(res, response, keep_alive, api);
  res.body() = head ? std::string() : std::move(response.body);
  res.prepare_payload();
  if (head) res.content_length(response.body.size());
  return res;
}

Response simple_error(int status, std::string_view code, std::string_view message) {
  return Response::json(status, "{\"error\":{\"code\":\"" + std::string(code) + "\",\"message\":\"" +
                                    std::string(message) + "\"}}");
}

struct Shared {
  ServerConfig config;
  std::shared_ptr<const Router> router;
  std::atomic<unsigned> connections{0};
  std::unique_ptr<net::thread_pool> blocking;  // Router::is_blocking routes
};

// A coroutine function with by-value parameters, not a capturing lambda: the captures of a lambda
// coroutine live in the lambda object, which co_spawn does not keep alive.
net::awaitable<Response> dispatch_blocking(std::shared_ptr<Shared> shared, Request request) {
  co_return shared->router->dispatch(std::move(request));
}

net::awaitable<std::optional<Response>> check_access_blocking(std::shared_ptr<Shared> shared, Request request) {
  co_return shared->router->check_access(std::move(request));
}

/// A private temp file (0600, in a 0700 directory) for one streamed body; removed with the object.
class TempBodyFile {
 public:
  TempBodyFile() = default;
  TempBodyFile(const TempBodyFile&) = delete;
  TempBodyFile& operator=(const TempBodyFile&) = delete;
  ~TempBodyFile() { remove(); }

  bool create(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return false;
    ::chmod(dir.c_str(), 0700);
    std::string name = (dir / "upload-XXXXXX").string();
    const int fd = ::mkstemp(name.data());  // O_EXCL, mode 0600
    if (fd < 0) return false;
    ::close(fd);
    path_ = name;
    return true;
  }
  const std::filesystem::path& path() const { return path_; }
  void remove() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove(path_, ec);  // gone already when the handler moved it away
    path_.clear();
  }

 private:
  std::filesystem::path path_;
};

struct Outcome {
  Response response;
  unsigned version = 11;
  bool keep_alive = false;
  bool head = false;
  bool api = true;
  bool drain = false;  //!< a body was refused unread: read and drop some of it before closing
};

Response too_large() { return simple_error(413, "payload_too_large", "request body too large"); }

/// Reads the body of a route with Access::streamed into a temp file after its access checks passed on
/// the headers alone, so that nobody can make the server store a body it would refuse anyway.
net::awaitable<std::optional<Outcome>> read_streamed(TlsStream& stream, beast::flat_buffer& buffer,
                                                     bhttp::request_parser<bhttp::empty_body>& head_parser,
                                                     const StreamedBody& streamed, std::shared_ptr<Shared> shared,
                                                     Request head) {
  auto& tcp_layer = beast::get_lowest_layer(stream);
  beast::error_code ec;
  Outcome out;
  out.version = head_parser.get().version();
  out.head = false;
  out.keep_alive = false;  // a refused body is never read: the connection cannot be reused
  // A client that did not wait for 100 Continue is sending the body now; closing with unread data
  // would reset the connection before it reads the answer.
  out.drain = !beast::iequals(head_parser.get()[bhttp::field::expect], "100-continue");
  if (const auto length = head_parser.content_length(); length && *length > streamed.max_bytes) {
    out.response = too_large();
    co_return out;
  }
  if (auto refused = co_await net::co_spawn(shared->blocking->get_executor(), check_access_blocking(shared, head),
                                            net::use_awaitable)) {
    out.response = std::move(*refused);
    co_return out;
  }
  TempBodyFile file;
  if (!file.create(streamed.dir)) {
    out.response = simple_error(503, "unavailable", "cannot store the upload");
    co_return out;
  }
  if (beast::iequals(head_parser.get()[bhttp::field::expect], "100-continue")) {
    bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, out.version};
    co_await bhttp::async_write(stream, cont, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return std::nullopt;
  }
  bhttp::request_parser<bhttp::file_body> parser(std::move(head_parser));
  parser.body_limit(streamed.max_bytes);
  parser.get().body().open(file.path().c_str(), beast::file_mode::write, ec);
  if (ec) {
    out.response = simple_error(503, "unavailable", "cannot store the upload");
    co_return out;
  }
  tcp_layer.expires_after(shared->config.io_timeout);
  co_await bhttp::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
  parser.get().body().close();
  if (ec == bhttp::error::body_limit) {
    out.response = too_large();
    out.drain = true;
    co_return out;
  }
  if (ec) {
    log_io_error(ec, "read");
    co_return std::nullopt;
  }
  out.drain = false;
  out.keep_alive = parser.get().keep_alive();
  Request request = std::move(head);
  request.body_file = file.path();
  out.response = co_await net::co_spawn(shared->blocking->get_executor(), dispatch_blocking(shared, std::move(request)),
                                        net::use_awaitable);
  co_return out;
}

/// Reads one request (its headers first, then the body in memory or, for a streamed route, to disk)
/// and answers it; nullopt when the connection is done (closed, timed out, broken).
net::awaitable<std::optional<Outcome>> serve_one(TlsStream& stream, beast::flat_buffer& buffer,
                                                 std::shared_ptr<Shared> shared, const std::string& remote) {
  auto& tcp_layer = beast::get_lowest_layer(stream);
  beast::error_code ec;
  bhttp::request_parser<bhttp::empty_body> head_parser;
  head_parser.header_limit(static_cast<std::uint32_t>(shared->config.max_header_bytes));
  // Beast compares Content-Length with the body limit while parsing the header, before the route and
  // so its limit are known: that check is done below, per route; chunked bodies are counted as they come.
  head_parser.body_limit(boost::none);
  tcp_layer.expires_after(shared->config.io_timeout);
  co_await bhttp::async_read_header(stream, buffer, head_parser, net::redirect_error(net::use_awaitable, ec));
  if (ec == bhttp::error::end_of_stream) co_return std::nullopt;
  if (ec == bhttp::error::header_limit) {
    co_return Outcome{simple_error(431, "header_too_large", "request header too large"), 11, false, false, true};
  }
  if (ec) {
    log_io_error(ec, "read");
    co_return std::nullopt;
  }
  Request head = to_request_head(head_parser.get(), remote);
  const bool api = head.path.starts_with("/api/");
  const auto access = shared->router->access_of(head);
  if (access && access->streamed && head.method != "GET" && head.method != "HEAD") {
    auto out = co_await read_streamed(stream, buffer, head_parser, *access->streamed, shared, std::move(head));
    if (out) out->api = api;
    co_return out;
  }
  if (const auto length = head_parser.content_length(); length && *length > shared->config.max_body_bytes)
    co_return Outcome{too_large(), head_parser.get().version(), false, false, api, /*drain=*/true};
  bhttp::request_parser<bhttp::string_body> parser(std::move(head_parser));
  parser.body_limit(shared->config.max_body_bytes);
  co_await bhttp::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
  if (ec == bhttp::error::body_limit) co_return Outcome{too_large(), 11, false, false, api, /*drain=*/true};
  if (ec) {
    log_io_error(ec, "read");
    co_return std::nullopt;
  }
  auto req = parser.release();
  Outcome out;
  out.version = req.version();
  out.keep_alive = req.keep_alive();
  out.head = req.method() == bhttp::verb::head;
  out.api = api;
  Request request = to_request(std::move(req), remote);
  if (shared->router->is_blocking(request)) {
    // Database and Argon2id work leaves the I/O threads; the coroutine resumes on its strand.
    out.response = co_await net::co_spawn(shared->blocking->get_executor(),
                                          dispatch_blocking(shared, std::move(request)), net::use_awaitable);
  } else {
    out.response = shared->router->dispatch(std::move(request));
  }
  co_return out;
}

/// Reads and drops what the client still sends, for at most 2 s and 64 MiB.
net::awaitable<void> drain(TlsStream& stream) {
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_after(std::chrono::seconds(2));
  std::array<char, 16384> scratch;
  beast::error_code ec;
  for (std::size_t total = 0; total < 64u * 1024 * 1024 && !ec;)
    total += co_await stream.async_read_some(net::buffer(scratch), net::redirect_error(net::use_awaitable, ec));
}

// --- Bodies in pieces (Response::source): memory stays at one piece whatever the size. ---

constexpr std::size_t kPieceBytes = 256 * 1024;

/// One piece from a BodySource, on the blocking pool: the byte count, or -1 (logged) when it failed.
net::awaitable<std::int64_t> read_piece_blocking(std::shared_ptr<const BodySource> source, std::uint64_t offset,
                                                 std::span<char> out) {
  auto n = source->read(offset, out);
  if (!n) {
    std::fprintf(stderr, "bankrecd: http: streamed body failed at byte %llu: %s\n",
                 static_cast<unsigned long long>(offset), n.error().describe().c_str());
    co_return -1;
  }
  co_return static_cast<std::int64_t>(*n);
}

/// Writes a response whose body comes from `response.source`: the head with Content-Length, then the
/// pieces. false when the connection must close (a write failed or the source ended early).
net::awaitable<bool> write_streamed(TlsStream& stream, std::shared_ptr<Shared> shared, Outcome& outcome) {
  auto& tcp_layer = beast::get_lowest_layer(stream);
  const std::shared_ptr<const BodySource> source = outcome.response.source;
  bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(outcome.response.status), outcome.version};
  set_head(res, outcome.response, outcome.keep_alive, outcome.api);
  res.content_length(source->size);
  bhttp::response_serializer<bhttp::empty_body> serializer(res);
  beast::error_code ec;
  tcp_layer.expires_after(shared->config.io_timeout);
  co_await bhttp::async_write_header(stream, serializer, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    log_io_error(ec, "write");
    co_return false;
  }
  if (outcome.head) co_return true;
  std::vector<char> piece(static_cast<std::size_t>(std::min<std::uint64_t>(source->size, kPieceBytes)));
  for (std::uint64_t offset = 0; offset < source->size;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(piece.size(), source->size - offset));
    const std::int64_t n = co_await net::co_spawn(
        shared->blocking->get_executor(), read_piece_blocking(source, offset, std::span(piece).first(want)),
        net::use_awaitable);
    if (n <= 0) co_return false;  // short body: the client sees Content-Length unmet, never wrong bytes
    tcp_layer.expires_after(shared->config.io_timeout);
    co_await net::async_write(stream, net::buffer(piece.data(), static_cast<std::size_t>(n)),
                              net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      log_io_error(ec, "write");
      co_return false;
    }
    offset += static_cast<std::uint64_t>(n);
  }
  co_return true;
}

net::awaitable<void> run_session(TlsStream stream, std::shared_ptr<Shared> shared, std::string remote) {
  auto& tcp_layer = beast::get_lowest_layer(stream);
  beast::error_code ec;
  tcp_layer.expires_after(shared->config.io_timeout);
  co_await stream.async_handshake(ssl::stream_base::server, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    log_io_error(ec, "handshake");
    co_return;
  }
  beast::flat_buffer buffer;
  for (;;) {
    auto outcome = co_await serve_one(stream, buffer, shared, remote);
    if (!outcome) break;
    if (outcome->response.source) {
      if (!co_await write_streamed(stream, shared, *outcome)) co_return;
      if (!outcome->keep_alive) break;
      continue;
    }
    auto res = to_beast(std::move(outcome->response), outcome->version, outcome->keep_alive, outcome->head, outcome->api);
    tcp_layer.expires_after(shared->config.io_timeout);
    co_await bhttp::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      log_io_error(ec, "write");
      co_return;
    }
    if (outcome->drain) co_await drain(stream);
    if (!outcome->keep_alive) break;
  }
  tcp_layer.expires_after(std::chrono::seconds(5));
  // A client that closes first (broken pipe, data after close_notify, truncation) is no server fault.
  co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
}

net::awaitable<void> accept_loop(tcp::acceptor& acceptor, ssl::context& tls, std::shared_ptr<Shared> shared) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(net::make_strand(acceptor.get_executor()),
                                                        net::redirect_error(net::use_awaitable, ec));
    if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      log_io_error(ec, "accept");
      continue;
    }
    if (shared->connections.load() >= shared->config.max_connections) {
      socket.close(ec);  // over the limit: refuse rather than queue
      continue;
    }
    // A response larger than one TLS write leaves in several segments; with Nagle's algorithm the
    // last one waits for the client's delayed ACK (40 ms on Linux) on every page of 50 rows.
    socket.set_option(tcp::no_delay(true), ec);
    std::string remote;
    const auto ep = socket.remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
    shared->connections.fetch_add(1);
    const auto executor = socket.get_executor();
    net::co_spawn(executor, run_session(TlsStream(std::move(socket), tls), shared, std::move(remote)),
                  [shared](std::exception_ptr e) {
                    shared->connections.fetch_sub(1);
                    if (e) std::fprintf(stderr, "bankrecd: http: session ended by an exception\n");
                  });
  }
}

class BeastServer final : public Server {
 public:
  BeastServer(std::unique_ptr<ssl::context> tls, std::shared_ptr<Shared> shared)
      : io_(static_cast<int>(shared->config.threads)), tls_(std::move(tls)), shared_(std::move(shared)), acceptor_(io_) {}

  Result<void> open() {
    beast::error_code ec;
    const auto address = net::ip::make_address(shared_->config.address, ec);
    if (ec) return fail(Errc::invalid_input, "invalid listen address '" + shared_->config.address + "'");
    const tcp::endpoint endpoint(address, shared_->config.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      return fail(Errc::unavailable, "cannot listen on " + shared_->config.address + ":" +
                                         std::to_string(shared_->config.port) + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(io_, accept_loop(acceptor_, *tls_, shared_), [](std::exception_ptr e) {
      if (e) std::fprintf(stderr, "bankrecd: http: accept loop ended by an exception\n");
    });
    for (unsigned i = 0; i < std::max(1u, shared_->config.threads); ++i) threads_.emplace_back([this] { io_.run(); });
    return ok();
  }

  std::uint16_t port() const override { return port_; }

  void stop() override {
    if (stopped_.exchange(true)) return;
    net::post(io_, [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    // Sessions get a short grace period to finish the response they are writing.
    for (int i = 0; i < 50 && shared_->connections.load() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    io_.stop();
    for (auto& t : threads_) t.join();
    shared_->blocking->join();
    threads_.clear();
    // The posted close may not have run before io_.stop(); no thread runs now, so close directly.
    beast::error_code ec;
    acceptor_.close(ec);
  }

  ~BeastServer() override { stop(); }

 private:
  net::io_context io_;
  std::unique_ptr<ssl::context> tls_;
  std::shared_ptr<Shared> shared_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace

Result<std::unique_ptr<Server>> Server::start(const ServerConfig& config, std::shared_ptr<const Router> router) {
  auto tls = BANKREC_TRY(make_server_tls_context(config.cert_file, config.key_file));
  auto shared = std::make_shared<Shared>();
  shared->config = config;
  shared->router = std::move(router);
  shared->blocking = std::make_unique<net::thread_pool>(std::max(1u, config.blocking_threads));
  auto server = std::make_unique<BeastServer>(std::move(tls), std::move(shared));
  BANKREC_TRY(server->open());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace bankrec::http
