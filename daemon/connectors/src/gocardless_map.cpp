#include "gocardless_map.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "bridge_common.h"

namespace bankrec::connectors::gocardless {

namespace {

namespace json = boost::json;
using apiutil::date_member;
using apiutil::member;
using apiutil::string_member;

domain::Party party_of(const json::value& t, const char* name_key, const char* account_key, const char* agent_key) {
  domain::Party p;
  p.name = string_member(t, name_key);
  if (const json::value* account = member(t, account_key)) {
    if (const auto iban = string_member(*account, "iban")) {
      std::string electronic;
      for (const char c : *iban)
        if (c != ' ') electronic += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      p.iban = electronic;
    }
    if (!p.iban) p.account = string_member(*account, "bban");
  }
  p.bic = string_member(t, agent_key);
  return p;
}

/// German DK code "NTRF+166+9310" or a bare "166": the Geschäftsvorfallcode.
std::optional<std::string> gvc_of(std::string_view proprietary) {
  auto digits3 = [](std::string_view s) {
    return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (digits3(proprietary)) return std::string(proprietary);
  const auto plus = proprietary.find('+');
  if (plus == std::string_view::npos) return std::nullopt;
  const std::string_view rest = proprietary.substr(plus + 1);
  const std::string_view code = rest.substr(0, rest.find('+'));
  if (digits3(code)) return std::string(code);
  return std::nullopt;
}

std::optional<std::string> joined_array(const json::value& t, std::string_view key) {
  const json::value* list = member(t, key);
  if (!list || !list->is_array()) return std::nullopt;
  std::string out;
  for (const json::value& line : list->as_array()) {
    if (!line.is_string() || line.as_string().empty()) continue;
    if (!out.empty()) out += ' ';
    out += std::string_view(line.as_string());
  }
  if (out.empty()) return std::nullopt;
  return out;
}

Result<domain::Entry> entry_from(const json::value& t, bool booked, const std::string& where) {
  if (!t.is_object()) return fail(Errc::invalid_input, where + ": transaction is not an object");
  const json::value* amount = member(t, "transactionAmount");
  if (!amount) return fail(Errc::invalid_input, where + ": transaction without transactionAmount");
  const auto code = string_member(*amount, "currency");
  if (!code) return fail(Errc::invalid_input, where + ": transactionAmount without currency");
  const auto currency = domain::Currency::find(*code);
  if (!currency) return fail(Errc::invalid_input, where + ": unknown currency '" + apiutil::clip(*code, 8) + "'");
  const json::value* value = member(*amount, "amount");
  if (!value) return fail(Errc::invalid_input, where + ": transactionAmount without amount");
  const std::int64_t minor = BANKREC_TRY(apiutil::amount_minor(*value, currency->exponent, where + ".transactionAmount.amount"));

  domain::Entry e;
  e.amount = domain::Money(minor, *currency);  // signed by the bank: debits are negative
  e.status = booked ? domain::EntryStatus::booked : domain::EntryStatus::pending;
  e.booking_date = date_member(t, "bookingDate");
  if (!e.booking_date) e.booking_date = date_member(t, "bookingDateTime");
  e.value_date = date_member(t, "valueDate");
  if (!e.value_date) e.value_date = date_member(t, "valueDateTime");
  if (booked && !e.booking_date && !e.value_date) return fail(Errc::invalid_input, where + ": booked transaction without bookingDate");
  // Identity: transactionId, else GoCardless' internalTransactionId (unique within the account,
  // absent on pending entries), else entryReference. Some banks send a blank transactionId.
  e.bank_reference = string_member(t, "transactionId");
  if (!e.bank_reference) e.bank_reference = string_member(t, "internalTransactionId");
  if (!e.bank_reference) e.bank_reference = string_member(t, "entryReference");
  e.end_to_end_id = string_member(t, "endToEndId");
  e.mandate_id = string_member(t, "mandateId");
  e.creditor_id = string_member(t, "creditorId");
  // The counterparty is the payer of money in and the payee of money out.
  const domain::Party debtor = party_of(t, "debtorName", "debtorAccount", "debtorAgent");
  const domain::Party creditor = party_of(t, "creditorName", "creditorAccount", "creditorAgent");
  e.counterparty = minor >= 0 ? debtor : creditor;
  if (e.counterparty.empty()) e.counterparty = minor >= 0 ? creditor : debtor;
  e.remittance = string_member(t, "remittanceInformationUnstructured");
  if (!e.remittance) e.remittance = joined_array(t, "remittanceInformationUnstructuredArray");
  // A plain string at GoCardless; an object {reference, referenceType} in BG 1.3.12.
  if (const json::value* s = member(t, "remittanceInformationStructured")) {
    e.structured_reference = s->is_string() ? string_member(t, "remittanceInformationStructured") : string_member(*s, "reference");
  }
  if (!e.structured_reference) e.structured_reference = joined_array(t, "remittanceInformationStructuredArray");
  e.transaction_code.iso = string_member(t, "bankTransactionCode");
  e.transaction_code.proprietary = string_member(t, "proprietaryBankTransactionCode");
  if (e.transaction_code.proprietary) e.transaction_code.gvc = gvc_of(*e.transaction_code.proprietary);
  e.posting_text = string_member(t, "additionalInformation");
  return e;
}

}  // namespace

Result<domain::Entry> map_transaction(std::string_view object_json, bool booked, std::string_view what) {
  const json::value v = BANKREC_TRY(apiutil::parse_json(object_json, what));
  return entry_from(v, booked, std::string(what));
}

Result<Transactions> parse_transactions(std::string_view body, std::string_view what) {
  const json::value v = BANKREC_TRY(apiutil::parse_json(body, what));
  const json::value* tx = member(v, "transactions");
  if (!tx || !tx->is_object()) return fail(Errc::unavailable, std::string(what) + ": response has no 'transactions' object");
  Transactions out;
  for (const bool booked : {true, false}) {
    const char* list_name = booked ? "booked" : "pending";
    const json::value* list = member(*tx, list_name);
    if (!list) continue;
    if (!list->is_array()) return fail(Errc::unavailable, std::string(what) + ": transactions." + list_name + " is not a list");
    auto& target = booked ? out.booked : out.pending;
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
      const json::value& t = list->as_array()[i];
      domain::Entry e = BANKREC_TRY(entry_from(t, booked, std::string(what) + ": transactions." + list_name + "[" + std::to_string(i) + "]"));
      if (!out.currency) out.currency = std::string(e.amount.currency().str());
      // The same line delivered twice (a bank repeating its last line) is one line; two different
      // lines that share an id stay two.
      if (booked && e.bank_reference && std::find(target.begin(), target.end(), e) != target.end()) {
        ++out.duplicates;
        continue;
      }
      target.push_back(std::move(e));
    }
  }
  return out;
}

Result<Balances> parse_balances(std::string_view body, std::string_view what) {
  const json::value v = BANKREC_TRY(apiutil::parse_json(body, what));
  const json::value* list = member(v, "balances");
  if (!list || !list->is_array()) return fail(Errc::unavailable, std::string(what) + ": response has no 'balances' list");
  Balances out;
  std::optional<domain::Balance> interim;
  for (std::size_t i = 0; i < list->as_array().size(); ++i) {
    const json::value& b = list->as_array()[i];
    const std::string where = std::string(what) + ": balances[" + std::to_string(i) + "]";
    const json::value* amount = member(b, "balanceAmount");
    const auto code = amount ? string_member(*amount, "currency") : std::nullopt;
    const auto currency = code ? domain::Currency::find(*code) : std::nullopt;
    const json::value* value = amount ? member(*amount, "amount") : nullptr;
    if (!currency || !value) return fail(Errc::invalid_input, where + ": balance without balanceAmount {amount, currency}");
    const std::int64_t minor = BANKREC_TRY(apiutil::amount_minor(*value, currency->exponent, where + ".balanceAmount.amount"));
    domain::Balance balance{domain::Money(minor, *currency), date_member(b, "referenceDate"), string_member(b, "balanceType")};
    if (!balance.date) balance.date = date_member(b, "lastChangeDateTime");
    const std::string type = balance.type.value_or("");
    if (type == "closingBooked" && !out.closing) out.closing = balance;
    else if (type == "interimBooked" && !interim) interim = balance;
    else out.others.push_back(balance);
  }
  if (!out.closing && interim) out.closing = interim;
  else if (interim) out.others.push_back(*interim);
  return out;
}

Result<AccountMeta> parse_account_meta(std::string_view body, std::string_view what) {
  const json::value v = BANKREC_TRY(apiutil::parse_json(body, what));
  AccountMeta m;
  m.id = string_member(v, "id").value_or("");
  if (m.id.empty()) return fail(Errc::unavailable, std::string(what) + ": account without id");
  for (const char c : string_member(v, "iban").value_or(""))
    if (c != ' ') m.iban += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  m.status = string_member(v, "status").value_or("");
  m.owner_name = string_member(v, "owner_name").value_or("");
  return m;
}

Result<Requisition> parse_requisition(std::string_view body, std::string_view what) {
  const json::value v = BANKREC_TRY(apiutil::parse_json(body, what));
  Requisition r;
  r.id = string_member(v, "id").value_or("");
  r.status = string_member(v, "status").value_or("");
  if (r.id.empty() || r.status.empty()) return fail(Errc::unavailable, std::string(what) + ": requisition without id and status");
  r.link = string_member(v, "link").value_or("");
  r.agreement = string_member(v, "agreement").value_or("");
  r.reference = string_member(v, "reference").value_or("");
  if (const json::value* list = member(v, "accounts"); list && list->is_array())
    for (const json::value& a : list->as_array())
      if (a.is_string() && !a.as_string().empty()) r.accounts.emplace_back(a.as_string());
  return r;
}

namespace {

std::optional<long> header_number(const net::HttpResponse& response, std::string_view underscored, std::string_view dashed) {
  auto value = response.header(underscored);
  if (!value) value = response.header(dashed);
  if (!value) return std::nullopt;
  long out = 0;
  const std::string text = apiutil::clip(*value, 20);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || out < 0) return std::nullopt;
  return out;
}

}  // namespace

