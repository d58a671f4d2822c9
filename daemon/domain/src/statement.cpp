#include "bankrec/domain/statement.h"

#include "bankrec/domain/open_item.h"

namespace bankrec::domain {

const char* entry_status_name(EntryStatus status) {
  switch (status) {
    case EntryStatus::booked: return "booked";
    case EntryStatus::pending: return "pending";
    case EntryStatus::info: return "info";
  }
  return "booked";
}

const char* open_item_kind_name(OpenItemKind kind) {
  switch (kind) {
    case OpenItemKind::invoice: return "invoice";
    case OpenItemKind::bill: return "bill";
    case OpenItemKind::credit_note: return "credit_note";
    case OpenItemKind::expected: return "expected";
  }
  return "invoice";
}

Result<OpenItemKind> parse_open_item_kind(std::string_view text) {
  if (text == "invoice") return OpenItemKind::invoice;
  if (text == "bill") return OpenItemKind::bill;
  if (text == "credit_note") return OpenItemKind::credit_note;
  if (text == "expected") return OpenItemKind::expected;
  return fail(Errc::invalid_input, "unknown kind '" + std::string(text) +
                                       "' (expected invoice, bill, credit_note or expected)");
}

}  // namespace bankrec::domain
