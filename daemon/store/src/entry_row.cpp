#include "bankrec/store/entry_row.h"

#include <string>

#include "entry_codec.h"

namespace bankrec::store {
namespace {

std::optional<std::string> opt_text(const Query& q, int column) {
  if (q.column_is_null(column)) return std::nullopt;
  return std::string(q.column_text_view(column));
}

Result<std::optional<domain::Date>> opt_date(const Query& q, int column) {
  if (q.column_is_null(column)) return std::optional<domain::Date>();
  return std::optional<domain::Date>(BANKREC_TRY(domain::parse_iso_date(q.column_text_view(column))));
}

}  // namespace

Result<domain::Entry> read_entry(const Query& q, int first) {
  domain::Entry e;
  const std::string_view booking = q.column_text_view(first);
  if (booking == "booked")
    e.status = domain::EntryStatus::booked;
  else if (booking == "pending")
    e.status = domain::EntryStatus::pending;
  else if (booking == "info")
    e.status = domain::EntryStatus::info;
  else
    return fail(Errc::internal, "stored entry has booking '" + std::string(booking) + "'");
  e.booking_date = BANKREC_TRY(opt_date(q, first + 1));
  e.value_date = BANKREC_TRY(opt_date(q, first + 2));
  const std::string_view code = q.column_text_view(first + 4);
  domain::Currency currency;
  if (const auto known = domain::Currency::find(code)) {
    currency = *known;
  } else if (code.size() == currency.code.size()) {
    for (std::size_t i = 0; i < code.size(); ++i) currency.code[i] = code[i];
  } else {
    return fail(Errc::internal, "stored entry has currency '" + std::string(code) + "'");
  }
  e.amount = domain::Money(q.column_int(first + 3), currency);
  e.bank_reference = opt_text(q, first + 5);
  e.end_to_end_id = opt_text(q, first + 6);
  e.counterparty.name = opt_text(q, first + 7);
  e.counterparty.iban = opt_text(q, first + 8);
  BANKREC_TRY(decode_entry_rest(q.column_blob_view(first + 9), e));
  return e;
}

Result<domain::Entry> load_entry(Database& db, std::int64_t entry_id) {
  Query q =
      BANKREC_TRY(db.prepare("SELECT " + std::string(kEntryColumns) + " FROM entries e WHERE e.id = ?1"));
  q.bind(1, entry_id);
  if (!BANKREC_TRY(q.step())) return fail(Errc::not_found, "no entry " + std::to_string(entry_id));
  auto entry = read_entry(q, 0);
  if (!entry) return fail(Errc::internal, "entry " + std::to_string(entry_id) + ": " + entry.error().message);
  return entry;
}

}  // namespace bankrec::store
