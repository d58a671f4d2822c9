#include "camt/camt_parse.h"

namespace bankrec::formats::camt {
namespace {

/// What Ntry itself says, apart from its TxDtls.
struct EntryHead {
  std::optional<domain::Money> amount;  // unsigned
  int direction = 0;
  std::string entry_reference, bank_reference, posting_text;
  CodeScratch code;
  std::optional<domain::Money> instructed_amount, transaction_amount, charges;
};

// Sts is plain text up to 001.06 ("BOOK") and EntryStatus1Choice from 001.07 (<Cd>BOOK</Cd>);
// the text of the element and its children covers both. FUTR (future) is still pending.
Result<domain::EntryStatus> read_status(XmlCursor& x) {
  const std::string_view text = BANKREC_TRY(x.text());
  if (text == "BOOK") return domain::EntryStatus::booked;
  if (text == "PDNG" || text == "FUTR") return domain::EntryStatus::pending;
  if (text == "INFO") return domain::EntryStatus::info;
  return x.error("unknown entry status '" + std::string(text) + "' (expected BOOK, PDNG, FUTR or INFO)");
}

Result<void> parse_batch(XmlCursor& x, EntryScratch& scratch) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth)))
    if (x.tag() == Tag::PmtInfId) BANKREC_TRY(read_text(x, scratch.batch_payment_info_id));
  return ok();
}

Result<void> parse_entry_details(StatementScope& scope, EntryScratch& scratch) {
  XmlCursor& x = scope.x;
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    if (x.tag() == Tag::Btch) {
      BANKREC_TRY(parse_batch(x, scratch));
      continue;
    }
    if (x.tag() != Tag::TxDtls) continue;
    if (scratch.tx_count >= kMaxDetailsPerEntry)
      return x.error("more than " + std::to_string(kMaxDetailsPerEntry) + " TxDtls in one entry");
    if (scratch.tx_count == scratch.txs.size()) scratch.txs.emplace_back();
    TxScratch& tx = scratch.txs[scratch.tx_count++];
    tx.clear();
    BANKREC_TRY(parse_transaction_details(scope, tx));
  }
  return ok();
}

Result<void> parse_head_child(StatementScope& scope, EntryScratch& scratch, EntryHead& head,
                              domain::Entry& e) {
  XmlCursor& x = scope.x;
  switch (x.tag()) {
    case Tag::Amt:
      head.amount = BANKREC_TRY(read_amount(scope));
      break;
    case Tag::CdtDbtInd:
      head.direction = BANKREC_TRY(read_direction(x));
      break;
    case Tag::RvslInd:
      e.reversal = BANKREC_TRY(read_bool(x));
      break;
    case Tag::Sts:
      e.status = BANKREC_TRY(read_status(x));
      break;
    case Tag::BookgDt:
      e.booking_date = BANKREC_TRY(read_date_choice(x));
      break;
    case Tag::ValDt:
      e.value_date = BANKREC_TRY(read_date_choice(x));
      break;
    case Tag::NtryRef:
      BANKREC_TRY(read_text(x, head.entry_reference));
      break;
    case Tag::AcctSvcrRef:
      BANKREC_TRY(read_text(x, head.bank_reference));
      break;
    case Tag::BkTxCd:
      BANKREC_TRY(parse_bank_transaction_code(x, head.code));
      break;
    case Tag::AmtDtls:
      BANKREC_TRY(parse_amount_details(scope, head.instructed_amount, head.transaction_amount));
      break;
    case Tag::Chrgs:
      BANKREC_TRY(parse_charges(scope, head.charges));
      break;
    case Tag::Btch:  // 001.01: Ntry/Btch
      BANKREC_TRY(parse_batch(x, scratch));
      break;
    case Tag::NtryDtls:
      BANKREC_TRY(parse_entry_details(scope, scratch));
      break;
    case Tag::AddtlNtryInf:
      BANKREC_TRY(append_text(x, head.posting_text));
      break;
    default:
      break;
  }
  return ok();
}

// The amount in the currency the payer instructed, when that is not the booked currency.
std::optional<domain::Money> foreign_amount(const std::optional<domain::Money>& instructed,
                                            const std::optional<domain::Money>& transaction,
                                            const domain::Money& booked, int direction) {
  if (instructed && instructed->currency() != booked.currency()) return with_sign(*instructed, direction);
  if (transaction && transaction->currency() != booked.currency()) return with_sign(*transaction, direction);
  return std::nullopt;
}

std::optional<domain::ReturnInfo> return_of(const TxScratch& tx) {
  if (!tx.has_return) return std::nullopt;
  domain::ReturnInfo r;
  r.reason = opt(tx.return_reason);
  // RtrInf carries no end-to-end id before 001.08's OrgnlEndToEndId: the returned payment's id
  // is the one in TxDtls/Refs.
  r.original_end_to_end_id =
      opt(!tx.return_end_to_end_id.empty() ? tx.return_end_to_end_id : tx.end_to_end_id);
  r.info = opt(tx.return_info);
  return r;
}

