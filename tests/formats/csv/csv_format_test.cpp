// The CSV reader as the csv format uses it: charsets, delimiters, quoting (broken quotes too),
// preambles, headerless files, amounts and signs, and the positions errors name.
#include "bankrec/formats/format_registry.h"
#include "bankrec/formats/profile.h"
#include "bankrec/testing/testing.h"

namespace bankrec::formats {
namespace {

using ::testing::HasSubstr;

constexpr const char* kSimpleProfile = R"(name: simple
match: {header: [Datum, Betrag, Text]}
columns: {booking_date: Datum, amount: Betrag, purpose: Text}
amounts: {decimal: ","}
)";

ProfileSet profiles(const std::string& yaml = kSimpleProfile) {
  auto set = ProfileSet::from_sources({{"test.yaml", yaml}});
  EXPECT_TRUE(set) << set.error().describe();
  return set ? *set : ProfileSet{};
}

const FormatSpec& csv() {
  static const FormatRegistry registry = [] {
    FormatRegistry r;
    register_builtin_formats(r);
    return r;
  }();
  return *registry.find("csv");
}

Result<ParseOutput> parse(std::string_view bytes, const ProfileSet& set, ParseOptions options = {}) {
  options.file_name = options.file_name.empty() ? "t.csv" : options.file_name;
  options.profiles = &set;
  return parse_collect(csv(), as_bytes(bytes), options);
}

std::vector<std::string> remittances(const ParseOutput& out) {
  std::vector<std::string> r;
  for (const auto& s : out.statements)
    for (const auto& e : s.entries) r.push_back(e.remittance.value_or("<none>"));
  return r;
}

TEST(CsvFormat, detects_every_delimiter) {
  const auto set = profiles();
  for (const char* d : {";", ",", "\t", "|"}) {
    const std::string sep(d);
    const std::string file = "Datum" + sep + "Betrag" + sep + "Text\n01.02.2024" + sep + "\"12,50\"" + sep +
                             "eins\n02.02.2024" + sep + "\"-3,00\"" + sep + "zwei\n";
    const auto out = parse(file, set);
    ASSERT_OK(out);
    ASSERT_EQ(out->statements.size(), 1u) << "delimiter '" << sep << "'";
    const auto& e = out->statements[0].entries;
    ASSERT_EQ(e.size(), 2u) << "delimiter '" << sep << "'";
    EXPECT_EQ(e[0].amount.to_string(), "12.50") << "delimiter '" << sep << "'";
    EXPECT_EQ(e[1].amount.to_string(), "-3.00") << "delimiter '" << sep << "'";
    EXPECT_EQ(e[1].remittance, "zwei") << "delimiter '" << sep << "'";
  }
}

TEST(CsvFormat, reads_quotes_embedded_delimiters_line_breaks_and_doubled_quotes) {
  const auto out = parse("Datum;Betrag;Text\r\n01.02.2024;1,00;\"a;b\"\r\n02.02.2024;2,00;\"zwei\r\nZeilen\"\r\n"
                         "03.02.2024;3,00;\"sagt \"\"hallo\"\"\"\r\n04.02.2024;4,00;\r\n",
                         profiles());
  ASSERT_OK(out);
  EXPECT_THAT(remittances(*out), ::testing::ElementsAre("a;b", "zwei Zeilen", "sagt \"hallo\"", "<none>"));
  EXPECT_TRUE(out->statements[0].warnings.empty());
}

TEST(CsvFormat, broken_quotes_are_read_as_written_with_a_warning) {
  // DKB writes an unescaped quote now and then: "Mustermann, Max";Firma";...
  const auto out = parse("\"Datum\";\"Betrag\";\"Text\"\n\"01.02.2024\";\"1,00\";Firma\"\n"
                         "\"02.02.2024\";\"2,00\";\"Max \"Firma\" GmbH\"\n\"03.02.2024\";\"3,00\";\"offen\n",
                         profiles());
  ASSERT_OK(out);
  EXPECT_THAT(remittances(*out), ::testing::ElementsAre("Firma\"", "Max \"Firma\" GmbH\"", "\"offen"));
  const auto& w = out->statements[0].warnings;
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], "line 2: broken quote in cell 3, read as written: 'Firma\"'");
  EXPECT_THAT(w[1], HasSubstr("line 3: broken quote in cell 3"));
  EXPECT_THAT(w[2], HasSubstr("line 4: unclosed quote in cell 3"));
}

TEST(CsvFormat, converts_windows_1252_and_keeps_utf8_with_bom) {
  const auto latin = parse("Datum;Betrag;Text\n01.02.2024;1,00;M\xFCller \x80\n", profiles());
  ASSERT_OK(latin);
  EXPECT_EQ(latin->statements[0].entries[0].remittance, "Müller €");
  const auto utf8 = parse("\xEF\xBB\xBF" "Datum;Betrag;Text\n01.02.2024;1,00;Müller\n", profiles());
  ASSERT_OK(utf8);
  EXPECT_EQ(utf8->statements[0].entries[0].remittance, "Müller");
  // Forced ISO-8859-1 reads UTF-8 bytes as two characters each.
  const auto forced = parse("Datum;Betrag;Text\n01.02.2024;1,00;M\xC3\xBC\n", profiles(), {.encoding = "latin1"});
  ASSERT_OK(forced);
  EXPECT_EQ(forced->statements[0].entries[0].remittance, "M\xC3\x83\xC2\xBC");
}

