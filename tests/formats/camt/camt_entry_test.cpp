// Entry-level rules of the CAMT parser: signs, amounts, statuses, dates, codes, TxDtls mapping,
// counterparty choice, returns and batch bookings.
#include "camt_test_util.h"

namespace bankrec::formats {
namespace {

using camt_test::entry;
using camt_test::parse;
using camt_test::statement_doc;
using ::testing::HasSubstr;

const domain::Entry& only_entry(const Result<ParseOutput>& out) {
  static const domain::Entry kNone;
  if (!out || out->statements.size() != 1 || out->statements[0].entries.size() != 1) {
    ADD_FAILURE() << (out ? "unexpected shape" : out.error().describe());
    return kNone;
  }
  return out->statements[0].entries[0];
}

TEST(CamtEntry, amounts_signed_by_direction_and_currency_digits) {
  struct Case {
    const char* description;
    const char* amount;
    const char* direction;
    const char* ccy;
    const char* expected;
  };
  const Case cases[] = {
      {"credit is positive", "1190.00", "CRDT", "EUR", "1190.00"},
      {"debit is negative", "12.5", "DBIT", "EUR", "-12.50"},
      {"JPY has no decimals", "1200", "CRDT", "JPY", "1200"},
      {"KWD has three", "1.25", "DBIT", "KWD", "-1.250"},
      {"zeros beyond the exponent are fine", "8.850", "CRDT", "EUR", "8.85"},
      {"blanks around the value", " 7.00\n", "CRDT", "EUR", "7.00"},
  };
  for (const auto& c : cases) {
    const auto out = parse(statement_doc(entry(c.amount, c.direction, "", c.ccy)));
    ASSERT_OK(out);
    EXPECT_EQ(only_entry(out).amount.to_string(), c.expected) << c.description;
    EXPECT_EQ(only_entry(out).amount.currency().str(), c.ccy) << c.description;
  }
}

TEST(CamtEntry, rejects_bad_amounts_naming_the_element) {
  struct Case {
    const char* description;
    const char* amount;
    const char* message;
  };
  const Case cases[] = {
      {"too many digits", "8.855", "invalid amount '8.855' for EUR"},
      {"signed", "-5.00", "invalid amount '-5.00'"},
      {"comma", "5,00", "invalid amount '5,00'"},
      {"empty", "", "invalid amount ''"},
  };
  for (const auto& c : cases) {
    const auto out = parse(statement_doc(entry("1.00", "CRDT") + entry(c.amount, "DBIT")));
    ASSERT_FALSE(out) << c.description;
    EXPECT_THAT(out.error().message, HasSubstr(c.message)) << c.description;
    EXPECT_THAT(out.error().where, HasSubstr("Stmt[1]/Ntry[2]/Amt")) << c.description;
    EXPECT_EQ(out.error().line, 9u) << c.description;
  }
}

TEST(CamtEntry, unknown_currency_is_a_warning_with_two_decimals) {
  const auto out = parse(statement_doc(entry("3.10", "CRDT", "", "XQQ")));
  ASSERT_OK(out);
  EXPECT_EQ(only_entry(out).amount.to_string(), "3.10");
  ASSERT_EQ(out->statements[0].warnings.size(), 1u);
  EXPECT_THAT(out->statements[0].warnings[0], HasSubstr("unknown currency 'XQQ'"));
}

TEST(CamtEntry, missing_amount_or_direction_fails) {
  auto out = parse(statement_doc("<Ntry><CdtDbtInd>CRDT</CdtDbtInd></Ntry>\n"));
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("entry without Amt"));
  out = parse(statement_doc("<Ntry><Amt Ccy=\"EUR\">1.00</Amt></Ntry>\n"));
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("entry without CdtDbtInd"));
  out = parse(statement_doc("<Ntry><Amt>1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>\n"));
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("amount without a Ccy attribute"));
  out = parse(statement_doc(entry("1.00", "CRD")));
  EXPECT_ERR(out, Errc::invalid_input, HasSubstr("invalid CdtDbtInd 'CRD'"));
}

