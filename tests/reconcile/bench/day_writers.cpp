#include <string_view>

#include "bankrec/domain/json.h"
#include "day_generator.h"
#include "gen_support.h"

namespace bankrec::reconcile::bench {
namespace {

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string opt(const std::optional<domain::Date>& d) { return d ? d->iso() : std::string(); }

std::string magnitude(const domain::Money& m) { return domain::format_minor(m.minor() < 0 ? -m.minor() : m.minor(), 2); }

void camt_party(std::string& x, const domain::Entry& e) {
  const bool in = e.amount.minor() > 0;
  const char* role = in ? "Dbtr" : "Cdtr";
  x += "<RltdPties>";
  if (e.counterparty.name) x += std::string("<") + role + "><Pty><Nm>" + xml_escape(*e.counterparty.name) + "</Nm></Pty></" + role + ">";
  if (e.counterparty.iban) x += std::string("<") + role + "Acct><Id><IBAN>" + *e.counterparty.iban + "</IBAN></Id></" + role + "Acct>";
  x += "</RltdPties>";
}

void camt_entry(std::string& x, const GeneratedLine& l) {
  const domain::Entry& e = l.entry;
  const std::string ind = e.amount.minor() > 0 ? "CRDT" : "DBIT";
  x += "<Ntry><Amt Ccy=\"EUR\">" + magnitude(e.amount) + "</Amt><CdtDbtInd>" + ind + "</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>";
  x += "<BookgDt><Dt>" + opt(e.booking_date) + "</Dt></BookgDt><ValDt><Dt>" + opt(e.value_date) + "</Dt></ValDt>";
  x += "<AcctSvcrRef>" + e.bank_reference.value_or("NONREF") + "</AcctSvcrRef><BkTxCd>";
  if (const auto& iso = e.transaction_code.iso) {
    const auto a = iso->find('-'), b = iso->rfind('-');
    x += "<Domn><Cd>" + iso->substr(0, a) + "</Cd><Fmly><Cd>" + iso->substr(a + 1, b - a - 1) + "</Cd><SubFmlyCd>" +
         iso->substr(b + 1) + "</SubFmlyCd></Fmly></Domn>";
  }
  x += "<Prtry><Cd>NTRF+" + e.transaction_code.gvc.value_or("166") + "</Cd><Issr>DK</Issr></Prtry></BkTxCd>";
  x += "<NtryDtls><TxDtls><Refs><EndToEndId>" + xml_escape(e.end_to_end_id.value_or("NOTPROVIDED")) + "</EndToEndId></Refs>";
  x += "<Amt Ccy=\"EUR\">" + magnitude(e.amount) + "</Amt><CdtDbtInd>" + ind + "</CdtDbtInd>";
  camt_party(x, e);
  x += "<RmtInf>";
  for (const auto& piece : l.purpose_pieces) x += "<Ustrd>" + xml_escape(piece) + "</Ustrd>";
  if (e.structured_reference)
    x += "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp><Ref>" + *e.structured_reference +
         "</Ref></CdtrRefInf></Strd>";
  x += "</RmtInf></TxDtls></NtryDtls><AddtlNtryInf>" + xml_escape(e.posting_text.value_or("")) + "</AddtlNtryInf></Ntry>\n";
}

std::int64_t total(const Day& day) {
  std::int64_t sum = 0;
  for (const auto& l : day.lines) sum += l.entry.amount.minor();
  return sum;
}

std::string camt_balance(const char* code, std::int64_t amount, const domain::Date& date) {
  return std::string("<Bal><Tp><CdOrPrtry><Cd>") + code + "</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">" +
         domain::format_minor(amount < 0 ? -amount : amount, 2) + "</Amt><CdtDbtInd>" + (amount < 0 ? "DBIT" : "CRDT") +
         "</CdtDbtInd><Dt><Dt>" + date.iso() + "</Dt></Dt></Bal>\n";
}

/// MT940 text fields: ':86:' sub-fields of 27 characters, physical lines of at most 65.
std::string mt940_purpose(const GeneratedLine& l) {
  const domain::Entry& e = l.entry;
  std::string svwz;
  if (e.end_to_end_id) svwz += "EREF+" + *e.end_to_end_id + " ";
  svwz += "SVWZ+";
  for (std::size_t i = 0; i < l.purpose_pieces.size(); ++i) svwz += (i ? " " : "") + l.purpose_pieces[i];
  if (e.structured_reference) svwz += (l.purpose_pieces.empty() ? "" : " ") + *e.structured_reference;
  std::string out = e.transaction_code.gvc.value_or("166") + "?00" + e.posting_text.value_or("");
  int field = 20;
  for (std::size_t i = 0; i < svwz.size() && field <= 29; i += 27) out += "?" + std::to_string(field++) + svwz.substr(i, 27);
  if (e.counterparty.iban) out += "?31" + *e.counterparty.iban;
  if (e.counterparty.name) {
    out += "?32" + e.counterparty.name->substr(0, 27);
    if (e.counterparty.name->size() > 27) out += "?33" + e.counterparty.name->substr(27, 27);
  }
  std::string lines;
  for (std::size_t i = 0; i < out.size(); i += 65) lines += (i ? "\r\n" : ":86:") + out.substr(i, 65);
  return lines + "\r\n";
}

std::string yymmdd(const domain::Date& d) { return pad(d.year % 100, 2) + pad(d.month, 2) + pad(d.day, 2); }

}  // namespace

std::string write_open_items_csv(const Day& day) {
  std::string out =
      "id,kind,partner_id,partner_name,partner_ibans,document_number,amount,currency,issue_date,due_date,reference,"
      "discount_until,discount_percent\n";
  for (const auto& i : day.items) {
    std::string ibans;
    for (const auto& iban : i.partner_ibans) ibans += (ibans.empty() ? "" : ";") + iban;
    out += csv_field(i.id) + "," + domain::open_item_kind_name(i.kind) + "," + csv_field(i.partner_id) + "," +
           csv_field(i.partner_name) + "," + ibans + "," + csv_field(i.document_number) + "," + i.amount.to_string() +
           ",EUR," + opt(i.issue_date) + "," + opt(i.due_date) + "," + csv_field(i.reference.value_or("")) + "," +
           opt(i.discount_until) + "," +
           (i.discount_basis_points ? domain::format_minor(*i.discount_basis_points, 2) : std::string()) + "\n";
  }
  return out;
}

std::string write_camt053(const Day& day) {
  std::string x =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">"
      "<BkToCstmrStmt><GrpHdr><MsgId>BENCH-" + day.date.iso() + "</MsgId><CreDtTm>" + day.date.iso() +
      "T06:00:00+01:00</CreDtTm></GrpHdr>\n<Stmt><Id>STMT-" + day.date.iso() + "</Id><ElctrncSeqNb>52</ElctrncSeqNb><CreDtTm>" +
      day.date.iso() + "T06:00:00+01:00</CreDtTm><Acct><Id><IBAN>" + day.account.iban.value_or("") +
      "</IBAN></Id><Ccy>EUR</Ccy><Ownr><Nm>" + xml_escape(day.account.owner.value_or("")) +
      "</Nm></Ownr><Svcr><FinInstnId><BICFI>" + day.account.bic.value_or("") + "</BICFI></FinInstnId></Svcr></Acct>\n";
  const std::int64_t opening = 10000000;
  x += camt_balance("PRCD", opening, day.date.add_days(-1));
  x += camt_balance("CLBD", opening + total(day), day.date);
  for (const auto& l : day.lines) camt_entry(x, l);
  return x + "</Stmt></BkToCstmrStmt></Document>\n";
}

std::string write_mt940(const Day& day) {
  const std::int64_t opening = 10000000;
  const auto balance = [](const char* tag, std::int64_t v, const domain::Date& d) {
    std::string amount = domain::format_minor(v < 0 ? -v : v, 2);
    amount[amount.find('.')] = ',';
    return std::string(tag) + (v < 0 ? "D" : "C") + yymmdd(d) + "EUR" + amount + "\r\n";
  };
  std::string out = ":20:STARTUMSE\r\n:25:" + day.account.iban.value_or("") + "\r\n:28C:00052/001\r\n";
  out += balance(":60F:", opening, day.date.add_days(-1));
  for (const auto& l : day.lines) {
    const domain::Entry& e = l.entry;
    std::string amount = magnitude(e.amount);
    amount[amount.find('.')] = ',';
    const domain::Date date = e.booking_date.value_or(day.date);
    out += ":61:" + yymmdd(date) + pad(date.month, 2) + pad(date.day, 2) + (e.amount.minor() > 0 ? "C" : "D") + amount +
           "N" + (e.transaction_code.swift.value_or("TRF")).substr(0, 3) + "NONREF//" + e.bank_reference.value_or("") + "\r\n";
    out += mt940_purpose(l);
  }
  out += balance(":62F:", opening + total(day), day.date);
  return out + "-\r\n";
}

std::string write_truth_jsonl(const Day& day) {
  std::string out;
  for (std::size_t i = 0; i < day.lines.size(); ++i) {
    const Truth& t = day.lines[i].truth;
    out += "{\"entry\": " + std::to_string(i) + ", \"case\": " + domain::json_quote(t.case_name) +
           ", \"certain\": " + (t.certain ? "true" : "false") + ", \"no_auto\": " + (t.no_auto ? "true" : "false") +
           ", \"items\": [";
    for (std::size_t s = 0; s < t.item_sets.size(); ++s) {
      out += s ? ", [" : "[";
      for (std::size_t k = 0; k < t.item_sets[s].size(); ++k) out += (k ? ", " : "") + domain::json_quote(t.item_sets[s][k]);
      out += "]";
    }
    out += "], \"account\": " + (t.account.empty() ? std::string("null") : domain::json_quote(t.account)) + "}\n";
  }
  return out;
}

}  // namespace bankrec::reconcile::bench
