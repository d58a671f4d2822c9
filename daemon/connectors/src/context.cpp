#include <string>
#include <thread>

#include "bankrec/connectors/connector.h"

namespace bankrec::connectors {

net::HttpResult ConnectorContext::send(const net::HttpRequest& request, std::string_view operation,
                                       std::string_view account) {
  net::HttpResult result = http_.send(request);
  ConnectionEvent event;
  event.at = clock_.now();
  event.connector = connector_;
  event.account = std::string(account);
  event.operation = std::string(operation);
  if (result) {
    event.outcome = "ok";
    event.http_status = result->status;
    event.request_id = result->request_id;
    event.elapsed = result->elapsed;
  } else {
    const net::HttpError& error = result.error();
    event.http_status = error.status();
    event.outcome = error.code == net::HttpErrc::http_status ? "http_" + std::to_string(error.status())
                                                             : net::http_errc_name(error.code);
    event.request_id = error.request_id;
    if (error.response) event.elapsed = error.response->elapsed;
    if (const auto delay = error.retry_after()) retry_after_ = *delay;
  }
  if (log_) log_(event);
  return result;
}

void ConnectorContext::sleep(std::chrono::milliseconds delay) {
  if (sleeper_) return sleeper_(delay);
  std::this_thread::sleep_for(delay);
}

}  // namespace bankrec::connectors
