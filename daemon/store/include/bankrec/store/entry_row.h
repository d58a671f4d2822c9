#pragma once

#include <cstdint>
#include <string_view>

#include "bankrec/base/result.h"
#include "bankrec/domain/statement.h"
#include "bankrec/store/database.h"
#include "bankrec/store/store.h"

/// Reading stored entries back as domain::Entry. An entries row holds the fields that queries
/// filter and lists show as columns and the rest in a compact BLOB (README.md, "Entry rows"):
/// every reader goes through read_entry(), never through the BLOB itself.
namespace bankrec::store {

/// The columns read_entry() expects, in this order, for `SELECT <kEntryColumns> FROM entries e`.
inline constexpr std::string_view kEntryColumns =
    "e.booking, e.booking_date, e.value_date, e.amount_minor, e.currency, e.bank_reference, "
    "e.end_to_end_id, e.counterparty_name, e.counterparty_iban, e.rest";
inline constexpr int kEntryColumnCount = 10;

/// The entry whose kEntryColumns start at column `first` of the current row of `q`.
Result<domain::Entry> read_entry(const Query& q, int first = 0);

/// The stored entry with this id; not_found when there is none.
Result<domain::Entry> load_entry(Database& db, std::int64_t entry_id);

}  // namespace bankrec::store
