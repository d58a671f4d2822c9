// Loading bank profiles: the shipped ones load, and a bad profile is refused with the file, line,
// column and key of the problem.
#include "bankrec/formats/profile.h"
#include "bankrec/testing/testing.h"

namespace bankrec::formats {
namespace {

using ::testing::HasSubstr;

TEST(ProfileLoad, every_shipped_profile_loads) {
  const auto set = ProfileSet::load_directory(testing::source_dir() / "etc" / "profiles");
  ASSERT_OK(set);
  std::vector<std::string> names;
  for (const auto& s : set->list()) {
    names.push_back(s.name);
    EXPECT_FALSE(s.description.empty()) << s.name;
    EXPECT_TRUE(s.path.ends_with(s.name + ".yaml")) << s.path << " should be named after the profile";
  }
  for (const char* expected : {"sparkasse-camt-v2", "sparkasse-mt940", "ing", "dkb", "commerzbank",
                               "volksbank-raiffeisen", "paypal-de", "paypal-en", "targobank", "generic", "raiffeisen-ro"})
    EXPECT_THAT(names, ::testing::Contains(std::string(expected)));
}

TEST(ProfileLoad, missing_directory_is_an_empty_set) {
  const auto set = ProfileSet::load_directory("/nonexistent/bankrec/profiles");
  ASSERT_OK(set);
  EXPECT_TRUE(set->empty());
}

struct BadProfile {
  const char* description;
  const char* yaml;
  const char* where;    ///< "p.yaml:LINE:COL"
  const char* message;  ///< substring
};

constexpr const char* kGood = "name: p\nmatch: {header: [Datum, Betrag]}\ncolumns: {booking_date: Datum, amount: Betrag}\n";

TEST(ProfileLoad, bad_profiles_name_file_line_and_key) {
  const BadProfile cases[] = {
      {"yaml syntax", "name: p\nmatch: [unclosed\n", "p.yaml:3:1", "invalid YAML"},
      {"unknown top-level key", "name: p\nmatchh: {}\n", "p.yaml:2:1", "matchh: unknown key"},
      {"missing name", "match: {header: [A]}\ncolumns: {amount: A, booking_date: A}\n", "p.yaml:1:1", "name: missing"},
      {"bad name", "name: Sparkasse Köln\n", "p.yaml:1:7", "name: 'Sparkasse Köln' must be lower-case"},
      {"unknown field", "name: p\nmatch: {header: [A]}\ncolumns:\n  amount: A\n  bookingdate: A\n", "p.yaml:5:3",
       "columns.bookingdate: unknown field"},
      {"no amount", "name: p\nmatch: {header: [A]}\ncolumns:\n  booking_date: A\n", "p.yaml:4:3",
       "columns: needs 'amount', or 'debit' and 'credit'"},
      {"two columns for a date", "name: p\nmatch: {header: [A, B]}\ncolumns:\n  amount: A\n  booking_date: [A, B]\n",
       "p.yaml:5:17", "columns.booking_date: takes one column"},
      {"column spec with both name and index",
       "name: p\nmatch: {header: [A]}\ncolumns:\n  amount: {name: A, index: 2}\n  booking_date: A\n", "p.yaml:4:11",
       "columns.amount: give exactly one of 'name' and 'index'"},
      {"bad occurrence", "name: p\nmatch: {header: [A]}\ncolumns:\n  amount: {name: A, occurrence: first}\n  booking_date: A\n",
       "p.yaml:4:33", "columns.amount.occurrence: expected a number"},
      {"bad delimiter", "name: p\nmatch: {header: [A]}\ncsv: {delimiter: ':'}\ncolumns: {amount: A, booking_date: A}\n",
       "p.yaml:3:18", "csv.delimiter: expected"},
      {"bad encoding", "name: p\nmatch: {header: [A]}\ncsv: {encoding: klingon}\ncolumns: {amount: A, booking_date: A}\n",
       "p.yaml:3:17", "csv.encoding"},
      {"bad date format", "name: p\nmatch: {header: [A]}\ncolumns: {amount: A, booking_date: A}\ndates: {format: QQ}\n",
       "p.yaml:4:17", "dates.format: expected a date format"},
      {"bad regex", "name: p\nmatch: {header: [A], file_name: '(['}\ncolumns: {amount: A, booking_date: A}\n", "p.yaml:2:33",
       "match.file_name: invalid regular expression"},
      {"regex without group",
       "name: p\nmatch: {header: [A]}\ncolumns: {amount: A, booking_date: A, purpose: A}\nextract:\n  - {from: purpose, field: end_to_end_id, pattern: 'E2E'}\n",
       "p.yaml:5:52", "extract[0].pattern: needs a capture group"},
      {"unknown kind", "name: p\nkind: spreadsheet\n", "p.yaml:2:7", "kind: must be table, xml or pdf"},
      {"headerless without count", "name: p\nmatch: {has_header: false}\ncolumns: {amount: {index: 1}, booking_date: {index: 2}}\n",
       "p.yaml:2:8", "match.columns: a headerless profile must give the column count"},
      {"unknown currency", "name: p\nmatch: {header: [A]}\ncolumns: {amount: A, booking_date: A}\namounts: {currency: EURO}\n",
       "p.yaml:4:21", "amounts.currency: unknown currency 'EURO'"},
  };
  for (const auto& c : cases) {
    const auto set = ProfileSet::from_sources({{"p.yaml", c.yaml}});
    ASSERT_FALSE(set) << c.description;
    EXPECT_EQ(set.error().code, Errc::invalid_input) << c.description;
    EXPECT_EQ(set.error().where, c.where) << c.description << ": " << set.error().message;
    EXPECT_THAT(set.error().message, HasSubstr(c.message)) << c.description;
    EXPECT_GT(set.error().line, 0u) << c.description;
  }
  EXPECT_OK(ProfileSet::from_sources({{"p.yaml", kGood}}));
}

TEST(ProfileLoad, a_name_used_twice_names_both_files) {
  const auto set = ProfileSet::from_sources({{"a.yaml", kGood}, {"b.yaml", kGood}});
  EXPECT_ERR(set, Errc::invalid_input, HasSubstr("profile 'p' is already defined in a.yaml"));
  EXPECT_EQ(set.error().where, "b.yaml:1:7");
}

}  // namespace
}  // namespace bankrec::formats
