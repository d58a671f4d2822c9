#include "curl_global.h"

#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <string_view>

namespace bankrec::net::detail {

Result<void> ensure_curl() {
  static std::once_flag once;
  static CURLcode init = CURLE_OK;
  std::call_once(once, [] { init = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init != CURLE_OK) return fail(Errc::internal, "curl_global_init failed");
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  if (info == nullptr || info->ssl_version == nullptr || !std::string_view(info->ssl_version).starts_with("OpenSSL"))
    return fail(Errc::internal, "libcurl is not built with OpenSSL");
  return ok();
}

bool slist_append(Slist& list, const std::string& line) {
  curl_slist* next = curl_slist_append(list.get(), line.c_str());
  if (next == nullptr) return false;
  (void)list.release();
  list.reset(next);
  return true;
}

CURLcode apply_tls(CURL* curl, const TlsFiles& tls) {
  CURLcode rc = CURLE_OK;
  auto set = [&](CURLoption opt, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, opt, value);
  };
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!tls.ca_file.empty()) set(CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.client_cert_file.empty()) {
    set(CURLOPT_SSLCERTTYPE, "PEM");
    set(CURLOPT_SSLCERT, tls.client_cert_file.c_str());
  }
  if (!tls.client_key_file.empty()) {
    set(CURLOPT_SSLKEYTYPE, "PEM");
    set(CURLOPT_SSLKEY, tls.client_key_file.c_str());
  }
  return rc;
}

Result<void> check_tls_files(const TlsFiles& tls) {
  for (const std::string* path : {&tls.ca_file, &tls.client_cert_file, &tls.client_key_file}) {
    if (path->empty()) continue;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*path, ec) || ::access(path->c_str(), R_OK) != 0)
      return fail(Errc::invalid_input, "tls file is missing or unreadable", *path);
  }
  if (tls.client_cert_file.empty() != tls.client_key_file.empty())
    return fail(Errc::invalid_input, "a client certificate needs its key and a key its certificate");
  return ok();
}

std::string url_host(const std::string& url, std::string* scheme) {
  CURLU* u = curl_url();
  if (u == nullptr) return {};
  std::string host;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* h = nullptr;
    if (curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK && h != nullptr) {
      host = h;
      curl_free(h);
    }
    char* s = nullptr;
    if (scheme != nullptr && curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK && s != nullptr) {
      *scheme = s;
      curl_free(s);
    }
  }
  curl_url_cleanup(u);
  for (char& c : host) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host;
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace bankrec::net::detail
