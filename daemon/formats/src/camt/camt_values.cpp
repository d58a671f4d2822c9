#include "camt/camt_parse.h"

#include <algorithm>

#include "bankrec/domain/iban.h"

namespace bankrec::formats::camt {
namespace {

bool is_upper_alpha(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}
bool is_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool is_upper_alnum(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

}  // namespace

void StatementScope::warn(std::string message) {
  if (warnings_.size() >= kMaxWarnings) {
    ++suppressed_;
    return;
  }
  warnings_.push_back(std::move(message));
}

std::vector<std::string> StatementScope::collected_warnings() {
  std::vector<std::string> out = warnings_;
  if (suppressed_ > 0) out.push_back(std::to_string(suppressed_) + " more warnings not shown");
  return out;
}

bool StatementScope::is_valid_iban(const std::string& iban) {
  if (iban.empty()) return domain::is_valid_iban(iban);
  const std::size_t n = iban.size();
  const auto last = [&](std::size_t k) { return k < n ? static_cast<std::uint8_t>(iban[n - 1 - k]) : 0u; };
  std::string& slot = valid_ibans_[(last(0) + 7 * last(1) + 49 * last(2) + n) % kIbanSlots];
  if (slot == iban) return true;
  if (!domain::is_valid_iban(iban)) return false;
  slot = iban;
  return true;
}

Result<domain::Currency> StatementScope::currency(std::string_view code) {
  for (const auto& c : known_)
    if (c.str() == code) return c;
  if (code.size() != 3 || !is_upper_alpha(code))
    return x.error("invalid currency code '" + std::string(code) + "' (expected three upper-case letters)");
  domain::Currency currency;
  if (auto found = domain::Currency::find(code)) {
    currency = *found;
  } else {
    std::copy(code.begin(), code.end(), currency.code.begin());
    currency.exponent = 2;
    warn("unknown currency '" + std::string(code) + "' at " + x.locator() +
         " (amounts read with 2 decimals)");
  }
  if (known_.size() < 16) known_.push_back(currency);
  return currency;
}

Result<domain::Money> read_amount(StatementScope& scope) {
  const auto code = scope.x.attribute("Ccy");
  if (!code || code->empty()) return scope.x.error("amount without a Ccy attribute");
  const domain::Currency currency = BANKREC_TRY(scope.currency(*code));
  const std::string_view text = BANKREC_TRY(scope.x.text());
  if (text.empty() || text.front() == '-' || text.front() == '+')
    return scope.x.error("invalid amount '" + std::string(text) +
                         "' (expected an unsigned decimal; CdtDbtInd gives the sign)");
  auto minor = domain::parse_decimal(text, '.', currency.exponent);
  if (!minor)
    return scope.x.error("invalid amount '" + std::string(text) + "' for " + std::string(currency.str()) +
                         " (" + std::to_string(currency.exponent) + " decimals, '.' as separator)");
  return domain::Money(*minor, currency);
}

Result<int> read_direction(XmlCursor& x) {
  const std::string_view text = BANKREC_TRY(x.text());
  if (text == "CRDT") return 1;
  if (text == "DBIT") return -1;
  return x.error("invalid CdtDbtInd '" + std::string(text) + "' (expected CRDT or DBIT)");
}

Result<domain::Date> read_date(XmlCursor& x) {
  const std::string_view text = BANKREC_TRY(x.text());
  auto date = domain::parse_iso_date(text);
  if (!date)
    return x.error("invalid date '" + std::string(text) + "' (expected YYYY-MM-DD or an ISO date-time)");
  return *date;
}

Result<std::optional<domain::Date>> read_date_choice(XmlCursor& x) {
  std::optional<domain::Date> out;
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    if (x.tag() == Tag::Dt || x.tag() == Tag::DtTm) out = BANKREC_TRY(read_date(x));
  }
  return out;
}

Result<bool> read_bool(XmlCursor& x) {
  const std::string_view text = BANKREC_TRY(x.text());
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return x.error("invalid boolean '" + std::string(text) + "' (expected true or false)");
}

Result<void> read_text(XmlCursor& x, std::string& out) {
  out.assign(BANKREC_TRY(x.text()));
  return ok();
}

Result<void> append_text(XmlCursor& x, std::string& out) {
  const std::string_view text = BANKREC_TRY(x.text());
  if (text.empty()) return ok();
  if (!out.empty()) out += ' ';
  out.append(text);
  return ok();
}

std::optional<std::string> opt(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

void electronic_iban(std::string_view text, std::string& out) {
  out.resize(text.size());
  char* const begin = out.data();  // a local pointer: writes through out[] would reload it per byte
  char* d = begin;
  for (const char c : text) {
    if (c == ' ') continue;
    *d++ = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  out.resize(static_cast<std::size_t>(d - begin));
}

void split_proprietary_code(std::string_view code, domain::TransactionCode& out) {
  // Deutsche Kreditwirtschaft (DFÜ-Abkommen, Anlage 3): "<SWIFT code>+<GVC>[+<text key ext.>]",
  // e.g. NTRF+166+931. The SWIFT transaction type is N, F or S followed by three characters.
  const auto plus = code.find('+');
  if (plus == std::string_view::npos) return;
  const std::string_view swift = code.substr(0, plus);
  std::string_view rest = code.substr(plus + 1);
  const std::string_view gvc = rest.substr(0, rest.find('+'));
  if (swift.size() == 4 && (swift[0] == 'N' || swift[0] == 'F' || swift[0] == 'S') && is_upper_alnum(swift))
    out.swift = std::string(swift);
  if (gvc.size() == 3 && is_digits(gvc)) out.gvc = std::string(gvc);
}

domain::Money with_sign(const domain::Money& unsigned_amount, int direction) {
  return direction < 0 ? domain::Money(-unsigned_amount.minor(), unsigned_amount.currency())
                       : unsigned_amount;
}

}  // namespace bankrec::formats::camt
