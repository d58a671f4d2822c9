#pragma once

#include "bankrec/base/result.h"

namespace bankrec::app {

/// Exit codes every command uses (contracts/cli.md).
enum ExitCode : int { kExitOk = 0, kExitInternal = 1, kExitBadInput = 2, kExitIntegrity = 3 };

/// invalid_input, not_found, conflict, permission_denied → 2; everything else → 1.
int exit_code_for(const Error& error);

/// "bankrec: FILE:LINE:COL: error: MESSAGE (byte N, locator)" for stderr.
std::string format_cli_error(const Error& error);

}  // namespace bankrec::app
