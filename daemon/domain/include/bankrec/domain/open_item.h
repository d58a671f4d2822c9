#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bankrec/domain/date.h"
#include "bankrec/domain/money.h"

namespace bankrec::domain {

enum class OpenItemKind : std::uint8_t { invoice, bill, credit_note, expected };
/// "invoice", "bill", "credit_note", "expected".
const char* open_item_kind_name(OpenItemKind kind);
Result<OpenItemKind> parse_open_item_kind(std::string_view text);

/// What statement lines are matched against (contracts/open-items.md).
struct OpenItem {
  std::string id;
  OpenItemKind kind = OpenItemKind::invoice;
  std::string partner_id;
  std::string partner_name;
  std::vector<std::string> partner_ibans;
  std::string document_number;
  Money amount;  ///< open amount, positive
  std::optional<Date> issue_date;
  std::optional<Date> due_date;
  std::optional<std::string> reference;
  std::optional<Date> discount_until;
  /// Cash discount in hundredths of a percent: 2% is 200, 1.5% is 150.
  std::optional<std::int32_t> discount_basis_points;

  friend bool operator==(const OpenItem&, const OpenItem&) = default;
};

}  // namespace bankrec::domain