TEST(CamtEntry, status_in_old_and_new_form) {
  struct Case {
    const char* sts;
    domain::EntryStatus expected;
  };
  const Case cases[] = {{"<Sts>BOOK</Sts>", domain::EntryStatus::booked},
                        {"<Sts>PDNG</Sts>", domain::EntryStatus::pending},
                        {"<Sts><Cd>INFO</Cd></Sts>", domain::EntryStatus::info},
                        {"<Sts>\n  <Cd>PDNG</Cd>\n</Sts>", domain::EntryStatus::pending},
                        {"<Sts><Cd>FUTR</Cd></Sts>", domain::EntryStatus::pending}};
  for (const auto& c : cases) {
    const std::string doc = statement_doc(
        std::string("<Ntry><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>") + c.sts + "</Ntry>\n");
    const auto out = parse(doc);
    ASSERT_OK(out);
    EXPECT_EQ(only_entry(out).status, c.expected) << c.sts;
  }
  const auto bad =
      parse(statement_doc("<Ntry><Amt Ccy=\"EUR\">1</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>XXXX</Sts></Ntry>"));
  EXPECT_ERR(bad, Errc::invalid_input, HasSubstr("unknown entry status 'XXXX'"));
}

TEST(CamtEntry, dates_as_date_or_date_time) {
  const auto out = parse(statement_doc(
      "<Ntry><Amt "
      "Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><DtTm>2024-01-31T23:59:59+01:00</DtTm>"
      "</BookgDt><ValDt><Dt>2024-02-01</Dt></ValDt></Ntry>\n"));
  ASSERT_OK(out);
  EXPECT_EQ(only_entry(out).booking_date->iso(), "2024-01-31");
  EXPECT_EQ(only_entry(out).value_date->iso(), "2024-02-01");
  const auto bad = parse(statement_doc(
      "<Ntry><Amt "
      "Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><ValDt><Dt>2024-02-30</Dt></ValDt></Ntry>\n"));
  EXPECT_ERR(bad, Errc::invalid_input, HasSubstr("invalid date '2024-02-30'"));
}

TEST(CamtEntry, bank_reference_prefers_account_servicer_reference) {
  auto out =
      parse(statement_doc(entry("1.00", "CRDT", "<NtryRef>N1</NtryRef><AcctSvcrRef>A1</AcctSvcrRef>")));
  EXPECT_EQ(only_entry(out).bank_reference, "A1");
  out = parse(statement_doc(entry("1.00", "CRDT", "<NtryRef>N1</NtryRef>")));
  EXPECT_EQ(only_entry(out).bank_reference, "N1");
  out = parse(statement_doc(entry("1.00", "CRDT")));
  EXPECT_EQ(only_entry(out).bank_reference, std::nullopt);
}

TEST(CamtEntry, transaction_codes_iso_and_german_proprietary) {
  const auto out = parse(statement_doc(
      entry("1.00", "CRDT",
            "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>"
            "<Prtry><Cd>NTRF+166+931</Cd><Issr>DK</Issr></Prtry></BkTxCd><AddtlNtryInf>SEPA-GUTSCHRIFT</"
            "AddtlNtryInf>")));
  const auto& tc = only_entry(out).transaction_code;
  EXPECT_EQ(tc.iso, "PMNT-RCDT-ESCT");
  EXPECT_EQ(tc.proprietary, "NTRF+166+931");
  EXPECT_EQ(tc.swift, "NTRF");
  EXPECT_EQ(tc.gvc, "166");
  EXPECT_EQ(only_entry(out).posting_text, "SEPA-GUTSCHRIFT");

  const auto other =
      parse(statement_doc(entry("1.00", "CRDT", "<BkTxCd><Prtry><Cd>Z04</Cd></Prtry></BkTxCd>")));
  EXPECT_EQ(only_entry(other).transaction_code.proprietary, "Z04");
  EXPECT_EQ(only_entry(other).transaction_code.gvc, std::nullopt);
  EXPECT_EQ(only_entry(other).transaction_code.iso, std::nullopt);
}

