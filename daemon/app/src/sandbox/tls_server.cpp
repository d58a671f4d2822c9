#include <utility>  // first: awaitable.hpp on g++ 12 uses std::exchange without including it

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <thread>
#include <vector>

#include "sandbox/tls_server.h"

namespace bankrec::app::sandbox {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

bool ordinary(const beast::error_code& ec) {
  return ec == net::error::eof || ec == ssl::error::stream_truncated || ec == beast::error::timeout ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe || ec == net::error::operation_aborted ||
         ec == bhttp::error::end_of_stream;
}

void log_io_error(const beast::error_code& ec, const char* what) {
  if (!ordinary(ec)) std::fprintf(stderr, "bankrec-sandbox: http: %s: %s\n", what, ec.message().c_str());
}

http::Request to_request(bhttp::request<bhttp::string_body>&& req, const std::string& remote) {
  http::Request r;
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

bhttp::response<bhttp::string_body> to_beast(Reply& reply, unsigned version, bool keep_alive, bool head) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status), version};
  res.set(bhttp::field::server, "bankrec-sandbox");
  if (!reply.content_type.empty()) res.set(bhttp::field::content_type, reply.content_type);
  res.set(bhttp::field::cache_control, "no-store");
  for (auto& [k, v] : reply.headers) res.set(k, v);
  res.keep_alive(keep_alive && !reply.truncate);
  const std::size_t full = reply.body.size();
  res.body() = head ? std::string() : std::move(reply.body);
  res.prepare_payload();
  if (head) res.content_length(full);
  if (reply.truncate && !head) res.body().resize(full / 2);  // Content-Length still announces `full`
  return res;
}

struct Shared {
  TlsServerConfig config;
  Handler handler;
  std::atomic<unsigned> connections{0};
};

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
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(shared->config.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(shared->config.max_header_bytes));
    tcp_layer.expires_after(shared->config.io_timeout);
    co_await bhttp::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec == bhttp::error::end_of_stream) break;
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
      Reply too_large{ec == bhttp::error::body_limit ? 413 : 431, "application/json", {},
                      R"({"error":"request too large"})"};
      auto res = to_beast(too_large, 11, false, false);
      co_await bhttp::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
      break;
    }
    if (ec) {
      log_io_error(ec, "read");
      co_return;
    }
    auto req = parser.release();
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    const bool head = req.method() == bhttp::verb::head;
    Reply reply = shared->handler(to_request(std::move(req), remote));
    if (reply.hang) {
      // Never answer: wait until the client gives up and closes (or the server stops).
      tcp_layer.expires_never();
      char sink[512];
      for (;;) {
        co_await stream.async_read_some(net::buffer(sink), net::redirect_error(net::use_awaitable, ec));
        if (ec) co_return;
      }
    }
    if (reply.delay.count() > 0) {
      net::steady_timer timer(co_await net::this_coro::executor);
      timer.expires_after(reply.delay);
      co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
    }
    const bool truncate = reply.truncate;
    auto res = to_beast(reply, version, keep_alive, head);
    tcp_layer.expires_after(shared->config.io_timeout);
    co_await bhttp::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
    if (truncate) {
      // Cut the connection without close_notify, as a dropped link would.
      tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ec);
      tcp_layer.close();
      co_return;
    }
    if (ec) {
      log_io_error(ec, "write");
      co_return;
    }
    if (!res.keep_alive()) break;
  }
  tcp_layer.expires_after(std::chrono::seconds(5));
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
      socket.close(ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);  // as the console's server: no 40 ms delayed-ACK stall per reply
    std::string remote;
    const auto ep = socket.remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
    shared->connections.fetch_add(1);
    const auto executor = socket.get_executor();
    net::co_spawn(executor, run_session(TlsStream(std::move(socket), tls), shared, std::move(remote)),
                  [shared](std::exception_ptr e) {
                    shared->connections.fetch_sub(1);
                    if (e) std::fprintf(stderr, "bankrec-sandbox: http: session ended by an exception\n");
                  });
  }
}

Result<std::unique_ptr<ssl::context>> make_tls(const TlsServerConfig& config) {
  auto tls = std::make_unique<ssl::context>(ssl::context::tls_server);
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(tls->native_handle(),
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                          "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  beast::error_code ec;
  tls->use_certificate_chain_file(config.cert_file.string(), ec);
  if (!ec) tls->use_private_key_file(config.key_file.string(), ssl::context::pem, ec);
  if (ec) return fail(Errc::invalid_input, "cannot load TLS certificate/key: " + ec.message(), config.cert_file.string());
  return tls;
}

class BeastTlsServer final : public TlsServer {
 public:
  BeastTlsServer(std::unique_ptr<ssl::context> tls, std::shared_ptr<Shared> shared)
      : io_(static_cast<int>(shared->config.threads)), tls_(std::move(tls)), shared_(std::move(shared)), acceptor_(io_) {}

  Result<void> open() {
    beast::error_code ec;
    const auto address = net::ip::make_address(shared_->config.address, ec);
    if (ec) return fail(Errc::invalid_input, "invalid listen address '" + shared_->config.address + "'");
    if (!address.is_loopback())
      return fail(Errc::invalid_input, "refusing to listen on non-loopback address '" + shared_->config.address +
                                           "': the sandbox serves fake bank data to this machine only");
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
      if (e) std::fprintf(stderr, "bankrec-sandbox: http: accept loop ended by an exception\n");
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
    for (int i = 0; i < 25 && shared_->connections.load() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    io_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    beast::error_code ec;
    acceptor_.close(ec);
  }

  ~BeastTlsServer() override { stop(); }

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

Result<std::unique_ptr<TlsServer>> TlsServer::start(const TlsServerConfig& config, Handler handler) {
  auto tls = BANKREC_TRY(make_tls(config));
  auto shared = std::make_shared<Shared>();
  shared->config = config;
  shared->handler = std::move(handler);
  auto server = std::make_unique<BeastTlsServer>(std::move(tls), std::move(shared));
  BANKREC_TRY(server->open());
  return std::unique_ptr<TlsServer>(std::move(server));
}

}  // namespace bankrec::app::sandbox
