#include "bankrec/store/entry_json.h"

#include "bankrec/domain/json.h"
#include "bankrec/testing/testing.h"

namespace bankrec::store {
namespace {

domain::Entry full_entry() {
  domain::Entry e;
  e.booking_date = domain::Date{2026, 11, 20};
  e.value_date = domain::Date{2026, 11, 21};
  e.amount = domain::Money(-123456, domain::kEur);
  e.status = domain::EntryStatus::pending;
  e.reversal = true;
  e.bank_reference = "ACSR \"1\"";
  e.customer_reference = "NONREF";
  e.end_to_end_id = "E2E\\x";
  e.mandate_id = "M-1";
  e.creditor_id = "DE98ZZZ09999999999";
  e.transaction_code = {"PMNT-RCDT-ESCT", "NTRF+166+931", "NTRF", "166"};
  e.posting_text = "SEPA\nGUTSCHRIFT\t\x01\x1f";
  e.counterparty = {
      "Müller & Söhne GmbH", "DE02120300000000202051", "BYLADEM1001", "123", "12030000", "ORG-1"};
  e.remittance = "RE 4711 / Kd. 0815 €";
  e.structured_reference = "RF18539007547034";
  e.original_amount = domain::Money(100000, *domain::Currency::find("USD"));
  e.charges = domain::Money(250, domain::kEur);
  e.return_info = domain::ReturnInfo{"AM04", "E2E-ORIG", "insufficient funds"};
  domain::EntryDetail d;
  d.amount = domain::Money(-61728, domain::kEur);
  d.end_to_end_id = "E2E-A";
  d.transaction_id = "TX-A";
  d.counterparty.name = "A";
  d.return_info = domain::ReturnInfo{"MD06", std::nullopt, std::nullopt};
  e.details.push_back(d);
  e.details.push_back(domain::EntryDetail{});
  return e;
}

TEST(EntryJson, matches_the_domain_serialiser_byte_for_byte) {
  const domain::Entry empty;
  EXPECT_EQ(entry_to_json(empty), domain::to_json(empty));
  const domain::Entry full = full_entry();
  EXPECT_EQ(entry_to_json(full), domain::to_json(full));
  domain::Entry partial;
  partial.amount = domain::Money(5, *domain::Currency::find("JPY"));
  partial.counterparty.iban = "DE02120300000000202051";
  EXPECT_EQ(entry_to_json(partial), domain::to_json(partial));
}

}  // namespace
}  // namespace bankrec::store
