#include "camt/camt_parse.h"

namespace bankrec::formats::camt {
namespace {

Result<void> parse_references(XmlCursor& x, TxScratch& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    switch (x.tag()) {
      case Tag::EndToEndId:
        BANKREC_TRY(read_text(x, out.end_to_end_id));
        break;
      case Tag::InstrId:
        BANKREC_TRY(read_text(x, out.instruction_id));
        break;
      case Tag::TxId:
        BANKREC_TRY(read_text(x, out.transaction_id));
        break;
      case Tag::MndtId:
        BANKREC_TRY(read_text(x, out.mandate_id));
        break;
      case Tag::UETR:
        BANKREC_TRY(read_text(x, out.uetr));
        break;
      case Tag::AcctSvcrRef:
        BANKREC_TRY(read_text(x, out.bank_reference));
        break;
      case Tag::PmtInfId:
        BANKREC_TRY(read_text(x, out.payment_info_id));
        break;
      default:  // MsgId, ChqNb, ClrSysRef, Prtry: no field in the contract
        break;
    }
  }
  return ok();
}

Result<void> parse_related_parties(XmlCursor& x, TxScratch& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    switch (x.tag()) {
      case Tag::Dbtr:
        BANKREC_TRY(parse_party(x, out.debtor));
        break;
      case Tag::Cdtr:
        BANKREC_TRY(parse_party(x, out.creditor));
        break;
      case Tag::UltmtDbtr:
        BANKREC_TRY(parse_party(x, out.ultimate_debtor));
        break;
      case Tag::UltmtCdtr:
        BANKREC_TRY(parse_party(x, out.ultimate_creditor));
        break;
      case Tag::DbtrAcct:
        BANKREC_TRY(parse_account(x, out.debtor_account));
        break;
      case Tag::CdtrAcct:
        BANKREC_TRY(parse_account(x, out.creditor_account));
        break;
      default:
        break;
    }
  }
  return ok();
}

Result<void> parse_related_agents(XmlCursor& x, TxScratch& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    if (x.tag() == Tag::DbtrAgt) BANKREC_TRY(parse_agent(x, out.debtor_agent));
    if (x.tag() == Tag::CdtrAgt) BANKREC_TRY(parse_agent(x, out.creditor_agent));
  }
  return ok();
}

// Strd/CdtrRefInf/Ref is the creditor's structured reference: ISO 11649 "RF.." when Tp/Cd is
// SCOR, otherwise a national or proprietary one; both go to structured_reference.
Result<void> parse_structured(XmlCursor& x, TxScratch& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    if (x.tag() == Tag::AddtlRmtInf) {
      BANKREC_TRY(append_text(x, out.remittance));
    } else if (x.tag() == Tag::CdtrRefInf) {
      const int ref_depth = x.depth();
      while (BANKREC_TRY(x.next_child(ref_depth)))
        if (x.tag() == Tag::Ref && out.structured_reference.empty())
          BANKREC_TRY(read_text(x, out.structured_reference));
    }
  }
  return ok();
}

Result<void> parse_remittance(XmlCursor& x, TxScratch& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    if (x.tag() == Tag::Ustrd) BANKREC_TRY(append_text(x, out.remittance));
    if (x.tag() == Tag::Strd) BANKREC_TRY(parse_structured(x, out));
  }
  return ok();
}

Result<void> parse_return(XmlCursor& x, TxScratch& out) {
  out.has_return = true;
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    switch (x.tag()) {
      case Tag::Rsn: {
        const int reason_depth = x.depth();
        while (BANKREC_TRY(x.next_child(reason_depth)))
          if (x.tag() == Tag::Cd || x.tag() == Tag::Prtry) BANKREC_TRY(read_text(x, out.return_reason));
        break;
      }
      case Tag::AddtlInf:
        BANKREC_TRY(append_text(x, out.return_info));
        break;
      case Tag::OrgnlEndToEndId:
        BANKREC_TRY(read_text(x, out.return_end_to_end_id));
        break;
      default:
        break;
    }
  }
  return ok();
}

