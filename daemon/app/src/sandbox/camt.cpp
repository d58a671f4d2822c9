// camt.052.001.08 account reports, as savings banks deliver XS2A transactions.
#include <string>

#include "sandbox/sandbox.h"

namespace bankrec::app::sandbox {
namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string unsigned_amount(std::int64_t minor) { return format_amount(minor < 0 ? -minor : minor); }

void element(std::string& out, int indent, std::string_view tag, std::string_view text) {
  out.append(static_cast<std::size_t>(indent), ' ');
  out += '<';
  out += tag;
  out += '>';
  out += xml_escape(text);
  out += "</";
  out += tag;
  out += ">\n";
}

void balance(std::string& out, std::string_view code, std::int64_t minor, Date date) {
  out += "      <Bal>\n        <Tp><CdOrPrtry><Cd>" + std::string(code) + "</Cd></CdOrPrtry></Tp>\n";
  out += "        <Amt Ccy=\"EUR\">" + unsigned_amount(minor) + "</Amt>\n";
  out += std::string("        <CdtDbtInd>") + (minor < 0 ? "DBIT" : "CRDT") + "</CdtDbtInd>\n";
  out += "        <Dt><Dt>" + date.iso() + "</Dt></Dt>\n      </Bal>\n";
}

void entry(std::string& out, const Account& account, const Txn& t, bool pending) {
  const bool credit = t.amount_minor > 0;
  const std::string ind = credit ? "CRDT" : "DBIT";
  out += "      <Ntry>\n";
  out += "        <Amt Ccy=\"EUR\">" + unsigned_amount(t.amount_minor) + "</Amt>\n";
  out += "        <CdtDbtInd>" + ind + "</CdtDbtInd>\n";
  out += std::string("        <Sts><Cd>") + (pending ? "PDNG" : "BOOK") + "</Cd></Sts>\n";
  if (!pending) out += "        <BookgDt><Dt>" + t.booking_date.iso() + "</Dt></BookgDt>\n";
  out += "        <ValDt><Dt>" + t.value_date.iso() + "</Dt></ValDt>\n";
  element(out, 8, "AcctSvcrRef", pending ? t.pending_id : t.entry_reference);
  // Domain-Family-SubFamily plus the German DK code.
  const std::string& code = t.bank_transaction_code;
  const auto d1 = code.find('-'), d2 = code.rfind('-');
  out += "        <BkTxCd>\n";
  if (d1 != std::string::npos && d2 != d1)
    out += "          <Domn><Cd>" + code.substr(0, d1) + "</Cd><Fmly><Cd>" + code.substr(d1 + 1, d2 - d1 - 1) + "</Cd><SubFmlyCd>" +
           code.substr(d2 + 1) + "</SubFmlyCd></Fmly></Domn>\n";
  if (!t.dk_code.empty()) out += "          <Prtry><Cd>" + xml_escape(t.dk_code) + "</Cd><Issr>DK</Issr></Prtry>\n";
  out += "        </BkTxCd>\n";
  out += "        <NtryDtls>\n          <TxDtls>\n            <Refs>\n";
  element(out, 14, "EndToEndId", t.end_to_end_id);
  if (!t.mandate_id.empty()) element(out, 14, "MndtId", t.mandate_id);
  out += "            </Refs>\n";
  out += "            <Amt Ccy=\"EUR\">" + unsigned_amount(t.amount_minor) + "</Amt>\n";
  out += "            <CdtDbtInd>" + ind + "</CdtDbtInd>\n";
  const std::string them = credit ? "Dbtr" : "Cdtr";
  const std::string us = credit ? "Cdtr" : "Dbtr";
  out += "            <RltdPties>\n";
  out += "              <" + them + "><Pty><Nm>" + xml_escape(t.counterparty.name) + "</Nm></Pty></" + them + ">\n";
  if (!t.counterparty.iban.empty())
    out += "              <" + them + "Acct><Id><IBAN>" + t.counterparty.iban + "</IBAN></Id></" + them + "Acct>\n";
  out += "              <" + us + "><Pty><Nm>" + xml_escape(account.owner_name) + "</Nm></Pty></" + us + ">\n";
  out += "            </RltdPties>\n";
  if (!t.counterparty.bic.empty())
    out += "            <RltdAgts><" + them + "Agt><FinInstnId><BICFI>" + t.counterparty.bic + "</BICFI></FinInstnId></" + them +
           "Agt></RltdAgts>\n";
  if (!t.purpose_code.empty()) out += "            <Purp><Cd>" + t.purpose_code + "</Cd></Purp>\n";
  out += "            <RmtInf>\n";
  element(out, 14, "Ustrd", t.purpose);
  out += "            </RmtInf>\n";
  out += "          </TxDtls>\n        </NtryDtls>\n";
  out += "      </Ntry>\n";
}

}  // namespace

std::string camt052(const Account& account, std::string_view report_id, Date from, Date to, const std::vector<Txn>& booked,
                    const std::vector<Txn>& pending, std::int64_t opening, std::int64_t closing, Date today) {
  // Times are fixed per day so that the same seed and date give the same bytes.
  const std::string created = today.iso() + "T06:00:00+01:00";
  std::string out;
  out.reserve(1024 + (booked.size() + pending.size()) * 1400);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.052.001.08\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n";
  out += "  <BkToCstmrAcctRpt>\n    <GrpHdr>\n";
  element(out, 6, "MsgId", report_id);
  element(out, 6, "CreDtTm", created);
  out += "    </GrpHdr>\n    <Rpt>\n";
  element(out, 6, "Id", std::string(report_id) + "-1");
  element(out, 6, "CreDtTm", created);
  out += "      <FrToDt><FrDtTm>" + from.iso() + "T00:00:00+01:00</FrDtTm><ToDtTm>" + to.iso() + "T23:59:59+01:00</ToDtTm></FrToDt>\n";
  out += "      <Acct>\n        <Id><IBAN>" + account.iban + "</IBAN></Id>\n        <Ccy>EUR</Ccy>\n";
  out += "        <Ownr><Nm>" + xml_escape(account.owner_name) + "</Nm></Ownr>\n";
  out += "        <Svcr><FinInstnId><BICFI>" + account.bic + "</BICFI></FinInstnId></Svcr>\n      </Acct>\n";
  balance(out, "PRCD", opening, from.add_days(-1));
  balance(out, "CLBD", closing, to < today ? to : today.add_days(-1));
  for (const Txn& t : booked) entry(out, account, t, false);
  for (const Txn& t : pending) entry(out, account, t, true);
  out += "    </Rpt>\n  </BkToCstmrAcctRpt>\n</Document>\n";
  return out;
}

}  // namespace bankrec::app::sandbox
