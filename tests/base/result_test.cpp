#include "bankrec/base/result.h"

#include <memory>

#include "bankrec/testing/testing.h"

namespace bankrec {
namespace {

using ::testing::HasSubstr;

Result<int> half(int v) {
  if (v % 2 != 0) return fail(Errc::invalid_input, "odd value " + std::to_string(v));
  return v / 2;
}

Result<int> quarter(int v) {
  const int h = BANKREC_TRY(half(v));
  return BANKREC_TRY(half(h));
}

Result<std::unique_ptr<int>> boxed(int v) { return std::make_unique<int>(v); }

Result<void> check_positive(int v) {
  if (v <= 0) return fail(Errc::invalid_input, "not positive");
  return ok();
}

TEST(Result, holds_value_or_error) {
  EXPECT_EQ(*half(4), 2);
  EXPECT_ERR(half(3), Errc::invalid_input, HasSubstr("odd value 3"));
}

TEST(Result, try_propagates_the_first_error) {
  EXPECT_EQ(*quarter(8), 2);
  EXPECT_ERR(quarter(6), Errc::invalid_input, HasSubstr("odd value 3"));
}

TEST(Result, works_with_move_only_values) {
  auto r = boxed(7);
  ASSERT_OK(r);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(Result, void_results) {
  EXPECT_OK(check_positive(1));
  EXPECT_ERR(check_positive(0), Errc::invalid_input, HasSubstr("not positive"));
}

TEST(Result, describe_joins_location_and_message) {
  Error e{Errc::invalid_input, "bad", "f.sta:1:2"};
  EXPECT_EQ(e.describe(), "f.sta:1:2: bad");
  EXPECT_EQ(Error{}.describe(), "");
  EXPECT_STREQ(errc_name(Errc::unavailable), "unavailable");
}

}  // namespace
}  // namespace bankrec
