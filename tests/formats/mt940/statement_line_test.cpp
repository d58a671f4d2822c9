// Field :61: (statement line): dates, marks, funds codes, amounts, types and references.
#include "mt940_test_util.h"

namespace bankrec::formats {
namespace {

using mt940_test::first_entry;
using mt940_test::parse;
using mt940_test::statement;

struct LineCase {
  const char* description;
  const char* line;  ///< the :61: value (and following lines)
  const char* amount;
  const char* value_date;
  const char* booking_date;  ///< "" = none
  bool reversal;
  const char* swift;         ///< "" = none
  const char* customer_ref;  ///< "" = none
  const char* bank_ref;      ///< "" = none
};

const LineCase kLines[] = {
    {"credit with entry date", "2401310131C1190,00NTRFNONREF//2024013100123", "1190.00", "2024-01-31",
     "2024-01-31", false, "NTRF", "NONREF", "2024013100123"},
    {"debit without entry date", "240131D12,5NMSCREF1", "-12.50", "2024-01-31", "", false, "NMSC", "REF1",
     ""},
    {"reversal of credit takes money out", "2002010219RCR1027,25N068NONREF", "-1027.25", "2020-02-01",
     "2020-02-19", true, "N068", "NONREF", ""},
    {"reversal of debit brings money in", "2401310131RD40,00N068NONREF", "40.00", "2024-01-31", "2024-01-31",
     true, "N068", "NONREF", ""},
    {"DR is debit with funds code R, not a reversal", "1902180218DR20,00N037NONREF", "-20.00", "2019-02-18",
     "2019-02-18", false, "N037", "NONREF", ""},
    {"funds code N before the amount", "1701190119CN0,01NTRFNONREF//MB170119012058", "0.01", "2017-01-19",
     "2017-01-19", false, "NTRF", "NONREF", "MB170119012058"},
    {"no decimals after the comma", "1405070507C500,NTRFNONREF//B4E07XM00J000023", "500.00", "2014-05-07",
     "2014-05-07", false, "NTRF", "NONREF", "B4E07XM00J000023"},
    {"space before the type code", "2006080608D12,35 NRTIKREF+//2016021783252833", "-12.35", "2020-06-08",
     "2020-06-08", false, "NRTI", "KREF+", "2016021783252833"},
    {"type code with trailing space", "100722D25,03NOV NONREF", "-25.03", "2010-07-22", "", false, "NOV ",
     "NONREF", ""},
    {"no type code, bank reference only", "2011301130CN220000,00//19239782213", "220000.00", "2020-11-30",
     "2020-11-30", false, "", "", "19239782213"},
    {"zero-padded amount with a decimal point", "030109C000000000300.00NMSC170059286", "300.00", "2003-01-09",
     "", false, "NMSC", "170059286", ""},
    {"reference padded with spaces", "130101D000000000025,00N102EREF            ", "-25.00", "2013-01-01", "",
     false, "N102", "EREF", ""},
    {"entry date in the next year", "2312310102C20,00NTRFNONREF", "20.00", "2023-12-31", "2024-01-02", false,
     "NTRF", "NONREF", ""},
    {"entry date in the previous year", "2401021231D10,00NTRFNONREF", "-10.00", "2024-01-02", "2023-12-31",
     false, "NTRF", "NONREF", ""},
    {"30 February clamped to the month's end", "1602300301DR6,00N024NONREF", "-6.00", "2016-02-29",
     "2016-03-01", false, "N024", "NONREF", ""},
    {"line broken after the mark", "1811261126CR\r\n30,00N062NONREF", "30.00", "2018-11-26", "2018-11-26",
     false, "N062", "NONREF", ""},
};

TEST(Mt940StatementLine, parses_every_variant) {
  for (const LineCase& c : kLines) {
    const auto out = parse(statement(std::string(":61:") + c.line + "\r\n"));
    ASSERT_OK(out);
    const domain::Entry& e = first_entry(*out);
    EXPECT_EQ(e.amount.to_string(), c.amount) << c.description;
    EXPECT_EQ(e.value_date ? e.value_date->iso() : "", c.value_date) << c.description;
    EXPECT_EQ(e.booking_date ? e.booking_date->iso() : "", c.booking_date) << c.description;
    EXPECT_EQ(e.reversal, c.reversal) << c.description;
    EXPECT_EQ(e.transaction_code.swift.value_or(""), c.swift) << c.description;
    EXPECT_EQ(e.customer_reference.value_or(""), c.customer_ref) << c.description;
    EXPECT_EQ(e.bank_reference.value_or(""), c.bank_ref) << c.description;
  }
}

TEST(Mt940StatementLine, uses_the_currency_of_the_opening_balance) {
  const auto out = parse(statement(":61:2012011201DD80,NMSC25594900\r\n", ":60F:C201201JPY35122,"));
  ASSERT_OK(out);
  EXPECT_EQ(first_entry(*out).amount.to_string(), "-80");
  EXPECT_EQ(first_entry(*out).amount.currency().str(), "JPY");
}

TEST(Mt940StatementLine, supplementary_details_give_original_amount_and_charges) {
  const auto out = parse(
      statement(":61:2006080608D12,35NRTIKREF+//2016021783252833\r\n/OCMT/EUR11,85//CHGS/EUR0,50/\r\n"));
  ASSERT_OK(out);
  const auto& e = first_entry(*out);
  ASSERT_TRUE(e.original_amount && e.charges);
  EXPECT_EQ(e.original_amount->to_string(), "11.85");
  EXPECT_EQ(e.charges->to_string(), "0.50");
}

TEST(Mt940StatementLine, supplementary_iban_is_the_counterparty) {
  const auto out = parse(statement(":61:130101D25,00N102EREF\r\nNL70ABNA0987654321\r\n"));
  ASSERT_OK(out);
  EXPECT_EQ(first_entry(*out).counterparty.iban.value_or(""), "NL70ABNA0987654321");
}

TEST(Mt940StatementLine, other_supplementary_text_is_the_posting_text) {
  const auto out =
      parse(statement(":61:1701190119CN0,01NTRFNONREF//MB1\r\n911-TRANSAKCJA IPH\r\n:86:free text\r\n"));
  ASSERT_OK(out);
  EXPECT_EQ(first_entry(*out).posting_text.value_or(""), "911-TRANSAKCJA IPH");
  EXPECT_EQ(first_entry(*out).remittance.value_or(""), "free text");
}

struct BadLine {
  const char* description;
  const char* line;
  const char* where;  ///< expected "t.sta:L:C (byte N, :61:)"
  const char* message;
};

// Line 5 is the :61: line in statement(); column 5 is the first character after the tag.
const BadLine kBadLines[] = {
    {"letters in the amount", "2401310131D12x0NTRFNONREF", "t.sta:5:16 (byte 91, :61:)",
     "invalid amount '12x0'"},
    {"two decimal commas", "2401310131C12,3,4NTRF", "t.sta:5:16 (byte 91, :61:)", "invalid amount '12,3,4'"},
    {"no amount at all", "2401310131CNTRFNONREF", "t.sta:5:16 (byte 91, :61:)", "invalid amount ''"},
    {"bad mark", "2401310131X12,00NTRF", "t.sta:5:15 (byte 90, :61:)",
     "invalid debit/credit mark 'X1' (expected C, D, RC or RD)"},
    {"short value date", "24013", "t.sta:5:5 (byte 80, :61:)", "invalid value date '24013'"},
    {"month 13", "2413310131C1,00NTRF", "t.sta:5:5 (byte 80, :61:)", "invalid value date '241331'"},
    {"impossible entry date", "2401311332C1,00NTRF", "t.sta:5:11 (byte 86, :61:)",
     "invalid entry date '1332'"},
    {"bad transaction type", "2401310131C1,00 XTRFNONREF", "t.sta:5:21 (byte 96, :61:)",
     "invalid transaction type 'XTRF' (expected N, F or S and 3 characters)"},
};

TEST(Mt940StatementLine, reports_bad_fields_with_position) {
  for (const BadLine& c : kBadLines) {
    const auto out = parse(statement(std::string(":61:") + c.line + "\r\n"));
    ASSERT_FALSE(out) << c.description;
    EXPECT_EQ(out.error().where, c.where) << c.description;
    EXPECT_EQ(out.error().message, c.message) << c.description;
    EXPECT_EQ(out.error().code, Errc::invalid_input) << c.description;
  }
}

TEST(Mt940StatementLine, lenient_mode_rejects_the_record_and_its_purpose) {
  const std::string text = statement(
      ":61:2401310131D12x0NTRFNONREF\r\n:86:166?00BAD\r\n:61:2401310131C5,00NTRFNONREF\r\n:86:166?00GOOD\r\n",
      ":60F:C240130EUR100,00", ":62F:C240131EUR105,00");
  const auto out = parse(text, {.lenient = true});
  ASSERT_OK(out);
  ASSERT_EQ(out->statements.size(), 1u);
  ASSERT_EQ(out->statements[0].entries.size(), 1u);
  EXPECT_EQ(out->statements[0].entries[0].posting_text.value_or(""), "GOOD");
  ASSERT_EQ(out->rejected.size(), 1u);
  EXPECT_EQ(out->rejected[0].pos.line, 5u);
  EXPECT_EQ(out->rejected[0].pos.column, 16u);
  EXPECT_EQ(out->rejected[0].pos.locator, ":61:");
  EXPECT_EQ(out->rejected[0].message, "invalid amount '12x0'");
  EXPECT_TRUE(out->statements[0].warnings.empty());
}

TEST(Mt940StatementLine, lenient_mode_stays_linear_with_many_rejects) {
  std::string body;
  constexpr int kBad = 20000;
  for (int i = 0; i < kBad; ++i) body += ":61:2401310131D1x0NTRFNONREF\r\n:86:bad\r\n";
  const auto out = parse(statement(body), {.lenient = true});
  ASSERT_OK(out);
  ASSERT_EQ(out->rejected.size(), static_cast<std::size_t>(kBad));
  EXPECT_EQ(out->rejected.back().pos.line, 5u + 2 * (kBad - 1));
  EXPECT_EQ(out->rejected.back().pos.column, 16u);
  const std::string text = statement(body);
  EXPECT_EQ(out->rejected.back().pos.byte, locate(text, out->rejected.back().pos.byte).byte);
  EXPECT_EQ(out->rejected.back().pos.line, locate(text, out->rejected.back().pos.byte).line);
}

}  // namespace
}  // namespace bankrec::formats
