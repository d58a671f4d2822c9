// The QIF format: sniffing, sections and accounts, splits, date orders and decimal separators
// decided from the whole file, and precise errors. Whole files are golden tests
// (tests/fixtures/formats/qif/).
#include "bankrec/formats/format_registry.h"
#include "bankrec/testing/testing.h"

namespace bankrec::formats {
namespace {

using ::testing::HasSubstr;

const FormatSpec& qif() {
  static const FormatRegistry registry = [] {
    FormatRegistry r;
    register_builtin_formats(r);
    return r;
  }();
  return *registry.find("qif");
}

Result<ParseOutput> parse(std::string_view text, ParseOptions options = {}) {
  if (options.file_name.empty()) options.file_name = "t.qif";
  return parse_collect(qif(), as_bytes(text), options);
}

TEST(QifFormat, sniff_knows_its_headers_and_leaves_other_formats_alone) {
  const auto sniff = [](std::string_view s) { return qif().sniff(as_bytes(s)); };
  EXPECT_EQ(sniff("!Type:Bank\nD01/02/24\n"), 95);
  EXPECT_EQ(sniff("\xEF\xBB\xBF\r\n!type:ccard \r\n"), 95);
  EXPECT_EQ(sniff("!Account\nNChecking\n^\n"), 95);
  EXPECT_EQ(sniff("!Option:AutoSwitch\n"), 95);
  const char* const kOthers[] = {
      "OFXHEADER:100\nDATA:OFXSGML\n",
      ":20:STARTUMSE\r\n:25:DE89370400440532013000\r\n",
      "Buchungstag;Valuta;Betrag\n31.01.2024;31.01.2024;12,50\n",
      "!Not QIF\n",
      "<?xml version=\"1.0\"?><Document/>",
      "",
  };
  for (const char* other : kOthers) EXPECT_EQ(sniff(other), 0) << other;
}

TEST(QifFormat, registry_detects_qif) {
  FormatRegistry registry;
  register_builtin_formats(registry);
  const FormatSpec* found =
      registry.detect(as_bytes(std::string_view("!Type:Bank\r\nD1/ 2/24\r\nT-1.00\r\n^\r\n")));
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->id, "qif");
}

TEST(QifFormat, record_fields_map_onto_an_entry) {
  const auto out = parse("!Type:Bank\nD1/ 2/24\nT-1,234.56\nPPayee\nMMemo text\nN1001\nCX\nLRent\n^\n");
  ASSERT_OK(out);
  EXPECT_EQ(out->format, "qif");
  ASSERT_EQ(out->statements.size(), 1u);
  const auto& e = out->statements[0].entries.at(0);
  EXPECT_EQ(e.booking_date->iso(), "2024-01-02");
  EXPECT_EQ(e.amount.to_string(), "-1234.56");
  EXPECT_EQ(e.amount.currency().str(), "XXX");
  EXPECT_EQ(e.counterparty.name, "Payee");
  EXPECT_EQ(e.remittance, "Memo text");
  EXPECT_EQ(e.customer_reference, "1001");
  EXPECT_EQ(e.posting_text, "Rent");
}

TEST(QifFormat, date_order_is_decided_from_the_whole_file) {
  struct Case {
    const char* dates[2];
    const char* first;
  } const cases[] = {
      {{"01/02/24", "01/13/24"}, "2024-01-02"},      // the second date only fits month-first
      {{"01/02/24", "13/01/24"}, "2024-02-01"},      // ... only day-first
      {{"01/02/24", "01/03/24"}, "2024-01-02"},      // ambiguous: slashes read month-first (Quicken)
      {{"01.02.2024", "03.04.2024"}, "2024-02-01"},  // dots read day-first
      {{"01/02'24", " 1/ 3' 4"}, "2024-01-02"},      // apostrophe years, padded fields
      {{"2024-01-02", "2024-01-13"}, "2024-01-02"},
  };
  for (const auto& c : cases) {
    std::string text = "!Type:Bank\n";
    for (const char* d : c.dates) text += std::string("D") + d + "\nT1.00\n^\n";
    const auto out = parse(text);
    ASSERT_OK(out);
    EXPECT_EQ(out->statements[0].entries.at(0).booking_date->iso(), c.first)
        << c.dates[0] << " " << c.dates[1];
  }
  EXPECT_ERR(parse("!Type:Bank\nD13/01/24\nT1\n^\nD01/13/24\nT1\n^\n"), Errc::invalid_input,
             HasSubstr("date '01/13/24' needs another day/month order than '13/01/24' (line 2)"));
}

TEST(QifFormat, decimal_separator_is_decided_from_the_whole_file) {
  const auto comma = parse("!Type:Bank\nD02.01.2024\nT1.234\n^\nD02.01.2024\nT-12,5\n^\n");
  ASSERT_OK(comma);
  EXPECT_EQ(comma->statements[0].entries[0].amount.to_string(), "1234.00");
  EXPECT_EQ(comma->statements[0].entries[1].amount.to_string(), "-12.50");
  const auto dot = parse("!Type:Bank\nD01/02/24\nT1,234\n^\nD01/02/24\nT-12.5\n^\n");
  ASSERT_OK(dot);
  EXPECT_EQ(dot->statements[0].entries[0].amount.to_string(), "1234.00");
  const auto mixed = parse("!Type:Bank\nD01/02/24\nT1,50\n^\nD01/02/24\nT-12.5\n^\n");
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().where, "t.qif:3:2 (byte 22, T)");
  EXPECT_EQ(mixed.error().message, "amount '1,50' has a decimal comma but '-12.5' a decimal point");
}

