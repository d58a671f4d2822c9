// The generic XML format: recognition (never CAMT or OFX), profile validation with file:line:key,
// mapping of statements, balances, signs and statuses, lenient mode, and error positions.
#include <gmock/gmock.h>

#include "bankrec/formats/format_registry.h"
#include "bankrec/formats/profile.h"
#include "bankrec/testing/testing.h"
#include "xml/xml_values.h"

namespace bankrec::formats {
namespace {

using ::testing::HasSubstr;

const FormatSpec& xml_spec() {
  static const FormatRegistry registry = [] {
    FormatRegistry r;
    register_builtin_formats(r);
    return r;
  }();
  return *registry.find("xml");
}

// A PSP-style export: two accounts, balances told apart by a child code, a direction attribute.
constexpr const char* kProfile = R"(kind: xml
name: psp-test
description: test profile
detect:
  root: Report
  namespace: urn:example:report:1
statement:
  path: /Report/Account
  fields:
    id: "@id"
    iban: Iban
    currency: Currency
    owner: [Owner/First, Owner/Last]
  opening_balance: {amount: "Balance[Code='OPEN']/Value", date: "Balance[Code='OPEN']/Date", direction: "Balance[Code='OPEN']/Value/@cd"}
  closing_balance: {amount: "Balance[Code='CLOSE']/Value", date: "Balance[Code='CLOSE']/Date", direction: "Balance[Code='CLOSE']/Value/@cd"}
entry:
  path: "Lines/Line[@kind='booking']"
  fields:
    booking_date: Date
    amount: Amount
    currency: Amount/@ccy
    direction: Amount/@cd
    status: "@state"
    remittance: Text
    bank_reference: "@ref"
    counterparty_name: Party
values:
  date_format: YYYYMMDD
  decimal_separator: ","
  thousands_separator: "."
sign:
  debit: [D, DBIT]
  credit: [C]
status:
  pending: [open]
)";

constexpr const char* kDocument = R"(<?xml version="1.0"?>
<r:Report xmlns:r="urn:example:report:1">
  <r:Account id="A-1">
    <r:Iban>DE89 3704 0044 0532 0130 00</r:Iban>
    <r:Currency>EUR</r:Currency>
    <r:Owner><r:First>Muster</r:First><r:Last>Wohnen GmbH</r:Last></r:Owner>
    <r:Balance><r:Code>OPEN</r:Code><r:Value cd="C">1.000,00</r:Value><r:Date>20240131</r:Date></r:Balance>
    <r:Lines>
      <r:Line kind="booking" ref="L1" state="done"><r:Date>20240201</r:Date><r:Amount cd="C">1.190,00</r:Amount>
        <r:Text>Rechnung
            INV-1</r:Text><r:Party>Hans</r:Party></r:Line>
      <r:Line kind="memo"><r:Amount cd="D">5,00</r:Amount></r:Line>
      <r:Line kind="booking" ref="L2" state="open"><r:Date>20240202</r:Date><r:Amount cd="D" ccy="EUR">-12,5</r:Amount></r:Line>
    </r:Lines>
    <r:Balance><r:Code>CLOSE</r:Code><r:Value cd="C">2.177,00</r:Value><r:Date>20240202</r:Date></r:Balance>
  </r:Account>
  <r:Account id="A-2"><r:Currency>JPY</r:Currency>
    <r:Lines><r:Line kind="booking"><r:Date>20240203</r:Date><r:Amount cd="DBIT">1.200</r:Amount></r:Line></r:Lines>
  </r:Account>
</r:Report>
)";

Result<ProfileSet> profiles(const std::string& text = kProfile) {
  return ProfileSet::from_sources({{"etc/profiles/psp-test.yaml", text}});
}

Result<ParseOutput> parse(const std::string& doc, const ProfileSet& set, ParseOptions options = {}) {
  options.file_name = "r.xml";
  options.profiles = &set;
  return parse_collect(xml_spec(), as_bytes(doc), options);
}

