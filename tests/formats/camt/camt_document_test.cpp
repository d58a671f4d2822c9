// Document-level behaviour of the CAMT parser: recognition, versions, statement header and
// balances, safety limits, error positions and the streaming contract with the sink.
#include "camt_test_util.h"

namespace bankrec::formats {
namespace {

using camt_test::balance;
using camt_test::entry;
using camt_test::parse;
using camt_test::spec;
using camt_test::statement_doc;
using ::testing::HasSubstr;

int sniff(std::string_view id, std::string_view text) { return spec(id).sniff(as_bytes(text)); }

TEST(CamtSniff, by_namespace_root_or_prefix) {
  struct Case {
    const char* description;
    std::string head;
    int s052, s053, s054;
  };
  const Case cases[] = {
      {"053 namespace", statement_doc(""), 0, 100, 0},
      {"052 namespace",
       "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.052.001.13\"><BkToCstmrAcctRpt>", 100, 0, 0},
      {"054 namespace", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02\">", 0, 0, 100},
      {"no namespace", "<?xml version=\"1.0\"?><Document><BkToCstmrStmt><GrpHdr>", 0, 90, 0},
      {"prefixed", "<ns2:Document xmlns:ns2=\"urn:x\"><ns2:BkToCstmrDbtCdtNtfctn>", 0, 0, 90},
      {"001.01 root", "<Document><BkToCstmrAcctRptV01>", 90, 0, 0},
      {"mt940", ":20:STARTUMS\n:25:37040044/0532013000\n:28C:1/1\n", 0, 0, 0},
      {"other xml", "<?xml version=\"1.0\"?><OFX><BkToCstmrStmtX/>", 0, 0, 0},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(sniff("camt.052", c.head), c.s052) << c.description;
    EXPECT_EQ(sniff("camt.053", c.head), c.s053) << c.description;
    EXPECT_EQ(sniff("camt.054", c.head), c.s054) << c.description;
  }
}

TEST(CamtSniff, utf16_document) {
  const std::string ascii = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><Document><BkToCstmrStmt>";
  std::string utf16 = "\xFF\xFE";
  for (char c : ascii) {
    utf16 += c;
    utf16 += '\0';
  }
  EXPECT_EQ(sniff("camt.053", utf16), 90);
}

TEST(CamtDocument, format_names_the_version) {
  auto out = parse(statement_doc(""));
  ASSERT_OK(out);
  EXPECT_EQ(out->format, "camt.053.001.08");
  out = parse(statement_doc("", "urn:iso:std:iso:20022:tech:xsd:camt.053.001.13"));
  EXPECT_EQ(out->format, "camt.053.001.13");
  out = parse("<Document><BkToCstmrStmt><Stmt><Id>X</Id></Stmt></BkToCstmrStmt></Document>");
  ASSERT_OK(out);
  EXPECT_EQ(out->format, "camt.053");
  out = parse("<Document><BkToCstmrAcctRptV01><Rpt><Id>X</Id></Rpt></BkToCstmrAcctRptV01></Document>",
              "camt.052");
  ASSERT_OK(out);
  EXPECT_EQ(out->format, "camt.052.001.01");
}

TEST(CamtDocument, prefixed_and_undeclared_prefixes) {
  auto out = parse(
      "<n:Document "
      "xmlns:n=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\"><n:BkToCstmrDbtCdtNtfctn><n:Ntfctn>"
      "<n:Id>N1</n:Id><n:Ntry><n:Amt "
      "Ccy=\"EUR\">5.00</n:Amt><n:CdtDbtInd>DBIT</n:CdtDbtInd></n:Ntry></n:Ntfctn>"
      "</n:BkToCstmrDbtCdtNtfctn></n:Document>",
      "camt.054");
  ASSERT_OK(out);
  EXPECT_EQ(out->format, "camt.054.001.08");
  ASSERT_EQ(out->statements.size(), 1u);
  EXPECT_EQ(out->statements[0].id, "N1");
  EXPECT_EQ(out->statements[0].entries.at(0).amount.to_string(), "-5.00");

  ::testing::internal::CaptureStderr();
  out = parse("<x:Document><x:BkToCstmrStmt><x:Stmt><x:Id>U</x:Id></x:Stmt></x:BkToCstmrStmt></x:Document>");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ASSERT_OK(out);
  EXPECT_EQ(out->statements.at(0).id, "U");
}

TEST(CamtDocument, header_account_and_balances) {
  const std::string doc =
      "<Document "
      "xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><Stmt><Id>STMT-1</Id>"
      "<ElctrncSeqNb>32</ElctrncSeqNb><LglSeqNb>7</LglSeqNb><CreDtTm>2024-02-01T06:01:12+01:00</CreDtTm>"
      "<FrToDt><FrDtTm>2024-01-31T00:00:00</FrDtTm><ToDtTm>2024-01-31T23:59:59</ToDtTm></FrToDt>"
      "<Acct><Id><IBAN>de89370400440532013000</IBAN></Id><Ccy>EUR</Ccy><Nm>Giro</Nm><Ownr><Nm>Muster "
      "GmbH</Nm></Ownr>"
      "<Svcr><FinInstnId><BIC>COBADEFFXXX</BIC><ClrSysMmbId><MmbId>37040044</MmbId></"
      "ClrSysMmbId><Nm>Commerzbank</Nm>"
      "</FinInstnId></Svcr></Acct>" +
      balance("PRCD", "10500.00") + balance("OPBD", "10500.00") + balance("CLAV", "9.00", "DBIT") +
      balance("CLBD", "11690.00") + entry("1190.00", "CRDT") + "</Stmt></BkToCstmrStmt></Document>";
  const auto out = parse(doc);
  ASSERT_OK(out);
  const auto& s = out->statements.at(0);
  EXPECT_EQ(s.id, "STMT-1");
  EXPECT_EQ(s.sequence, "32");
  EXPECT_EQ(s.created_at, "2024-02-01T06:01:12+01:00");
  EXPECT_EQ(s.from_date->iso(), "2024-01-31");
  EXPECT_EQ(s.account.iban, "DE89370400440532013000");
  EXPECT_EQ(s.account.bic, "COBADEFFXXX");
  EXPECT_EQ(s.account.bank_code, "37040044");
  EXPECT_EQ(s.account.owner, "Muster GmbH");
  EXPECT_EQ(s.account.name, "Giro");
  EXPECT_EQ(s.account.servicer, "Commerzbank");
  EXPECT_EQ(s.opening_balance->type, "OPBD");
  EXPECT_EQ(s.closing_balance->amount.to_string(), "11690.00");
  ASSERT_EQ(s.other_balances.size(), 2u);
  EXPECT_EQ(s.other_balances[0].type, "PRCD");
  EXPECT_EQ(s.other_balances[1].amount.to_string(), "-9.00");
  EXPECT_TRUE(s.warnings.empty());
}

TEST(CamtDocument, balance_mismatch_is_a_warning) {
  auto out = parse(statement_doc(balance("PRCD", "10500.00") + balance("CLBD", "11690.00") +
                                 entry("1189.99", "CRDT") + entry("3.00", "CRDT", "<Sts>PDNG</Sts>")));
  ASSERT_OK(out);
  EXPECT_EQ(out->statements[0].opening_balance->type, "PRCD");
  ASSERT_EQ(out->statements[0].warnings.size(), 1u);
  EXPECT_EQ(out->statements[0].warnings[0],
            "opening balance + entries = 11689.99, closing balance = 11690.00");
}

TEST(CamtDocument, several_statements_and_empty_messages) {
  const std::string two = "<Document><BkToCstmrStmt><Stmt><Id>A</Id></Stmt><Stmt><Id>B</Id>" +
                          entry("1.00", "CRDT") + "</Stmt></BkToCstmrStmt></Document>";
  auto out = parse(two);
  ASSERT_OK(out);
  ASSERT_EQ(out->statements.size(), 2u);
  EXPECT_TRUE(out->statements[0].entries.empty());
  EXPECT_EQ(out->statements[1].entries.size(), 1u);

  out = parse("<Document>\n<BkToCstmrStmt>\n<GrpHdr/>\n</BkToCstmrStmt>\n</Document>\n");
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("no Stmt element in BkToCstmrStmt"));
  EXPECT_EQ(out.error().where, "t.xml:2:1 (byte 11, BkToCstmrStmt)");

