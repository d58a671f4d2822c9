// XS2A options, JSON → domain mapping, and HTTP message signing.
#include <algorithm>
#include <charconv>
#include <filesystem>

#include "bankrec/base/text.h"
#include "crypto_util.h"
#include "xs2a.h"

namespace bankrec::connectors::xs2a {

namespace {

std::optional<std::string> opt(const std::map<std::string, std::string>& m, const char* key) {
  const auto it = m.find(key);
  if (it == m.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Result<int> int_option(const ConnectorSettings& s, const char* key, int lo, int hi, int fallback) {
  const auto text = opt(s.options, key);
  if (!text) return fallback;
  int value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < lo || value > hi)
    return fail(
        Errc::invalid_input,
        "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got '" + *text + "'",
        "connectors." + s.name + ".options." + key);
  return value;
}

/// DK proprietary code "NTRF+166+9310": SWIFT type and GVC, as the camt parser reads it.
void split_dk_code(std::string_view code, domain::TransactionCode& out) {
  const auto plus = code.find('+');
  if (plus == std::string_view::npos) return;
  const std::string_view swift = code.substr(0, plus);
  const std::string_view rest = code.substr(plus + 1);
  const std::string_view gvc = rest.substr(0, rest.find('+'));
  if (swift.size() == 4 && (swift[0] == 'N' || swift[0] == 'F' || swift[0] == 'S') &&
      std::all_of(swift.begin(), swift.end(),
                  [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }))
    out.swift = std::string(swift);
  if (gvc.size() == 3 && std::all_of(gvc.begin(), gvc.end(), [](char c) { return c >= '0' && c <= '9'; }))
    out.gvc = std::string(gvc);
}

/// debtor* or creditor* fields of one side.
domain::Party party(const json::object& t, const std::string& side) {
  domain::Party p;
  p.name = get_string(t, side + "Name");
  if (const json::object* account = get_object(t, side + "Account")) {
    p.iban = get_string(*account, "iban");
    if (p.iban) p.iban = text::collapse_spaces(*p.iban);
    p.account = get_string(*account, "bban");
    if (!p.account) p.account = get_string(*account, "maskedPan");
  }
  // debtorAgent is a BIC string in 1.3.x; some banks send an object.
  p.bic = get_string(t, side + "Agent");
  if (const json::object* agent = get_object(t, side + "Agent")) p.bic = get_string(*agent, "bic");
  return p;
}

const char* balance_code(std::string_view type) {
  if (type == "closingBooked") return "CLBD";
  if (type == "openingBooked") return "OPBD";
  if (type == "interimAvailable") return "ITAV";
  if (type == "interimBooked") return "ITBD";
  if (type == "expected") return "XPCD";
  if (type == "forwardAvailable") return "FWAV";
  if (type == "closingAvailable") return "CLAV";
  return nullptr;
}

}  // namespace

const char* profile_name(Profile profile) {
  switch (profile) {
    case Profile::standard:
      return "standard";
    case Profile::sparkasse:
      return "sparkasse";
    case Profile::signing:
      return "signing";
  }
  return "standard";
}

Result<Options> parse_options(const ConnectorSettings& s) {
  static constexpr const char* kKnown[] = {
      "profile",      "client_id",         "redirect_uri", "psu_id",           "psu_ip_address",
      "consent_days", "frequency_per_day", "token_url",    "signing_key_file", "signing_certificate_file",
      "sca_approach", "sca_poll_ms",       "sca_timeout_seconds"};
  const std::string where = "connectors." + s.name + ".options";
  for (const auto& [key, value] : s.options)
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown))
      return fail(Errc::invalid_input, "unknown xs2a option '" + key + "'", where + "." + key);
  Options o;
  const std::string profile = opt(s.options, "profile").value_or("standard");
  if (profile == "standard" || profile == "bg-json")
    o.profile = Profile::standard;
  else if (profile == "sparkasse")
    o.profile = Profile::sparkasse;
  else if (profile == "signing" || profile == "fiducia" || profile == "atruvia")
    o.profile = Profile::signing;
  else
    return fail(Errc::invalid_input,
                "unknown xs2a profile '" + profile + "' (known: standard, sparkasse, signing)",
                where + ".profile");
  const auto client_id = opt(s.options, "client_id");
  if (!client_id)
    return fail(Errc::invalid_input,
                "client_id (the TPP's organisation id, e.g. PSDDE-BAFIN-123456) is required",
                where + ".client_id");
  o.client_id = *client_id;
  o.redirect_uri = opt(s.options, "redirect_uri").value_or("");
  o.psu_id = opt(s.options, "psu_id").value_or("");
  o.psu_ip_address = opt(s.options, "psu_ip_address").value_or(o.psu_ip_address);
  o.consent_days = BANKREC_TRY(int_option(s, "consent_days", 1, 180, 180));
  o.frequency_per_day = BANKREC_TRY(int_option(s, "frequency_per_day", 1, 4, 4));
  o.token_url = opt(s.options, "token_url").value_or("");
  const std::string sca = opt(s.options, "sca_approach").value_or("redirect");
  if (sca == "redirect" || sca == "oauth")
    o.sca = ScaPreference::redirect;
  else if (sca == "decoupled")
    o.sca = ScaPreference::decoupled;
  else
    return fail(Errc::invalid_input, "unknown sca_approach '" + sca + "' (known: redirect, oauth, decoupled)",
                where + ".sca_approach");
  if (o.sca == ScaPreference::decoupled && o.psu_id.empty())
    return fail(Errc::invalid_input,
                "sca_approach 'decoupled' needs psu_id (the bank pushes the approval to that user's app)",
                where + ".psu_id");
  o.sca_poll = std::chrono::milliseconds(BANKREC_TRY(int_option(s, "sca_poll_ms", 100, 60000, 2000)));
  o.sca_timeout = std::chrono::seconds(BANKREC_TRY(int_option(s, "sca_timeout_seconds", 5, 3600, 300)));
  o.signing_key_file = opt(s.options, "signing_key_file").value_or("");
  o.signing_certificate_file = opt(s.options, "signing_certificate_file").value_or("");
  if (o.profile == Profile::signing && !o.sign())
    return fail(Errc::invalid_input,
                "profile 'signing' requires signing_key_file and signing_certificate_file (the QSealC)",
                where);
  if (o.sign() != !o.signing_certificate_file.empty())
    return fail(Errc::invalid_input, "signing_key_file and signing_certificate_file go together", where);
  for (const std::string* file : {&o.signing_key_file, &o.signing_certificate_file}) {
    std::error_code ec;
    if (!file->empty() && !std::filesystem::is_regular_file(*file, ec))
      return fail(Errc::invalid_input, "no such file '" + *file + "'", where);
  }
  if (s.base_url.rfind("https://", 0) != 0)
    return fail(Errc::invalid_input, "base_url must be an https:// URL, got '" + s.base_url + "'",
                "connectors." + s.name + ".base_url");
  return o;
}