std::optional<std::chrono::seconds> rate_limit_reset(const net::HttpResponse& response) {
  constexpr long kMax = 86400 * 2;
  const auto account_remaining =
      header_number(response, "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING", "X-RateLimit-Account-Success-Remaining");
  const auto account_reset = header_number(response, "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET", "X-RateLimit-Account-Success-Reset");
  if (account_reset && (!account_remaining || *account_remaining == 0)) return std::chrono::seconds(std::min(*account_reset, kMax));
  const auto remaining = header_number(response, "HTTP_X_RATELIMIT_REMAINING", "X-RateLimit-Remaining");
  const auto reset = header_number(response, "HTTP_X_RATELIMIT_RESET", "X-RateLimit-Reset");
  if (reset && remaining && *remaining == 0) return std::chrono::seconds(std::min(*reset, kMax));
  // "... Please try again in 85092 seconds"
  boost::system::error_code ec;
  const json::value body = json::parse(response.body, ec);
  if (!ec) {
    const std::string detail = string_member(body, "detail").value_or("");
    const auto at = detail.find("try again in ");
    if (at != std::string::npos) {
      long seconds = 0;
      const char* begin = detail.data() + at + 13;
      const auto [end, ec2] = std::from_chars(begin, detail.data() + detail.size(), seconds);
      if (ec2 == std::errc() && end != begin && seconds >= 0) return std::chrono::seconds(std::min(seconds, kMax));
    }
  }
  if (account_reset) return std::chrono::seconds(std::min(*account_reset, kMax));
  if (reset) return std::chrono::seconds(std::min(*reset, kMax));
  return std::nullopt;
}

}  // namespace bankrec::connectors::gocardless
