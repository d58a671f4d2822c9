// Golden tables: every .xlsx/.xls under tests/fixtures/sheets/ read into tables and compared with
// <file>.tables.txt (or <file>.tables.err). Where <file>.expected.json/.err exists, the file is also
// parsed end to end with the profiles of etc/profiles/. BANKREC_UPDATE_GOLDEN=1 rewrites the files.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "bankrec/domain/json.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/formats/profile.h"
#include "sheet_test_util.h"
#include "xls/xls_reader.h"
#include "xlsx/xlsx_reader.h"

namespace bankrec::formats {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> sheet_files() {
  std::vector<fs::path> out;
  const fs::path root = testing::source_dir() / "tests" / "fixtures" / "sheets";
  if (!fs::exists(root)) return out;
  for (const auto& f : fs::recursive_directory_iterator(root)) {
    const auto ext = f.path().extension();
    if (f.is_regular_file() && (ext == ".xlsx" || ext == ".xls")) out.push_back(f.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void compare_or_update(const fs::path& ok_file, const fs::path& err_file, bool failed,
                       const std::string& actual) {
  const fs::path expected = failed ? err_file : ok_file;
  if (std::getenv("BANKREC_UPDATE_GOLDEN") != nullptr) {
    fs::remove(failed ? ok_file : err_file);
    std::ofstream(expected, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << expected;
  }
  ASSERT_TRUE(fs::exists(expected)) << "missing " << expected << "; output was:\n" << actual;
  EXPECT_EQ(testing::read_file(expected), actual);
}

class SheetGolden : public ::testing::TestWithParam<fs::path> {};

TEST_P(SheetGolden, tables_match_expected_file) {
  const fs::path& input = GetParam();
  const std::string bytes = testing::read_file(input);
  const ParseOptions options{.file_name = input.filename().string()};
  const auto tables = input.extension() == ".xlsx" ? xlsx::read_workbook(as_bytes(bytes), options)
                                                   : xls::read_workbook(as_bytes(bytes), options);
  const std::string actual = tables ? sheet_test::dump(*tables) : tables.error().describe() + "\n";
  compare_or_update(input.string() + ".tables.txt", input.string() + ".tables.err", !tables, actual);
}

TEST_P(SheetGolden, statements_match_expected_file) {
  const fs::path& input = GetParam();
  const fs::path json = input.string() + ".expected.json", err = input.string() + ".expected.err";
  if (!fs::exists(json) && !fs::exists(err)) GTEST_SKIP() << "no end-to-end expectation for " << input;
  const auto profiles = ProfileSet::load_directory(testing::source_dir() / "etc" / "profiles");
  ASSERT_TRUE(profiles) << profiles.error().describe();
  FormatRegistry registry;
  register_builtin_formats(registry);
  const std::string bytes = testing::read_file(input);
  const std::string name = input.filename().string();
  const FormatSpec* spec = registry.find(input.extension() == ".xlsx" ? "xlsx" : "xls");
  ASSERT_NE(spec, nullptr);
  const auto out = parse_collect(*spec, as_bytes(bytes), {.file_name = name, .profiles = &*profiles});
  const std::string actual = out ? domain::to_json(domain::StatementFile{name, out->format, out->statements},
                                                   domain::JsonStyle::pretty)
                                 : out.error().describe() + "\n";
  compare_or_update(json, err, !out, actual);
}

std::string case_name(const ::testing::TestParamInfo<fs::path>& info) {
  std::string name = info.param.parent_path().filename().string() + "_" + info.param.filename().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Sheets, SheetGolden, ::testing::ValuesIn(sheet_files()), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SheetGolden);

}  // namespace
}  // namespace bankrec::formats
