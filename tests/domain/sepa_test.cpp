#include <optional>
#include <string>

#include "bankrec/domain/sepa.h"
#include "bankrec/testing/testing.h"

namespace bankrec::domain {
namespace {

using Opt = std::optional<std::string>;

TEST(Sepa, splits_a_typical_credit_transfer) {
  const SepaPurpose p = parse_sepa_purpose(
      "EREF+E2E-77-INV-2024-0815 KREF+K-1 MREF+M-42 CRED+DE98ZZZ09999999999 DEBT+DE11ZZZ0000000001 "
      "SVWZ+Rechnung INV-2024-0815 Kd 4711 ABWA+Hans Beispiel ABWE+Muster Wohnen GmbH "
      "IBAN+DE02120300000000202051 BIC+BYLADEM1001 COAM+1,50 OAMT+1190,00 SQTP+FRST");
  EXPECT_EQ(p.eref, Opt("E2E-77-INV-2024-0815"));
  EXPECT_EQ(p.kref, Opt("K-1"));
  EXPECT_EQ(p.mref, Opt("M-42"));
  EXPECT_EQ(p.cred, Opt("DE98ZZZ09999999999"));
  EXPECT_EQ(p.debt, Opt("DE11ZZZ0000000001"));
  EXPECT_EQ(p.svwz, Opt("Rechnung INV-2024-0815 Kd 4711"));
  EXPECT_EQ(p.abwa, Opt("Hans Beispiel"));
  EXPECT_EQ(p.abwe, Opt("Muster Wohnen GmbH"));
  EXPECT_EQ(p.iban, Opt("DE02120300000000202051"));
  EXPECT_EQ(p.bic, Opt("BYLADEM1001"));
  EXPECT_EQ(p.coam, Opt("1,50"));
  EXPECT_EQ(p.oamt, Opt("1190,00"));
  EXPECT_EQ(p.sqtp, Opt("FRST"));
  EXPECT_EQ(p.leading_text, std::nullopt);
  EXPECT_TRUE(p.has_keywords());
}

struct Case {
  const char* description;
  std::string_view text;
  Opt SepaPurpose::*field;
  Opt expected;
};

TEST(Sepa, recognises_keywords_only_at_a_token_start) {
  const Case cases[] = {
      {"keyword at the start", "SVWZ+Miete", &SepaPurpose::svwz, "Miete"},
      {"keyword after a space", "x SVWZ+Miete", &SepaPurpose::svwz, "Miete"},
      {"keyword after punctuation", "x/SVWZ+Miete", &SepaPurpose::svwz, "Miete"},
      {"keyword split across two lines is whole again",
       "EREF+123 SV"
       "WZ+Miete",
       &SepaPurpose::svwz, "Miete"},
      {"keyword directly after a value is not one", "EREF+ABCSVWZ+Miete", &SepaPurpose::svwz, std::nullopt},
      {"keyword inside a word", "XEREF+123", &SepaPurpose::eref, std::nullopt},
      {"keyword after a digit", "1EREF+123", &SepaPurpose::eref, std::nullopt},
      {"keyword after a utf-8 letter",
       "\xC3\x9C"
       "EREF+1",
       &SepaPurpose::eref, std::nullopt},
      {"lower-case is not a keyword", "svwz+Miete", &SepaPurpose::svwz, std::nullopt},
      {"bic is three letters", "BIC+COBADEFFXXX", &SepaPurpose::bic, "COBADEFFXXX"},
      {"xbic is not bic", "XBIC+COBADEFFXXX", &SepaPurpose::bic, std::nullopt},
      {"keyword right after a plus", "EREF+SVWZ+Miete", &SepaPurpose::svwz, "Miete"},
      {"empty value is absent", "EREF+ SVWZ+Miete", &SepaPurpose::eref, std::nullopt},
      {"values are trimmed", "SVWZ+  Miete Februar  \n", &SepaPurpose::svwz, "Miete Februar"},
      {"notprovided kept", "EREF+NOTPROVIDED SVWZ+x", &SepaPurpose::eref, "NOTPROVIDED"},
      {"repeated keyword joined", "SVWZ+Teil 1 EREF+X SVWZ+Teil 2", &SepaPurpose::svwz, "Teil 1 Teil 2"},
      {"plus inside a value", "SVWZ+A+B C+D", &SepaPurpose::svwz, "A+B C+D"},
      {"leading text", "Gutschrift  EREF+1", &SepaPurpose::leading_text, "Gutschrift"},
      {"no keywords: all text is leading", " Miete Februar ", &SepaPurpose::leading_text, "Miete Februar"},
  };
  for (const Case& c : cases) {
    const SepaPurpose p = parse_sepa_purpose(c.text);
    EXPECT_EQ(p.*(c.field), c.expected) << c.description;
  }
}

TEST(Sepa, has_keywords_only_when_one_was_found) {
  EXPECT_FALSE(parse_sepa_purpose("").has_keywords());
  EXPECT_FALSE(parse_sepa_purpose("Miete Februar").has_keywords());
  EXPECT_FALSE(parse_sepa_purpose("EREF+ ").has_keywords());
  EXPECT_TRUE(parse_sepa_purpose("EREF+1").has_keywords());
  EXPECT_EQ(parse_sepa_purpose("").leading_text, std::nullopt);
}

}  // namespace
}  // namespace bankrec::domain
