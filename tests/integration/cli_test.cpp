// Runs the real executables as a user would.
#include "bankrec/testing/testing.h"

namespace bankrec {
namespace {

using ::testing::HasSubstr;
using testing::run_command;

TEST(Cli, prints_its_version) {
  const auto r = run_command({BANKREC_CLI, "--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("bankrec 0."));
}

TEST(Cli, help_lists_commands_and_explains_one) {
  const auto all = run_command({BANKREC_CLI, "help"});
  EXPECT_EQ(all.exit_code, 0);
  EXPECT_THAT(all.out, HasSubstr("parse"));
  const auto one = run_command({BANKREC_CLI, "help", "parse"});
  EXPECT_EQ(one.exit_code, 0);
  EXPECT_THAT(one.out, HasSubstr("--format"));
  EXPECT_EQ(run_command({BANKREC_CLI, "help", "nope"}).exit_code, 2);
}

TEST(Cli, unknown_flag_is_bad_usage) {
  const auto r = run_command({BANKREC_CLI, "parse", "--no-such-flag", "x"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(Cli, parse_of_unknown_content_exits_2_naming_the_file) {
  testing::TempDir dir;
  const auto file = dir.path() / "notes.txt";
  testing::write_file(file, "just some text\n");
  const auto r = run_command({BANKREC_CLI, "parse", file.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "bankrec: " + file.string() + ": error: unsupported or unrecognised format\n");
  EXPECT_THAT(r.out, HasSubstr(R"("file":")" + file.string() + R"(","error":{"message":)"));
}

TEST(Cli, parse_of_missing_file_exits_2) {
  const auto r = run_command({BANKREC_CLI, "parse", "/nonexistent/statement.xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/statement.xml: error: cannot open"));
}

TEST(Executables, daemon_and_sandbox_answer_help_and_version) {
  for (const char* exe : {BANKRECD, BANKREC_SANDBOX}) {
    EXPECT_EQ(run_command({exe, "--version"}).exit_code, 0) << exe;
    const auto help = run_command({exe, "--help"});
    EXPECT_EQ(help.exit_code, 0) << exe;
    EXPECT_THAT(help.out, HasSubstr("Usage")) << exe;
  }
}

}  // namespace
}  // namespace bankrec
