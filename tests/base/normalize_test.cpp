#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bankrec/base/text.h"
#include "bankrec/testing/testing.h"

namespace bankrec::text {
namespace {

struct Case {
  const char* description;
  std::string_view input;
  std::string_view expected;
};

TEST(Normalize, folds_case_transliterates_and_collapses) {
  const Case cases[] = {
      {"empty", "", ""},
      {"only punctuation", " -- ,; ", ""},
      {"ascii lower case", "Hello World", "hello world"},
      {"german umlauts", "M\xC3\xBCller", "mueller"},
      {"upper umlauts", "M\xC3\x9CLLER", "mueller"},
      {"transliterated already", "MUELLER", "mueller"},
      {"sharp s",
       "Stra\xC3\x9F"
       "e",
       "strasse"},
      {"upper A umlaut", "\xC3\x84rger", "aerger"},
      {"o umlaut", "K\xC3\xB6ln", "koeln"},
      {"accents dropped", "Caf\xC3\xA9 cr\xC3\xA8me Gar\xC3\xA7on", "cafe creme garcon"},
      {"scandinavian", "\xC3\x98stergaard \xC3\x85se", "ostergaard ase"},
      {"ae ligature", "\xC3\x86sir", "aesir"},
      {"thorn", "\xC3\x9E\xC3\xB3r", "thor"},
      {"polish l stroke",
       "\xC5\x81\xC3\xB3"
       "d\xC5\xBA",
       "lodz"},
      {"czech",
       "\xC4\x8C"
       "ap\xC4\x9Bk \xC5\x98\xC3\xAD"
       "ha",
       "capek riha"},
      {"oe ligature", "\xC5\x92uvre", "oeuvre"},
      {"turkish dotted I", "\xC4\xB0stanbul", "istanbul"},
      {"romanian comma s", "\xC8\x98tefan", "stefan"},
      {"cyrillic lower cased", "\xD0\x9C\xD0\x98\xD0\xA0", "\xD0\xBC\xD0\xB8\xD1\x80"},
      {"punctuation runs",
       "M\xC3\xBCller-L\xC3\xBC"
       "denscheidt  GmbH",
       "mueller luedenscheidt gmbh"},
      {"tabs and newlines", "a\tb\r\nc", "a b c"},
      {"nbsp and narrow nbsp",
       "a\xC2\xA0"
       "b\xE2\x80\xAF"
       "c",
       "a b c"},
      {"typographic quotes and dashes",
       "\xE2\x80\x9E"
       "Abc\xE2\x80\x9C \xE2\x80\x93 x",
       "abc x"},
      {"euro sign is a separator",
       "12\xE2\x82\xAC"
       "50",
       "12 50"},
      {"multiplication sign separates",
       "2\xC3\x97"
       "3",
       "2 3"},
      {"digits kept", "INV-2024/0815", "inv 2024 0815"},
      {"ill-formed utf-8 byte separates",
       "ab\xFF"
       "cd",
       "ab cd"},
      {"truncated sequence at end", "ab\xC3", "ab"},
      {"decomposed umlaut", "Mu\xCC\x88ller", "mueller"},
      {"decomposed capital umlaut", "MU\xCC\x88LLER", "mueller"},
      {"decomposed acute dropped", "Cafe\xCC\x81", "cafe"},
      {"combining mark alone",
       "\xCC\x88"
       "a",
       "a"},
      {"cjk kept verbatim", "\xE6\x9D\xB1\xE4\xBA\xAC", "\xE6\x9D\xB1\xE4\xBA\xAC"},
      {"emoji kept verbatim", "a \xF0\x9F\x98\x80", "a \xF0\x9F\x98\x80"},
  };
  for (const Case& c : cases) EXPECT_EQ(normalize_for_matching(c.input), c.expected) << c.description;
}

TEST(Normalize, spellings_of_one_name_compare_equal) {
  const std::string_view spellings[] = {"M\xC3\xBCller", "MUELLER",       "Mueller",
                                        "m\xC3\xBCller", "M\xC3\x9CLLER", " mueller. "};
  for (std::string_view s : spellings) EXPECT_EQ(normalize_for_matching(s), "mueller") << s;
}

TEST(Normalize, removes_legal_forms) {
  const Case cases[] = {
      {"contract example", "Muster Wohnen GmbH & Co. KG", "muster wohnen"},
      {"header example",
       "M\xC3\xBCller-L\xC3\xBC"
       "denscheidt  GmbH",
       "mueller luedenscheidt"},
      {"gmbh", "Beispiel GmbH", "beispiel"},
      {"upper gmbh", "BEISPIEL GMBH", "beispiel"},
      {"gmbh co kgaa", "Henkel AG & Co. KGaA", "henkel"},
      {"gmbh co kgaa 2", "Muster GmbH & Co. KGaA", "muster"},
      {"mbh", "Wohnbau Gesellschaft mbH", "wohnbau gesellschaft"},
      {"ag", "Siemens AG", "siemens"},
      {"kg", "Schmidt KG", "schmidt"},
      {"e.K.", "Blumen Meyer e.K.", "blumen meyer"},
      {"e.Kfm.", "Hans Maier e.Kfm.", "hans maier"},
      {"e.V.", "Sportverein Nord e.V.", "sportverein nord"},
      {"ug haftungsbeschraenkt", "Start UG (haftungsbeschr\xC3\xA4nkt)", "start"},
      {"ug haftungsbeschraenkt ascii", "Start UG (haftungsbeschraenkt)", "start"},
      {"ohg", "Meyer & Sohn OHG", "meyer sohn"},
      {"gbr", "Praxis Dr. Weber GbR", "praxis dr weber"},
      {"partg", "Kanzlei Roth PartG", "kanzlei roth"},
      {"SE", "SAP SE", "sap"},
      {"ltd", "Acme Ltd.", "acme"},
      {"limited", "Acme Trading Limited", "acme trading"},
      {"inc", "Apple Inc.", "apple"},
      {"llc", "Example LLC", "example"},
      {"corp", "Example Corp.", "example"},
      {"sarl", "Dupont SARL", "dupont"},
      {"sas", "Dupont SAS", "dupont"},
      {"SA", "Carrefour SA", "carrefour"},
      {"S.A.", "Carrefour S.A.", "carrefour"},
      {"B.V.", "Philips B.V.", "philips"},
      {"N.V.", "Shell N.V.", "shell"},
      {"S.p.A.", "Fiat S.p.A.", "fiat"},
      {"S.r.l.", "Rossi S.r.l.", "rossi"},
      {"S.L.", "Garcia S.L.", "garcia"},
      {"plc", "Barclays plc", "barclays"},
      {"& Co.", "M\xC3\xBCller & Co.", "mueller"},
      {"gmbh in the middle", "Muster GmbH Niederlassung Nord", "muster niederlassung nord"},
      {"nothing to remove", "Hans Beispiel", "hans beispiel"},
      {"bank statement capitals", "MUSTER WOHNEN GMBH & CO. KG", "muster wohnen"},
      {"plus instead of ampersand", "MUSTER WOHNEN GMBH + CO KG", "muster wohnen"},
      {"se & co kg", "Beispiel SE & Co. KG", "beispiel"},
      {"ltd & co kg", "Beispiel Ltd. & Co. KG", "beispiel"},
      {"title and umlauts", "Dr. J\xC3\xBCrgen M\xC3\xBCller e.K.", "dr juergen mueller"},
      {"ohg in capitals", "MEYER OHG", "meyer"},
  };
  for (const Case& c : cases) EXPECT_EQ(normalize_party_name(c.input), c.expected) << c.description;
}

TEST(Normalize, keeps_names_that_look_like_legal_forms) {
  const Case cases[] = {
      {"sa inside a word", "Casa Bonita", "casa bonita"},
      {"se inside a word", "Sabine Seidel", "sabine seidel"},
      {"surname Se in title case", "Sabine Se", "sabine se"},
      {"surname Sa with accent", "Maria S\xC3\xA1", "maria sa"},
      {"co inside a word", "Costa Coffee", "costa coffee"},
      {"ag inside a word", "Agrar Hof", "agrar hof"},
      {"a name that is only a legal form", "GmbH", "gmbh"},
      {"single token SE", "SE", "se"},
      {"kg as a word", "Kg Nord", "kg nord"},
      {"leading AG is a word", "AG Wohnen Nord", "ag wohnen nord"},
      {"lower-case se", "sabine se", "sabine se"},
      {"bare Co", "Costa Co", "costa co"},
  };
  for (const Case& c : cases) EXPECT_EQ(normalize_party_name(c.input), c.expected) << c.description;
}

/// CPU time of this thread, so that a busy machine does not fail the timing test.
std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

std::string utf8(std::uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return out;
}

// The normaliser writes into a buffer of the input's size: check that no code point, in any
// position, makes the output longer, and that the output is valid UTF-8.
TEST(Normalize, output_never_outgrows_the_input_for_any_code_point) {
  // Every code point of the basic multilingual plane, a sample of the others.
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; cp += cp < 0x10000 ? 1 : 251) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const std::string c = utf8(cp);
    for (const std::string& input : {c, "a" + c, c + "b", "a." + c + ".b", "u" + c + c}) {
      const std::string out = normalize_for_matching(input);
      ASSERT_LE(out.size(), input.size()) << "U+" << std::hex << cp;
      ASSERT_TRUE(is_valid_utf8(out)) << "U+" << std::hex << cp;
      ASSERT_LE(normalize_party_name(input).size(), input.size()) << "U+" << std::hex << cp;
    }
  }
}