// A credit: the debtor paid the holder, so the debtor is the counterparty (001.08 Pty wrapper).
TEST(CamtEntry, single_transaction_details_fill_the_entry) {
  const auto out = parse(statement_doc(entry(
      "1190.00", "CRDT",
      "<NtryDtls><TxDtls><Refs><InstrId>I1</InstrId><EndToEndId>E2E-1</EndToEndId><MndtId>M-7</MndtId></Refs>"
      "<RltdPties><Dbtr><Pty><Nm>Hans Beispiel</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>DE02 1203 0000 0000 2020 "
      "51</IBAN>"
      "</Id></DbtrAcct><Cdtr><Pty><Nm>Muster GmbH</Nm><Id><PrvtId><Othr><Id>DE98ZZZ09999999999</Id><SchmeNm>"
      "<Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></Pty></Cdtr>"
      "<CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct></RltdPties>"
      "<RltdAgts><DbtrAgt><FinInstnId><BICFI>BYLADEM1001</BICFI></FinInstnId></DbtrAgt></RltdAgts>"
      "<RmtInf><Ustrd>Rechnung 4711</Ustrd><Ustrd>Kd 12</Ustrd><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd>"
      "</CdOrPrtry></Tp><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls>")));
  const auto& e = only_entry(out);
  EXPECT_EQ(e.end_to_end_id, "E2E-1");
  EXPECT_EQ(e.customer_reference, "I1");
  EXPECT_EQ(e.mandate_id, "M-7");
  EXPECT_EQ(e.creditor_id, "DE98ZZZ09999999999");
  EXPECT_EQ(e.counterparty.name, "Hans Beispiel");
  EXPECT_EQ(e.counterparty.iban, "DE02120300000000202051");
  EXPECT_EQ(e.counterparty.bic, "BYLADEM1001");
  EXPECT_EQ(e.remittance, "Rechnung 4711 Kd 12");
  EXPECT_EQ(e.structured_reference, "RF18539007547034");
  EXPECT_TRUE(e.details.empty());
  EXPECT_TRUE(out->statements[0].warnings.empty()) << out->statements[0].warnings[0];
}

// A debit: the creditor is the counterparty (001.02 form, parties without Pty).
TEST(CamtEntry, debit_takes_the_creditor_and_foreign_amounts) {
  const auto out = parse(statement_doc(
      entry("93.10", "DBIT",
            "<NtryDtls><TxDtls><AmtDtls><InstdAmt><Amt Ccy=\"USD\">100.00</Amt></InstdAmt><TxAmt><Amt "
            "Ccy=\"EUR\">93.10</Amt>"
            "</TxAmt></AmtDtls><Chrgs><TtlChrgsAndTaxAmt Ccy=\"EUR\">1.50</TtlChrgsAndTaxAmt></Chrgs>"
            "<RltdPties><Dbtr><Nm>Holder</Nm></Dbtr><Cdtr><Nm>ACME "
            "Inc</Nm></Cdtr><CdtrAcct><Id><Othr><Id>123456789</Id>"
            "</Othr></Id></CdtrAcct></RltdPties></TxDtls></NtryDtls>")));
  const auto& e = only_entry(out);
  EXPECT_EQ(e.counterparty.name, "ACME Inc");
  EXPECT_EQ(e.counterparty.account, "123456789");
  ASSERT_TRUE(e.original_amount);
  EXPECT_EQ(e.original_amount->to_string(), "-100.00");
  EXPECT_EQ(e.original_amount->currency().str(), "USD");
  ASSERT_TRUE(e.charges);
  EXPECT_EQ(e.charges->to_string(), "-1.50");
}

// A returned direct debit (MD06): booked as a debit, but the parties keep their original roles,
// so the counterparty is still the debtor; the original end-to-end id comes from Refs.
TEST(CamtEntry, return_keeps_original_roles) {
  const auto out = parse(statement_doc(entry(
      "50.00", "DBIT",
      "<NtryDtls><TxDtls><Refs><EndToEndId>E2E-ORIG</EndToEndId></Refs><RltdPties><Dbtr><Nm>Kunde</Nm></Dbtr>"
      "<DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct><Cdtr><Nm>Holder</Nm></Cdtr>"
      "<CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct></RltdPties>"
      "<RtrInf><Rsn><Cd>MD06</Cd></Rsn><AddtlInf>Widerspruch</AddtlInf><AddtlInf>durch "
      "Zahler</AddtlInf></RtrInf>"
      "</TxDtls></NtryDtls>")));
  const auto& e = only_entry(out);
  EXPECT_EQ(e.counterparty.name, "Kunde");
  ASSERT_TRUE(e.return_info);
  EXPECT_EQ(e.return_info->reason, "MD06");
  EXPECT_EQ(e.return_info->original_end_to_end_id, "E2E-ORIG");
  EXPECT_EQ(e.return_info->info, "Widerspruch durch Zahler");
}