  out =
      parse("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.052.001.02\"><BkToCstmrStmt/></Document>");
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("names camt.052 but the message is BkToCstmrStmt"));
  out = parse("<Invoice/>");
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("root element 'Invoice' is not a CAMT Document"));
}

TEST(CamtSafety, doctype_and_entities_are_refused) {
  const char* xxe =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE Document [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
      "<Document><BkToCstmrStmt><Stmt><Id>&xxe;</Id></Stmt></BkToCstmrStmt></Document>";
  auto out = parse(xxe);
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("a DOCTYPE is not allowed"));
  EXPECT_EQ(out.error().where, "t.xml:2:1 (byte 22, DOCTYPE)");
  // An undeclared entity without a DOCTYPE is a well-formedness error.
  out = parse("<Document><BkToCstmrStmt><Stmt><Id>&lol;</Id></Stmt></BkToCstmrStmt></Document>");
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("lol"));
}

TEST(CamtSafety, depth_and_size_limits) {
  std::string deep = "<Document><BkToCstmrStmt><Stmt>";
  for (int i = 0; i < 70; ++i) deep += "<X>";
  const auto out = parse(deep);
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("nested deeper than 64 levels"));

  std::string names = "<Document><BkToCstmrStmt><Stmt>";
  for (int i = 0; i < 10100; ++i) names += "<N" + std::to_string(i) + "/>";
  names += "</Stmt></BkToCstmrStmt></Document>";
  EXPECT_ERR(parse(names), Errc::invalid_input, HasSubstr("more than 10000 distinct element names"));

  const std::string doc = statement_doc(entry("1.00", "CRDT"));
  const auto big =
      parse_collect(spec("camt.053"), as_bytes(doc), {.file_name = "t.xml", .max_input_bytes = 100});
  EXPECT_ERR(big, Errc::invalid_input, HasSubstr("more than the limit of 100"));
}

