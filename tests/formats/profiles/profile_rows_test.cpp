// Where the data rows of a table end (rows.end_at, rows.skip_text_rows), values under a caption in
// the preamble (preamble.*.under), and the Raiffeisen Romania profile on the real corpus XLS, whose
// text-only footer row needs them.
#include <filesystem>

#include "bankrec/formats/format_registry.h"
#include "bankrec/formats/profile.h"
#include "bankrec/testing/testing.h"

namespace bankrec::formats {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const FormatSpec& format(std::string_view id) {
  static const FormatRegistry registry = [] {
    FormatRegistry r;
    register_builtin_formats(r);
    return r;
  }();
  return *registry.find(id);
}

ProfileSet profiles_of(const std::string& yaml) {
  auto set = ProfileSet::from_sources({{"p.yaml", yaml}});
  EXPECT_TRUE(set) << set.error().describe();
  return set ? *set : ProfileSet{};
}

constexpr const char* kBase =
    "name: p\nmatch: {header: [Datum, Betrag, Text]}\ncsv: {delimiter: ';'}\n"
    "columns: {booking_date: Datum, amount: Betrag, purpose: {name: Text, optional: true}}\n"
    "dates: {format: DD.MM.YYYY}\namounts: {decimal: ',', currency: EUR}\n";

/// Two transactions, a blank line, a totals row and a note: what banks put under the data.
constexpr const char* kWithFooter =
    "Datum;Betrag;Text\n"
    "02.01.2024;-12,50;Miete\n"
    "03.01.2024;100,00;Gehalt\n"
    "\n"
    "Summe;87,50;\n"
    "Erstellt am 04.01.2024;;\n";

Result<ParseOutput> parse_csv(const std::string& bytes, const ProfileSet& set) {
  return parse_collect(format("csv"), as_bytes(bytes), {.file_name = "f.csv", .profiles = &set});
}

std::string sum_of(const ParseOutput& out) {
  std::int64_t minor = 0;
  for (const auto& s : out.statements)
    for (const auto& e : s.entries) minor += e.amount.minor();
  return domain::format_minor(minor, 2);
}

TEST(ProfileRows, without_a_rule_a_footer_is_read_as_a_transaction_and_fails) {
  const ProfileSet set = profiles_of(kBase);
  const auto out = parse_csv(kWithFooter, set);
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("'Summe'"));
  EXPECT_THAT(out.error().where, ::testing::StartsWith("f.csv:5:1"));
}

TEST(ProfileRows, end_at_ends_the_data_before_the_first_matching_row) {
  const ProfileSet set = profiles_of(std::string(kBase) + "rows: {end_at: '^Summe'}\n");
  const auto out = parse_csv(kWithFooter, set);
  ASSERT_OK(out);
  ASSERT_EQ(out->statements.size(), 1u);
  ASSERT_EQ(out->statements[0].entries.size(), 2u);
  EXPECT_EQ(sum_of(*out), "87.50");
  // Only the first non-empty cell counts, and the pattern is searched, not anchored by itself.
  const ProfileSet later_cell = profiles_of(std::string(kBase) + "rows: {end_at: 'Gehalt'}\n");
  EXPECT_ERR(parse_csv(kWithFooter, later_cell), Errc::invalid_input, HasSubstr("'Summe'"));
  const ProfileSet inside = profiles_of(std::string(kBase) + "rows: {end_at: 'umm'}\n");
  ASSERT_OK(parse_csv(kWithFooter, inside));
}

TEST(ProfileRows, end_at_holds_across_the_chunks_of_a_large_file) {
  // 4,000 transactions, the totals row, then 300 lines of anything: the CSV reader hands them over
  // in chunks of 4,096 rows, so the rows after the end arrive in a later chunk.
  std::string file = "Datum;Betrag;Text\n";
  for (int i = 0; i < 4000; ++i) file += "02.01.2024;1,00;x\n";
  file += "Summe;4000,00;\n";
  for (int i = 0; i < 300; ++i) file += "Seite " + std::to_string(i) + ";nicht;relevant\n";
  const ProfileSet set = profiles_of(std::string(kBase) + "rows: {end_at: '^Summe$'}\n");
  const auto out = parse_csv(file, set);
  ASSERT_OK(out);
  ASSERT_EQ(out->statements.size(), 1u);
  EXPECT_EQ(out->statements[0].entries.size(), 4000u);
  EXPECT_EQ(sum_of(*out), "4000.00");
}