TEST(XmlSniff, low_for_xml_and_never_camt_or_ofx) {
  const auto s = [](std::string_view t) { return xml_spec().sniff(as_bytes(t)); };
  EXPECT_EQ(s(kDocument), 5);
  EXPECT_EQ(s("\xEF\xBB\xBF  <objects/>"), 5);
  EXPECT_EQ(s("<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">"),
            0);
  EXPECT_EQ(s("<Document><BkToCstmrStmt>"), 0);
  EXPECT_EQ(s("<?xml version=\"1.0\"?><?OFX OFXHEADER=\"200\" VERSION=\"220\"?><OFX>"), 0);
  EXPECT_EQ(s("OFXHEADER:100\nDATA:OFXSGML\n<OFX>"), 0);
  EXPECT_EQ(s("Buchungstag;Betrag"), 0);
}

TEST(XmlFormat, statements_balances_signs_and_statuses) {
  const auto set = profiles();
  ASSERT_TRUE(set) << set.error().describe();
  const auto out = parse(kDocument, *set);
  ASSERT_TRUE(out) << out.error().describe();
  EXPECT_EQ(out->format, "xml:psp-test");
  ASSERT_EQ(out->statements.size(), 2u);
  const auto& s = out->statements[0];
  EXPECT_EQ(s.id, "A-1");
  EXPECT_EQ(s.account.iban, "DE89370400440532013000");
  EXPECT_EQ(s.account.owner, "Muster Wohnen GmbH");
  ASSERT_TRUE(s.opening_balance && s.closing_balance);
  EXPECT_EQ(s.opening_balance->amount.to_string(), "1000.00");
  EXPECT_EQ(s.opening_balance->date->iso(), "2024-01-31");
  EXPECT_EQ(s.closing_balance->amount.to_string(), "2177.00");
  EXPECT_THAT(s.warnings,
              ::testing::ElementsAre("opening balance + entries = 2177.50, closing balance = 2177.00"));
  ASSERT_EQ(s.entries.size(), 2u);  // the memo line is no booking
  EXPECT_EQ(s.entries[0].amount.to_string(), "1190.00");
  EXPECT_EQ(s.entries[0].remittance, "Rechnung INV-1");
  EXPECT_EQ(s.entries[0].bank_reference, "L1");
  EXPECT_EQ(s.entries[0].booking_date->iso(), "2024-02-01");
  EXPECT_EQ(s.entries[0].status, domain::EntryStatus::booked);
  EXPECT_EQ(s.entries[1].amount.to_string(), "-12.50");  // D makes it negative whatever its own sign
  EXPECT_EQ(s.entries[1].status, domain::EntryStatus::pending);
  const auto& t = out->statements[1];
  EXPECT_EQ(t.id, "A-2");
  ASSERT_EQ(t.entries.size(), 1u);
  EXPECT_EQ(t.entries[0].amount.to_string(), "-1200");
  EXPECT_EQ(t.entries[0].amount.currency().str(), "JPY");
}

TEST(XmlFormat, choosing_and_forcing_profiles) {
  const auto set = profiles();
  ASSERT_TRUE(set);
  std::string other_ns = kDocument;
  other_ns.replace(other_ns.find("report:1"), 8, "report:2");
  const auto wrong = parse(other_ns, *set);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().describe(),
            "r.xml:1:1 (byte 0): no xml profile matches this file (root <Report>, namespace "
            "'urn:example:report:2'); psp-test expects namespace 'urn:example:report:1'");
  const auto forced = parse(other_ns, *set, {.profile = "psp-test"});
  EXPECT_TRUE(forced) << forced.error().describe();
  const auto unknown = parse(kDocument, *set, {.profile = "nope"});
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error().message, HasSubstr("no xml profile named 'nope'"));
  const auto none = parse_collect(xml_spec(), as_bytes(std::string_view(kDocument)), {.file_name = "r.xml"});
  ASSERT_FALSE(none);
  EXPECT_THAT(none.error().message, HasSubstr("no xml bank profile is loaded"));
}

