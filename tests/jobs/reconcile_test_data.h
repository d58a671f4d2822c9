#pragma once
// Open items and statement lines for the reconciliation tests on a real store (reconcile_run,
// review, backtest, the daemon's reconcile job): one partner, one account, one day.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bankrec/domain/open_item.h"
#include "bankrec/domain/statement.h"
#include "bankrec/store/import_writer.h"
#include "store_test_util.h"

namespace bankrec::jobs::testing_data {

inline domain::OpenItem invoice(std::string id, std::string number, std::int64_t minor, std::string partner = "4711") {
  domain::OpenItem i;
  i.id = std::move(id);
  i.partner_id = std::move(partner);
  i.partner_name = "Muster Wohnen GmbH";
  i.document_number = std::move(number);
  i.amount = domain::Money(minor, domain::kEur);
  i.due_date = *domain::Date::make(2026, 3, 20);
  return i;
}

/// A booked (or pending) line of 2026-03-16 paid by "Muster Wohnen GmbH".
inline domain::Entry line(std::int64_t minor, std::string ref, std::string remittance, bool pending = false) {
  domain::Entry e;
  e.booking_date = *domain::Date::make(2026, 3, 16);
  e.value_date = e.booking_date;
  e.amount = domain::Money(minor, domain::kEur);
  e.bank_reference = std::move(ref);
  e.counterparty.name = "Muster Wohnen GmbH";
  e.remittance = std::move(remittance);
  if (pending) e.status = domain::EntryStatus::pending;
  return e;
}

/// The same line from another payer.
inline domain::Entry line_from(std::string payer, std::int64_t minor, std::string ref, std::string remittance) {
  domain::Entry e = line(minor, std::move(ref), std::move(remittance));
  e.counterparty.name = std::move(payer);
  return e;
}

/// Stores `entries` as one statement of a file whose SHA-256 is `sha` (64 hex digits).
inline void store_lines(store::Store& s, std::vector<domain::Entry> entries, const std::string& sha) {
  domain::Statement st;
  st.id = "S-" + sha.substr(0, 4);
  st.account.iban = "DE89370400440532013000";
  st.account.currency = "EUR";
  st.from_date = *domain::Date::make(2026, 3, 16);
  st.to_date = st.from_date;
  auto w = store::ImportWriter::begin(s, {"day-" + sha.substr(0, 4), sha, 100, store::FileSource::cli, "test"});
  ASSERT_TRUE(w.has_value());
  ASSERT_OK((*w)->set_format("test"));
  ASSERT_OK((*w)->begin_statement(st));
  ASSERT_OK((*w)->add_entries(entries));
  ASSERT_OK((*w)->end_statement(st));
  ASSERT_OK((*w)->commit());
}

}  // namespace bankrec::jobs::testing_data
