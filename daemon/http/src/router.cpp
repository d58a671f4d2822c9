#include <algorithm>

#include "bankrec/http/server.h"

namespace bankrec::http {
namespace {

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

Response Response::json(int status, std::string body) { return Response{status, "application/json", {}, std::move(body)}; }

Response Response::text(int status, std::string body, std::string content_type) {
  return Response{status, std::move(content_type), {}, std::move(body)};
}

int status_for(Errc code) {
  switch (code) {
    case Errc::invalid_input: return 400;
    case Errc::not_found: return 404;
    case Errc::conflict: return 409;
    case Errc::permission_denied: return 403;
    case Errc::unavailable: return 503;
    case Errc::internal: return 500;
  }
  return 500;
}

Response Response::error(const Error& error) {
  return json(status_for(error.code), std::string("{\"error\":{\"code\":\"") + errc_name(error.code) +
                                          "\",\"message\":\"" + json_escape(error.message) + "\"}}");
}

void Router::add(std::string method, std::string path, Handler handler) {
  routes_[std::move(path)][std::move(method)] = std::move(handler);
}

Response Router::dispatch(const Request& request) const {
  const auto by_path = routes_.find(request.path);
  if (by_path == routes_.end()) return Response::error(Error{Errc::not_found, "no such resource", {}});
  const auto& methods = by_path->second;
  auto it = methods.find(request.method);
  if (it == methods.end() && request.method == "HEAD") it = methods.find("GET");
  if (it == methods.end()) {
    Response r = Response::json(405, R"({"error":{"code":"method_not_allowed","message":"method not allowed"}})");
    std::string allow;
    for (const auto& [m, h] : methods) allow += (allow.empty() ? "" : ", ") + m;
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  return it->second(request);
}

Result<std::pair<std::string, std::uint16_t>> parse_listen_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return fail(Errc::invalid_input, "invalid listen address '" + std::string(text) + "' (expected ADDR:PORT)");
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  if (port_text.empty() || port_text.size() > 5) return fail(Errc::invalid_input, "invalid port in '" + std::string(text) + "'");
  for (char c : port_text) {
    if (c < '0' || c > '9') return fail(Errc::invalid_input, "invalid port in '" + std::string(text) + "'");
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port > 65535) return fail(Errc::invalid_input, "port out of range in '" + std::string(text) + "'");
  return std::pair<std::string, std::uint16_t>{std::move(host), static_cast<std::uint16_t>(port)};
}

}  // namespace bankrec::http
