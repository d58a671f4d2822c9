#include "bankrec/base/url.h"

#include "bankrec/testing/testing.h"

namespace bankrec::url {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(Url, percent_encodes_all_but_unreserved_characters_and_decodes_back) {
  EXPECT_EQ(encode("a b/\xC3\xA4~-._Z9"), "a%20b%2F%C3%A4~-._Z9");
  EXPECT_EQ(encode("x=1&y=?#"), "x%3D1%26y%3D%3F%23");
  EXPECT_EQ(decode("a%20b%2f%C3%A4+c"), std::optional<std::string>("a b/\xC3\xA4 c"));
  EXPECT_EQ(decode(encode("\x01 \xFF%+")), std::optional<std::string>("\x01 \xFF%+"));
  EXPECT_EQ(decode("50%"), std::nullopt);  // cut escape
  EXPECT_EQ(decode("%4"), std::nullopt);
  EXPECT_EQ(decode("%zz"), std::nullopt);  // not hex
  EXPECT_EQ(decode(""), std::optional<std::string>(""));
}

TEST(Url, parses_a_form_in_order_with_duplicates_and_a_limit) {
  EXPECT_EQ(parse_form("a=1&b=x%20y&&c&a=2+3"),
            std::optional<Pairs>(Pairs{{"a", "1"}, {"b", "x y"}, {"c", ""}, {"a", "2 3"}}));
  EXPECT_EQ(parse_form(""), std::optional<Pairs>(Pairs{}));
  EXPECT_EQ(parse_form("a=%G1"), std::nullopt);
  EXPECT_EQ(parse_form("a=1&b=2", 2), std::optional<Pairs>(Pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(parse_form("a=1&b=2&c=3", 2), std::nullopt);
}

}  // namespace
}  // namespace bankrec::url
