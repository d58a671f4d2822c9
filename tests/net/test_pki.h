#pragma once

#include <filesystem>

/// Certificates for tests: a test CA, a server certificate for 127.0.0.1/localhost signed by it, a
/// client certificate (as a QWAC would be) signed by it, and an unrelated CA (for "unknown CA").
namespace bankrec::net::testing {

struct TestPki {
  std::filesystem::path ca_cert, server_cert, server_key, client_cert, client_key, other_ca_cert, other_client_cert,
      other_client_key;
  /// Generates everything (EC P-256, SHA-256) into `dir`.
  static TestPki create(const std::filesystem::path& dir);
};

}  // namespace bankrec::net::testing
