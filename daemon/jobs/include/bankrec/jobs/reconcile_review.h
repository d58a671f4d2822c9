#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/store/reconcile_repo.h"
#include "bankrec/store/store.h"

/// The review queue as people work it (`bankrec review ...`, later the console): list and show the
/// lines waiting, accept a ranked suggestion, pick other items or split, mark as no match, undo.
/// Every write is one transaction with an audit entry holding before and after.
namespace bankrec::jobs {

/// Lines in review, oldest first, with their suggestions (rank, score, reasons).
Result<std::vector<store::ReviewItem>> review_list(store::Store& store, const store::ReviewFilter& filter);

/// One entry with its whole history of matches; not_found for an unknown id.
Result<store::ReviewItem> review_show(store::Store& store, std::int64_t entry_id);

/// Accepts the entry's proposed suggestion of this rank (1 = best); returns the match id.
Result<std::int64_t> review_accept(store::Store& store, std::int64_t entry_id, int rank, std::string_view actor);

/// An item a person picked, with the part of the entry it gets (magnitude, minor units); without
/// an amount it gets what is open of it, at most what is left of the entry.
struct ItemPick {
  std::string item_key;
  std::optional<std::string> amount;  ///< decimal text, '.' separator: "119.00"
};
/// "RE-2026-001" or "RE-2026-001:119.00" (the last ':' separates the amount).
Result<ItemPick> parse_item_pick(std::string_view text);

/// Matches the entry to items a person picked (one item, or a split over several); returns the match id.
Result<std::int64_t> review_match(store::Store& store, std::int64_t entry_id, const std::vector<ItemPick>& picks,
                                  std::string_view actor);

/// No open item fits the line; the reason is kept with the decision. Returns the decision's match id.
Result<std::int64_t> review_no_match(store::Store& store, std::int64_t entry_id, std::string_view reason,
                                     std::string_view actor);

/// Reverses an approved match (auto, accepted, manual or no-match) by a compensating one; returns its id.
Result<std::int64_t> review_undo(store::Store& store, std::int64_t match_id, std::string_view actor);

}  // namespace bankrec::jobs
