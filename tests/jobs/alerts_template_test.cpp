#include "alerts_template.h"

#include "bankrec/testing/testing.h"

namespace bankrec::jobs::alerts_detail {
namespace {

using ::testing::HasSubstr;

TEST(AlertTemplate, fills_placeholders_once_and_escapes_per_output) {
  auto t = parse_template("a {{message}} b {{ key }}", "t.txt");
  ASSERT_OK(t);
  const std::map<std::string, std::string, std::less<>> values = {{"message", "<b>{{key}}</b>"}, {"key", "k&\"'"}};
  EXPECT_EQ(t->render(values, Escape::none), "a <b>{{key}}</b> b k&\"'");
  EXPECT_EQ(t->render(values, Escape::html), "a &lt;b&gt;{{key}}&lt;/b&gt; b k&amp;&quot;&#39;");
}

TEST(AlertTemplate, header_values_lose_line_breaks_and_are_bounded) {
  EXPECT_EQ(header_safe("a\r\nBcc: x", 100), "a  Bcc: x");
  EXPECT_EQ(header_safe("ääää", 3), "ä...");  // cut on a character boundary
}

TEST(AlertTemplate, rejects_unknown_and_unterminated_placeholders) {
  EXPECT_ERR(parse_template("x\n{{password}}", "t.txt"), Errc::invalid_input, HasSubstr("unknown placeholder"));
  auto r = parse_template("x\ny {{message", "t.txt");
  EXPECT_ERR(r, Errc::invalid_input, HasSubstr("unterminated"));
  EXPECT_EQ(r.error().where, "t.txt:2");
}

TEST(AlertTemplate, json_quote_escapes_control_characters) {
  EXPECT_EQ(json_quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST(AlertTemplate, the_shipped_templates_all_load) {
  const auto dir = bankrec::testing::source_dir() / "etc" / "templates" / "alerts";
  for (const char* kind : {"parser_failure", "unmatched_above_threshold", "dead_letter", "connector_failure",
                           "consent_expiring", "health_check_failed", "audit_verification_failed", "default"}) {
    auto t = load_email_template(dir, kind);
    EXPECT_TRUE(t.has_value()) << kind << ": " << (t ? "" : t.error().describe());
  }
}

}  // namespace
}  // namespace bankrec::jobs::alerts_detail
