#include "logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstdlib>
#include <mutex>

namespace bankrec::app {
namespace {

constexpr const char* kLoggers[] = {"app", "http", "store", "jobs", "formats", "reconcile", "connectors", "audit"};

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return 7;
    case spdlog::level::info: return 6;
    case spdlog::level::warn: return 4;
    case spdlog::level::err: return 3;
    case spdlog::level::critical: return 2;
    default: return 6;
  }
}

std::string upper_key(std::string_view key) {
  std::string out = "BANKREC_";
  for (char c : key) out.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c));
  return out;
}

/// Sends each message to journald with structured fields (sd_journal_sendv).
class JournaldSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string_view component(msg.logger_name.data(), msg.logger_name.size());
    const std::string_view text(msg.payload.data(), msg.payload.size());
    const auto fields = journal_fields(component, syslog_priority(msg.level), text);
    std::vector<std::string> lines;
    lines.reserve(fields.size());
    for (const auto& [k, v] : fields) lines.push_back(k + "=" + v);
    std::vector<iovec> iov;
    iov.reserve(lines.size());
    for (auto& l : lines) iov.push_back({l.data(), l.size()});
    sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
  }
  void flush_() override {}
};

}  // namespace

LogFormat choose_log_format(std::string_view configured) {
  if (configured == "journald") return LogFormat::journald;
  if (configured == "text") return LogFormat::text;
  return (std::getenv("JOURNAL_STREAM") != nullptr || std::getenv("NOTIFY_SOCKET") != nullptr) ? LogFormat::journald
                                                                                                : LogFormat::text;
}

void init_logging(LogFormat format, std::string_view level) {
  spdlog::sink_ptr sink;
  if (format == LogFormat::journald)
    sink = std::make_shared<JournaldSink>();
  else
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  if (format == LogFormat::text) sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %-5l [%n] %v");
  const auto lvl = spdlog::level::from_str(std::string(level));
  for (const char* name : kLoggers) {
    spdlog::drop(name);
    auto logger = std::make_shared<spdlog::logger>(name, sink);
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::warn);
    spdlog::register_logger(logger);
  }
}

std::vector<std::pair<std::string, std::string>> journal_fields(std::string_view component, int priority,
                                                                std::string_view message) {
  std::vector<std::pair<std::string, std::string>> fields = {{"MESSAGE", std::string(message)},
                                                             {"PRIORITY", std::to_string(priority)},
                                                             {"SYSLOG_IDENTIFIER", "bankrecd"},
                                                             {"BANKREC_COMPONENT", std::string(component)}};
  std::size_t i = 0;
  while (i < message.size()) {
    // A key starts at the beginning or after a space.
    if (i > 0 && message[i - 1] != ' ') {
      ++i;
      continue;
    }
    std::size_t k = i;
    while (k < message.size() && ((message[k] >= 'a' && message[k] <= 'z') || message[k] == '_')) ++k;
    if (k == i || k >= message.size() || message[k] != '=') {
      ++i;
      continue;
    }
    const std::string_view key = message.substr(i, k - i);
    std::size_t v = k + 1;
    std::string value;
    if (v < message.size() && message[v] == '"') {
      const std::size_t close = message.find('"', v + 1);
      const std::size_t end = close == std::string_view::npos ? message.size() : close;
      value = std::string(message.substr(v + 1, end - v - 1));
      i = end + 1;
    } else {
      const std::size_t end = std::min(message.find(' ', v), message.size());
      value = std::string(message.substr(v, end - v));
      i = end;
    }
    fields.emplace_back(upper_key(key), std::move(value));
  }
  return fields;
}

}  // namespace bankrec::app
