// Text of the kept candidates: reasons, features and write-offs rendered from the notes that
// candidates.cpp and scoring.cpp record while every candidate of a line is built and scored.
#include <string>
#include <string_view>

#include "engine_internal.h"

namespace bankrec::reconcile {
namespace {

std::string partner_name(const ItemIndex& index, std::uint32_t partner) {
  return "'" + index.partners[partner].display_name + "'";
}

/// Appends the pieces to `out` with one allocation (the common reasons are built this way).
template <class... Parts>
void append(std::string& out, const Parts&... parts) {
  out.reserve(out.size() + (std::string_view(parts).size() + ...));
  (out.append(std::string_view(parts)), ...);
}

std::string money(const EntryContext& ctx, std::int64_t minor) {
  return money_text(minor, ctx.entry->amount.currency());
}

std::string document_numbers(const ItemIndex& index, std::span<const std::uint32_t> items) {
  std::string out;
  for (auto item : items) {
    if (!out.empty()) out += ", ";
    out += index.items[item].document_number;
  }
  return out;
}

void append_evidence_part(std::string& out, const ItemIndex& index, const EntryContext& ctx, const Note& n) {
  switch (n.why) {
    case Why::iban_known:
      append(out, "counterparty IBAN known for partner '", index.partners[n.a].display_name, "'");
      return;
    case Why::customer_cited: append(out, "customer number ", ctx.text.customer_token, " cited"); return;
    case Why::name_equals:
      append(out, "counterparty name equals partner '", index.partners[n.a].display_name, "'");
      return;
    case Why::name_similar:
      append(out, "counterparty name similar to partner '", index.partners[n.a].display_name, "' (",
             std::to_string(n.b / 10), "%)");
      return;
    default: BANKREC_UNREACHABLE("not a partner evidence note");
  }
}

std::string evidence_part(const ItemIndex& index, const EntryContext& ctx, const Note& n) {
  std::string out;
  append_evidence_part(out, index, ctx, n);
  return out;
}

std::string evidence(const ItemIndex& index, const EntryContext& ctx, const Note& n) {
  const PartnerEvidence& e = ctx.partners[n.a];
  std::string out;
  for (const Note& part : e.parts) {
    if (!out.empty()) out += "; ";
    append_evidence_part(out, index, ctx, part);
  }
  switch (static_cast<EvidenceSuffix>(n.b)) {
    case EvidenceSuffix::none: break;
    case EvidenceSuffix::only_one_of_name: out += " (the only one of that name with an open item of this amount)"; break;
    case EvidenceSuffix::only_similar_name: out += " (the only similar name with an open item of this amount)"; break;
  }
  return out;
}

std::string counter_booking(const RuleSet& rules, const EntryContext& ctx, const Note& n) {
  const CounterBookingRule& rule = rules.counter_bookings[n.a];
  const auto& code = ctx.entry->transaction_code;
  std::string why;
  switch (static_cast<CounterVia>(n.b)) {
    case CounterVia::gvc: why = "transaction code GVC " + code.gvc.value_or(""); break;
    case CounterVia::iso: why = "transaction code " + code.iso.value_or(""); break;
    case CounterVia::name: why = "counterparty name"; break;
    case CounterVia::text: why = "purpose text"; break;
  }
  return "recurring line '" + rule.name + "' recognised by " + why + "; booked to account " + rule.account;
}

std::string cited(const ItemIndex& index, const EntryContext& ctx, const Note& n) {
  const Mention& m = ctx.text.mentions[n.a];
  const ItemHit& h = m.hits[n.b];
  std::string out;
  append(out, h.how, h.slip_read ? " (read with a letter for a digit)" : "", " ", index.items[h.item].document_number,
         " in ", m.field);
  if (m.hits.size() > 1) append(out, " (the citation fits ", std::to_string(m.hits.size()), " items)");
  return out;
}

std::string returned(const EntryContext& ctx) {
  const auto& info = ctx.entry->return_info;
  return "returned payment" + (info && info->reason ? " (" + *info->reason + ")" : std::string()) +
         ": the item reopens and is flagged for dunning";
}

std::string render(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx, const Scored& s,
                   const Note& n) {
  switch (n.why) {
    case Why::evidence: return evidence(index, ctx, n);
    case Why::iban_known:
    case Why::customer_cited:
    case Why::name_equals:
    case Why::name_similar: return evidence_part(index, ctx, n);
    case Why::payer_iban_other:
      return "counterparty IBAN belongs to partner " + partner_name(index, n.a) + ", not to the items' partner";
    case Why::payer_unknown:
      return "payer '" + ctx.entry->counterparty.name.value_or("unknown") + "' is not known as the items' partner";
    case Why::counter_booking: return counter_booking(rules, ctx, n);
    case Why::cited: return cited(index, ctx, n);
    case Why::numbers_listed:
      return std::to_string(s.items.size()) + " document numbers listed: " + document_numbers(index, s.items);
    case Why::other_document_cited: return "the purpose text cites another document";
    case Why::only_combination: return "the only combination of the partner's open items that adds up to the amount";
    case Why::a_combination: return "a combination of the partner's open items adds up to the amount";
    case Why::only_amount_anywhere: return "the only open item of this amount";
    case Why::partner_only_amount: return "the partner's only open item of this amount";
    case Why::partner_same_amount: return std::to_string(n.b) + " open items of the partner have this amount";
    case Why::fits_after_discount: return "the partner's only open item the amount fits after cash discount";
    case Why::closest_amount: return "the partner's open item closest to the amount";
    case Why::returned: return returned(ctx);
    case Why::currency_differs:
      return "currency " + std::string(index.items[n.a].amount.currency().str()) + " differs from the line's";
    case Why::already_settled: return "already settled by an earlier line of this run (double payment?)";
    case Why::direction_differs: return "direction does not fit the items";
    case Why::amount_equal: return "amount equal";
    case Why::cash_discount: return "cash discount " + money(ctx, n.x) + " taken within the discount period";
    case Why::psp_fee: return "payment service provider fee " + money(ctx, n.x) + " deducted";
    case Why::bank_fees: return "bank fees " + money(ctx, n.x) + " deducted by the payer's bank";
    case Why::short_for_listed: return "amount short by " + money(ctx, n.x) + " for the listed items";
    case Why::partial: return "partial payment: " + money(ctx, n.x) + " stays open";
    case Why::partner_has_amount: return "another open item of the partner has exactly this amount";
    case Why::small_overpayment: return "overpaid by " + money(ctx, n.x) + " (small difference)";
    case Why::overpaid: return "overpaid by " + money(ctx, n.x) + "; the rest stays unapplied";
  }
  BANKREC_UNREACHABLE("unknown note");
}

}  // namespace

std::vector<std::string> render_reasons(const ItemIndex& index, const RuleSet& rules, const EntryContext& ctx,
                                        const Scored& s) {
  std::vector<std::string> out;
  // Room for the two reasons decide() and Engine::run may add (threshold or margin, the rule's name).
  out.reserve(static_cast<std::size_t>(s.notes.end() - s.notes.begin()) + 2);
  for (const Note& n : s.notes) out.push_back(render(index, rules, ctx, s, n));
  return out;
}

Features render_features(const ItemIndex& index, const Scored& s) {
  const DraftFeatures& f = s.features;
  Features out;
  out.token = f.token_from_items ? document_numbers(index, s.items) : std::string(f.token);
  out.field = std::string(f.field);
  out.identity = f.identity;
  out.amount_fit = f.amount_fit;
  out.amount_difference_minor = f.amount_difference_minor;
  out.days_from_due = f.days_from_due;
  out.iban_known = f.iban_known;
  out.name_similarity_permille = f.name_similarity_permille;
  out.discount_applicable = f.discount_applicable;
  out.slips = f.slips;
  return out;
}

WriteOff render_writeoff(const EntryContext& ctx, const Scored& s) {
  const PendingWriteOff& w = *s.writeoff;
  WriteOff out{domain::Money(w.amount, ctx.entry->amount.currency()), {}, std::string(w.account)};
  switch (w.kind) {
    case WriteOffKind::cash_discount: out.reason = "cash discount"; break;
    case WriteOffKind::psp_fee: out.reason = "payment service provider fee"; break;
    case WriteOffKind::bank_fees: out.reason = "bank fees deducted"; break;
    case WriteOffKind::small_overpayment: out.reason = "small overpayment"; break;
    case WriteOffKind::counter_booking: out.reason = "counter-booking: " + s.counter->name; break;
  }
  return out;
}

}  // namespace bankrec::reconcile
