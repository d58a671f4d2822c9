#include "tls_context.h"

#include <openssl/ssl.h>

namespace bankrec::http {
namespace {
// Mozilla Server Side TLS, "intermediate" configuration (TLS 1.2 suites; TLS 1.3 suites are OpenSSL's defaults).
constexpr const char* kIntermediateCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
}  // namespace

Result<std::unique_ptr<boost::asio::ssl::context>> make_server_tls_context(const std::filesystem::path& cert_file,
                                                                           const std::filesystem::path& key_file) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                   ec);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
  if (SSL_CTX_set_cipher_list(native, kIntermediateCiphers) != 1)
    return fail(Errc::internal, "cannot set the tls cipher list");
  ctx->use_certificate_chain_file(cert_file.string(), ec);
  if (ec) return fail(Errc::invalid_input, "cannot load tls certificate: " + ec.message(), cert_file.string());
  ctx->use_private_key_file(key_file.string(), ssl::context::pem, ec);
  if (ec) return fail(Errc::invalid_input, "cannot load tls private key: " + ec.message(), key_file.string());
  if (SSL_CTX_check_private_key(native) != 1)
    return fail(Errc::invalid_input, "tls private key does not match the certificate", key_file.string());
  return ctx;
}

}  // namespace bankrec::http