TEST(Normalize, party_names_are_idempotent) {
  const std::string_view names[] = {"Muster Wohnen GmbH & Co. KG",
                                    "Sabine Se",
                                    "SAP SE",
                                    "Maria S\xC3\xA1",
                                    "GmbH",
                                    "M\xC3\xBCller & Co.",
                                    "Costa Co",
                                    "Start UG (haftungsbeschr\xC3\xA4nkt)",
                                    "Fiat S.p.A.",
                                    "AG Wohnen Nord",
                                    "Kg Nord",
                                    ""};
  for (std::string_view name : names) {
    const std::string once = normalize_party_name(name);
    EXPECT_EQ(normalize_party_name(once), once) << name;
    EXPECT_EQ(normalize_for_matching(once), once) << name;
  }
}

// 100,000 statement lines must normalise in well under 100 ms. Best of three runs, in CPU time;
// sanitizer and debug builds only get a loose bound.
TEST(Normalize, is_fast_enough_for_every_statement_line) {
  std::vector<std::string> lines;
  for (int i = 0; i < 100000; ++i)
    lines.push_back("SVWZ+Rechnung RE-" + std::to_string(i) +
                    " M\xC3\xBCller-L\xC3\xBC"
                    "denscheidt GmbH & Co. KG");
  std::chrono::nanoseconds best = std::chrono::hours(1);
  std::size_t total = 0;
  for (int run = 0; run < 3; ++run) {
    const auto start = thread_cpu_time();
    for (const auto& line : lines) total += normalize_for_matching(line).size();
    best = std::min(best, thread_cpu_time() - start);
  }
  EXPECT_GT(total, 0u);
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(best, std::chrono::milliseconds(100));
#else
  EXPECT_LT(best, std::chrono::milliseconds(2000));
#endif
}

}  // namespace
}  // namespace bankrec::text
