#include "bankrec/reconcile/open_items.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bankrec/testing/testing.h"

namespace bankrec::reconcile {
namespace {

using ::testing::HasSubstr;

constexpr const char* kHeader =
    "id,kind,partner_id,partner_name,partner_ibans,document_number,amount,currency,issue_date,due_date,reference,"
    "discount_until,discount_percent\n";

TEST(OpenItemsCsv, reads_every_column_with_quotes) {
  const std::string csv = std::string(kHeader) +
                          "OI-1,invoice,4711,\"Muster, Wohnen \"\"Nord\"\" GmbH\",DE89370400440532013000; "
                          "DE02120300000000202051,INV-2024-0815,1190.00,EUR,2024-01-02,2024-01-16,RF18539007547034,"
                          "2024-01-09,1.5\n"
                          "OI-2,credit_note,4711,Muster,,GS-1,\"10.00\",EUR,,,,,\n";
  const auto items = parse_open_items_csv(csv, "items.csv");
  ASSERT_OK(items);
  ASSERT_EQ(items->size(), 2u);
  const auto& a = (*items)[0];
  EXPECT_EQ(a.partner_name, "Muster, Wohnen \"Nord\" GmbH");
  EXPECT_EQ(a.partner_ibans.size(), 2u);
  EXPECT_EQ(a.amount.minor(), 119000);
  EXPECT_EQ(a.discount_basis_points, 150);
  EXPECT_EQ(a.due_date->iso(), "2024-01-16");
  EXPECT_EQ((*items)[1].kind, domain::OpenItemKind::credit_note);
  EXPECT_FALSE((*items)[1].due_date.has_value());
}

TEST(OpenItemsCsv, columns_in_any_order_and_crlf) {
  const auto items = parse_open_items_csv(
      "\xEF\xBB\xBF" "amount,currency,id,kind,partner_id,partner_name,document_number\r\n12.50,EUR,X,bill,S1,Lieferant,B-1\r\n",
      "i.csv");
  ASSERT_OK(items);
  EXPECT_EQ((*items)[0].kind, domain::OpenItemKind::bill);
}

TEST(OpenItemsCsv, bad_amount_names_line_and_column) {
  const std::string csv = std::string(kHeader) + "OI-1,invoice,4711,Muster,,INV-1,\"12,50\",EUR,,,,,\n";
  const auto items = parse_open_items_csv(csv, "items.csv");
  EXPECT_ERR(items, Errc::invalid_input, HasSubstr("invalid amount '12,50'"));
  EXPECT_EQ(items.error().where, "items.csv:2:33 (amount)");
  EXPECT_EQ(items.error().line, 2u);
  EXPECT_EQ(items.error().column, 33u);
}

TEST(OpenItemsCsv, refuses_missing_column_duplicate_id_bad_kind_and_unterminated_quote) {
  EXPECT_ERR(parse_open_items_csv("id,kind\nX,invoice\n", "a.csv"), Errc::invalid_input,
             HasSubstr("missing required column 'partner_id'"));
  const std::string dup = std::string(kHeader) + "X,invoice,1,A,,N1,1.00,EUR,,,,,\nX,invoice,1,A,,N2,1.00,EUR,,,,,\n";
  EXPECT_ERR(parse_open_items_csv(dup, "a.csv"), Errc::invalid_input, HasSubstr("duplicate id 'X' (first on line 2)"));
  const std::string kind = std::string(kHeader) + "X,receipt,1,A,,N1,1.00,EUR,,,,,\n";
  EXPECT_ERR(parse_open_items_csv(kind, "a.csv"), Errc::invalid_input, HasSubstr("unknown kind 'receipt'"));
  const std::string quote = std::string(kHeader) + "X,invoice,1,\"A,,N1,1.00,EUR,,,,,\n";
  EXPECT_ERR(parse_open_items_csv(quote, "a.csv"), Errc::invalid_input, HasSubstr("unterminated quoted field"));
  const std::string date = std::string(kHeader) + "X,invoice,1,A,,N1,1.00,EUR,16.01.2024,,,,\n";
  EXPECT_ERR(parse_open_items_csv(date, "a.csv"), Errc::invalid_input, HasSubstr("expected YYYY-MM-DD"));
}

TEST(OpenItemsFile, xlsx_is_refused_with_a_hint_and_missing_file_is_not_found) {
  EXPECT_ERR(load_open_items("items.xlsx"), Errc::invalid_input, HasSubstr("save the sheet as CSV"));
  EXPECT_ERR(load_open_items("/nonexistent/items.csv"), Errc::not_found, HasSubstr("cannot read"));
}

TEST(OpenItemsJsonl, reads_lines_and_names_the_bad_line) {
  bankrec::testing::TempDir dir;
  const auto path = dir.path() / "items.jsonl";
  bankrec::testing::write_file(
      path,
      "{\"id\": \"A\", \"kind\": \"invoice\", \"partner_id\": \"1\", \"partner_name\": \"M\", \"document_number\": \"N1\", "
      "\"amount\": \"1.00\", \"currency\": \"EUR\"}\n\n{\"id\": 5}\n");
  const auto items = load_open_items(path.string());
  ASSERT_FALSE(items.has_value());
  EXPECT_THAT(items.error().where, HasSubstr("items.jsonl:3:1"));
}

}  // namespace
}  // namespace bankrec::reconcile