void warn_bad_iban(StatementScope& scope, const domain::Party& party) {
  if (party.iban && !scope.is_valid_iban(*party.iban))
    scope.warn("counterparty IBAN '" + *party.iban + "' at " + scope.x.locator() + " fails the check digits");
}

// One TxDtls: its fields describe the entry itself.
void apply_single(StatementScope& scope, const TxScratch& tx, const EntryHead& head, domain::Entry& e) {
  e.end_to_end_id = opt(tx.end_to_end_id);
  e.uetr = opt(tx.uetr);
  e.mandate_id = opt(tx.mandate_id);
  e.creditor_id = opt(tx.creditor_id);
  e.customer_reference = opt(!tx.instruction_id.empty() ? tx.instruction_id : tx.payment_info_id);
  if (!e.bank_reference) e.bank_reference = opt(tx.bank_reference);
  if (head.code.empty()) fill_code(tx.code, e.transaction_code);
  const int direction = head.direction;
  e.counterparty = choose_counterparty(scope, tx, direction, e.reversal || tx.has_return);
  warn_bad_iban(scope, e.counterparty);
  e.remittance = opt(tx.remittance);
  e.structured_reference = opt(tx.structured_reference);
  if (!e.original_amount)
    e.original_amount = foreign_amount(tx.instructed_amount, tx.transaction_amount, e.amount, direction);
  if (!e.charges) e.charges = tx.charges;
  e.return_info = return_of(tx);
}

// A value every TxDtls of a batch shares (all details name the same end-to-end id, mandate or
// creditor) describes the entry as well; otherwise the entry has none.
std::optional<std::string> common(const EntryScratch& scratch, std::string TxScratch::*field) {
  const std::string& first = scratch.txs[0].*field;
  for (std::size_t i = 1; i < scratch.tx_count; ++i)
    if (scratch.txs[i].*field != first) return std::nullopt;
  return opt(first);
}

// Several TxDtls (a batch booking): one details[] item each; the entry keeps the booked total.
void apply_batch(StatementScope& scope, const EntryScratch& scratch, const EntryHead& head,
                 domain::Entry& e) {
  e.details.reserve(scratch.tx_count);
  for (std::size_t i = 0; i < scratch.tx_count; ++i) {
    const TxScratch& tx = scratch.txs[i];
    const int direction = tx.direction != 0 ? tx.direction : head.direction;
    domain::EntryDetail d;
    if (tx.amount) d.amount = with_sign(*tx.amount, direction);
    d.end_to_end_id = opt(tx.end_to_end_id);
    d.instruction_id = opt(tx.instruction_id);
    d.transaction_id = opt(tx.transaction_id);
    d.uetr = opt(tx.uetr);
    d.mandate_id = opt(tx.mandate_id);
    d.bank_reference = opt(tx.bank_reference);
    d.counterparty = choose_counterparty(scope, tx, direction, e.reversal || tx.has_return);
    warn_bad_iban(scope, d.counterparty);
    d.remittance = opt(tx.remittance);
    d.structured_reference = opt(tx.structured_reference);
    d.return_info = return_of(tx);
    e.details.push_back(std::move(d));
  }
  e.end_to_end_id = common(scratch, &TxScratch::end_to_end_id);
  e.uetr = common(scratch, &TxScratch::uetr);
  e.mandate_id = common(scratch, &TxScratch::mandate_id);
  e.creditor_id = common(scratch, &TxScratch::creditor_id);
}

}  // namespace

Result<void> parse_entry(StatementScope& scope, EntryScratch& scratch, domain::Entry& e) {
  XmlCursor& x = scope.x;
  scratch.tx_count = 0;
  scratch.batch_payment_info_id.clear();
  EntryHead head;
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) BANKREC_TRY(parse_head_child(scope, scratch, head, e));
  if (!head.amount) return x.error("entry without Amt");
  if (head.direction == 0) return x.error("entry without CdtDbtInd");

  e.amount = with_sign(*head.amount, head.direction);  // the one place an entry gets its sign
  e.bank_reference = opt(!head.bank_reference.empty() ? head.bank_reference : head.entry_reference);
  fill_code(head.code, e.transaction_code);
  e.posting_text = opt(head.posting_text);
  e.original_amount =
      foreign_amount(head.instructed_amount, head.transaction_amount, e.amount, head.direction);
  e.charges = head.charges;
  if (scratch.tx_count == 1) {
    apply_single(scope, scratch.txs[0], head, e);
  } else if (scratch.tx_count > 1) {
    apply_batch(scope, scratch, head, e);
  }
  if (!e.customer_reference) e.customer_reference = opt(scratch.batch_payment_info_id);
  return ok();
}

}  // namespace bankrec::formats::camt