TEST(ProfileRows, skip_text_rows_skips_rows_with_neither_a_date_nor_an_amount) {
  const ProfileSet set = profiles_of(std::string(kBase) + "rows: {skip_text_rows: true}\n");
  // The note is skipped; the totals row has an amount, so it is still refused.
  EXPECT_ERR(parse_csv(kWithFooter, set), Errc::invalid_input, HasSubstr("'Summe'"));
  const std::string notes_only =
      "Datum;Betrag;Text\n02.01.2024;-12,50;Miete\nErstellt am 04.01.2024;;\nSeite 1 von 1;;Bank AG\n";
  const auto out = parse_csv(notes_only, set);
  ASSERT_OK(out);
  ASSERT_EQ(out->statements.size(), 1u);
  EXPECT_EQ(out->statements[0].entries.size(), 1u);
  EXPECT_EQ(sum_of(*out), "-12.50");
  // A row with a date but no amount is a broken transaction, not a note.
  const auto broken = parse_csv("Datum;Betrag;Text\n02.01.2024;-12,50;Miete\n03.01.2024;;Gehalt\n", set);
  EXPECT_ERR(broken, Errc::invalid_input, HasSubstr("no amount"));
  EXPECT_THAT(broken.error().where, ::testing::StartsWith("f.csv:3:"));
}

TEST(ProfileRows, rows_and_under_keys_are_validated_with_file_line_and_key) {
  struct Case {
    std::string yaml;
    const char* where;
    const char* message;
  };
  const std::string base(kBase);
  const Case cases[] = {
      {base + "rows: {end_at: '(['}\n", "p.yaml:7:16", "rows.end_at: invalid regular expression"},
      {base + "rows: {end_at: ''}\n", "p.yaml:7:16", "rows.end_at: an empty pattern"},
      {base + "rows: {skip_text_rows: maybe}\n", "p.yaml:7:24", "rows.skip_text_rows: expected true or false"},
      {base + "rows: {stop_at: Summe}\n", "p.yaml:7:8", "rows.stop_at: unknown key (expected one of: end_at, skip_text_rows)"},
      {base + "rows: [end_at]\n", "p.yaml:7:7", "rows: expected a mapping"},
      {base + "preamble:\n  opening_balance: {under: Saldo, cell: 2}\n", "p.yaml:8:41",
       "preamble.opening_balance.cell: does not go with 'under'"},
      {base + "preamble:\n  opening_balance: {under: Saldo, label: Saldo}\n", "p.yaml:8:20",
       "preamble.opening_balance: give exactly one of 'label', 'line' and 'under'"},
      {base + "preamble:\n  account_bic: {under: '--'}\n", "p.yaml:8:24",
       "preamble.account_bic.under: a caption needs letters or digits"},
  };
  for (const auto& c : cases) {
    const auto set = ProfileSet::from_sources({{"p.yaml", c.yaml}});
    ASSERT_FALSE(set) << c.yaml;
    EXPECT_EQ(set.error().code, Errc::invalid_input);
    EXPECT_EQ(set.error().where, c.where) << c.yaml << ": " << set.error().message;
    EXPECT_THAT(set.error().message, HasSubstr(c.message)) << c.yaml;
  }
}

TEST(ProfileRows, under_reads_the_value_below_a_caption_in_the_preamble) {
  const ProfileSet set = profiles_of(std::string(kBase) +
                                     "preamble:\n  opening_balance: {under: Anfangssaldo}\n"
                                     "  closing_balance: {under: Endsaldo}\n  account_bic: {label: BIC}\n");
  const std::string file =
      "BIC;GENODEF1XXX;\nAnfangssaldo;Umsatz;Endsaldo\n\n1.000,00;;1.087,50\n\n"
      "Datum;Betrag;Text\n02.01.2024;-12,50;Miete\n03.01.2024;100,00;Gehalt\n";
  const auto out = parse_csv(file, set);
  ASSERT_OK(out);
  ASSERT_EQ(out->statements.size(), 1u);
  const auto& s = out->statements[0];
  ASSERT_TRUE(s.opening_balance);
  ASSERT_TRUE(s.closing_balance);
  EXPECT_EQ(s.opening_balance->amount.to_string(), "1000.00");
  EXPECT_EQ(s.closing_balance->amount.to_string(), "1087.50");
  EXPECT_EQ(s.account.bic.value_or(""), "GENODEF1XXX");
  EXPECT_TRUE(s.warnings.empty()) << s.warnings.front();
  // An empty cell under the caption gives no balance rather than the wrong one.
  const std::string empty_below = "Anfangssaldo;Umsatz;Endsaldo\n;;1.087,50\nDatum;Betrag;Text\n02.01.2024;-12,50;Miete\n";
  const auto partial = parse_csv(empty_below, set);
  ASSERT_OK(partial);
  EXPECT_FALSE(partial->statements.at(0).opening_balance);
  ASSERT_TRUE(partial->statements.at(0).closing_balance);
}

// ---- Raiffeisen Bank Romania, the real corpus XLS (tests/fixtures/sheets/xls/bankreader/) ----

const ProfileSet& shipped() {
  static const ProfileSet set = [] {
    auto s = ProfileSet::load_directory(testing::source_dir() / "etc" / "profiles");
    EXPECT_TRUE(s) << s.error().describe();
    return s ? *s : ProfileSet{};
  }();
  return set;
}

constexpr const char* kRaiffeisenName = "Extras_de_cont_12345678_20012018_31012018.xls";

std::string raiffeisen_xls() {
  return testing::read_file(testing::source_dir() / "tests" / "fixtures" / "sheets" / "xls" / "bankreader" /
                            kRaiffeisenName);
}

