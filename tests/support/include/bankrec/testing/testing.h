#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "bankrec/base/result.h"

namespace bankrec::testing {

/// The repository's root (where CMakeLists.txt is), so tests find tests/fixtures.
std::filesystem::path source_dir();
/// shared/ beside the checkout (the corpus), or empty when it is not there.
std::filesystem::path shared_dir();
/// Whole file as bytes; fails the test (ADD_FAILURE) and returns "" when unreadable.
std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, std::string_view bytes);

/// A fresh directory removed at scope end.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Result of running a command: exit code and captured streams.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
/// Runs argv[0] with arguments, no shell involved; stdout and stderr captured.
CommandResult run_command(const std::vector<std::string>& argv);

/// A child process running in the background (a daemon under test); killed (SIGKILL) and reaped
/// on destruction unless it was waited for.
class Process {
 public:
  /// Starts argv[0]; stdout and stderr go to files in `log_dir` ("<name>.out", "<name>.err").
  Process(const std::vector<std::string>& argv, const std::filesystem::path& log_dir, const std::string& name);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  int pid() const { return pid_; }
  /// Sends a signal.
  void signal(int sig) const;
  /// Waits up to `timeout_ms` for the exit; returns the exit code (128+N after signal N), or -1 on timeout.
  int wait(int timeout_ms);
  std::string stderr_text() const;

 private:
  int pid_ = -1;
  bool reaped_ = false;
  std::filesystem::path err_path_;
};

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close).
std::uint16_t free_loopback_port();

}  // namespace bankrec::testing

/// EXPECT_OK(result): the Result holds a value; prints the error otherwise.
#define EXPECT_OK(expr)                                                            \
  do {                                                                             \
    const auto& bankrec_r_ = (expr);                                               \
    EXPECT_TRUE(bankrec_r_.has_value()) << (bankrec_r_ ? "" : bankrec_r_.error().describe()); \
  } while (false)
#define ASSERT_OK(expr)                                                            \
  do {                                                                             \
    const auto& bankrec_r_ = (expr);                                               \
    ASSERT_TRUE(bankrec_r_.has_value()) << (bankrec_r_ ? "" : bankrec_r_.error().describe()); \
  } while (false)
/// EXPECT_ERR(result, Errc::invalid_input, HasSubstr("...")): fails with that code and a matching message.
#define EXPECT_ERR(expr, errc, matcher)                                            \
  do {                                                                             \
    const auto& bankrec_r_ = (expr);                                               \
    ASSERT_FALSE(bankrec_r_.has_value()) << "expected an error";                   \
    EXPECT_EQ(bankrec_r_.error().code, errc) << bankrec_r_.error().describe();     \
    EXPECT_THAT(bankrec_r_.error().message, matcher);                              \
  } while (false)
