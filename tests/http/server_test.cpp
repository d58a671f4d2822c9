// The real server on 127.0.0.1 (port 0) with a generated certificate, spoken to by libcurl over TLS.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bankrec/http/server.h"
#include "bankrec/testing/testing.h"

namespace bankrec::http {
namespace {

using ::testing::HasSubstr;

struct Reply {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string headers;
};

std::size_t append(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

Reply fetch(const std::string& url, const std::filesystem::path& ca, const std::string& post_body = {}) {
  Reply r;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (!post_body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(post_body.size()));
  }
  r.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_cleanup(curl);
  return r;
}

/// A raw OpenSSL handshake pinned to exactly one protocol version, at security level 0 so that the
/// client itself does not refuse old versions: whether it succeeds is the server's decision.
bool handshake_succeeds(std::uint16_t port, int version) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    ok = SSL_connect(ssl) == 1;
    if (ok) SSL_shutdown(ssl);
    SSL_free(ssl);
  }
  ::close(fd);
  SSL_CTX_free(ctx);
  return ok;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = dir_.path() / "tls" / "cert.pem";
    key_ = dir_.path() / "tls" / "key.pem";
    ASSERT_OK(ensure_self_signed_certificate(cert_, key_, {"localhost"}));
    auto router = std::make_shared<Router>();
    router->add("GET", "/healthz", [](const Request&) { return Response::text(200, "ok\n"); });
    router->add("POST", "/echo", [](const Request& r) { return Response::json(200, r.body); });
    ServerConfig config;
    config.port = 0;
    config.cert_file = cert_;
    config.key_file = key_;
    config.max_body_bytes = 1024;
    auto server = Server::start(config, router);
    ASSERT_OK(server);
    server_ = std::move(server).value();
    base_ = "https://127.0.0.1:" + std::to_string(server_->port());
  }

  testing::TempDir dir_;
  std::filesystem::path cert_, key_;
  std::unique_ptr<Server> server_;
  std::string base_;
};

TEST_F(ServerTest, answers_over_verified_tls_with_security_headers) {
  const Reply r = fetch(base_ + "/healthz", cert_);
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
  EXPECT_THAT(r.headers, HasSubstr("Strict-Transport-Security: max-age="));
  EXPECT_THAT(r.headers, HasSubstr("Content-Security-Policy: default-src 'self'"));
  EXPECT_THAT(r.headers, HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(r.headers, HasSubstr("X-Content-Type-Options: nosniff"));
  EXPECT_THAT(r.headers, HasSubstr("Referrer-Policy: no-referrer"));
  EXPECT_THAT(r.headers, HasSubstr("Cache-Control: no-store"));
}

TEST_F(ServerTest, unknown_paths_get_404_json) {
  const Reply r = fetch(base_ + "/nope", cert_);
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("not_found"));
}

TEST_F(ServerTest, bodies_over_the_limit_get_413) {
  EXPECT_EQ(fetch(base_ + "/echo", cert_, std::string(100, 'x')).body, std::string(100, 'x'));
  EXPECT_EQ(fetch(base_ + "/echo", cert_, std::string(5000, 'x')).status, 413);
}

TEST_F(ServerTest, speaks_tls_1_2_and_1_3_only) {
  EXPECT_TRUE(handshake_succeeds(server_->port(), TLS1_3_VERSION));
  EXPECT_TRUE(handshake_succeeds(server_->port(), TLS1_2_VERSION));
  EXPECT_FALSE(handshake_succeeds(server_->port(), TLS1_1_VERSION));
  EXPECT_FALSE(handshake_succeeds(server_->port(), TLS1_VERSION));
}

TEST_F(ServerTest, stop_closes_the_listener) {
  server_->stop();
  EXPECT_NE(fetch(base_ + "/healthz", cert_).code, CURLE_OK);
}

TEST(Certificate, is_generated_once_with_a_private_key_only_the_owner_reads) {
  testing::TempDir dir;
  const auto cert = dir.path() / "c.pem", key = dir.path() / "k.pem";
  ASSERT_OK(ensure_self_signed_certificate(cert, key, {"bankrec.example"}));
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto fp1 = certificate_fingerprint(cert);
  ASSERT_OK(fp1);
  EXPECT_EQ(fp1->size(), 95u);  // 32 bytes as "AB:" groups
  ASSERT_OK(ensure_self_signed_certificate(cert, key, {"bankrec.example"}));
  EXPECT_EQ(*certificate_fingerprint(cert), *fp1);  // kept, not regenerated
  EXPECT_FALSE(certificate_fingerprint(dir.path() / "missing.pem"));
}

}  // namespace
}  // namespace bankrec::http