TEST(RaiffeisenRo, auto_selection_picks_the_profile_and_the_manifest_values_come_out) {
  const std::string bytes = raiffeisen_xls();
  FormatRegistry registry;
  register_builtin_formats(registry);
  const FormatSpec* spec = registry.detect(as_bytes(bytes));
  ASSERT_NE(spec, nullptr);
  ASSERT_EQ(spec->id, "xls");
  // Selection looks at the content: a neutral file name gives the same profile.
  for (const char* name : {kRaiffeisenName, "statement.xls"}) {
    const auto out = parse_collect(*spec, as_bytes(bytes), {.file_name = name, .profiles = &shipped()});
    ASSERT_OK(out);
    EXPECT_EQ(out->format, "xls:raiffeisen-ro") << name;
  }
  // The values shared/corpus/MANIFEST.md lists: stmts=1, entries=5, ccy RON ("LEI"),
  // open=1000.00, close=1100.16, first -100.0 bd=vd=2018-01-22, sum -100.00, the file's IBAN.
  const auto out = parse_collect(*spec, as_bytes(bytes), {.file_name = kRaiffeisenName, .profiles = &shipped()});
  ASSERT_OK(out);
  ASSERT_EQ(out->statements.size(), 1u);
  const auto& s = out->statements[0];
  ASSERT_EQ(s.entries.size(), 5u);
  EXPECT_EQ(s.account.iban.value_or(""), "RO69RZBR1234567890123456");
  EXPECT_EQ(s.account.currency.value_or(""), "RON");
  ASSERT_TRUE(s.opening_balance);
  ASSERT_TRUE(s.closing_balance);
  EXPECT_EQ(s.opening_balance->amount.to_string(), "1000.00");
  EXPECT_EQ(s.closing_balance->amount.to_string(), "1100.16");
  EXPECT_EQ(s.entries[0].amount.to_string(), "-100.00");
  EXPECT_EQ(s.entries[0].booking_date->iso(), "2018-01-22");
  EXPECT_EQ(s.entries[0].value_date->iso(), "2018-01-22");
  EXPECT_EQ(sum_of(*out), "-100.00");
  // The MANIFEST's totals: "Rulaj debitor" 200.00 and "Rulaj creditor" 100.00.
  std::int64_t debit = 0, credit = 0;
  for (const auto& e : s.entries) (e.amount.minor() < 0 ? debit : credit) += e.amount.minor();
  EXPECT_EQ(debit, -20000);
  EXPECT_EQ(credit, 10000);
  // The synthetic numbers do not reconcile (1000 - 200 + 100 != 1100.16), and the statement says so.
  EXPECT_THAT(s.warnings, ::testing::Contains(std::string("opening balance + entries = 900.00, closing balance = 1100.16")));
}

TEST(RaiffeisenRo, without_the_rows_rule_the_footer_fails_the_file) {
  // The shipped profile minus its `rows:` key: the deposit-guarantee notice in row 26 is read as
  // a transaction (and has no amount); this is what the rule is for.
  std::string yaml = testing::read_file(testing::source_dir() / "etc" / "profiles" / "raiffeisen-ro.yaml");
  const auto at = yaml.find("\nrows:");
  ASSERT_NE(at, std::string::npos);
  yaml.resize(at + 1);
  const ProfileSet set = profiles_of(yaml);
  const auto out = parse_collect(format("xls"), as_bytes(raiffeisen_xls()), {.file_name = kRaiffeisenName, .profiles = &set});
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("no amount in the debit or the credit column"));
  EXPECT_THAT(out.error().where, HasSubstr("'Pagina 1'!D26"));
}

TEST(RaiffeisenRo, no_other_fixture_selects_it) {
  // Every CSV fixture keeps its profile (profile_selection_test checks which); none becomes
  // raiffeisen-ro, and forcing raiffeisen-ro on one says why it does not fit.
  const fs::path root = testing::source_dir() / "tests" / "fixtures" / "formats" / "csv";
  int files = 0;
  for (const auto& f : fs::recursive_directory_iterator(root)) {
    if (!f.is_regular_file() || f.path().filename().string().find(".expected.") != std::string::npos ||
        f.path().extension() == ".md")
      continue;
    const std::string bytes = testing::read_file(f.path());
    const auto out = parse_collect(format("csv"), as_bytes(bytes), {.file_name = f.path().filename().string(), .profiles = &shipped()});
    if (!out) continue;  // profile_selection_test asserts that each parses
    ++files;
    EXPECT_NE(out->format, "csv:raiffeisen-ro") << f.path();
  }
  EXPECT_GE(files, 12);
  const std::string ing = testing::read_file(root / "ing" / "Umsatzanzeige_ohne_saldo.csv");
  const auto forced =
      parse_collect(format("csv"), as_bytes(ing), {.file_name = "x.csv", .profile = "raiffeisen-ro", .profiles = &shipped()});
  EXPECT_ERR(forced, Errc::invalid_input, HasSubstr("bank profile 'raiffeisen-ro' does not fit"));
}

}  // namespace
}  // namespace bankrec::formats