// Amounts of charge records; a record without CdtDbtInd is a debit (a cost).
Result<void> add_charge_record(StatementScope& scope, std::optional<domain::Money>& sum, bool& mixed) {
  std::optional<domain::Money> amount;
  int direction = -1;
  const int depth = scope.x.depth();
  while (BANKREC_TRY(scope.x.next_child(depth))) {
    if (scope.x.tag() == Tag::Amt) amount = BANKREC_TRY(read_amount(scope));
    if (scope.x.tag() == Tag::CdtDbtInd) direction = BANKREC_TRY(read_direction(scope.x));
  }
  if (!amount) return ok();
  const domain::Money signed_amount = with_sign(*amount, direction);
  if (!sum) {
    sum = signed_amount;
    return ok();
  }
  auto total = sum->add(signed_amount);
  if (!total) {
    mixed = true;
    return ok();
  }
  sum = *total;
  return ok();
}

struct Side {
  const PartyScratch* party;
  const PartyScratch* ultimate;
  const AccountScratch* account;
  const AgentScratch* agent;
};

bool is_own_account(const StatementScope& scope, const AccountScratch& account) {
  if (!account.iban.empty()) return account.iban == scope.own_iban;
  return !account.number.empty() && (account.number == scope.own_number || account.number == scope.own_iban);
}

domain::Party to_party(const Side& side) {
  domain::Party p;
  p.name = opt(!side.party->name.empty() ? side.party->name : side.ultimate->name);
  p.id = opt(!side.party->id.empty() ? side.party->id : side.ultimate->id);
  p.iban = opt(side.account->iban);
  p.account = opt(side.account->number);
  p.bic = opt(!side.agent->bic.empty() ? side.agent->bic : side.party->bic);
  p.bank_code = opt(side.agent->bank_code);
  return p;
}

}  // namespace

void TxScratch::clear() {
  for (std::string* s : {&end_to_end_id, &instruction_id, &transaction_id, &uetr, &mandate_id, &bank_reference,
                         &payment_info_id, &remittance, &structured_reference, &creditor_id, &return_reason,
                         &return_info, &return_end_to_end_id})
    s->clear();
  amount.reset();
  direction = 0;
  instructed_amount.reset();
  transaction_amount.reset();
  charges.reset();
  for (PartyScratch* p : {&debtor, &creditor, &ultimate_debtor, &ultimate_creditor}) p->clear();
  debtor_account.clear();
  creditor_account.clear();
  debtor_agent = {};
  creditor_agent = {};
  has_return = false;
  code.clear();
}

Result<void> parse_amount_details(StatementScope& scope, std::optional<domain::Money>& instructed,
                                  std::optional<domain::Money>& transaction) {
  const int depth = scope.x.depth();
  while (BANKREC_TRY(scope.x.next_child(depth))) {
    const Tag which = scope.x.tag();
    if (which != Tag::InstdAmt && which != Tag::TxAmt) continue;
    const int inner = scope.x.depth();
    while (BANKREC_TRY(scope.x.next_child(inner))) {
      if (scope.x.tag() != Tag::Amt) continue;
      (which == Tag::InstdAmt ? instructed : transaction) = BANKREC_TRY(read_amount(scope));
    }
  }
  return ok();
}

Result<void> parse_charges(StatementScope& scope, std::optional<domain::Money>& out) {
  // 001.02: Chrgs repeats {TtlChrgsAndTaxAmt, Amt, CdtDbtInd}; 001.03+: one Chrgs with
  // TtlChrgsAndTaxAmt and Rcrd* {Amt, CdtDbtInd}. A stated total wins over the records' sum.
  std::optional<domain::Money> total;
  std::optional<domain::Money> records;
  bool mixed = false;
  const int depth = scope.x.depth();
  while (BANKREC_TRY(scope.x.next_child(depth))) {
    switch (scope.x.tag()) {
      case Tag::TtlChrgsAndTaxAmt:
        if (!total) total = with_sign(BANKREC_TRY(read_amount(scope)), -1);
        break;
      case Tag::Amt:
        if (!total) total = with_sign(BANKREC_TRY(read_amount(scope)), -1);
        break;
      case Tag::Rcrd:
        BANKREC_TRY(add_charge_record(scope, records, mixed));
        break;
      default:
        break;
    }
  }
  if (mixed && !total)
    scope.warn("charges in several currencies at " + scope.x.locator() + "; only the first is kept");
  if (!out) out = total ? total : records;
  return ok();
}

