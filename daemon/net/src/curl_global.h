#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "bankrec/base/result.h"
#include "bankrec/net/http_client.h"

namespace bankrec::net::detail {

/// curl_global_init() once per process (thread-safe), and a check that libcurl uses OpenSSL.
Result<void> ensure_curl();

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

/// Appends to a curl_slist; false when curl ran out of memory.
bool slist_append(Slist& list, const std::string& line);

/// Sets the TLS options common to HTTP and SMTP: verification on, TLS 1.2 minimum, CA and client cert.
CURLcode apply_tls(CURL* curl, const TlsFiles& tls);

/// Checks each non-empty path names a readable regular file.
Result<void> check_tls_files(const TlsFiles& tls);

/// The host of an absolute URL (lower case, no brackets), or empty when it cannot be parsed.
std::string url_host(const std::string& url, std::string* scheme = nullptr);

bool is_loopback_host(const std::string& host);

}  // namespace bankrec::net::detail