std::string transaction_key(const json::object& t) {
  if (auto id = get_string(t, "transactionId")) return "id:" + *id;
  if (auto ref = get_string(t, "entryReference")) return "ref:" + *ref;
  return {};
}

Result<domain::Entry> map_transaction(const json::object& t, domain::EntryStatus status,
                                      const std::string& where) {
  domain::Entry e;
  e.status = status;
  const json::object* amount = get_object(t, "transactionAmount");
  if (!amount) return fail(Errc::invalid_input, "transaction without transactionAmount", where);
  e.amount = BANKREC_TRY(parse_amount_object(*amount, where + ".transactionAmount"));
  e.booking_date = BANKREC_TRY(get_date(t, "bookingDate", where));
  e.value_date = BANKREC_TRY(get_date(t, "valueDate", where));
  // entryReference is camt's AcctSvcrRef, so JSON and camt.052 of one account share identities;
  // transactionId stands in where there is none (pending entries).
  e.bank_reference = get_string(t, "entryReference");
  if (!e.bank_reference) e.bank_reference = get_string(t, "transactionId");
  e.end_to_end_id = get_string(t, "endToEndId");
  e.mandate_id = get_string(t, "mandateId");
  e.creditor_id = get_string(t, "creditorId");
  e.transaction_code.iso = get_string(t, "bankTransactionCode");
  e.transaction_code.proprietary = get_string(t, "proprietaryBankTransactionCode");
  if (e.transaction_code.proprietary) split_dk_code(*e.transaction_code.proprietary, e.transaction_code);
  // The other party: the debtor of money in, the creditor of money out.
  const bool credit = e.amount.minor() > 0;
  e.counterparty = party(t, credit ? "debtor" : "creditor");
  if (e.counterparty.empty()) e.counterparty = party(t, credit ? "creditor" : "debtor");
  e.remittance = get_string(t, "remittanceInformationUnstructured");
  if (!e.remittance)
    if (const json::array* lines = get_array(t, "remittanceInformationUnstructuredArray")) {
      std::string joined;
      for (const json::value& line : *lines)
        if (line.is_string() && !line.as_string().empty())
          joined += (joined.empty() ? "" : " ") + std::string(line.as_string());
      if (!joined.empty()) e.remittance = joined;
    }
  // remittanceInformationStructured: an object {reference, referenceType} since 1.3.6, a plain
  // string before (and some banks put the free text there).
  if (const json::object* structured = get_object(t, "remittanceInformationStructured")) {
    e.structured_reference = get_string(*structured, "reference");
  } else if (auto text = get_string(t, "remittanceInformationStructured")) {
    if (!e.remittance)
      e.remittance = text;
    else
      e.structured_reference = text;
  }
  if (!e.structured_reference)
    if (const json::array* list = get_array(t, "remittanceInformationStructuredArray");
        list && !list->empty() && list->front().is_object())
      e.structured_reference = get_string(list->front().as_object(), "reference");
  e.posting_text = get_string(t, "additionalInformation");
  return e;
}