TEST(CamtErrors, truncated_file_names_line_and_column_without_stderr) {
  const std::string doc = statement_doc(entry("1.00", "CRDT") + entry("2.00", "DBIT"));
  const std::string cut = doc.substr(0, doc.find("2.00") + 2);
  ::testing::internal::CaptureStderr();
  const auto out = parse(cut);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("malformed xml"));
  EXPECT_EQ(out.error().line, 9u);
  EXPECT_THAT(out.error().where, HasSubstr("Stmt[1]/Ntry[2]/Amt"));
}

TEST(CamtErrors, encoding_problems_are_errors_not_stderr) {
  ::testing::internal::CaptureStderr();
  const auto bad_utf8 = parse(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document><BkToCstmrStmt><Stmt><Id>\xC3\x28</Id></Stmt>"
      "</BkToCstmrStmt></Document>");
  const std::string doc = statement_doc("");
  const auto unknown =
      parse_collect(spec("camt.053"), as_bytes(doc), {.file_name = "t.xml", .encoding = "NO-SUCH-SET"});
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_ERR(bad_utf8, Errc::invalid_input, HasSubstr("malformed xml"));
  EXPECT_EQ(bad_utf8.error().line, 2u);
  EXPECT_ERR(unknown, Errc::invalid_input, HasSubstr("unknown encoding 'NO-SUCH-SET'"));
}

