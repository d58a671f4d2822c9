#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "bankrec/domain/money.h"
#include "bankrec/testing/testing.h"

namespace bankrec::domain {
namespace {

using ::testing::HasSubstr;

const Currency kUsd = *Currency::find("USD");
const Currency kJpy = *Currency::find("JPY");
const Currency kKwd = *Currency::find("KWD");
const Currency kGbp = *Currency::find("GBP");
const Currency kChf = *Currency::find("CHF");

struct AmountCase {
  const char* description;
  std::string_view text;
  Currency currency;
  char decimal_sep;
  std::int64_t expected_minor;
};

TEST(MoneyParse, reads_every_documented_form) {
  const AmountCase cases[] = {
      {"plain dot decimal", "1234.56", kEur, 0, 123456},
      {"german grouping", "1.234,56", kEur, 0, 123456},
      {"english grouping", "1,234.56", kEur, 0, 123456},
      {"space grouping", "1 234,56", kEur, 0, 123456},
      {"nbsp grouping",
       "1\xC2\xA0"
       "234,56",
       kEur, 0, 123456},
      {"narrow nbsp grouping",
       "1\xE2\x80\xAF"
       "234,56",
       kEur, 0, 123456},
      {"thin space grouping",
       "1\xE2\x80\x89"
       "234,56",
       kEur, 0, 123456},
      {"swiss apostrophe grouping", "1'234.56", kChf, 0, 123456},
      {"swiss typographic apostrophe",
       "1\xE2\x80\x99"
       "234.56",
       kChf, 0, 123456},
      {"one decimal", "-12,5", kEur, 0, -1250},
      {"trailing minus", "12,50-", kEur, 0, -1250},
      {"trailing plus", "12,50+", kEur, 0, 1250},
      {"parentheses", "(12.50)", kEur, 0, -1250},
      {"parentheses with currency", "(EUR 12.50)", kEur, 0, -1250},
      {"currency before parentheses", "EUR (12.50)", kEur, 0, -1250},
      {"parentheses and trailing code", "(12,50) EUR", kEur, 0, -1250},
      {"leading plus", "+12", kEur, 0, 1200},
      {"code before", "EUR 12,50", kEur, 0, 1250},
      {"code after", "12,50 EUR", kEur, 0, 1250},
      {"code attached", "EUR12,50", kEur, 0, 1250},
      {"lower-case code", "eur 12,50", kEur, 0, 1250},
      {"euro sign after", "12,50 \xE2\x82\xAC", kEur, 0, 1250},
      {"euro sign before", "\xE2\x82\xAC 12.50", kEur, 0, 1250},
      {"euro sign attached",
       "\xE2\x82\xAC"
       "12.50",
       kEur, 0, 1250},
      {"minus before euro sign", "-\xE2\x82\xAC 12.50", kEur, 0, -1250},
      {"minus after euro sign", "\xE2\x82\xAC -12.50", kEur, 0, -1250},
      {"minus before code", "-EUR 12,50", kEur, 0, -1250},
      {"trailing minus then code", "12,50- EUR", kEur, 0, -1250},
      {"unicode minus",
       "\xE2\x88\x92"
       "12,50",
       kEur, 0, -1250},
      {"dollar sign", "$1,234.50", kUsd, 0, 123450},
      {"pound sign",
       "\xC2\xA3"
       "7.20",
       kGbp, 0, 720},
      {"surrounding white space", "  \t 12,50 \xC2\xA0", kEur, 0, 1250},
      {"integer", "12", kEur, 0, 1200},
      {"zero", "0", kEur, 0, 0},
      {"negative zero", "-0,00", kEur, 0, 0},
      {"leading separator", ",5", kEur, 0, 50},
      {"leading dot", ".75", kEur, 0, 75},
      {"trailing decimal separator", "12,", kEur, 0, 1200},
      {"lone dot with three digits is german grouping", "1.234", kEur, 0, 123400},
      {"several dots are grouping", "1.234.567", kEur, 0, 123456700},
      {"several commas are grouping", "1,234,567", kEur, 0, 123456700},
      {"grouping and decimals", "1.234.567,89", kEur, 0, 123456789},
      {"space grouping makes a lone dot decimal", "1 234.567", kKwd, 0, 1234567},
      {"extra zero decimals", "8,850", kEur, 0, 885},
      {"four digits after a lone comma", "1,2340", kKwd, 0, 1234},
      {"jpy has no decimals", "1.200", kJpy, 0, 1200},
      {"zero before a lone dot is never grouping", "0.125", kKwd, 0, 125},
      {"zero before a lone comma", "0,125", kKwd, 0, 125},
      {"four digits before a lone dot is never grouping", "1234.567", kKwd, 0, 1234567},
      {"ambiguous lone dot is read the german way", "123.456", kKwd, 0, 123456000},
      {"jpy with code", "JPY 1,200", kJpy, '.', 1200},
      {"kwd three decimals", "1,234", kKwd, 0, 1234},
      {"given dot separator", "1,234", kEur, '.', 123400},
      {"given comma separator", "1.234", kEur, ',', 123400},
      {"given comma with decimals", "1.234,5", kEur, ',', 123450},
      {"given dot with grouping", "1,234,567.8", kEur, '.', 123456780},
      {"german no-cents dash", "12,-", kEur, 0, 1200},
      {"german no-cents double dash", "1.234,--", kEur, 0, 123400},
      {"negative no-cents dash", "-12,-", kEur, 0, -1200},
      {"no-cents dash with currency", "12,- \xE2\x82\xAC", kEur, 0, 1200},
      {"swiss francs with Fr.", "Fr. 1'234.50", kChf, 0, 123450},
      {"swiss francs with code", "CHF 1'234.50", kChf, 0, 123450},
      {"canadian dollar sign", "$12.00", *Currency::find("CAD"), 0, 1200},
      {"yen sign",
       "\xC2\xA5"
       "1,200",
       kJpy, '.', 1200},
      {"int64 max", "92233720368547758.07", kEur, 0, std::numeric_limits<std::int64_t>::max()},
      {"int64 min", "-92233720368547758.08", kEur, 0, std::numeric_limits<std::int64_t>::min()},
      {"int64 min in parentheses", "(92.233.720.368.547.758,08)", kEur, 0,
       std::numeric_limits<std::int64_t>::min()},
  };
  for (const AmountCase& c : cases) {
    const auto r = parse_amount(c.text, c.currency, c.decimal_sep);
    ASSERT_TRUE(r.has_value()) << c.description << ": " << r.error().describe();
    EXPECT_EQ(r->minor(), c.expected_minor) << c.description;
    EXPECT_EQ(r->currency(), c.currency) << c.description;
  }
}

struct BadCase {
  const char* description;
  std::string_view text;
  Currency currency;
  char decimal_sep;
  std::string_view why;
};

TEST(MoneyParse, rejects_malformed_text_naming_it) {
  const BadCase cases[] = {
      {"empty", "", kEur, 0, "empty"},
      {"blank", "  ", kEur, 0, "empty"},
      {"only a sign", "-", kEur, 0, "no digits"},
      {"only a separator", ",", kEur, 0, "no digits"},
      {"only a currency", "EUR", kEur, 0, "no digits"},
      {"letters", "12x0", kEur, 0, "unexpected character 'x'"},
      {"inconsistent grouping", "1.23.4,5", kEur, 0, "inconsistent thousands grouping"},
      {"short group", "1.23,45", kEur, 0, "inconsistent thousands grouping"},
      {"long first group", "1234.567,89", kEur, 0, "inconsistent thousands grouping"},
      {"empty group", "12..5", kEur, 0, "inconsistent thousands grouping"},
      {"space not grouping", "1 2", kEur, 0, "inconsistent thousands grouping"},
      {"mixed grouping", "1.234 567,00", kEur, 0, "mixed thousands separators"},
      {"grouping after decimals", "1,234.567.8", kEur, 0, "grouped after the decimal separator"},
      {"two decimal commas", "1,5,5", kEur, ',', "grouped after the decimal separator"},
      {"too many decimals", "12,345", kEur, 0, "more than 2 decimals"},
      {"lone comma three digits eur", "1,234", kEur, 0, "more than 2 decimals"},
      {"jpy decimals", "12.5", kJpy, '.', "more than 0 decimals"},
      {"given dot rejects comma decimal", "12,50", kEur, '.', "inconsistent thousands grouping"},
      {"two signs", "-12,50-", kEur, 0, "more than one sign"},
      {"parentheses and minus", "(-12.50)", kEur, 0, "more than one sign"},
      {"wrong currency code", "USD 12.50", kEur, 0, "currency 'USD' is not EUR"},
      {"wrong currency symbol", "\xE2\x82\xAC 12.50", kUsd, 0, "is not USD"},
      {"currency word", "EURO 12", kEur, 0, "unexpected character"},
      {"overflow", "92233720368547758.08", kEur, 0, "too large"},
      {"overflow negative", "-92233720368547758.09", kEur, 0, "too large"},
      {"overflow by padding", "922337203685477581", kEur, 0, "too large"},
      {"huge", "99999999999999999999999", kJpy, 0, "too large"},
      {"exponent notation", "1e5", kEur, 0, "unexpected character"},
      {"sign in the middle", "12-50", kEur, 0, "unexpected character"},
      {"unbalanced parenthesis", "(12.50", kEur, 0, "unexpected character '('"},
      {"double minus", "--12", kEur, 0, "more than one sign"},
      {"zero before a lone dot", "0.123", kEur, 0, "more than 2 decimals"},
      {"grouped number starting with zero", "01.234,56", kEur, 0, "inconsistent thousands grouping"},
      {"dollar sign for euros", "$12", kEur, 0, "currency '$' is not EUR"},
  };
  for (const BadCase& c : cases) {
    const auto r = parse_amount(c.text, c.currency, c.decimal_sep);
    ASSERT_FALSE(r.has_value()) << c.description << " parsed as " << r->minor();
    EXPECT_EQ(r.error().code, Errc::invalid_input) << c.description;
    EXPECT_THAT(r.error().message, HasSubstr("'" + std::string(c.text) + "'")) << c.description;
    EXPECT_THAT(r.error().message, HasSubstr(std::string(c.why))) << c.description;
  }
}

TEST(MoneyParse, rejects_an_unsupported_decimal_separator) {
  EXPECT_ERR(parse_amount("12;50", kEur, ';'), Errc::invalid_input,
             HasSubstr("unsupported decimal separator"));
}

// Whatever format_minor() writes, parse_amount() reads back, in both separator conventions.
TEST(MoneyParse, round_trips_formatted_amounts) {
  const std::int64_t values[] = {0,
                                 1,
                                 -1,
                                 99,
                                 100,
                                 12345,
                                 -123456789,
                                 100000000,
                                 922337203685477580,
                                 std::numeric_limits<std::int64_t>::max(),
                                 std::numeric_limits<std::int64_t>::min()};
  for (const Currency& currency : {kEur, kJpy, kKwd}) {
    for (std::int64_t v : values) {
      const std::string text = format_minor(v, currency.exponent);
      const auto dot = parse_amount(text, currency, '.');
      ASSERT_TRUE(dot.has_value()) << text << ": " << dot.error().describe();
      EXPECT_EQ(dot->minor(), v) << text;
      std::string german = text;
      for (char& c : german)
        if (c == '.') c = ',';
      const auto comma = parse_amount(german + " " + std::string(currency.str()), currency, ',');
      ASSERT_TRUE(comma.has_value()) << german << ": " << comma.error().describe();
      EXPECT_EQ(comma->minor(), v) << german;
    }
  }
}

struct AllocateCase {
  const char* description;
  std::int64_t total;
  std::vector<std::int64_t> weights;
  std::vector<std::int64_t> expected;
};

TEST(Allocate, splits_by_largest_remainder) {
  const AllocateCase cases[] = {
      {"even split", 100, {1, 1}, {50, 50}},
      {"thirds, tie to the earlier part", 100, {1, 1, 1}, {34, 33, 33}},
      {"two thirds", 200, {1, 1, 1}, {67, 67, 66}},
      {"largest remainder wins", 100, {1, 2}, {33, 67}},
      {"proportional", 1000, {500, 300, 200}, {500, 300, 200}},
      {"remainders decide", 10, {3, 3, 4}, {3, 3, 4}},
      {"zero weight gets nothing", 100, {0, 1, 1}, {0, 50, 50}},
      {"zero total", 0, {1, 2, 3}, {0, 0, 0}},
      {"single part", 12345, {7}, {12345}},
      {"negative total splits like positive", -100, {1, 1, 1}, {-34, -33, -33}},
      {"negative total largest remainder", -100, {1, 2}, {-33, -67}},
      {"one cent over many", 1, {1, 1, 1, 1}, {1, 0, 0, 0}},
      {"vat split", 11900, {100, 19}, {10000, 1900}},
      {"int64 max",
       std::numeric_limits<std::int64_t>::max(),
       {1, 1},
       {std::numeric_limits<std::int64_t>::max() / 2 + 1, std::numeric_limits<std::int64_t>::max() / 2}},
      {"int64 min",
       std::numeric_limits<std::int64_t>::min(),
       {1, 1},
       {std::numeric_limits<std::int64_t>::min() / 2, std::numeric_limits<std::int64_t>::min() / 2}},
      {"huge weights",
       1000,
       {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max()},
       {500, 500}},
  };
  for (const AllocateCase& c : cases) {
    const auto r = allocate(c.total, c.weights);
    ASSERT_TRUE(r.has_value()) << c.description << ": " << r.error().describe();
    EXPECT_EQ(*r, c.expected) << c.description;
  }
}

TEST(Allocate, parts_always_add_up_to_the_total) {
  const std::vector<std::vector<std::int64_t>> weight_sets = {{1, 1, 1}, {7, 13, 29, 0, 1}, {3}, {1, 999999}};
  for (const auto& weights : weight_sets) {
    for (std::int64_t total = -1000; total <= 1000; total += 37) {
      const auto r = allocate(total, weights);
      ASSERT_OK(r);
      EXPECT_EQ(std::accumulate(r->begin(), r->end(), std::int64_t{0}), total) << "total " << total;
      for (std::int64_t part : *r) EXPECT_TRUE(total >= 0 ? part >= 0 : part <= 0) << "total " << total;
    }
  }
}

TEST(Allocate, rejects_bad_weights) {
  EXPECT_ERR(allocate(100, std::vector<std::int64_t>{}), Errc::invalid_input, HasSubstr("no weights"));
  EXPECT_ERR(allocate(100, std::vector<std::int64_t>{0, 0}), Errc::invalid_input, HasSubstr("all zero"));
  EXPECT_ERR(allocate(100, std::vector<std::int64_t>{1, -1}), Errc::invalid_input,
             HasSubstr("negative weight -1 at index 1"));
}

}  // namespace
}  // namespace bankrec::domain