Result<void> map_balances(const json::array& balances, domain::Statement& statement) {
  for (std::size_t i = 0; i < balances.size(); ++i) {
    if (!balances[i].is_object()) continue;
    const json::object& b = balances[i].as_object();
    const std::string where = "balances[" + std::to_string(i) + "]";
    const json::object* amount = get_object(b, "balanceAmount");
    const auto type = get_string(b, "balanceType");
    if (!amount || !type) continue;
    domain::Balance balance;
    balance.amount = BANKREC_TRY(parse_amount_object(*amount, where + ".balanceAmount"));
    balance.date = BANKREC_TRY(get_date(b, "referenceDate", where));
    if (!balance.date) balance.date = BANKREC_TRY(get_date(b, "lastChangeDateTime", where));
    const char* code = balance_code(*type);
    balance.type = code ? std::string(code) : *type;  // unknown types are kept as the bank names them
    if (*type == "closingBooked" && !statement.closing_balance)
      statement.closing_balance = balance;
    else if (*type == "openingBooked" && !statement.opening_balance)
      statement.opening_balance = balance;
    else
      statement.other_balances.push_back(balance);
  }
  return ok();
}

BankAccount map_account(const json::object& a) {
  BankAccount out;
  out.iban = get_string(a, "iban").value_or("");
  out.provider_id = get_string(a, "resourceId").value_or("");
  out.currency = get_string(a, "currency").value_or("");
  out.name = get_string(a, "name").value_or(get_string(a, "product").value_or(""));
  const std::string type = get_string(a, "cashAccountType").value_or("");
  if (type == "CACC" || type == "CASH" || type == "TRAN")
    out.kind = "checking";
  else if (type == "SVGS" || type == "MOMA")
    out.kind = "savings";
  else if (type == "CARD")
    out.kind = "card";
  else
    out.kind = text::to_lower_ascii(type);
  return out;
}

Result<void> sign_request(const Options& options, net::HttpRequest& request) {
  if (!options.sign()) return ok();
  if (!net::find_header(request.headers, "X-Request-ID"))
    request.headers.emplace_back("X-Request-ID", net::make_request_id());
  const std::string digest = "SHA-256=" + base64_encode(sha256(request.body));
  request.headers.emplace_back("Digest", digest);
  // draft-cavage-http-signatures-10: the signing string is "name: value" lines of the listed headers.
  std::string names, signing;
  for (const char* name :
       {"digest", "x-request-id", "psu-id", "psu-corporate-id", "consent-id", "tpp-redirect-uri"}) {
    const auto value = net::find_header(request.headers, name);
    if (!value) continue;
    if (!names.empty()) {
      names += ' ';
      signing += '\n';
    }
    names += name;
    signing += std::string(name) + ": " + std::string(*value);
  }
  const std::string key_id = BANKREC_TRY(certificate_key_id(options.signing_certificate_file));
  const std::string certificate = BANKREC_TRY(certificate_base64(options.signing_certificate_file));
  std::string algorithm;
  const std::string signature = BANKREC_TRY(sign_sha256(options.signing_key_file, signing, &algorithm));
  request.headers.emplace_back("TPP-Signature-Certificate", certificate);
  request.headers.emplace_back("Signature", "keyId=\"" + key_id + "\",algorithm=\"" + algorithm +
                                                "\",headers=\"" + names + "\",signature=\"" +
                                                base64_encode(signature) + "\"");
  return ok();
}

}  // namespace bankrec::connectors::xs2a
