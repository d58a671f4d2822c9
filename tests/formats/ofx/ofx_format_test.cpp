// The OFX format as the registry sees it: sniffing, 1.x SGML and 2.x XML, several statements,
// charsets, time zones, sub-cent amounts and precise errors. Whole files are golden tests
// (tests/fixtures/formats/ofx/); these cases pin single behaviours.
#include "bankrec/formats/format_registry.h"
#include "bankrec/testing/testing.h"

namespace bankrec::formats {
namespace {

using ::testing::HasSubstr;

const FormatSpec& ofx() {
  static const FormatRegistry registry = [] {
    FormatRegistry r;
    register_builtin_formats(r);
    return r;
  }();
  return *registry.find("ofx");
}

Result<ParseOutput> parse(std::string_view text, ParseOptions options = {}) {
  if (options.file_name.empty()) options.file_name = "t.ofx";
  return parse_collect(ofx(), as_bytes(text), options);
}

constexpr std::string_view kHeader =
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
    "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n";

/// One SGML bank statement around the given STMTTRN lines.
std::string sgml(std::string_view transactions, std::string_view header = kHeader) {
  std::string s(header);
  s += "<OFX>\n<BANKMSGSRSV1>\n<STMTTRNRS>\n<TRNUID>1\n<STMTRS>\n<CURDEF>EUR\n<BANKACCTFROM>\n<BANKID>"
       "10020030\n"
       "<ACCTID>1234\n<ACCTTYPE>CHECKING\n</"
       "BANKACCTFROM>\n<BANKTRANLIST>\n<DTSTART>20240101\n<DTEND>20240131\n";
  s += transactions;
  s += "</BANKTRANLIST>\n<LEDGERBAL>\n<BALAMT>1.00\n<DTASOF>20240131\n</LEDGERBAL>\n</STMTRS>\n</STMTTRNRS>\n"
       "</BANKMSGSRSV1>\n</OFX>\n";
  return s;
}

TEST(OfxFormat, sniff_knows_its_headers_and_leaves_other_formats_alone) {
  const auto sniff = [](std::string_view s) { return ofx().sniff(as_bytes(s)); };
  EXPECT_EQ(sniff(sgml("")), 100);
  EXPECT_EQ(sniff("\xEF\xBB\xBF\r\n  OFXHEADER:100\n"), 100);
  EXPECT_EQ(sniff("<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\" VERSION=\"220\"?>\n<OFX>"), 100);
  EXPECT_EQ(sniff("\n\n<OFX>\n<SIGNONMSGSRSV1>"), 90);
  EXPECT_EQ(sniff("<!--\nOFXHEADER:100\n-->\n<OFX><SIGNONMSGSRSV1>"), 90);
  const char* const kOthers[] = {
      "<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"/>",
      ":20:STARTUMSE\r\n:25:DE89370400440532013000\r\n:60F:C240130EUR1,00\r\n",
      "Buchungstag;Valuta;Betrag\n31.01.2024;31.01.2024;12,50\n",
      "Date,Description,Amount\n2024-01-31,\"<OFX> export\",1.00\n",
      "!Type:Bank\nD01/02/24\nT-1.00\n^\n",
      "%PDF-1.4\n",
      "",
  };
  for (const char* other : kOthers) EXPECT_EQ(sniff(other), 0) << other;
}

TEST(OfxFormat, registry_detects_ofx_and_qfx) {
  FormatRegistry registry;
  register_builtin_formats(registry);
  const std::string text = sgml("");
  const FormatSpec* found = registry.detect(as_bytes(text));
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->id, "ofx");
}

TEST(OfxFormat, sgml_leaves_without_end_tags_and_entry_fields) {
  const auto out = parse(sgml(
      "<STMTTRN>\n<TRNTYPE>CHECK\n<DTPOSTED>20240131120000.000[-5:EST]\n<DTAVAIL>20240201\n<TRNAMT>-1,234.5\n"
      "<FITID>F1\n<CHECKNUM>0042\n<PAYEE>\n<NAME>Stadtwerke\n<CITY>X\n</PAYEE>\n<MEMO>Abschlag &amp; "
      "mehr\n</STMTTRN>\n"));
  // "-1,234.5" has two separators: not an OFX amount.
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().where,
            "t.ofx:29:1 (byte 406, OFX/BANKMSGSRSV1/STMTTRNRS/STMTRS/BANKTRANLIST/STMTTRN/TRNAMT)");
  EXPECT_EQ(out.error().message, "invalid TRNAMT '-1,234.5'");

