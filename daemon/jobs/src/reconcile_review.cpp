#include "bankrec/jobs/reconcile_review.h"

#include <algorithm>
#include <cstdlib>

#include "bankrec/domain/money.h"

namespace bankrec::jobs {
namespace {

/// Minor units of a picked amount in the entry's currency (magnitude).
Result<std::int64_t> pick_amount(const std::string& text, const std::string& currency) {
  const auto cur = BANKREC_TRY(domain::Currency::parse(currency));
  auto minor = domain::parse_decimal(text, '.', cur.exponent);
  if (!minor) return fail(Errc::invalid_input, "amount '" + text + "': " + minor.error().message);
  if (*minor <= 0) return fail(Errc::invalid_input, "amount '" + text + "' must be above zero");
  return *minor;
}

}  // namespace

Result<std::vector<store::ReviewItem>> review_list(store::Store& store, const store::ReviewFilter& filter) {
  store::ReviewFilter f = filter;
  std::string iban;
  for (char c : filter.account_iban)
    if (c != ' ') iban.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  f.account_iban = iban;
  return store::ReconcileRepo(store).review_queue(f);
}

Result<store::ReviewItem> review_show(store::Store& store, std::int64_t entry_id) {
  return store::ReconcileRepo(store).review_entry(entry_id);
}

Result<std::int64_t> review_accept(store::Store& store, std::int64_t entry_id, int rank, std::string_view actor) {
  store::ReconcileRepo repo(store);
  const auto entry = BANKREC_TRY(repo.review_entry(entry_id));
  if (entry.status != "review")
    return fail(Errc::conflict, "entry " + std::to_string(entry_id) + " is " + entry.status + ", not in review");
  for (const auto& m : entry.suggestions) {
    if (m.status != "proposed" || m.rank.value_or(0) != rank) continue;
    BANKREC_TRY(repo.accept(m.id, actor));
    return m.id;
  }
  return fail(Errc::not_found, "entry " + std::to_string(entry_id) + " has no suggestion of rank " + std::to_string(rank));
}

Result<ItemPick> parse_item_pick(std::string_view text) {
  const auto colon = text.rfind(':');
  ItemPick pick;
  pick.item_key = std::string(text.substr(0, colon));
  if (colon != std::string_view::npos) pick.amount = std::string(text.substr(colon + 1));
  if (pick.item_key.empty()) return fail(Errc::invalid_input, "--item '" + std::string(text) + "': no item id");
  if (pick.amount && pick.amount->empty())
    return fail(Errc::invalid_input, "--item '" + std::string(text) + "': no amount after ':'");
  return pick;
}

Result<std::int64_t> review_match(store::Store& store, std::int64_t entry_id, const std::vector<ItemPick>& picks,
                                  std::string_view actor) {
  store::ReconcileRepo repo(store);
  const auto entry = BANKREC_TRY(repo.review_entry(entry_id));
  if (picks.empty()) return fail(Errc::invalid_input, "name at least one item (--item ID[:AMOUNT])");
  const std::int64_t sign = entry.amount_minor < 0 ? -1 : 1;
  std::int64_t left = std::llabs(entry.amount_minor);
  std::vector<store::AllocationRecord> allocations;
  for (const auto& pick : picks) {
    const auto item = BANKREC_TRY(repo.item_balance(pick.item_key));
    if (!item) return fail(Errc::not_found, "open item '" + pick.item_key + "' is not known");
    if (item->currency != entry.currency)
      return fail(Errc::invalid_input, "open item '" + pick.item_key + "' is in " + item->currency + ", the line in " +
                                           entry.currency);
    if (item->open_signed_minor == 0) return fail(Errc::conflict, "open item '" + pick.item_key + "' is settled");
    if ((item->open_signed_minor > 0) != (sign > 0) && picks.size() == 1)
      return fail(Errc::invalid_input, "open item '" + pick.item_key + "' is paid the other way");
    const std::int64_t open = std::llabs(item->open_signed_minor);
    const std::int64_t item_sign = item->open_signed_minor > 0 ? 1 : -1;
    const std::int64_t amount =
        pick.amount ? BANKREC_TRY(pick_amount(*pick.amount, entry.currency)) : std::min(open, left);
    if (amount <= 0)
      return fail(Errc::invalid_input, "nothing of the line is left for open item '" + pick.item_key + "'");
    if (amount > open)
      return fail(Errc::invalid_input, "open item '" + pick.item_key + "' has only " +
                                           domain::format_minor(open, BANKREC_TRY(domain::Currency::parse(entry.currency)).exponent) +
                                           " open");
    if (item_sign == sign) left -= amount;
    else left += amount;  // a credit note netted against the line frees part of it
    allocations.push_back({pick.item_key, amount * item_sign, entry.currency});
  }
  return repo.split(entry_id, allocations, actor);
}

Result<std::int64_t> review_no_match(store::Store& store, std::int64_t entry_id, std::string_view reason,
                                     std::string_view actor) {
  return store::ReconcileRepo(store).mark_no_match(entry_id, actor, reason);
}

Result<std::int64_t> review_undo(store::Store& store, std::int64_t match_id, std::string_view actor) {
  return store::ReconcileRepo(store).undo(match_id, actor);
}

}  // namespace bankrec::jobs