TEST(QifFormat, splits_become_details) {
  const auto out =
      parse("!Type:Bank\nD12/19/18\nT-100.00\nPOutlet\nSShopping\nEShoes\n$-60.00\nSFood\n$-40.00\n^\n");
  ASSERT_OK(out);
  const auto& e = out->statements[0].entries.at(0);
  ASSERT_EQ(e.details.size(), 2u);
  EXPECT_EQ(e.details[0].amount->to_string(), "-60.00");
  EXPECT_EQ(e.details[0].remittance, "Shopping: Shoes");
  EXPECT_EQ(e.details[1].remittance, "Food");
  EXPECT_EQ(out->statements[0].warnings.size(), 1u);  // only the currency note: the splits add up
}

TEST(QifFormat, accounts_and_types_start_statements) {
  const auto out = parse(
      "!Account\nNChecking\nTBank\n^\n!Type:Bank\nD1/2/24\nT1\n^\n!Type:Bank\nD1/3/24\nT2\n^\n"
      "!Account\nNCard\nTCCard\n^\n!Type:CCard\nD1/4/24\nT-3\n^\n!Type:Cat\nNFood\n^\n");
  ASSERT_OK(out);
  ASSERT_EQ(out->statements.size(), 2u);
  EXPECT_EQ(out->statements[0].account.name, "Checking");
  EXPECT_EQ(out->statements[0].entries.size(), 2u);
  EXPECT_EQ(out->statements[1].account.name, "Card");
  EXPECT_EQ(out->statements[1].entries.size(), 1u);
}

TEST(QifFormat, errors_name_line_column_and_field) {
  struct Case {
    const char* text;
    const char* where;
    const char* message;
  } const cases[] = {
      {"!Type:Bank\nD01/02/24\nTabc\n^\n", "t.qif:3:2 (byte 22, T)", "invalid amount 'abc'"},
      {"!Type:Bank\nD01/02/24\n^\n", "t.qif:2:1 (byte 11, record)", "record without an amount (no T line)"},
      {"!Type:Bank\nT1.00\n^\n", "t.qif:2:1 (byte 11, record)", "record without a date (no D line)"},
      {"D01/02/24\nT1\n^\n", "t.qif:1:1 (byte 0)",
       "record line before any !Type: header (is this a QIF file?)"},
      {"!Type:Bank\n!Foo\n", "t.qif:2:1 (byte 11)", "unknown QIF header '!Foo'"},
      {"!Type:Bank\nD31/31/24\nT1\n^\n", "t.qif:2:2 (byte 12, D)", "invalid date '31/31/24'"},
  };
  for (const auto& c : cases) {
    const auto out = parse(c.text);
    ASSERT_FALSE(out) << c.text;
    EXPECT_EQ(out.error().where, c.where) << c.text;
    EXPECT_EQ(out.error().message, c.message) << c.text;
  }
}

TEST(QifFormat, lenient_mode_rejects_bad_records) {
  const auto out = parse("!Type:Bank\nD01/02/24\nTabc\n^\nD01/03/24\nT2\n^\n", {.lenient = true});
  ASSERT_OK(out);
  EXPECT_EQ(out->statements[0].entries.size(), 1u);
  ASSERT_EQ(out->rejected.size(), 1u);
  EXPECT_EQ(out->rejected[0].pos.line, 2u);
  EXPECT_EQ(out->rejected[0].message, "invalid amount 'abc'");
}

TEST(QifFormat, windows_1252_text_becomes_utf8) {
  const auto out = parse("!Type:Bank\nD02.01.2024\nT-1,00\nPM\xFCller \x80\n^\n");
  ASSERT_OK(out);
  EXPECT_EQ(out->statements[0].entries[0].counterparty.name, "M\xC3\xBCller \xE2\x82\xAC");
}

}  // namespace
}  // namespace bankrec::formats
