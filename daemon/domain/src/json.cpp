#include "bankrec/domain/json.h"

#include <boost/json.hpp>


namespace bankrec::domain {
namespace json = boost::json;
namespace {

json::value opt(const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value opt(const std::optional<Date>& v) { return v ? json::value(v->iso()) : json::value(nullptr); }

json::value money_value(const std::optional<Money>& m) {
  if (!m) return nullptr;
  return json::object{{"amount", m->to_string()}, {"currency", std::string(m->currency().str())}};
}

json::value party_value(const Party& p) {
  json::object o;
  o["name"] = opt(p.name);
  o["iban"] = opt(p.iban);
  o["bic"] = opt(p.bic);
  if (p.account) o["account"] = *p.account;
  if (p.bank_code) o["bank_code"] = *p.bank_code;
  if (p.id) o["id"] = *p.id;
  return o;
}

json::value return_value(const std::optional<ReturnInfo>& r) {
  if (!r) return nullptr;
  return json::object{{"reason", opt(r->reason)},
                      {"original_end_to_end_id", opt(r->original_end_to_end_id)},
                      {"info", opt(r->info)}};
}

json::value detail_value(const EntryDetail& d) {
  json::object o;
  o["amount"] = d.amount ? json::value(d.amount->to_string()) : json::value(nullptr);
  if (d.amount) o["currency"] = std::string(d.amount->currency().str());
  o["end_to_end_id"] = opt(d.end_to_end_id);
  o["instruction_id"] = opt(d.instruction_id);
  o["transaction_id"] = opt(d.transaction_id);
  o["uetr"] = opt(d.uetr);
  o["mandate_id"] = opt(d.mandate_id);
  o["bank_reference"] = opt(d.bank_reference);
  o["counterparty"] = party_value(d.counterparty);
  o["remittance"] = opt(d.remittance);
  o["structured_reference"] = opt(d.structured_reference);
  if (d.return_info) o["return"] = return_value(d.return_info);
  return o;
}

json::value entry_value(const Entry& e) {
  json::object o;
  o["booking_date"] = opt(e.booking_date);
  o["value_date"] = opt(e.value_date);
  o["amount"] = e.amount.to_string();
  o["currency"] = std::string(e.amount.currency().str());
  o["status"] = entry_status_name(e.status);
  o["reversal"] = e.reversal;
  o["bank_reference"] = opt(e.bank_reference);
  o["customer_reference"] = opt(e.customer_reference);
  o["end_to_end_id"] = opt(e.end_to_end_id);
  o["uetr"] = opt(e.uetr);
  o["mandate_id"] = opt(e.mandate_id);
  o["creditor_id"] = opt(e.creditor_id);
  const auto& tc = e.transaction_code;
  o["transaction_code"] = json::object{
      {"iso", opt(tc.iso)}, {"proprietary", opt(tc.proprietary)}, {"swift", opt(tc.swift)}, {"gvc", opt(tc.gvc)}};
  o["posting_text"] = opt(e.posting_text);
  o["counterparty"] = party_value(e.counterparty);
  o["remittance"] = opt(e.remittance);
  o["structured_reference"] = opt(e.structured_reference);
  o["original_amount"] = money_value(e.original_amount);
  o["charges"] = money_value(e.charges);
  o["return"] = return_value(e.return_info);
  json::array details;
  for (const auto& d : e.details) details.push_back(detail_value(d));
  o["details"] = std::move(details);
  return o;
}

json::value balance_value(const std::optional<Balance>& b) {
  if (!b) return nullptr;
  json::object o{{"amount", b->amount.to_string()},
                 {"currency", std::string(b->amount.currency().str())},
                 {"date", opt(b->date)}};
  if (b->type) o["type"] = *b->type;
  return o;
}

json::value statement_value(const Statement& s) {
  json::object o;
  o["id"] = opt(s.id);
  o["sequence"] = opt(s.sequence);
  o["created_at"] = opt(s.created_at);
  const auto& a = s.account;
  json::object account{{"iban", opt(a.iban)},         {"bic", opt(a.bic)},
                       {"number", opt(a.number)},     {"bank_code", opt(a.bank_code)},
                       {"currency", opt(a.currency)}, {"owner", opt(a.owner)}};
  if (a.name) account["name"] = *a.name;
  if (a.servicer) account["servicer"] = *a.servicer;
  o["account"] = std::move(account);
  o["from_date"] = opt(s.from_date);
  o["to_date"] = opt(s.to_date);
  o["opening_balance"] = balance_value(s.opening_balance);
  o["closing_balance"] = balance_value(s.closing_balance);
  json::array other;
  for (const auto& b : s.other_balances) other.push_back(balance_value(b));
  o["other_balances"] = std::move(other);
  json::array warnings;
  for (const auto& w : s.warnings) warnings.emplace_back(w);
  o["warnings"] = std::move(warnings);
  json::array entries;
  entries.reserve(s.entries.size());
  for (const auto& e : s.entries) entries.push_back(entry_value(e));
  o["entries"] = std::move(entries);
  return o;
}

void pretty(std::string& out, const json::value& v, int indent) {
  const auto pad = [&](int n) { out.append(static_cast<std::size_t>(n) * 2, ' '); };
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const auto& kv : o) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      out += json::serialize(json::value(kv.key()));
      out += ": ";
      pretty(out, kv.value(), indent + 1);
    }
    out += "\n";
    pad(indent);
    out += "}";
    return;
  }
  if (v.is_array()) {
    const auto& a = v.get_array();
    if (a.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i) out += ",\n";
      pad(indent + 1);
      pretty(out, a[i], indent + 1);
    }
    out += "\n";
    pad(indent);
    out += "]";
    return;
  }
  out += json::serialize(v);
}

