#include "bankrec/app/exit_code.h"

namespace bankrec::app {

int exit_code_for(const Error& error) {
  switch (error.code) {
    case Errc::invalid_input:
    case Errc::not_found:
    case Errc::conflict:
    case Errc::permission_denied: return kExitBadInput;
    case Errc::unavailable:
    case Errc::internal: return kExitInternal;
  }
  return kExitInternal;
}

std::string format_cli_error(const Error& error) {
  // `where` is "FILE:LINE:COL (byte N, locator)" or "FILE"; the context in parentheses moves
  // behind the message so that editors and CI annotators find FILE:LINE:COL at the start.
  std::string where = error.where;
  std::string context;
  if (const auto paren = where.find(" ("); paren != std::string::npos && where.back() == ')') {
    context = where.substr(paren + 1);
    where.resize(paren);
  }
  std::string out = "bankrec: ";
  if (!where.empty()) out += where + ": ";
  out += "error: " + error.message;
  if (!context.empty()) out += " " + context;
  return out;
}

}  // namespace bankrec::app
