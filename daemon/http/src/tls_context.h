#pragma once

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <memory>

#include "bankrec/base/result.h"

namespace bankrec::http {

/// TLS 1.2 and 1.3 only, Mozilla "intermediate" ciphers, no compression, no renegotiation,
/// server cipher preference off (as Mozilla recommends for intermediate).
Result<std::unique_ptr<boost::asio::ssl::context>> make_server_tls_context(const std::filesystem::path& cert_file,
                                                                           const std::filesystem::path& key_file);

}  // namespace bankrec::http
