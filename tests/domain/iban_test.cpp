#include <string>
#include <string_view>

#include "bankrec/domain/iban.h"
#include "bankrec/testing/testing.h"

namespace bankrec::domain {
namespace {

using ::testing::HasSubstr;

// One example per country of the SWIFT IBAN registry (the registry's own examples), electronic form.
constexpr std::string_view kRegistryExamples[] = {
    "AD1200012030200359100100",
    "AE070331234567890123456",
    "AL47212110090000000235698741",
    "AT611904300234573201",
    "AZ21NABZ00000000137010001944",
    "BA391290079401028494",
    "BE68539007547034",
    "BG80BNBG96611020345678",
    "BH67BMAG00001299123456",
    "BI4210000100010000332045181",
    "BR1800360305000010009795493C1",
    "BY13NBRB3600900000002Z00AB00",
    "CH9300762011623852957",
    "CR05015202001026284066",
    "CY17002001280000001200527600",
    "CZ6508000000192000145399",
    "DE89370400440532013000",
    "DJ2100010000000154000100186",
    "DK5000400440116243",
    "DO28BAGR00000001212453611324",
    "EE382200221020145685",
    "EG380019000500000000263180002",
    "ES9121000418450200051332",
    "FI2112345600000785",
    "FK88SC123456789012",
    "FO6264600001631634",
    "FR1420041010050500013M02606",
    "GB29NWBK60161331926819",
    "GE29NB0000000101904917",
    "GI75NWBK000000007099453",
    "GL8964710001000206",
    "GR1601101250000000012300695",
    "GT82TRAJ01020000001210029690",
    "HN88CABF00000000000250005469",
    "HR1210010051863000160",
    "HU42117730161111101800000000",
    "IE29AIBK93115212345678",
    "IL620108000000099999999",
    "IQ98NBIQ850123456789012",
    "IS140159260076545510730339",
    "IT60X0542811101000000123456",
    "JO94CBJO0010000000000131000302",
    "KW81CBKU0000000000001234560101",
    "KZ86125KZT5004100100",
    "LB62099900000001001901229114",
    "LC55HEMM000100010012001200023015",
    "LI21088100002324013AA",
    "LT121000011101001000",
    "LU280019400644750000",
    "LV80BANK0000435195001",
    "LY83002048000020100120361",
    "MC5811222000010123456789030",
    "MD24AG000225100013104168",
    "ME25505000012345678951",
    "MK07250120000058984",
    "MN121234123456789123",
    "MR1300020001010000123456753",
    "MT84MALT011000012345MTLCAST001S",
    "MU17BOMM0101101030300200000MUR",
    "NI45BAPR00000013000003558124",
    "NL91ABNA0417164300",
    "NO9386011117947",
    "OM810180000001299123456",
    "PK36SCBL0000001123456702",
    "PL61109010140000071219812874",
    "PS92PALS000000000400123456702",
    "PT50000201231234567890154",
    "QA58DOHB00001234567890ABCDEFG",
    "RO49AAAA1B31007593840000",
    "RS35260005601001611379",
    "RU0304452522540817810538091310419",
    "SA0380000000608010167519",
    "SC18SSCB11010000000000001497USD",
    "SD2129010501234001",
    "SE4550000000058398257466",
    "SI56263300012039086",
    "SK3112000000198742637541",
    "SM86U0322509800000000270100",
    "SO211000001001000100141",
    "ST23000100010051845310146",
    "SV62CENR00000000000000700025",
    "TL380080012345678910157",
    "TN5910006035183598478831",
    "TR330006100519786457841326",
    "UA213223130000026007233566001",
    "VA59001123000012345678",
    "VG96VPVG0000012345678901",
    "XK051212012345678906",
    "YE15CBYE0001018861234567891234",
};

TEST(Iban, accepts_the_registry_example_of_every_country) {
  for (std::string_view example : kRegistryExamples) {
    const auto iban = Iban::parse(example);
    ASSERT_TRUE(iban.has_value()) << example << ": " << iban.error().describe();
    EXPECT_EQ(iban->electronic(), example);
    EXPECT_EQ(iban->country(), example.substr(0, 2));
    EXPECT_EQ(iban->bban(), example.substr(4));
    EXPECT_EQ(iban_length(example.substr(0, 2)), static_cast<int>(example.size())) << example;
    EXPECT_TRUE(is_valid_iban(example)) << example;
  }
}

// Rebuilding each example from its country and BBAN must give back the same check digits.
TEST(Iban, generates_check_digits_for_every_country) {
  for (std::string_view example : kRegistryExamples) {
    const auto built = Iban::from_bban(example.substr(0, 2), example.substr(4));
    ASSERT_TRUE(built.has_value()) << example << ": " << built.error().describe();
    EXPECT_EQ(built->electronic(), example);
  }
}

TEST(Iban, print_form_round_trips) {
  for (std::string_view example : kRegistryExamples) {
    const auto iban = Iban::parse(example);
    ASSERT_OK(iban);
    const std::string printed = iban->print();
    EXPECT_EQ(printed.find("  "), std::string::npos) << printed;
    EXPECT_EQ(printed.substr(0, 5), std::string(example.substr(0, 4)) + " ") << printed;
    const auto reparsed = Iban::parse(printed);
    ASSERT_OK(reparsed);
    EXPECT_EQ(*reparsed, *iban) << printed;
  }
  EXPECT_EQ(Iban::parse("DE89370400440532013000")->print(), "DE89 3704 0044 0532 0130 00");
  EXPECT_EQ(Iban::parse("NO9386011117947")->print(), "NO93 8601 1117 947");
  EXPECT_EQ(Iban::parse("BE68539007547034")->print(), "BE68 5390 0754 7034");
}

TEST(Iban, knows_registered_lengths) {
  struct Case {
    std::string_view country;
    std::optional<int> length;
  };
  const Case cases[] = {
      {"DE", 22},           {"FR", 27},           {"GB", 22},
      {"NL", 18},           {"AT", 20},           {"CH", 21},
      {"BE", 16},           {"IT", 27},           {"ES", 24},
      {"NO", 15},           {"MT", 31},           {"RU", 33},
      {"LC", 32},           {"LU", 20},           {"PL", 28},
      {"SE", 24},           {"de", 22},  // case-insensitive
      {"GF", 27},           {"RE", 27},           {"NC", 27},
      {"JE", 22},           {"GG", 22},           {"IM", 22},
      {"AX", 18},  // territories
      {"US", std::nullopt}, {"CA", std::nullopt}, {"CN", std::nullopt},
      {"XX", std::nullopt}, {"D", std::nullopt},  {"DEU", std::nullopt},
      {"", std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(iban_length(c.country), c.length) << c.country;
}

TEST(Iban, accepts_print_form_lower_case_and_a_label) {
  const std::string_view forms[] = {"DE89 3704 0044 0532 0130 00",   "de89370400440532013000",
                                    " DE89 3704 0044 0532 0130 00 ", "IBAN DE89 3704 0044 0532 0130 00",
                                    "IBAN: DE89370400440532013000",  "de89\t3704 0044 0532 0130 00"};
  for (std::string_view form : forms) {
    const auto iban = Iban::parse(form);
    ASSERT_TRUE(iban.has_value()) << form << ": " << iban.error().describe();
    EXPECT_EQ(iban->electronic(), "DE89370400440532013000") << form;
  }
}

TEST(Iban, rejects_invalid_ibans_saying_why) {
  struct Case {
    const char* description;
    std::string_view text;
    std::string_view why;
  };
  const Case cases[] = {
      {"empty", "", "empty"},
      {"blank", "   ", "empty"},
      {"too short", "DE8", "too short"},
      {"unknown country", "US89370400440532013000", "unknown country 'US'"},
      {"letters as check digits", "DEAB370400440532013000", "check digits must be digits"},
      {"one digit missing", "DE8937040044053201300", "21 characters, DE ibans have 22"},
      {"one digit extra", "DE893704004405320130000", "23 characters, DE ibans have 22"},
      {"wrong check digits", "DE88370400440532013000", "wrong check digits"},
      {"swapped digits", "DE89370400440532031000", "wrong check digits"},
      {"one digit changed", "GB29NWBK60161331926818", "wrong check digits"},
      {"punctuation", "DE89-3704-0044-0532-0130-00", "unexpected character '-'"},
      {"umlaut", "DE89\xC3\xBC", "unexpected character"},
      {"check digits 00", "DE00370400440532013000", "check digits out of range"},
      {"check digits 99", "DE99370400440532013000", "check digits out of range"},
  };
  for (const Case& c : cases) {
    const auto r = Iban::parse(c.text);
    ASSERT_FALSE(r.has_value()) << c.description;
    EXPECT_EQ(r.error().code, Errc::invalid_input) << c.description;
    EXPECT_THAT(r.error().message, HasSubstr("invalid iban '" + std::string(c.text) + "'")) << c.description;
    EXPECT_THAT(r.error().message, HasSubstr(std::string(c.why))) << c.description;
    EXPECT_FALSE(is_valid_iban(c.text)) << c.description;
  }
}

// Any single changed character and any swap of neighbouring characters is caught by mod 97.
TEST(Iban, detects_every_single_substitution_and_transposition) {
  const std::string good = "DE89370400440532013000";
  for (std::size_t i = 2; i < good.size(); ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == good[i]) continue;
      std::string bad = good;
      bad[i] = d;
      EXPECT_FALSE(is_valid_iban(bad)) << bad;
    }
    if (i + 1 < good.size() && good[i] != good[i + 1]) {
      std::string swapped = good;
      std::swap(swapped[i], swapped[i + 1]);
      EXPECT_FALSE(is_valid_iban(swapped)) << swapped;
    }
  }
}

TEST(Iban, builds_from_bban) {
  EXPECT_EQ(Iban::from_bban("DE", "370400440532013000")->electronic(), "DE89370400440532013000");
  EXPECT_EQ(Iban::from_bban("de", "3704 0044 0532 0130 00")->electronic(), "DE89370400440532013000");
  EXPECT_EQ(Iban::from_bban("GB", "nwbk60161331926819")->electronic(), "GB29NWBK60161331926819");
  // Check digits below 10 keep their leading zero.
  EXPECT_EQ(Iban::from_bban("XK", "1212012345678906")->electronic(), "XK051212012345678906");
  EXPECT_EQ(Iban::from_bban("SA", "80000000608010167519")->electronic(), "SA0380000000608010167519");
  EXPECT_ERR(Iban::from_bban("US", "123"), Errc::invalid_input, HasSubstr("no iban for country 'US'"));
  EXPECT_ERR(Iban::from_bban("DE", "37040044053201300"), Errc::invalid_input,
             HasSubstr("17 characters, DE bbans have 18"));
  EXPECT_ERR(Iban::from_bban("DE", "37040044053201300-"), Errc::invalid_input,
             HasSubstr("letters and digits only"));
}

// Many generated accounts per country validate, and their print form parses back.
TEST(Iban, generated_ibans_validate_for_many_countries) {
  for (std::string_view example : kRegistryExamples) {
    const std::string country(example.substr(0, 2));
    std::string bban(example.substr(4));
    for (int n = 0; n < 20; ++n) {
      bban[bban.size() - 1 - static_cast<std::size_t>(n % 3)] = static_cast<char>('0' + (n * 7) % 10);
      const auto built = Iban::from_bban(country, bban);
      ASSERT_TRUE(built.has_value()) << country << bban << ": " << built.error().describe();
      EXPECT_TRUE(is_valid_iban(built->electronic())) << built->electronic();
      EXPECT_EQ(*Iban::parse(built->print()), *built) << built->print();
    }
  }
}

TEST(Bic, accepts_8_and_11_characters) {
  struct Case {
    std::string_view text;
    std::string_view expected;
    std::string_view bic11;
  };
  const Case cases[] = {
      {"COBADEFFXXX", "COBADEFFXXX", "COBADEFFXXX"},    {"COBADEFF", "COBADEFF", "COBADEFFXXX"},
      {"cobadeff", "COBADEFF", "COBADEFFXXX"},          {"BYLADEM1001", "BYLADEM1001", "BYLADEM1001"},
      {"DEUTDEDBFRA", "DEUTDEDBFRA", "DEUTDEDBFRA"},    {" NWBKGB2L ", "NWBKGB2L", "NWBKGB2LXXX"},
      {"COBA DE FF XXX", "COBADEFFXXX", "COBADEFFXXX"},
  };
  for (const Case& c : cases) {
    const auto bic = Bic::parse(c.text);
    ASSERT_TRUE(bic.has_value()) << c.text << ": " << bic.error().describe();
    EXPECT_EQ(bic->str(), c.expected) << c.text;
    EXPECT_EQ(bic->bic11(), c.bic11) << c.text;
    EXPECT_TRUE(is_valid_bic(c.text)) << c.text;
  }
}

TEST(Bic, rejects_malformed_bics) {
  struct Case {
    std::string_view text;
    std::string_view why;
  };
  const Case cases[] = {
      {"", "8 or 11 characters"},
      {"COBADEF", "8 or 11 characters"},
      {"COBADEFFXX", "8 or 11 characters"},
      {"COBADEFFXXXX", "8 or 11 characters"},
      {"C0BADEFF", "bank code must be 4 letters"},
      {"COBAD1FF", "country code must be 2 letters"},
      {"COBADEF-", "location and branch"},
      {"COBADEFFXX-", "location and branch"},
  };
  for (const Case& c : cases) {
    EXPECT_ERR(Bic::parse(c.text), Errc::invalid_input, HasSubstr(std::string(c.why)));
    EXPECT_FALSE(is_valid_bic(c.text)) << c.text;
  }
}

}  // namespace
}  // namespace bankrec::domain
