// Automatic profile selection over every CSV fixture, forced profiles, the error for a file no
// profile fits, and parse_tables() on sheet-like tables (as the XLS/XLSX readers deliver them).
#include <filesystem>

#include "bankrec/formats/format_registry.h"
#include "bankrec/formats/profile.h"
#include "bankrec/testing/testing.h"

namespace bankrec::formats {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const ProfileSet& shipped() {
  static const ProfileSet set = [] {
    auto s = ProfileSet::load_directory(testing::source_dir() / "etc" / "profiles");
    EXPECT_TRUE(s) << s.error().describe();
    return s ? *s : ProfileSet{};
  }();
  return set;
}

const FormatSpec& csv() {
  static const FormatRegistry registry = [] {
    FormatRegistry r;
    register_builtin_formats(r);
    return r;
  }();
  return *registry.find("csv");
}

/// The profile a fixture folder stands for: its name, except the corpus folder.
std::string expected_profile(const std::string& folder) {
  return folder == "ofxstatement-sparkasse-freiburg" ? "sparkasse-camt-v2" : folder;
}

TEST(ProfileSelection, picks_the_right_profile_for_every_fixture) {
  const fs::path root = testing::source_dir() / "tests" / "fixtures" / "formats" / "csv";
  int files = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      const std::string name = f.path().filename().string();
      if (name.find(".expected.") != std::string::npos) continue;
      const std::string bytes = testing::read_file(f.path());
      ++files;
      // Sniffing finds the csv format, and then the profile is chosen from the content.
      FormatRegistry registry;
      register_builtin_formats(registry);
      const FormatSpec* spec = registry.detect(as_bytes(bytes));
      ASSERT_NE(spec, nullptr) << f.path();
      EXPECT_EQ(spec->id, "csv") << f.path();
      const auto out = parse_collect(csv(), as_bytes(bytes), {.file_name = name, .profiles = &shipped()});
      ASSERT_OK(out);
      EXPECT_EQ(out->format, "csv:" + expected_profile(dir.path().filename().string())) << f.path();
    }
  }
  EXPECT_GE(files, 12);
}

TEST(ProfileSelection, a_forced_profile_wins_and_a_misfit_says_why) {
  const std::string ing = testing::read_file(testing::source_dir() /
                                             "tests/fixtures/formats/csv/ing/Umsatzanzeige_ohne_saldo.csv");
  const auto forced = parse_collect(csv(), as_bytes(ing), {.file_name = "x.csv", .profile = "ing", .profiles = &shipped()});
  ASSERT_OK(forced);
  EXPECT_EQ(forced->format, "csv:ing");
  const auto misfit = parse_collect(csv(), as_bytes(ing), {.file_name = "x.csv", .profile = "dkb", .profiles = &shipped()});
  EXPECT_ERR(misfit, Errc::invalid_input, HasSubstr("bank profile 'dkb' does not fit: header line"));
  const auto unknown =
      parse_collect(csv(), as_bytes(ing), {.file_name = "x.csv", .profile = "n26", .profiles = &shipped()});
  EXPECT_ERR(unknown, Errc::invalid_input, HasSubstr("unknown bank profile 'n26' (known: "));
}

TEST(ProfileSelection, an_unknown_layout_lists_the_closest_profiles_and_why) {
  // An ING-like header with a renamed column: ING comes first among the near misses.
  const std::string file =
      "Buchung;Wertstellungsdatum;Auftraggeber/Empfänger;Buchungstext;Notiz;Betrag;Währung\n"
      "31.01.2024;31.01.2024;X;Y;Z;1,00;EUR\n";
  const auto out = parse_collect(csv(), as_bytes(file), {.file_name = "x.csv", .profiles = &shipped()});
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("no bank profile matches this file (closest: ing: header line 1 lacks 'Verwendungszweck'"));
}

TEST(ProfileSelection, without_profiles_a_table_cannot_be_read) {
  const ProfileSet none;
  const auto out = parse_collect(csv(), as_bytes(std::string_view("a;b\n1;2\n")), {.file_name = "x.csv", .profiles = &none});
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("no bank profiles are loaded"));
  const auto null = parse_collect(csv(), as_bytes(std::string_view("a;b\n1;2\n")), {.file_name = "x.csv"});
  EXPECT_ERR(null, Errc::invalid_input, HasSubstr("no bank profiles are loaded"));
}

/// Collects statements for parse_tables().
struct Collect final : StatementSink {
  ParseOutput out;
  Result<void> set_format(std::string_view f) override {
    out.format = f;
    return ok();
  }
  Result<void> begin_statement(const domain::Statement& h) override {
    out.statements.push_back(h);
    return ok();
  }
  Result<void> add_entries(std::vector<domain::Entry>& b) override {
    for (auto& e : b) out.statements.back().entries.push_back(std::move(e));
    return ok();
  }
  Result<void> end_statement(const domain::Statement& h) override {
    auto entries = std::move(out.statements.back().entries);
    out.statements.back() = h;
    out.statements.back().entries = std::move(entries);
    return ok();
  }
};

TEST(ProfileSelection, parse_tables_maps_sheets_with_canonical_numbers_and_names_cells) {
  // A sheet as the XLSX reader renders it: numbers with '.', dates in ISO form.
  Table sheet{"Umsätze",
              {{"Buchungstag", "Wertstellung", "Umsatzart", "Buchungstext", "Betrag", "Währung", "IBAN Kontoinhaber",
                "Kategorie"},
               {"2024-01-31", "2024-01-31T00:00:00", "Lastschrift", "Miete", "-1234.5", "EUR", "DE89370400440532013000", ""},
               {"2024-01-30", "2024-01-30", "Gutschrift", "Rechnung", "1.234,56", "EUR", "DE89370400440532013000", ""}},
              {1, 2, 3},
              "Umsätze!"};
  Collect sink;
  ASSERT_OK(parse_tables("xlsx", {sheet}, {.file_name = "k.xlsx", .profiles = &shipped()}, sink));
  EXPECT_EQ(sink.out.format, "xlsx:commerzbank");
  ASSERT_EQ(sink.out.statements.size(), 1u);
  const auto& e = sink.out.statements[0].entries;
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].amount.to_string(), "-1234.50");
  EXPECT_EQ(e[0].value_date->iso(), "2024-01-31");
  EXPECT_EQ(e[1].amount.to_string(), "1234.56");

  sheet.rows[2][4] = "zwölf";
  Collect bad;
  const auto r = parse_tables("xlsx", {sheet}, {.file_name = "k.xlsx", .profiles = &shipped()}, bad);
  EXPECT_ERR(r, Errc::invalid_input, HasSubstr("invalid amount 'zwölf'"));
  EXPECT_EQ(r.error().where, "k.xlsx:3:5 (byte 0, Umsätze!E3 (column Betrag))");
}

}  // namespace
}  // namespace bankrec::formats
