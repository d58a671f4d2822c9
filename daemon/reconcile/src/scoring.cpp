#include <algorithm>

#include "engine_internal.h"

namespace bankrec::reconcile {
namespace {

constexpr int kAmountEqual = 30;
constexpr int kCashDiscount = 28;
constexpr int kPspFee = 22;
constexpr int kBankFee = 20;
constexpr int kPartial = 15;
constexpr int kSmallOverpayment = 25;
constexpr int kSettledPenalty = 40;
constexpr int kSameAmountElsewhere = 15;

/// Takes `shortfall` (>0, magnitude) off the items' applications, largest first.
void spill(Scored& s, std::int64_t shortfall, std::int64_t sign) {
  std::vector<std::size_t> order(s.applied.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return s.applied[a].second * sign > s.applied[b].second * sign; });
  for (auto k : order) {
    const std::int64_t here = s.applied[k].second * sign;
    if (here <= 0 || shortfall == 0) continue;
    const std::int64_t take = std::min(here, shortfall);
    s.applied[k].second -= take * sign;
    shortfall -= take;
  }
}

bool partner_has_amount(const ItemIndex& index, std::uint32_t item, std::int64_t amount,
                        std::span<const std::int64_t> remaining) {
  for (auto i : index.partners[index.info[item].partner].items)
    if (i != item && remaining[i] == amount) return true;
  return false;
}

void write_off(Scored& s, std::int64_t amount, WriteOffKind kind, std::string_view account) {
  s.writeoff = PendingWriteOff{amount, kind, account};
}

/// The entry pays less than is due: cash discount, fees, a partial payment, or simply short.
int judge_shortfall(Scored& s, const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
                    std::span<const std::int64_t> remaining, std::int64_t due, std::int64_t sign) {
  const std::int64_t d = std::llabs(due) - std::llabs(ctx.amount);
  std::int64_t discount = 0;
  for (auto i : s.items) discount += cash_discount(index.info[i], remaining[i], ctx, rules);
  const auto n = static_cast<std::int64_t>(s.items.size());
  s.features.discount_applicable = discount > 0;
  if (discount > 0 && std::llabs(d - discount) <= n) {
    spill(s, d, sign);
    s.closes = s.items;
    write_off(s, -d * sign, WriteOffKind::cash_discount, rules.cash_discount_account);
    s.notes.push({Why::cash_discount, 0, 0, d});
    return kCashDiscount;
  }
  if (ctx.is_psp && d * 10000 <= std::llabs(due) * rules.psp_fee_basis_points + rules.psp_fee_fixed_minor * n * 10000) {
    spill(s, d, sign);
    s.closes = s.items;
    write_off(s, -d * sign, WriteOffKind::psp_fee, rules.psp_fee_account);
    s.notes.push({Why::psp_fee, 0, 0, d});
    return kPspFee;
  }
  if (d <= rules.fee_tolerance_minor && d * 10000 <= std::llabs(due) * rules.fee_tolerance_basis_points) {
    spill(s, d, sign);
    s.closes = s.items;
    write_off(s, -d * sign, WriteOffKind::bank_fees, rules.bank_fee_account);
    s.notes.push({Why::bank_fees, 0, 0, d});
    return kBankFee;
  }
  spill(s, d, sign);
  if (s.items.size() != 1) {
    s.auto_ok = false;
    s.notes.push({Why::short_for_listed, 0, 0, d});
    return 0;
  }
  s.auto_ok = rules.auto_partial;
  s.notes.push({Why::partial, 0, 0, d});
  if (partner_has_amount(index, s.items.front(), ctx.amount, remaining)) {
    s.auto_ok = false;
    s.notes.push({Why::partner_has_amount});
    return kPartial - kSameAmountElsewhere;
  }
  return kPartial;
}

int judge_amount(Scored& s, const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
                 std::span<const std::int64_t> remaining) {
  for (auto i : s.items)
    if (index.info[i].currency != currency_key(ctx.entry->amount.currency())) {
      s.auto_ok = false;
      s.notes.push({Why::currency_differs, i});
      return -kSettledPenalty;
    }
  std::int64_t due = 0;
  for (auto i : s.items) {
    due += remaining[i];
    s.applied.emplace_back(i, remaining[i]);
  }
  s.features.amount_difference_minor = ctx.amount - due;
  if (due == 0) {
    s.auto_ok = false;
    s.applied.clear();
    s.notes.push({Why::already_settled});
    return -kSettledPenalty;
  }
  if ((due > 0) != (ctx.amount > 0)) {
    s.auto_ok = false;
    s.applied.clear();
    s.notes.push({Why::direction_differs});
    return -kSettledPenalty;
  }
  const std::int64_t sign = due > 0 ? 1 : -1;
  if (due == ctx.amount) {
    s.closes = s.items;
    s.notes.push({Why::amount_equal});
    return kAmountEqual;
  }
  if (std::llabs(ctx.amount) < std::llabs(due)) return judge_shortfall(s, index, rules, ctx, remaining, due, sign);
  const std::int64_t extra = std::llabs(ctx.amount) - std::llabs(due);
  if (extra <= rules.small_difference_minor) {
    s.closes = s.items;
    write_off(s, extra * sign, WriteOffKind::small_overpayment, rules.small_difference_account);
    s.notes.push({Why::small_overpayment, 0, 0, extra});
    return kSmallOverpayment;
  }
  s.closes = s.items;
  s.auto_ok = false;
  s.notes.push({Why::overpaid, 0, 0, extra});
  return 0;
}

}  // namespace

std::int64_t cash_discount(const ItemInfo& item, std::int64_t due, const EntryContext& ctx,
                           const RuleSet& rules) {
  if (!item.has_discount || !ctx.date) return 0;
  if (ctx.day > std::int64_t{item.discount_until_day} + rules.discount_grace_days) return 0;
  const std::int64_t gross = std::llabs(due);
  return (gross * item.discount_basis_points + 5000) / 10000;  // half up, exact integers
}

std::string money_text(std::int64_t minor, const domain::Currency& currency) {
  return domain::format_minor(minor, currency.exponent);
}

Scored evaluate(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx, Draft draft,
                std::span<const std::int64_t> remaining) {
  Scored s;
  s.items = std::move(draft.items);
  s.notes = draft.notes;
  s.features = draft.features;
  s.counter = draft.counter;
  if (draft.counter != nullptr) {
    s.score = std::clamp(draft.identity, 0, 100);
    write_off(s, ctx.amount, WriteOffKind::counter_booking, draft.counter->account);
    s.features.identity = draft.identity;
    return s;
  }
  if (ctx.is_return) {
    for (auto i : s.items) s.applied.emplace_back(i, 0);
    if (!s.applied.empty()) s.applied.front().second = ctx.amount;
    s.score = std::clamp(draft.identity + draft.partner_adjust, 0, 100);
    s.features.identity = draft.identity;
    return s;
  }
  const int fit = judge_amount(s, index, rules, ctx, remaining);
  s.features.amount_fit = fit;
  const std::int32_t due_day = index.info[s.items.front()].due_day;
  if (ctx.date && due_day != ItemInfo::kNoDay) s.features.days_from_due = ctx.day - due_day;
  s.score = std::clamp(draft.identity + fit + draft.partner_adjust, 0, 100);
  return s;
}

}  // namespace bankrec::reconcile
