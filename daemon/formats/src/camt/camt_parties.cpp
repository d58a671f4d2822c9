#include "camt/camt_parse.h"

namespace bankrec::formats::camt {
namespace {

// Othr inside an account Id or a party Id: its Id and scheme (SchmeNm/Cd or SchmeNm/Prtry).
struct OtherId {
  std::string id;
  std::string scheme;
};

Result<void> parse_other_id(XmlCursor& x, OtherId& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    if (x.tag() == Tag::Id) {
      BANKREC_TRY(read_text(x, out.id));
    } else if (x.tag() == Tag::SchmeNm) {
      const int scheme_depth = x.depth();
      while (BANKREC_TRY(x.next_child(scheme_depth)))
        if (x.tag() == Tag::Cd || x.tag() == Tag::Prtry) BANKREC_TRY(read_text(x, out.scheme));
    }
  }
  return ok();
}

// Id of a party: OrgId/PrvtId with AnyBIC, BICOrBEI, BIC or Othr. The SEPA creditor identifier
// of a direct debit is a PrvtId/Othr with scheme "SEPA" (DFÜ-Abkommen Anlage 3, camt.053 mapping).
Result<void> parse_party_id(XmlCursor& x, PartyScratch& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    switch (x.tag()) {
      case Tag::OrgId:
      case Tag::PrvtId:
        BANKREC_TRY(parse_party_id(x, out));
        break;
      case Tag::AnyBIC:
      case Tag::BICOrBEI:
      case Tag::BIC: {
        std::string bic;
        BANKREC_TRY(read_text(x, bic));
        if (out.id.empty()) out.id = bic;
        break;
      }
      case Tag::Othr: {
        OtherId other;
        BANKREC_TRY(parse_other_id(x, other));
        if (other.scheme == "SEPA" && out.creditor_id.empty()) out.creditor_id = other.id;
        if (out.id.empty()) out.id = std::move(other.id);
        break;
      }
      default:
        break;
    }
  }
  return ok();
}

}  // namespace

Result<void> parse_account_id(XmlCursor& x, AccountScratch& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    switch (x.tag()) {
      case Tag::IBAN: {
        const std::string_view text = BANKREC_TRY(x.text());
        electronic_iban(text, out.iban);
        break;
      }
      case Tag::Othr:
      case Tag::PrtryAcct: {  // PrtryAcct/Id: camt.05x.001.01
        OtherId other;
        BANKREC_TRY(parse_other_id(x, other));
        if (out.number.empty()) out.number = std::move(other.id);
        break;
      }
      case Tag::BBAN:
      case Tag::UPIC:  // 001.01 only
        BANKREC_TRY(read_text(x, out.number));
        break;
      default:
        break;
    }
  }
  return ok();
}

Result<void> parse_account(XmlCursor& x, AccountScratch& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth)))
    if (x.tag() == Tag::Id) BANKREC_TRY(parse_account_id(x, out));
  return ok();
}

Result<void> parse_agent(XmlCursor& x, AgentScratch& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    switch (x.tag()) {
      case Tag::FinInstnId:
      case Tag::NmAndAdr:  // 001.01: FinInstnId/NmAndAdr/Nm
      case Tag::ClrSysMmbId:
        BANKREC_TRY(parse_agent(x, out));
        break;
      case Tag::BIC:
      case Tag::BICFI:
        BANKREC_TRY(read_text(x, out.bic));
        break;
      case Tag::Nm:
        BANKREC_TRY(read_text(x, out.name));
        break;
      case Tag::MmbId:
        BANKREC_TRY(read_text(x, out.bank_code));
        break;
      default:
        break;
    }
  }
  return ok();
}

Result<void> parse_party(XmlCursor& x, PartyScratch& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    switch (x.tag()) {
      case Tag::Pty:  // 001.08+: Dbtr/Pty/Nm
        BANKREC_TRY(parse_party(x, out));
        break;
      case Tag::Agt: {  // 001.08+: the party is a financial institution
        AgentScratch agent;
        BANKREC_TRY(parse_agent(x, agent));
        if (out.name.empty()) out.name = std::move(agent.name);
        if (out.bic.empty()) out.bic = std::move(agent.bic);
        break;
      }
      case Tag::Nm:
        BANKREC_TRY(read_text(x, out.name));
        break;
      case Tag::Id:
        BANKREC_TRY(parse_party_id(x, out));
        break;
      case Tag::CdtrSchmeId: {  // pain.008-style creditor scheme id, used by some banks
        PartyScratch scheme;
        BANKREC_TRY(parse_party(x, scheme));
        if (out.creditor_id.empty())
          out.creditor_id = scheme.creditor_id.empty() ? scheme.id : scheme.creditor_id;
        break;
      }
      default:
        break;
    }
  }
  return ok();
}

}  // namespace bankrec::formats::camt