  const auto good = parse(sgml(
      "<STMTTRN>\n<TRNTYPE>CHECK\n<DTPOSTED>20240131120000.000[-5:EST]\n<DTAVAIL>20240201\n<TRNAMT>-1234,5\n"
      "<FITID>F1\n<CHECKNUM>0042\n<PAYEE>\n<NAME>Stadtwerke\n<CITY>X\n</PAYEE>\n<MEMO>Abschlag &amp; "
      "mehr\n</STMTTRN>\n"));
  ASSERT_OK(good);
  EXPECT_EQ(good->format, "ofx-1.02");
  ASSERT_EQ(good->statements.size(), 1u);
  const auto& s = good->statements[0];
  EXPECT_EQ(s.account.number, "1234");
  EXPECT_EQ(s.account.bank_code, "10020030");
  EXPECT_EQ(s.account.currency, "EUR");
  ASSERT_EQ(s.entries.size(), 1u);
  const auto& e = s.entries[0];
  EXPECT_EQ(e.amount.to_string(), "-1234.50");
  EXPECT_EQ(e.booking_date->iso(), "2024-01-31");
  EXPECT_EQ(e.value_date->iso(), "2024-02-01");
  EXPECT_EQ(e.bank_reference, "F1");
  EXPECT_EQ(e.customer_reference, "0042");
  EXPECT_EQ(e.transaction_code.proprietary, "CHECK");
  EXPECT_EQ(e.counterparty.name, "Stadtwerke");
  EXPECT_EQ(e.remittance, "Abschlag & mehr");
  ASSERT_TRUE(s.closing_balance);
  EXPECT_EQ(s.closing_balance->amount.to_string(), "1.00");
  EXPECT_EQ(s.closing_balance->type, "LEDGERBAL");
}

TEST(OfxFormat, server_time_with_zone_becomes_created_at) {
  std::string text = sgml("");
  text.insert(text.find("<BANKMSGSRSV1>"),
              "<SIGNONMSGSRSV1>\n<SONRS>\n<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n"
              "<DTSERVER>20240201061500.000[+1:CET]\n<LANGUAGE>DEU\n</SONRS>\n</SIGNONMSGSRSV1>\n");
  const auto out = parse(text);
  ASSERT_OK(out);
  EXPECT_EQ(out->statements[0].created_at, "2024-02-01T06:15:00.000+01:00");
}

TEST(OfxFormat, cp1252_text_becomes_utf8) {
  const auto out =
      parse(sgml("<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>20240110\n<TRNAMT>-1.00\n<FITID>1\n"
                 "<NAME>M\xFCller \x80\n</STMTTRN>\n"));
  ASSERT_OK(out);
  EXPECT_EQ(out->statements[0].entries[0].counterparty.name, "M\xC3\xBCller \xE2\x82\xAC");
}

TEST(OfxFormat, forced_encoding_overrides_the_header) {
  const auto out = parse(sgml("<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>20240110\n<TRNAMT>-1.00\n<FITID>1\n"
                              "<NAME>\xA4\n</STMTTRN>\n"),
                         {.encoding = "iso-8859-15"});
  ASSERT_OK(out);
  EXPECT_EQ(out->statements[0].entries[0].counterparty.name, "\xE2\x82\xAC");
}

TEST(OfxFormat, sub_cent_amounts_widen_the_statement_exponent) {
  const auto out =
      parse(sgml("<STMTTRN>\n<TRNTYPE>DEP\n<DTPOSTED>20240110\n<TRNAMT>+00000000000115.8331\n<FITID>1\n"
                 "</STMTTRN>\n<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>20240110\n<TRNAMT>-1500.0000\n"
                 "<FITID>2\n</STMTTRN>\n"));
  ASSERT_OK(out);
  const auto& s = out->statements[0];
  EXPECT_EQ(s.entries[0].amount.to_string(), "115.8331");
  EXPECT_EQ(s.entries[1].amount.to_string(), "-1500.0000");
  EXPECT_EQ(s.closing_balance->amount.to_string(), "1.0000");
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_EQ(s.warnings[0], "amounts carry up to 4 decimals, more than EUR's 2; kept exactly");
}

