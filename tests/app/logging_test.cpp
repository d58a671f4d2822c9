#include "logging.h"

#include "bankrec/testing/testing.h"

namespace bankrec::app {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

TEST(Logging, key_value_context_becomes_journald_fields) {
  const Fields f = journal_fields("jobs", 6, R"(imported file=day1.xml entries=1200 actor="Erika M" dup=0)");
  ASSERT_GE(f.size(), 8u);
  EXPECT_EQ(f[0], (std::pair<std::string, std::string>{"MESSAGE", R"(imported file=day1.xml entries=1200 actor="Erika M" dup=0)"}));
  EXPECT_EQ(f[1].second, "6");
  EXPECT_EQ(f[3], (std::pair<std::string, std::string>{"BANKREC_COMPONENT", "jobs"}));
  EXPECT_EQ(f[4], (std::pair<std::string, std::string>{"BANKREC_FILE", "day1.xml"}));
  EXPECT_EQ(f[5], (std::pair<std::string, std::string>{"BANKREC_ENTRIES", "1200"}));
  EXPECT_EQ(f[6], (std::pair<std::string, std::string>{"BANKREC_ACTOR", "Erika M"}));
  EXPECT_EQ(f[7], (std::pair<std::string, std::string>{"BANKREC_DUP", "0"}));
}

TEST(Logging, ignores_equals_signs_that_are_not_context) {
  const Fields f = journal_fields("http", 4, "a=b=c x =y Key=v url=https://h/?q=1");
  std::vector<std::string> keys;
  for (std::size_t i = 4; i < f.size(); ++i) keys.push_back(f[i].first);
  EXPECT_EQ(keys, (std::vector<std::string>{"BANKREC_A", "BANKREC_URL"}));
  EXPECT_EQ(f.back().second, "https://h/?q=1");
}

TEST(Logging, chooses_the_format) {
  EXPECT_EQ(choose_log_format("text"), LogFormat::text);
  EXPECT_EQ(choose_log_format("journald"), LogFormat::journald);
}

}  // namespace
}  // namespace bankrec::app