Result<void> parse_bank_transaction_code(XmlCursor& x, CodeScratch& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    if (x.tag() == Tag::Domn) {
      const int domain_depth = x.depth();
      while (BANKREC_TRY(x.next_child(domain_depth))) {
        if (x.tag() == Tag::Cd) BANKREC_TRY(read_text(x, out.domain));
        if (x.tag() != Tag::Fmly) continue;
        const int family_depth = x.depth();
        while (BANKREC_TRY(x.next_child(family_depth))) {
          if (x.tag() == Tag::Cd) BANKREC_TRY(read_text(x, out.family));
          if (x.tag() == Tag::SubFmlyCd) BANKREC_TRY(read_text(x, out.subfamily));
        }
      }
    } else if (x.tag() == Tag::Prtry) {
      const int proprietary_depth = x.depth();
      while (BANKREC_TRY(x.next_child(proprietary_depth)))
        if (x.tag() == Tag::Cd && out.proprietary.empty()) BANKREC_TRY(read_text(x, out.proprietary));
    }
  }
  return ok();
}

Result<void> parse_transaction_details(StatementScope& scope, TxScratch& out) {
  XmlCursor& x = scope.x;
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    switch (x.tag()) {
      case Tag::Refs:
        BANKREC_TRY(parse_references(x, out));
        break;
      case Tag::Amt:  // 001.03+
        out.amount = BANKREC_TRY(read_amount(scope));
        break;
      case Tag::CdtDbtInd:
        out.direction = BANKREC_TRY(read_direction(x));
        break;
      case Tag::AmtDtls:
        BANKREC_TRY(parse_amount_details(scope, out.instructed_amount, out.transaction_amount));
        break;
      case Tag::BkTxCd:
        BANKREC_TRY(parse_bank_transaction_code(x, out.code));
        break;
      case Tag::Chrgs:
        BANKREC_TRY(parse_charges(scope, out.charges));
        break;
      case Tag::RltdPties:
        BANKREC_TRY(parse_related_parties(x, out));
        break;
      case Tag::RltdAgts:
        BANKREC_TRY(parse_related_agents(x, out));
        break;
      case Tag::RmtInf:
        BANKREC_TRY(parse_remittance(x, out));
        break;
      case Tag::RtrInf:
        BANKREC_TRY(parse_return(x, out));
        break;
      case Tag::CdtrSchmeId: {
        PartyScratch scheme;
        BANKREC_TRY(parse_party(x, scheme));
        out.creditor_id = scheme.creditor_id.empty() ? scheme.id : scheme.creditor_id;
        break;
      }
      default:
        break;
    }
  }
  if (!out.amount && out.transaction_amount) out.amount = out.transaction_amount;  // 001.02: AmtDtls/TxAmt
  if (out.creditor_id.empty()) out.creditor_id = out.creditor.creditor_id;
  if (out.creditor_id.empty()) out.creditor_id = out.ultimate_creditor.creditor_id;
  return ok();
}

domain::Party choose_counterparty(const StatementScope& scope, const TxScratch& tx, int direction,
                                  bool reversed) {
  const Side debtor{&tx.debtor, &tx.ultimate_debtor, &tx.debtor_account, &tx.debtor_agent};
  const Side creditor{&tx.creditor, &tx.ultimate_creditor, &tx.creditor_account, &tx.creditor_agent};
  // Money in: the debtor paid us. A reversal or return keeps the original payment's roles, so
  // the direction is turned back. When that still names the holder's own account (banks differ
  // here), the other side is the counterparty.
  const bool money_in = (direction > 0) != reversed;
  const Side* chosen = money_in ? &debtor : &creditor;
  const Side* other = money_in ? &creditor : &debtor;
  if (is_own_account(scope, *chosen->account) && !is_own_account(scope, *other->account))
    std::swap(chosen, other);
  return to_party(*chosen);
}

void fill_code(const CodeScratch& code, domain::TransactionCode& out) {
  if (!code.domain.empty()) {
    std::string iso = code.domain;
    if (!code.family.empty()) iso += "-" + code.family;
    if (!code.subfamily.empty()) iso += "-" + code.subfamily;
    out.iso = std::move(iso);
  }
  if (!code.proprietary.empty()) {
    out.proprietary = code.proprietary;
    split_proprietary_code(code.proprietary, out);
  }
}

}  // namespace bankrec::formats::camt
