#pragma once

namespace bankrec::app {

/// The `bankrec` command line (contracts/cli.md). Returns the process exit code:
/// 0 success, 1 internal failure, 2 bad input or usage, 3 integrity check failed.
int run_cli(int argc, char** argv);

/// `bankrecd`: the service. For now it answers --help and --version.
int run_daemon(int argc, char** argv);

/// `bankrec-sandbox`: the local fake bank. For now it answers --help and --version.
int run_sandbox(int argc, char** argv);

/// "0.1.0".
const char* version();

}  // namespace bankrec::app