// The bank names the holder as debtor of a credit (swapped roles): the other side is taken.
TEST(CamtEntry, own_account_is_never_the_counterparty) {
  const auto out =
      parse(statement_doc(entry("5.00", "CRDT",
                                "<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Holder</Nm></"
                                "Dbtr><DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN>"
                                "</Id></DbtrAcct><Cdtr><Nm>Other</Nm></"
                                "Cdtr><CdtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></CdtrAcct>"
                                "</RltdPties></TxDtls></NtryDtls>")));
  EXPECT_EQ(only_entry(out).counterparty.name, "Other");
}

TEST(CamtEntry, reversal_indicator_keeps_the_booked_sign) {
  const auto out = parse(statement_doc(entry("20.00", "DBIT", "<RvslInd>true</RvslInd>")));
  EXPECT_TRUE(only_entry(out).reversal);
  EXPECT_EQ(only_entry(out).amount.to_string(), "-20.00");
}

TEST(CamtEntry, batch_booking_gives_details_with_their_own_amounts) {
  std::string txs;
  for (int i = 1; i <= 3; ++i)
    txs += "<TxDtls><Refs><EndToEndId>E" + std::to_string(i) + "</EndToEndId></Refs><Amt Ccy=\"EUR\">" +
           std::to_string(i * 10) + ".00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RltdPties><Cdtr><Nm>Payee " +
           std::to_string(i) + "</Nm></Cdtr></RltdPties><RmtInf><Ustrd>Lohn " + std::to_string(i) +
           "</Ustrd></RmtInf></TxDtls>";
  const auto out = parse(statement_doc(
      entry("60.00", "DBIT",
            "<NtryDtls><Btch><PmtInfId>PMT-1</PmtInfId><NbOfTxs>3</NbOfTxs></Btch>" + txs + "</NtryDtls>")));
  const auto& e = only_entry(out);
  EXPECT_EQ(e.amount.to_string(), "-60.00");
  EXPECT_EQ(e.end_to_end_id, std::nullopt);
  EXPECT_EQ(e.customer_reference, "PMT-1");
  ASSERT_EQ(e.details.size(), 3u);
  EXPECT_EQ(e.details[1].amount->to_string(), "-20.00");
  EXPECT_EQ(e.details[1].end_to_end_id, "E2");
  EXPECT_EQ(e.details[1].counterparty.name, "Payee 2");
  EXPECT_EQ(e.details[2].remittance, "Lohn 3");
}

// Counterparty IBANs are checked once per distinct valid IBAN (a small cache): an invalid one is
// reported every time it occurs, also after a valid IBAN that differs only in its check digits.
TEST(CamtEntry, every_invalid_counterparty_iban_is_reported) {
  const auto debtor = [](std::string_view iban) {
    return entry("1.00", "CRDT",
                 "<NtryDtls><TxDtls><RltdPties><DbtrAcct><Id><IBAN>" + std::string(iban) +
                     "</IBAN></Id></DbtrAcct></RltdPties></TxDtls></NtryDtls>");
  };
  const std::string valid = "DE02120300000000202051";
  const std::string invalid = "DE03120300000000202051";  // same account, wrong check digits
  const auto out = parse(statement_doc(debtor(valid) + debtor(invalid) + debtor(valid) + debtor(invalid) +
                                       debtor("de02 1203 0000 0000 2020 51")));
  ASSERT_OK(out);
  const auto& s = out->statements.at(0);
  ASSERT_EQ(s.entries.size(), 5u);
  EXPECT_EQ(s.entries[4].counterparty.iban, valid);
  std::size_t reported = 0;
  for (const auto& w : s.warnings) {
    EXPECT_THAT(w, HasSubstr("counterparty IBAN '" + invalid + "'"));
    ++reported;
  }
  EXPECT_EQ(reported, 2u);
}

}  // namespace
}  // namespace bankrec::formats