TEST(CsvFormat, forced_utf8_on_latin1_bytes_names_the_byte) {
  const auto out = parse("Datum;Betrag;Text\n01.02.2024;1,00;M\xFCller\n", profiles(), {.encoding = "utf-8"});
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("invalid UTF-8"));
  EXPECT_EQ(out.error().where, "t.csv:2:18 (byte 35)");
}

TEST(CsvFormat, finds_the_header_after_preamble_lines_and_reads_cr_line_ends) {
  const auto out = parse("Konto;DE89370400440532013000\r\rZeitraum;Januar\rDatum;Betrag;Text\r01.02.2024;1,00;x\r",
                         profiles());
  ASSERT_OK(out);
  ASSERT_EQ(out->statements[0].entries.size(), 1u);
  EXPECT_EQ(out->statements[0].entries[0].booking_date->iso(), "2024-02-01");
}

TEST(CsvFormat, bad_amount_names_line_column_byte_and_column_name) {
  const auto out = parse("Datum;Betrag;Text\n01.02.2024;1,00;a\n02.02.2024;12x0;b\n", profiles());
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("invalid amount '12x0'"));
  EXPECT_EQ(out.error().where, "t.csv:3:12 (byte 47, column Betrag)");
  EXPECT_EQ(out.error().line, 3u);
  EXPECT_EQ(out.error().column, 12u);
}

TEST(CsvFormat, lenient_mode_rejects_bad_rows_and_keeps_the_rest) {
  const auto out = parse("Datum;Betrag;Text\n31.02.2024;1,00;a\n02.02.2024;2,00;b\n", profiles(), {.lenient = true});
  ASSERT_OK(out);
  ASSERT_EQ(out->rejected.size(), 1u);
  EXPECT_EQ(out->rejected[0].pos.line, 2u);
  EXPECT_EQ(out->rejected[0].pos.locator, "column Datum");
  EXPECT_THAT(out->rejected[0].message, HasSubstr("invalid date '31.02.2024'"));
  EXPECT_THAT(remittances(*out), ::testing::ElementsAre("b"));
}

TEST(CsvFormat, separate_debit_and_credit_columns_and_a_sign_column) {
  const auto split = profiles(R"(name: split
match: {header: [Tag, Soll, Haben]}
columns: {booking_date: Tag, debit: Soll, credit: Haben}
)");
  const auto a = parse("Tag;Soll;Haben\n01.02.2024;1.234,50;\n02.02.2024;;99,99\n", split);
  ASSERT_OK(a);
  EXPECT_EQ(a->statements[0].entries[0].amount.to_string(), "-1234.50");
  EXPECT_EQ(a->statements[0].entries[1].amount.to_string(), "99.99");

  const auto signed_set = profiles(R"(name: sh
match: {header: [Tag, Umsatz, S/H]}
columns: {booking_date: Tag, amount: Umsatz, sign: S/H}
)");
  const auto b = parse("Tag;Umsatz;S/H\n01.02.2024;10,00;S\n02.02.2024;5,00 USD;H\n03.02.2024;1,00;X\n", signed_set);
  EXPECT_ERR(b, Errc::invalid_input, HasSubstr("unknown debit/credit mark 'X'"));
  const auto c = parse("Tag;Umsatz;S/H\n01.02.2024;10,00 EUR;Soll\n02.02.2024;5,00 EUR;Haben\n", signed_set);
  ASSERT_OK(c);
  EXPECT_EQ(c->statements[0].entries[0].amount.to_string(), "-10.00");
  EXPECT_EQ(c->statements[0].entries[1].amount.to_string(), "5.00");
  // A currency suffix in the amount decides the currency: one statement per currency.
  const auto d = parse("Tag;Umsatz;S/H\n01.02.2024;10,00 EUR;S\n02.02.2024;5,00 USD;H\n", signed_set);
  ASSERT_OK(d);
  ASSERT_EQ(d->statements.size(), 2u);
  EXPECT_EQ(d->statements[1].account.currency, "USD");
}

TEST(CsvFormat, sniffs_tables_but_not_other_text_formats) {
  const auto& spec = csv();
  EXPECT_GT(spec.sniff(as_bytes(std::string_view("a;b;c\n1;2;3\n4;5;6\n"))), 0);
  EXPECT_GT(spec.sniff(as_bytes(std::string_view("a\tb\n1\t2\n"))), 0);
  EXPECT_EQ(spec.sniff(as_bytes(std::string_view("<?xml version=\"1.0\"?><Document/>"))), 0);
  EXPECT_EQ(spec.sniff(as_bytes(std::string_view(":20:STARTUMS\r\n:25:10020030/1234567\r\n"))), 0);
  EXPECT_EQ(spec.sniff(as_bytes(std::string_view("!Type:Bank\nD1/2/24\nT-1.00\n^\n"))), 0);
  EXPECT_EQ(spec.sniff(as_bytes(std::string_view("PK\x03\x04\0\0", 6))), 0);
}

TEST(CsvFormat, refuses_files_over_the_limit_before_reading) {
  const auto out = parse("Datum;Betrag;Text\n01.02.2024;1,00;x\n", profiles(), {.max_input_bytes = 10});
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("more than the limit of 10"));
}

}  // namespace
}  // namespace bankrec::formats