TEST(XmlFormat, bad_entries_fail_with_position_or_are_rejected_when_lenient) {
  const auto set = profiles();
  ASSERT_TRUE(set);
  std::string doc = kDocument;
  doc.replace(doc.find("cd=\"D\" ccy"), 6, "cd=\"X\"");
  const auto strict = parse(doc, *set);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().describe(),
            "r.xml:13:7 (byte 639, Report/Account[1]/Lines[1]/Line[3]/Amount): unknown direction 'X' "
            "(expected 'D', 'DBIT' or 'C')");
  const auto lenient = parse(doc, *set, {.lenient = true});
  ASSERT_TRUE(lenient) << lenient.error().describe();
  EXPECT_EQ(lenient->statements[0].entries.size(), 1u);
  ASSERT_EQ(lenient->rejected.size(), 1u);
  EXPECT_EQ(lenient->rejected[0].pos.locator, "Report/Account[1]/Lines[1]/Line[3]/Amount");
  EXPECT_EQ(lenient->rejected[0].pos.line, 13u);
}

TEST(XmlFormat, hostile_documents) {
  const auto set = profiles();
  ASSERT_TRUE(set);
  const auto doctype =
      parse("<!DOCTYPE Report [<!ENTITY x \"y\">]><Report xmlns=\"urn:example:report:1\"/>", *set);
  ASSERT_FALSE(doctype);
  EXPECT_THAT(doctype.error().message, HasSubstr("a DOCTYPE is not allowed"));
  std::string deep = "<Report xmlns=\"urn:example:report:1\"><Account>";
  for (int i = 0; i < 300; ++i) deep += "<x>";  // skipped subtrees: libxml2's own bound (256) applies
  for (int i = 0; i < 300; ++i) deep += "</x>";
  deep += "</Account></Report>";
  const auto nested = parse(deep, *set);
  ASSERT_FALSE(nested);
  EXPECT_THAT(nested.error().message, HasSubstr("malformed xml: excessive depth"));
  std::string deep_entry = "<Report xmlns=\"urn:example:report:1\"><Account><Lines>";
  for (int i = 0; i < 70; ++i) deep_entry += "<Line kind=\"booking\">";
  for (int i = 0; i < 70; ++i) deep_entry += "</Line>";
  deep_entry += "</Lines></Account></Report>";
  const auto nested_entry = parse(deep_entry, *set);
  ASSERT_FALSE(nested_entry);
  EXPECT_THAT(nested_entry.error().message, HasSubstr("nested deeper than 64 levels"));
  const auto cut = parse(std::string(kDocument).substr(0, 700), *set);
  ASSERT_FALSE(cut);
  EXPECT_THAT(cut.error().message, HasSubstr("malformed xml"));
}

