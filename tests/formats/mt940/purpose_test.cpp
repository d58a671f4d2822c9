// Field :86: in the German structured form and as free text: subfields, line joining, SEPA keywords.
#include "mt940_test_util.h"

namespace bankrec::formats {
namespace {

using mt940_test::first_entry;
using mt940_test::parse;
using mt940_test::statement;

domain::Entry entry_with(std::string_view purpose_lines,
                         std::string_view line61 = "2401310131C1,00NTRFNONREF") {
  const auto out = parse(statement(std::string(":61:") + std::string(line61) +
                                   "\r\n:86:" + std::string(purpose_lines) + "\r\n"));
  EXPECT_OK(out);
  if (!out) return {};
  return first_entry(*out);
}

TEST(Mt940Purpose, structured_subfields_fill_the_entry) {
  const auto e = entry_with(
      "166?00SEPA-GUTSCHRIFT?109310?20EREF+E2E-77?21SVWZ+Rechnung 4711?30BYLADEM1001?31DE02120300000000202051"
      "?32Hans Beispiel?34997");
  EXPECT_EQ(e.transaction_code.gvc.value_or(""), "166");
  EXPECT_EQ(e.transaction_code.proprietary.value_or(""), "NTRF+166+997");
  EXPECT_EQ(e.posting_text.value_or(""), "SEPA-GUTSCHRIFT");
  EXPECT_EQ(e.end_to_end_id.value_or(""), "E2E-77");
  EXPECT_EQ(e.remittance.value_or(""), "Rechnung 4711");
  EXPECT_EQ(e.counterparty.bic.value_or(""), "BYLADEM1001");
  EXPECT_EQ(e.counterparty.iban.value_or(""), "DE02120300000000202051");
  EXPECT_EQ(e.counterparty.name.value_or(""), "Hans Beispiel");
}

struct JoinCase {
  const char* description;
  const char* purpose;  ///< the :86: value
  const char* remittance;
};

// The rule (purpose.h): after a full-width subfield (27 characters) the next follows directly, after a
// shorter one a space is put in; a subfield that starts with a SEPA keyword always gets a space.
const JoinCase kJoins[] = {
    {"word split at the full width is joined", "166?20SVWZ+Rechnung fuer die Wohn?21ung",
     "Rechnung fuer die Wohnung"},
    {"short subfields get a space", "166?20SVWZ+Miete?21Februar?22Wohnung 3", "Miete Februar Wohnung 3"},
    {"keyword split across subfields is whole again", "166?20EREF+ABCDEFGHIJKLMNOPQRS MR?21EF+M-1 SVWZ+Text",
     "Text"},
    {"keyword split inside the keyword", "166?20EREF+ABCDEFGHIJKLMNOPQRST SV?21WZ+Rechnung 12",
     "Rechnung 12"},
    {"keyword after a full subfield gets a space", "166?20EREF+ABCDEFGHIJKLMNOPQRSTUV?21SVWZ+Text", "Text"},
    {"umlauts count as one character", "166?20SVWZ+Bäckerei Größe Straße?21ABC", "Bäckerei Größe Straße ABC"},
    {"physical line breaks are removed without a space", "166?20SVWZ+Rech\r\nnung 1?21Kd 2",
     "Rechnung 1 Kd 2"},
    {"break between separator and code", "166?20SVWZ+Miete?\r\n21Februar", "Miete Februar"},
    {"?60..?63 continue the purpose", "166?20SVWZ+A?60B?61C?62D?63E", "A B C D E"},
    {"no keywords: the whole purpose", "166?20Spende?21Verein", "Spende Verein"},
    {"ultimate party kept with its keyword", "166?20SVWZ+Miete ABWA+Max Muster", "Miete ABWA+Max Muster"},
    {"unknown subfield appended", "166?20SVWZ+Strom?35EWE VERTRIEB", "Strom EWE VERTRIEB"},
    {"text before the first keyword kept", "166?20WOHNBAU GMBH?21EREF+X?22SVWZ+Rechnung",
     "WOHNBAU GMBH Rechnung"},
    {"'>' as subfield separator (Triodos)", "000>100555555555>20TENAAMSTELLING TEGENREKENIN>21G 11112222",
     "TENAAMSTELLING TEGENREKENING 11112222"},
    {"free text lines joined with a space", "BETALINGSKENM.  3010675705\r\nGOOGLE GOOG6291713437",
     "BETALINGSKENM.  3010675705 GOOGLE GOOG6291713437"},
    {"free text after a 65-character line joined directly",
     "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLM\r\nNOP", nullptr},
    {"slash-coded text joined without spaces", "/EREF/01-01-2013/BENM//NAME/CONTRA ACCOUN\r\nT HOLDER/REMI/X",
     "/EREF/01-01-2013/BENM//NAME/CONTRA ACCOUNT HOLDER/REMI/X"},
    {"DK '999' unstructured", "999SEPA_CREDIT_TRANSFER:Rechnung 7", "SEPA_CREDIT_TRANSFER:Rechnung 7"},
};

TEST(Mt940Purpose, joins_lines_and_subfields_by_the_width_rule) {
  for (const JoinCase& c : kJoins) {
    const auto e = entry_with(c.purpose);
    const std::string expected =
        c.remittance ? c.remittance : "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOP";
    EXPECT_EQ(e.remittance.value_or("<none>"), expected) << c.description;
  }
}

TEST(Mt940Purpose, sepa_keywords_become_fields) {
  const auto e = entry_with(
      "105?00SEPA-BASISLASTSCHRIFT?20EREF+E-1 MREF+M-2 CRED+DE98ZZZ0?219999999999 KREF+K-3 SVWZ+Beitrag"
      "?22 DEBT+DE11ZZZ123 IBAN+DE02120300000000202051 BIC+BYLADEM1001 OAMT+11,85",
      "2401310131D10,00NDDTNONREF");
  EXPECT_EQ(e.end_to_end_id.value_or(""), "E-1");
  EXPECT_EQ(e.mandate_id.value_or(""), "M-2");
  EXPECT_EQ(e.creditor_id.value_or(""), "DE98ZZZ09999999999");
  EXPECT_EQ(e.customer_reference.value_or(""), "K-3");  // :61: said NONREF
  EXPECT_EQ(e.remittance.value_or(""), "Beitrag");
  EXPECT_EQ(e.counterparty.id.value_or(""), "DE11ZZZ123");
  EXPECT_EQ(e.counterparty.iban.value_or(""), "DE02120300000000202051");
  EXPECT_EQ(e.counterparty.bic.value_or(""), "BYLADEM1001");
  ASSERT_TRUE(e.original_amount);
  EXPECT_EQ(e.original_amount->to_string(), "11.85");
}

TEST(Mt940Purpose, mandate_split_inside_its_keyword_is_found) {
  EXPECT_EQ(entry_with("166?20EREF+ABCDEFGHIJKLMNOPQRS MR?21EF+M-1 SVWZ+Text").mandate_id.value_or(""),
            "M-1");
}

TEST(Mt940Purpose, notprovided_end_to_end_id_is_absent) {
  const auto e = entry_with("166?20EREF+NOTPROVIDED?21SVWZ+X");
  EXPECT_FALSE(e.end_to_end_id);
  EXPECT_EQ(e.remittance.value_or(""), "X");
}

TEST(Mt940Purpose, subfields_30_31_without_bic_or_iban_are_bank_code_and_account) {
  const auto e = entry_with("008?00DAUERAUFTRAG?20Miete?3010020030?31234567?32MUELLER");
  EXPECT_EQ(e.counterparty.bank_code.value_or(""), "10020030");
  EXPECT_EQ(e.counterparty.account.value_or(""), "234567");
  EXPECT_FALSE(e.counterparty.iban);
  EXPECT_EQ(e.transaction_code.proprietary.value_or(""), "NTRF+008");
}

TEST(Mt940Purpose, name_subfields_follow_the_width_rule) {
  EXPECT_EQ(entry_with("166?32Finanzamt Muenchen Abteilun?33g Erhebung").counterparty.name.value_or(""),
            "Finanzamt Muenchen Abteilung Erhebung");
  EXPECT_EQ(entry_with("166?32Hans Beispiel?33und Partner").counterparty.name.value_or(""),
            "Hans Beispiel und Partner");
}

TEST(Mt940Purpose, several_86_fields_of_one_entry_are_joined) {
  const auto e = entry_with("BETALINGSKENM.  3010675705\r\n:86:GOOGLE\r\n:86:1402786401");
  EXPECT_EQ(e.remittance.value_or(""), "BETALINGSKENM.  3010675705 GOOGLE 1402786401");
}

TEST(Mt940Purpose, statement_level_86_is_not_given_to_an_entry) {
  const std::string text =
      statement(":86:before any entry\r\n:61:2401310131C1,00NTRFNONREF\r\n:86:mine\r\n",
                ":60F:C240130EUR100,00", ":62F:C240131EUR101,00\r\n:86:after the closing balance");
  const auto out = parse(text);
  ASSERT_OK(out);
  EXPECT_EQ(first_entry(*out).remittance.value_or(""), "mine");
}

}  // namespace
}  // namespace bankrec::formats
