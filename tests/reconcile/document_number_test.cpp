#include "bankrec/reconcile/document_number.h"

#include <gtest/gtest.h>

namespace bankrec::reconcile {
namespace {

TEST(Tokenize, splits_letters_digits_and_reads_slips) {
  const auto t = tokenize("Re.-Nr. 2O26-OOO123, x");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].text, "RE");
  EXPECT_EQ(t[2].text, "2026");
  EXPECT_EQ(t[2].slips, 1);
  EXPECT_EQ(t[3].text, "000123");
  EXPECT_EQ(t[3].slips, 3);
  EXPECT_TRUE(t[4].break_before);
}

}  // namespace
}  // namespace bankrec::reconcile

#include "bankrec/reconcile/name_similarity.h"

namespace bankrec::reconcile {
namespace {

TEST(DocumentNumber, splits_prefix_and_groups) {
  struct Case { const char* text; const char* prefix; std::vector<std::string> groups; } cases[] = {
      {"RE-2026-000123", "RE", {"2026", "000123"}},
      {"INV-2024-0815", "INV", {"2024", "0815"}},
      {"RE 24/1234", "RE", {"24", "1234"}},
      {"2026-12345", "", {"2026", "12345"}},
      {"WS-100412", "WS", {"100412"}},
  };
  for (const auto& c : cases) {
    const auto n = split_document_number(c.text);
    ASSERT_TRUE(n.has_value()) << c.text;
    EXPECT_EQ(n->prefix, c.prefix) << c.text;
    EXPECT_EQ(n->groups, c.groups) << c.text;
  }
  EXPECT_FALSE(split_document_number("no digits").has_value());
}

TEST(DocumentNumber, years_zeros_and_keys) {
  EXPECT_TRUE(is_year_group("2026", false));
  EXPECT_TRUE(is_year_group("1999", false));
  EXPECT_FALSE(is_year_group("1234", false));
  EXPECT_TRUE(is_year_group("24", true));
  EXPECT_EQ(strip_zeros("000123"), "123");
  EXPECT_EQ(strip_zeros("000"), "0");
  // The series prefix is part of the key: RE-2026-47 and GS-2026-47 differ.
  EXPECT_NE(document_key(KeyKind::full, "RE", {"2026", "47"}), document_key(KeyKind::full, "GS", {"2026", "47"}));
  EXPECT_NE(document_key(KeyKind::full, "RE", {"2026", "47"}), document_key(KeyKind::concat, "RE", {"2026", "47"}));
  EXPECT_NE(document_key(KeyKind::full, "WS", {"1234"}), document_key(KeyKind::full, "WS", {"12345"}));
}

TEST(Tokenize, marks_joined_and_attached_tokens) {
  const auto t = tokenize("RE2026 x-12");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_TRUE(t[1].attached);
  EXPECT_FALSE(t[2].joined);
  EXPECT_TRUE(t[3].joined);
  EXPECT_FALSE(t[3].attached);
  // A word with other letters keeps its O and I: "INFO1" is no slip.
  const auto info = tokenize("INFO1");
  EXPECT_EQ(info[0].text, "INFO");
  EXPECT_EQ(info[1].slips, 0);
}

TEST(NameSimilarity, jaro_winkler_and_word_order) {
  EXPECT_EQ(jaro_winkler_permille("martha", "martha"), 1000);
  EXPECT_EQ(jaro_winkler_permille("martha", "marhta"), 961);  // the textbook value 0.961
  EXPECT_LT(jaro_winkler_permille("mueller bau", "schmidt optik"), 700);
  EXPECT_GE(name_similarity_permille("beispiel hans", "hans beispiel"), 990);
}

}  // namespace
}  // namespace bankrec::reconcile
