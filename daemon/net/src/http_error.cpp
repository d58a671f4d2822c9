#include <string>

#include "bankrec/net/http_client.h"
#include "bankrec/net/redact.h"

namespace bankrec::net {

const char* http_errc_name(HttpErrc code) noexcept {
  switch (code) {
    case HttpErrc::invalid_request: return "invalid_request";
    case HttpErrc::network: return "network";
    case HttpErrc::tls: return "tls";
    case HttpErrc::timeout: return "timeout";
    case HttpErrc::too_large: return "too_large";
    case HttpErrc::http_status: return "http_status";
  }
  return "unknown";
}

bool HttpError::is_retryable() const {
  switch (code) {
    case HttpErrc::network:
    case HttpErrc::timeout: return true;
    case HttpErrc::http_status: {
      const int s = status();
      return s == 408 || s == 425 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
    }
    case HttpErrc::invalid_request:
    case HttpErrc::tls:
    case HttpErrc::too_large: return false;
  }
  return false;
}

Error HttpError::to_error() const {
  Errc errc = Errc::internal;
  switch (code) {
    case HttpErrc::invalid_request: errc = Errc::invalid_input; break;
    case HttpErrc::network:
    case HttpErrc::timeout: errc = Errc::unavailable; break;
    case HttpErrc::tls:
    case HttpErrc::too_large: errc = Errc::invalid_input; break;
    case HttpErrc::http_status: {
      const int s = status();
      if (is_retryable()) errc = Errc::unavailable;
      else if (s == 401 || s == 403) errc = Errc::permission_denied;
      else if (s == 404 || s == 410) errc = Errc::not_found;
      else if (s == 409) errc = Errc::conflict;
      else if (s >= 400 && s < 500) errc = Errc::invalid_input;
      else errc = Errc::unavailable;
      break;
    }
  }
  Error e{errc, std::string(http_errc_name(code)) + ": " + message, {}};
  if (!request_id.empty()) e.where = "request_id=" + request_id;
  return e;
}

std::string HttpExchangeLog::to_string() const {
  std::string line = "http method=" + method + " url=" + url + " status=" + std::to_string(status) +
                     " request_id=" + request_id + " elapsed_ms=" + std::to_string(elapsed.count());
  if (error) line += std::string(" error=") + http_errc_name(*error) + " message=\"" + error_message + "\"";
  return line;
}

}  // namespace bankrec::net
