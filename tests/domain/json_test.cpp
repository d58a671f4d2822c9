#include "bankrec/domain/json.h"

#include "bankrec/testing/testing.h"

namespace bankrec::domain {
namespace {

using ::testing::HasSubstr;

Statement sample_statement() {
  Statement s;
  s.id = "STMT-2024-02-01-001";
  s.sequence = "32";
  s.account.iban = "DE89370400440532013000";
  s.account.currency = "EUR";
  s.opening_balance = Balance{Money(1050000, kEur), Date{2024, 1, 30}, "OPBD"};
  Entry e;
  e.booking_date = Date{2024, 1, 31};
  e.amount = Money(119000, kEur);
  e.end_to_end_id = "E2E-77-INV-2024-0815";
  e.uetr = "eb6305c9-1f7f-49de-aed0-16487c27b42d";
  e.transaction_code.iso = "PMNT-RCDT-ESCT";
  e.counterparty.name = "Hans Beispiel";
  e.remittance = "Rechnung INV-2024-0815 \"Kd\" 4711";
  s.entries.push_back(e);
  return s;
}

TEST(Json, writes_the_contract_shape) {
  StatementFile f{"a.xml", "camt.053.001.02", {sample_statement()}};
  const std::string json = to_json(f);
  EXPECT_THAT(json, HasSubstr(R"("file":"a.xml","format":"camt.053.001.02")"));
  EXPECT_THAT(json, HasSubstr(R"("amount":"1190.00","currency":"EUR","status":"booked","reversal":false)"));
  EXPECT_THAT(json, HasSubstr(R"("opening_balance":{"amount":"10500.00","currency":"EUR","date":"2024-01-30")"));
  EXPECT_THAT(json, HasSubstr(R"("uetr":"eb6305c9-1f7f-49de-aed0-16487c27b42d","mandate_id":null)"));
  EXPECT_THAT(json, HasSubstr(R"(Rechnung INV-2024-0815 \"Kd\" 4711)"));
}

TEST(Json, pretty_output_is_indented) {
  const std::string json = to_json(sample_statement(), JsonStyle::pretty);
  EXPECT_THAT(json, HasSubstr("\n  \"sequence\": \"32\",\n"));
}

TEST(Json, error_object) {
  Error e{Errc::invalid_input, "invalid amount 'x'", "s.sta:2:5 (byte 7, :61:)"};
  e.line = 2;
  e.column = 5;
  EXPECT_EQ(error_to_json("s.sta", e),
            R"({"file":"s.sta","error":{"message":"s.sta:2:5 (byte 7, :61:): invalid amount 'x'","line":2,"column":5}})");
}

}  // namespace
}  // namespace bankrec::domain
