#include <string>
#include <string_view>
#include <vector>

#include "bankrec/domain/creditor_reference.h"
#include "bankrec/testing/testing.h"

namespace bankrec::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(CreditorReference, validates_iso_11649_references) {
  struct Case {
    const char* description;
    std::string_view text;
    bool valid;
  };
  const Case cases[] = {
      {"standard example", "RF18539007547034", true},
      {"print form", "RF18 5390 0754 7034", true},
      {"lower case", "rf18539007547034", true},
      {"shortest", "RF741", true},
      {"letters", "RF30INV2024", true},
      {"longest (21 characters)", "RF7312345678901234567890A", true},
      {"wrong check digits", "RF19539007547034", false},
      {"changed digit", "RF18539007547035", false},
      {"too long", "RF7312345678901234567890AB", false},
      {"too short", "RF74", false},
      {"not RF", "RX18539007547034", false},
      {"letters as check digits", "RFAB539007547034", false},
      {"punctuation", "RF18-5390-0754-7034", false},
      {"empty", "", false},
  };
  for (const Case& c : cases) EXPECT_EQ(is_valid_creditor_reference(c.text), c.valid) << c.description;
}

TEST(CreditorReference, parses_to_electronic_form) {
  EXPECT_EQ(*parse_creditor_reference("rf18 5390 0754 7034"), "RF18539007547034");
  EXPECT_ERR(parse_creditor_reference("RF19539007547034"), Errc::invalid_input,
             HasSubstr("invalid creditor reference 'RF19539007547034' (wrong check digits)"));
  EXPECT_ERR(parse_creditor_reference("XY12"), Errc::invalid_input, HasSubstr("too short"));
  EXPECT_ERR(parse_creditor_reference("XY123"), Errc::invalid_input, HasSubstr("must start with RF"));
  EXPECT_ERR(parse_creditor_reference("RF1X3"), Errc::invalid_input,
             HasSubstr("check digits must be digits"));
  EXPECT_ERR(parse_creditor_reference("RF18/5390"), Errc::invalid_input,
             HasSubstr("letters and digits only"));
}

TEST(CreditorReference, makes_references_with_check_digits) {
  struct Case {
    std::string_view reference;
    std::string_view expected;
  };
  const Case cases[] = {
      {"539007547034", "RF18539007547034"},
      {"1", "RF741"},
      {"0", "RF040"},
      {"A", "RF25A"},
      {"inv2024", "RF30INV2024"},
      {"5390 0754 7034", "RF18539007547034"},
      {"12345678901234567890A", "RF7312345678901234567890A"},
  };
  for (const Case& c : cases) {
    const auto made = make_creditor_reference(c.reference);
    ASSERT_TRUE(made.has_value()) << c.reference << ": " << made.error().describe();
    EXPECT_EQ(*made, c.expected) << c.reference;
    EXPECT_TRUE(is_valid_creditor_reference(*made)) << *made;
  }
  EXPECT_ERR(make_creditor_reference(""), Errc::invalid_input, HasSubstr("empty"));
  EXPECT_ERR(make_creditor_reference("1234567890123456789012"), Errc::invalid_input,
             HasSubstr("longer than 21"));
  EXPECT_ERR(make_creditor_reference("INV-1"), Errc::invalid_input, HasSubstr("letters and digits only"));
}

// make() then validate for many references of every length.
TEST(CreditorReference, round_trips_generated_references) {
  std::string reference;
  for (int n = 0; n < 21; ++n) {
    reference.push_back(static_cast<char>(n % 3 == 0 ? 'A' + n : '0' + n % 10));
    const auto made = make_creditor_reference(reference);
    ASSERT_OK(made);
    EXPECT_EQ(*parse_creditor_reference(*made), *made);
    EXPECT_EQ(made->substr(4), reference);
  }
}

TEST(CreditorReference, finds_references_in_free_text) {
  struct Case {
    const char* description;
    std::string_view text;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {"alone", "RF18539007547034", {"RF18539007547034"}},
      {"inside a sentence", "Rechnung RF18539007547034 vom 01.02.", {"RF18539007547034"}},
      {"print form", "Ref RF18 5390 0754 7034 danke", {"RF18539007547034"}},
      {"print form then a short word", "RF18 5390 0754 7034 KD 4711", {"RF18539007547034"}},
      {"lower case", "ref: rf18539007547034.", {"RF18539007547034"}},
      {"split by a line break", "RF185390075\n47034 Miete", {"RF18539007547034"}},
      {"split by crlf", "RF18 5390\r\n0754 7034", {"RF18539007547034"}},
      {"two references", "RF741 und RF30INV2024", {"RF741", "RF30INV2024"}},
      {"after punctuation", "(RF18539007547034)", {"RF18539007547034"}},
      {"invalid checksum ignored", "RF19539007547034", {}},
      {"inside a word ignored", "XRF18539007547034", {}},
      {"followed by letters ignored", "RF18539007547034X", {}},
      {"nothing", "Miete Februar", {}},
      {"rf without digits", "RFID Karte", {}},
  };
  for (const Case& c : cases) EXPECT_EQ(find_creditor_references(c.text), c.expected) << c.description;
}

}  // namespace
}  // namespace bankrec::domain