// Machine-made files are often one line: the column still points at the element.
TEST(CamtErrors, position_in_a_single_line_document) {
  std::string doc = statement_doc(entry("1.00", "CRDT") + entry("2.00", "CRDT") + entry("x", "CRDT"));
  std::erase(doc, '\n');
  const auto out = parse(doc);
  ASSERT_FALSE(out);
  const std::size_t at = doc.find("<Amt Ccy=\"EUR\">x");
  EXPECT_EQ(out.error().where,
            "t.xml:1:" + std::to_string(at + 1) + " (byte " + std::to_string(at) + ", Stmt[1]/Ntry[3]/Amt)");
}

// Lenient mode: a bad entry is rejected with its position and the rest of the file is read;
// the balance check then notices the missing amount.
TEST(CamtLenient, bad_entries_are_rejected_and_skipped) {
  const std::string doc =
      statement_doc(balance("OPBD", "0.00") + balance("CLBD", "11.00") + entry("1.00", "CRDT") +
                    entry("2,00", "CRDT") + entry("5.00", "CRDT", "<Sts>XX</Sts>") + entry("5.00", "CRDT"));
  const auto out = parse_collect(spec("camt.053"), as_bytes(doc), {.file_name = "t.xml", .lenient = true});
  ASSERT_OK(out);
  ASSERT_EQ(out->statements.at(0).entries.size(), 2u);
  ASSERT_EQ(out->rejected.size(), 2u);
  EXPECT_EQ(out->rejected[0].pos.locator, "Stmt[1]/Ntry[2]/Amt");
  EXPECT_EQ(out->rejected[0].pos.line, 11u);
  EXPECT_THAT(out->rejected[0].message, HasSubstr("invalid amount '2,00'"));
  EXPECT_EQ(out->rejected[1].pos.locator, "Stmt[1]/Ntry[3]/Sts[2]");  // entry() already has one Sts
  EXPECT_THAT(out->statements[0].warnings,
              ::testing::ElementsAre("opening balance + entries = 6.00, closing balance = 11.00"));
}

/// Records the call sequence a parser makes.
class RecordingSink final : public StatementSink {
 public:
  Result<void> set_format(std::string_view format) override {
    log += "format " + std::string(format) + "\n";
    return ok();
  }
  Result<void> begin_statement(const domain::Statement& h) override {
    log += "begin " + h.id.value_or("?") + (h.opening_balance ? " opening" : "") + "\n";
    return ok();
  }
  Result<void> add_entries(std::vector<domain::Entry>& batch) override {
    log += "entries " + std::to_string(batch.size()) + "\n";
    return ok();
  }
  Result<void> end_statement(const domain::Statement& h) override {
    log += "end " + std::to_string(h.warnings.size()) + (h.closing_balance ? " closing" : "") + "\n";
    return ok();
  }
  std::string log;
};

TEST(CamtStreaming, entries_arrive_in_batches_between_begin_and_end) {
  std::string body = balance("OPBD", "0.00");
  for (int i = 0; i < 1200; ++i) body += entry("1.00", "CRDT");
  body += balance("CLBD", "1200.00");  // after the entries: only the end header has it
  const std::string doc = statement_doc(body);
  RecordingSink sink;
  ASSERT_OK(spec("camt.053").parse(as_bytes(doc), {.file_name = "t.xml"}, sink));
  EXPECT_EQ(
      sink.log,
      "format camt.053.001.08\nbegin S1 opening\nentries 512\nentries 512\nentries 176\nend 0 closing\n");
}

TEST(CamtStreaming, sink_errors_stop_the_parse) {
  class FailingSink final : public StatementSink {
   public:
    Result<void> set_format(std::string_view) override { return ok(); }
    Result<void> begin_statement(const domain::Statement&) override {
      return fail(Errc::unavailable, "disk full");
    }
    Result<void> add_entries(std::vector<domain::Entry>&) override { return ok(); }
    Result<void> end_statement(const domain::Statement&) override { return ok(); }
  };
  FailingSink sink;
  const std::string doc = statement_doc(entry("1.00", "CRDT"));
  const auto result = spec("camt.053").parse(as_bytes(doc), {}, sink);
  EXPECT_ERR(result, Errc::unavailable, HasSubstr("disk full"));
}

}  // namespace
}  // namespace bankrec::formats