std::string render(const json::value& v, JsonStyle style) {
  if (style == JsonStyle::compact) return json::serialize(v);
  std::string out;
  pretty(out, v, 0);
  out += "\n";
  return out;
}

}  // namespace

std::string to_json(const StatementFile& file, JsonStyle style) {
  json::object o;
  o["file"] = file.file;
  o["format"] = file.format;
  json::array statements;
  for (const auto& s : file.statements) statements.push_back(statement_value(s));
  o["statements"] = std::move(statements);
  return render(o, style);
}

std::string to_json(const Statement& statement, JsonStyle style) { return render(statement_value(statement), style); }
std::string to_json(const Entry& entry, JsonStyle style) { return render(entry_value(entry), style); }

std::string to_json(const OpenItem& item, JsonStyle style) {
  json::object o;
  o["id"] = item.id;
  o["kind"] = open_item_kind_name(item.kind);
  o["partner_id"] = item.partner_id;
  o["partner_name"] = item.partner_name;
  std::string ibans;
  for (const auto& iban : item.partner_ibans) ibans += (ibans.empty() ? "" : ";") + iban;
  o["partner_ibans"] = item.partner_ibans.empty() ? json::value(nullptr) : json::value(ibans);
  o["document_number"] = item.document_number;
  o["amount"] = item.amount.to_string();
  o["currency"] = std::string(item.amount.currency().str());
  o["issue_date"] = opt(item.issue_date);
  o["due_date"] = opt(item.due_date);
  o["reference"] = opt(item.reference);
  o["discount_until"] = opt(item.discount_until);
  if (item.discount_basis_points)
    o["discount_percent"] = format_minor(*item.discount_basis_points, 2);
  else
    o["discount_percent"] = nullptr;
  return render(o, style);
}

std::string error_to_json(std::string_view file, const Error& error) {
  json::object err{{"message", error.describe()}};
  err["line"] = error.line ? json::value(error.line) : json::value(nullptr);
  err["column"] = error.column ? json::value(error.column) : json::value(nullptr);
  return json::serialize(json::object{{"file", file}, {"error", std::move(err)}});
}

std::string json_quote(std::string_view text) { return json::serialize(json::value(json::string(text))); }

}  // namespace bankrec::domain