TEST(XmlProfile, validation_names_file_line_and_key) {
  const auto error_of = [](const std::string& text) {
    const auto set = profiles(text);
    return set ? std::string("no error") : set.error().describe();
  };
  const auto with = [](std::string_view from, std::string_view to) {
    std::string t = kProfile;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  EXPECT_EQ(error_of(with("  namespace:", "  namespaces:")),
            "etc/profiles/psp-test.yaml:6:3: detect.namespaces: unknown key (expected one of: root, "
            "namespace, contains)");
  EXPECT_EQ(error_of(with("    iban: Iban", "    iban: Iban//x")),
            "etc/profiles/psp-test.yaml:11:11: statement.fields.iban: invalid path 'Iban//x' (empty or bad "
            "element name)");
  EXPECT_EQ(
      error_of(with("    booking_date: Date", "    booked: Date")),
      "etc/profiles/psp-test.yaml:19:5: entry.fields.booked: unknown field (expected one of: booking_date, "
      "value_date, amount, currency, direction, status, bank_reference, customer_reference, end_to_end_id, "
      "mandate_id, creditor_id, posting_text, transaction_code, gvc, counterparty_name, counterparty_iban, "
      "counterparty_bic, counterparty_account, counterparty_bank_code, remittance, structured_reference)");
  EXPECT_THAT(error_of(with("path: /Report/Account", "path: /Other/Account")),
              HasSubstr("statement.path: must be elements from the root <Report> down"));
  EXPECT_THAT(error_of(with("  debit: [D, DBIT]\n", "")),
              HasSubstr("sign: a direction path needs sign.debit and sign.credit values"));
  EXPECT_THAT(error_of(with("date_format: YYYYMMDD", "date_format: YYYYMM")),
              HasSubstr("values.date_format: 'YYYYMM' needs"));
  EXPECT_THAT(error_of(with("thousands_separator: \".\"", "thousands_separator: \",\"")),
              HasSubstr("values.thousands_separator: must differ from the decimal separator"));
  EXPECT_THAT(error_of(with("    amount: Amount\n", "")), HasSubstr("entry.fields.amount: missing"));
  EXPECT_THAT(error_of(with("path: \"Lines/Line[@kind='booking']\"", "path: \"Lines/Line[@kind='booking'\"")),
              HasSubstr("entry.path: invalid predicate"));
  EXPECT_THAT(error_of(with("name: psp-test", "name: PSP Test")),
              HasSubstr("name: 'PSP Test' must be lower-case"));
}

TEST(XmlValues, date_patterns) {
  const auto d = [](std::string_view text, std::string_view pattern) {
    const auto r = xml::parse_date_pattern(text, pattern);
    return r ? r->iso() : r.error().message;
  };
  EXPECT_EQ(d("31.01.2024 00:00:00", "DD.MM.YYYY"), "2024-01-31");
  EXPECT_EQ(d("2024-01-31T10:00:00+01:00", "YYYY-MM-DD"), "2024-01-31");
  EXPECT_EQ(d("20240131", "YYYYMMDD"), "2024-01-31");
  EXPECT_EQ(d("1/2/24", "M/D/YY"), "2024-01-02");
  EXPECT_EQ(d("12/31/99", "MM/DD/YY"), "1999-12-31");
  EXPECT_EQ(d("31.1.2024", "DD.MM.YYYY"), "invalid date '31.1.2024' (expected DD.MM.YYYY)");
  EXPECT_EQ(d("2024-02-30", "YYYY-MM-DD"), "invalid date '2024-02-30' (expected YYYY-MM-DD)");
  EXPECT_EQ(d("2024-01-31x", "YYYY-MM-DD"), "invalid date '2024-01-31x' (expected YYYY-MM-DD)");
}

TEST(XmlValues, amounts_with_separators_and_exponents) {
  const auto m = [](std::string_view text, char dec, char thousands, int exp) {
    const auto r = xml::parse_minor(text, dec, thousands, exp);
    return r ? std::to_string(*r) : r.error().message;
  };
  EXPECT_EQ(m("-84.5", '.', 0, 2), "-8450");
  EXPECT_EQ(m("1.23456789E7", '.', 0, 2), "1234567890");
  EXPECT_EQ(m("1.0E7", '.', 0, 2), "1000000000");
  EXPECT_EQ(m("-1.5E-1", '.', 0, 2), "-15");
  EXPECT_EQ(m("1.5E-3", '.', 0, 2), "invalid amount '1.5E-3'");
  EXPECT_EQ(m("1.234,56", ',', '.', 2), "123456");
  EXPECT_EQ(m("12,50", '.', 0, 2), "invalid amount '12,50'");
  EXPECT_EQ(m("1E400", '.', 0, 2), "invalid amount '1E400'");
}

}  // namespace
}  // namespace bankrec::formats
