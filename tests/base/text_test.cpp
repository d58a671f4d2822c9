#include "bankrec/base/text.h"

#include "bankrec/testing/testing.h"

namespace bankrec::text {
namespace {

TEST(Utf8, finds_the_first_invalid_byte) {
  EXPECT_TRUE(is_valid_utf8("plain ascii text, longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("M\xC3\xBCller \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_EQ(find_invalid_utf8("abc\xFC" "def"), 3u);           // Latin-1 ü
  EXPECT_EQ(find_invalid_utf8("\xC0\xAF"), 0u);                  // overlong '/'
  EXPECT_EQ(find_invalid_utf8("ab\xED\xA0\x80"), 2u);            // surrogate
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);          // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("0123456789\xE2\x82"), 10u);       // truncated at the end
}

TEST(Charset, converts_latin1_and_windows1252) {
  EXPECT_EQ(*to_utf8("M\xFCller \xDF", Charset::iso8859_1), "M\xC3\xBCller \xC3\x9F");
  EXPECT_EQ(*to_utf8("\x80 \x84", Charset::windows1252), "\xE2\x82\xAC \xE2\x80\x9E");
  EXPECT_EQ(*to_utf8("\xA4", Charset::iso8859_15), "\xE2\x82\xAC");
  EXPECT_EQ(*to_utf8("\xA4", Charset::iso8859_1), "\xC2\xA4");
  EXPECT_ERR(to_utf8("ok\xFF", Charset::utf8), Errc::invalid_input, ::testing::HasSubstr("byte 2"));
}

TEST(Charset, detects_and_names) {
  EXPECT_EQ(detect_charset("M\xC3\xBCller"), Charset::utf8);
  EXPECT_EQ(detect_charset("M\xFCller"), Charset::windows1252);
  EXPECT_EQ(*parse_charset("Latin1"), Charset::iso8859_1);
  EXPECT_EQ(*parse_charset("CP1252"), Charset::windows1252);
  EXPECT_EQ(*parse_charset("utf8"), Charset::utf8);
  EXPECT_FALSE(parse_charset("ebcdic"));
  EXPECT_EQ(charset_name(Charset::iso8859_15), "iso-8859-15");
}

TEST(Text, trims_and_collapses) {
  EXPECT_EQ(trim("  a b \r\n"), "a b");
  EXPECT_EQ(collapse_spaces(" a \t b\n\nc "), "a b c");
  EXPECT_EQ(strip_bom("\xEF\xBB\xBFx"), "x");
  EXPECT_TRUE(iequals_ascii("CRDT", "crdt"));
  EXPECT_EQ(to_lower_ascii("AbC"), "abc");
}

}  // namespace
}  // namespace bankrec::text
