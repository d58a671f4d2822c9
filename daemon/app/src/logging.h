#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// Operational logging for the executables: spdlog loggers named after the modules ("app", "http",
/// "store", "jobs", ...) writing either to journald with structured fields or to stderr as text.
/// Messages are lower-case with key=value context; each key=value also becomes a journald field
/// BANKREC_<KEY> so that `journalctl BANKREC_FILE=x.xml` finds every line about a file.
namespace bankrec::app {

enum class LogFormat { text, journald };

/// "auto": journald when systemd connected our stderr to the journal ($JOURNAL_STREAM) or we run
/// as a notify service ($NOTIFY_SOCKET), else text.
LogFormat choose_log_format(std::string_view configured);

/// Creates the named loggers with the given level (trace..error). Safe to call again (reload).
void init_logging(LogFormat format, std::string_view level);

/// The journald fields for one message: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, BANKREC_COMPONENT,
/// and BANKREC_<KEY> for every key=value token ([a-z_]+ keys; values end at a space; quoted values
/// "..." may contain spaces). Exposed for tests.
std::vector<std::pair<std::string, std::string>> journal_fields(std::string_view component, int priority,
                                                                std::string_view message);

}  // namespace bankrec::app