TEST(OfxFormat, errors_name_line_column_and_element) {
  struct Case {
    std::string text;
    const char* where;
    const char* message;
  } const cases[] = {
      {sgml("<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>20241310\n<TRNAMT>-1.00\n</STMTTRN>\n"),
       "t.ofx:27:1 (byte 351, OFX/BANKMSGSRSV1/STMTTRNRS/STMTRS/BANKTRANLIST/STMTTRN/DTPOSTED)",
       "invalid DTPOSTED '20241310' (month 13)"},
      {sgml("<STMTTRN>\n<TRNTYPE>DEBIT\n</STMTTRN>\n"),
       "t.ofx:25:1 (byte 326, OFX/BANKMSGSRSV1/STMTTRNRS/STMTRS/BANKTRANLIST/STMTTRN)",
       "STMTTRN without TRNAMT"},
      {sgml("</STMTTRN>\n"), "t.ofx:25:1 (byte 326, </STMTTRN>)",
       "end tag </STMTTRN> matches no open element (open: <BANKTRANLIST>)"},
      {sgml("").substr(0, sgml("").find("</BANKTRANLIST>")), "t.ofx:25:1 (byte 326, <BANKTRANLIST>)",
       "end of input inside <BANKTRANLIST> opened at line 22 (is the file truncated?)"},
      {sgml("").substr(0, 340), "t.ofx:25:15 (byte 340, </BANKTRANLIST)", "end tag is not closed with '>'"},
      {std::string(kHeader) + "<OFX>\n<A>x</A>\n</OFX>\n<garbage", "", ""},
      {"OFXHEADER:100\nDATA:OFXXML\n\n<OFX></OFX>", "t.ofx:2:1 (byte 14, header)",
       "DATA:OFXXML is not supported (expected OFXSGML)"},
      {"OFXHEADER:100\nCHARSET:KOI8-R\n\n<OFX></OFX>", "t.ofx:2:1 (byte 14, header)",
       "unsupported charset 'KOI8-R'"},
      {"OFXHEADER:100\nENCODING:UTF-8\n\n<OFX><X>\xFF</X></OFX>", "t.ofx:4:9 (byte 38)",
       "invalid utf-8 byte 0xff (the file declares utf-8)"},
      {"hello", "t.ofx:1:1 (byte 0)", "unexpected text 'hello' between elements"},
      {"<OFX>\n<A>1\n</OFX>\n<", "", ""},
      {"<OFX><CURDEF>EUR</OFX>x", "", ""},
      {"<?xml version=\"1.0\"?><Document/>", "t.ofx:1:33 (byte 32)", "no <OFX> element"},
  };
  for (const auto& c : cases) {
    const auto out = parse(c.text);
    if (c.where[0] == '\0') {
      EXPECT_TRUE(static_cast<bool>(out))
          << c.text << ": " << (out ? "" : out.error().describe());  // after </OFX>: ignored
      continue;
    }
    ASSERT_FALSE(out) << c.text;
    EXPECT_EQ(out.error().where, c.where) << c.text;
    EXPECT_EQ(out.error().message, c.message) << c.text;
    EXPECT_EQ(out.error().code, Errc::invalid_input);
  }
}

TEST(OfxFormat, server_errors_without_statements_are_reported) {
  const std::string text =
      std::string(kHeader) +
      "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>15500<SEVERITY>ERROR<MESSAGE>Signon invalid"
      "</STATUS><DTSERVER>20240101</SONRS></SIGNONMSGSRSV1></OFX>";
  const auto out = parse(text);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message,
            "the OFX server reported error 15500 (Signon invalid) and sent no statement");
  EXPECT_EQ(out.error().where, "t.ofx:11:29 (byte 161, OFX/SIGNONMSGSRSV1/SONRS/STATUS)");
}

TEST(OfxFormat, nesting_and_size_are_bounded) {
  std::string deep = "<OFX>";
  for (int i = 0; i < 100; ++i) deep += "<A" + std::to_string(i) + ">";
  EXPECT_ERR(parse(deep), Errc::invalid_input, HasSubstr("nested deeper than 64 levels"));
  EXPECT_ERR(parse(sgml(""), {.max_input_bytes = 100}), Errc::invalid_input,
             HasSubstr("more than the limit of 100"));
  const std::string long_value = "<OFX><MEMO>" + std::string(70000, 'x') + "</OFX>";
  EXPECT_ERR(parse(long_value), Errc::invalid_input, HasSubstr("element value longer than 65536 bytes"));
}

TEST(OfxFormat, lenient_mode_rejects_bad_transactions_and_keeps_the_rest) {
  const auto out =
      parse(sgml("<STMTTRN>\n<TRNTYPE>OTHER\n<DTPOSTED>201120000000\n<TRNAMT>$120\n<FITID>1\n</STMTTRN>\n"
                 "<STMTTRN>\n<TRNTYPE>OTHER\n<DTPOSTED>20240102\n<TRNAMT>5\n<FITID>2\n</STMTTRN>\n"),
            {.lenient = true});
  ASSERT_OK(out);
  ASSERT_EQ(out->statements[0].entries.size(), 1u);
  EXPECT_EQ(out->statements[0].entries[0].bank_reference, "2");
  ASSERT_EQ(out->rejected.size(), 1u);
  EXPECT_EQ(out->rejected[0].pos.line, 25u);
  EXPECT_EQ(out->rejected[0].message, "invalid TRNAMT '$120'");
}

TEST(OfxFormat, many_transactions_arrive_in_batches) {
  std::string trns;
  for (int i = 0; i < 1200; ++i)
    trns +=
        "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240110<TRNAMT>-1.00<FITID>" + std::to_string(i) + "</STMTTRN>\n";
  struct Counting : StatementSink {
    Result<void> set_format(std::string_view) override { return ok(); }
    Result<void> begin_statement(const domain::Statement&) override { return ok(); }
    Result<void> add_entries(std::vector<domain::Entry>& b) override {
      batches.push_back(b.size());
      return ok();
    }
    Result<void> end_statement(const domain::Statement&) override { return ok(); }
    std::vector<std::size_t> batches;
  } sink;
  const std::string text = sgml(trns);
  ASSERT_OK(ofx().parse(as_bytes(text), {.file_name = "t.ofx"}, sink));
  EXPECT_EQ(sink.batches, (std::vector<std::size_t>{512, 512, 176}));
}

}  // namespace
}  // namespace bankrec::formats
