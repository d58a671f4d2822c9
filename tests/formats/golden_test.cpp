// Golden-file tests: every input under tests/fixtures/formats/<dir>/ (recursively) is parsed with the
// format whose id without dots equals <dir> ("camt053" → "camt.053"), and the result is compared
// with <input>.expected.json (the contract's JSON, pretty) or <input>.expected.err (the error).
// BANKREC_UPDATE_GOLDEN=1 rewrites the expected files; read the diff before committing.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "bankrec/domain/json.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/formats/profile.h"
#include "bankrec/testing/testing.h"

namespace bankrec::formats {
namespace {

namespace fs = std::filesystem;

struct GoldenCase {
  std::string format_dir;  ///< "camt053"
  std::string name;        ///< path below the format dir: "genkgo-camt/camt053.v4.xml"
  fs::path input;
};
void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.input.string(); }

fs::path golden_root() { return testing::source_dir() / "tests" / "fixtures" / "formats"; }

bool is_input(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.find(".expected.") == std::string::npos && name != "README.md" && name != "PROVENANCE.md" &&
         !name.starts_with(".");
}

std::vector<GoldenCase> all_cases() {
  std::vector<GoldenCase> cases;
  if (!fs::exists(golden_root())) return cases;
  for (const auto& dir : fs::directory_iterator(golden_root())) {
    if (!dir.is_directory()) continue;
    for (const auto& f : fs::recursive_directory_iterator(dir.path())) {
      if (!f.is_regular_file() || !is_input(f.path())) continue;
      cases.push_back({dir.path().filename().string(), fs::relative(f.path(), dir.path()).generic_string(), f.path()});
    }
  }
  std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.input < b.input; });
  return cases;
}

const FormatSpec* spec_for_dir(const FormatRegistry& registry, std::string_view dir) {
  for (const auto& spec : registry.all()) {
    std::string id(spec.id);
    std::erase(id, '.');
    if (id == dir) return &spec;
  }
  return nullptr;
}

/// The bank profiles of etc/profiles/, which the table, XML and PDF formats map with.
const ProfileSet& repo_profiles() {
  static const ProfileSet set = [] {
    auto loaded = ProfileSet::load_directory(testing::source_dir() / "etc" / "profiles");
    EXPECT_TRUE(loaded) << loaded.error().describe();
    return loaded ? *loaded : ProfileSet{};
  }();
  return set;
}

std::string render(const FormatSpec& spec, const std::string& display_name, const std::string& bytes) {
  const auto result = parse_collect(spec, as_bytes(bytes), {.file_name = display_name, .profiles = &repo_profiles()});
  if (!result) return result.error().describe() + "\n";
  domain::StatementFile file{display_name, result->format, result->statements};
  std::string out = domain::to_json(file, domain::JsonStyle::pretty);
  for (const auto& issue : result->rejected)
    out += "rejected " + std::to_string(issue.pos.line) + ":" + std::to_string(issue.pos.column) + " (" +
           issue.pos.locator + "): " + issue.message + "\n";
  return out;
}

class Golden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(Golden, output_matches_expected_file) {
  const GoldenCase& c = GetParam();
  FormatRegistry registry;
  register_builtin_formats(registry);
  const FormatSpec* spec = spec_for_dir(registry, c.format_dir);
  ASSERT_NE(spec, nullptr) << "no format for fixture directory '" << c.format_dir << "'";

  const std::string bytes = testing::read_file(c.input);
  std::string actual;
  bool failed = false;
  if (is_zip(as_bytes(bytes))) {
    const auto members = unpack_zip(c.input.filename().string(), as_bytes(bytes));
    ASSERT_OK(members);
    for (const auto& m : *members) actual += render(*spec, m.name, m.bytes);
  } else {
    actual = render(*spec, c.input.filename().string(), bytes);
    failed = !actual.starts_with("{");
  }
  const fs::path base = c.input.parent_path() / c.input.filename();
  const fs::path expected_json = base.string() + ".expected.json";
  const fs::path expected_err = base.string() + ".expected.err";
  const fs::path expected = failed ? expected_err : expected_json;

  if (std::getenv("BANKREC_UPDATE_GOLDEN") != nullptr) {
    fs::remove(failed ? expected_json : expected_err);
    std::ofstream(expected, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << expected << "; review the diff before committing";
  }
  ASSERT_TRUE(fs::exists(expected)) << "missing " << expected << " (run with BANKREC_UPDATE_GOLDEN=1)"
                                    << "; output was:\n" << actual.substr(0, 2000);
  EXPECT_EQ(testing::read_file(expected), actual) << c.input;
}

std::string case_name(const ::testing::TestParamInfo<GoldenCase>& info) {
  std::string name = info.param.format_dir + "_" + info.param.name;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Formats, Golden, ::testing::ValuesIn(all_cases()), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Golden);

}  // namespace
}  // namespace bankrec::formats
