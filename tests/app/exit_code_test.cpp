#include "bankrec/app/exit_code.h"

#include "bankrec/testing/testing.h"

namespace bankrec::app {
namespace {

TEST(ExitCode, maps_error_classes) {
  EXPECT_EQ(exit_code_for(Error{Errc::invalid_input, "x", ""}), kExitBadInput);
  EXPECT_EQ(exit_code_for(Error{Errc::internal, "x", ""}), kExitInternal);
  EXPECT_EQ(exit_code_for(Error{Errc::unavailable, "x", ""}), kExitInternal);
}

TEST(ExitCode, formats_file_line_column_first) {
  EXPECT_EQ(format_cli_error(Error{Errc::invalid_input, "invalid amount 'x'", "s.sta:2:5 (byte 7, :61:)"}),
            "bankrec: s.sta:2:5: error: invalid amount 'x' (byte 7, :61:)");
  EXPECT_EQ(format_cli_error(Error{Errc::invalid_input, "unsupported or unrecognised format", "a.bin"}),
            "bankrec: a.bin: error: unsupported or unrecognised format");
  EXPECT_EQ(format_cli_error(Error{Errc::internal, "boom", ""}), "bankrec: error: boom");
}

}  // namespace
}  // namespace bankrec::app
