#include "mt940/fields.h"

#include "bankrec/domain/date.h"
#include "bankrec/domain/iban.h"

namespace bankrec::formats::mt940 {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_alnum(char c) { return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z'); }

bool all_digits(std::string_view s) {
  for (char c : s)
    if (!is_digit(c)) return false;
  return !s.empty();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

unsigned two_digits(std::string_view s) {
  return static_cast<unsigned>(s[0] - '0') * 10 + static_cast<unsigned>(s[1] - '0');
}

bool fail_at(Problem& problem, std::uint64_t byte, std::string message) {
  problem.byte = byte;
  problem.message = std::move(message);
  return false;
}

unsigned days_in_month(std::int32_t year, unsigned month) {
  unsigned day = 31;
  while (day > 28 && !domain::Date::is_valid(year, month, day)) --day;
  return day;
}

/// YYMMDD; a day that the month does not have (banks write 30 February) is clamped to the
/// month's last day and reported in `clamped`.
std::optional<domain::Date> parse_swift_date(std::string_view s, bool& clamped) {
  clamped = false;
  if (s.size() != 6 || !all_digits(s)) return std::nullopt;
  const unsigned yy = two_digits(s), mm = two_digits(s.substr(2));
  unsigned dd = two_digits(s.substr(4));
  const std::int32_t year = static_cast<std::int32_t>(yy < 80 ? 2000 + yy : 1900 + yy);
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) return std::nullopt;
  const unsigned last = days_in_month(year, mm);
  if (dd > last) {
    clamped = true;
    dd = last;
  }
  return domain::Date{year, static_cast<std::uint8_t>(mm), static_cast<std::uint8_t>(dd)};
}

std::optional<domain::Currency> find_currency(std::string_view code) {
  if (code.size() != 3 || !is_upper(code[0]) || !is_upper(code[1]) || !is_upper(code[2])) return std::nullopt;
  return domain::Currency::find(code);
}

/// "/OCMT/EUR11,85/" and "/CHGS/EUR0,50/" (SWIFT :61: subfield 9 codes) → a money amount.
std::optional<domain::Money> find_coded_amount(std::string_view text, std::string_view code) {
  const std::size_t at = text.find(code);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(at + code.size());
  const auto currency = find_currency(rest.substr(0, 3));
  if (!currency) return std::nullopt;
  rest.remove_prefix(3);
  const std::string_view amount = rest.substr(0, rest.find('/'));
  const auto minor = parse_swift_amount(amount, currency->exponent);
  if (!minor) return std::nullopt;
  return domain::Money(*minor, *currency);
}

void apply_supplementary(std::string_view details, const Context& ctx, domain::Entry& entry) {
  details = trim(details);
  if (details.empty()) return;
  const auto original = find_coded_amount(details, "/OCMT/");
  const auto charges = find_coded_amount(details, "/CHGS/");
  if (original || charges) {
    entry.original_amount = original;
    entry.charges = charges;
    return;
  }
  if (looks_like_iban(details)) {
    entry.counterparty.iban = std::string(details);
    return;
  }
  entry.posting_text = ctx.to_text(details);
}

/// Value date YYMMDD and the optional entry date MMDD (its year inferred from the value date).
bool take_dates(std::string_view& s, const Context& ctx, domain::Entry& entry,
                std::vector<std::string>& warnings, Problem& problem) {
  bool clamped = false;
  const auto value_date = parse_swift_date(s.substr(0, 6), clamped);
  if (!value_date)
    return fail_at(problem, ctx.offset_of(s), "invalid value date '" + ctx.to_text(s.substr(0, 6)) + "'");
  if (clamped)
    warnings.push_back("value date '" + std::string(s.substr(0, 6)) + "' is not a calendar date; read as " +
                       value_date->iso());
  entry.value_date = value_date;
  s.remove_prefix(6);
  if (s.size() < 4 || !all_digits(s.substr(0, 4))) return true;
  const auto booking = domain::infer_entry_date(*value_date, two_digits(s), two_digits(s.substr(2)));
  if (!booking)
    return fail_at(problem, ctx.offset_of(s), "invalid entry date '" + std::string(s.substr(0, 4)) + "'");
  entry.booking_date = *booking;
  s.remove_prefix(4);
  return true;
}

/// C, D, RC or RD, then the optional funds code. This is the one place where the mark becomes a sign.
bool take_mark(std::string_view& s, const Context& ctx, domain::Entry& entry, bool& negative,
               Problem& problem) {
  if (s.size() >= 2 && s[0] == 'R' && (s[1] == 'C' || s[1] == 'D')) {
    entry.reversal = true;
    negative = s[1] == 'C';  // RC: reversal of a credit takes money out
    s.remove_prefix(2);
  } else if (!s.empty() && (s[0] == 'C' || s[0] == 'D')) {
    negative = s[0] == 'D';
    s.remove_prefix(1);
  } else {
    return fail_at(
        problem, ctx.offset_of(s),
        "invalid debit/credit mark '" + ctx.to_text(s.substr(0, 2)) + "' (expected C, D, RC or RD)");
  }
  // Funds code: the third letter of the currency code, only where an amount follows (or the line breaks).
  if (!s.empty() && is_upper(s[0]) && (s.size() == 1 || is_digit(s[1]) || s[1] == ',')) s.remove_prefix(1);
  return true;
}

/// The amount runs up to the transaction type (N, F, S), the references ('/') or a space.
bool take_amount(std::string_view& s, const Context& ctx, const domain::Currency& currency, bool negative,
                 domain::Entry& entry, Problem& problem) {
  std::size_t n = 0;
  while (n < s.size() && s[n] != 'N' && s[n] != 'F' && s[n] != 'S' && s[n] != '/' && s[n] != ' ') ++n;
  const std::string_view text = s.substr(0, n);
  const auto minor = parse_swift_amount(text, currency.exponent);
  if (!minor) return fail_at(problem, ctx.offset_of(s), "invalid amount '" + ctx.to_text(text) + "'");
  entry.amount = domain::Money(negative ? -*minor : *minor, currency);
  s.remove_prefix(n);
  while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  return true;
}

/// Transaction type (4 characters: "NTRF", "N051", "NOV "), customer reference, "//" bank reference.
bool take_references(std::string_view& s, const Context& ctx, domain::Entry& entry, Problem& problem) {
  if (!s.empty() && !s.starts_with("//")) {
    if (s[0] != 'N' && s[0] != 'F' && s[0] != 'S')
      return fail_at(problem, ctx.offset_of(s),
                     "invalid transaction type '" + ctx.to_text(s.substr(0, 4)) +
                         "' (expected N, F or S and 3 characters)");
    entry.transaction_code.swift = std::string(s.substr(0, 4));
    s.remove_prefix(std::min<std::size_t>(4, s.size()));
  }
  const std::size_t slashes = s.find("//");
  if (const std::string_view customer = trim(s.substr(0, slashes)); !customer.empty())
    entry.customer_reference = ctx.to_text(customer);
  if (slashes == std::string_view::npos) return true;
  if (const std::string_view bank = trim(s.substr(slashes + 2)); !bank.empty())
    entry.bank_reference = ctx.to_text(bank);
  return true;
}

}  // namespace

std::string Context::to_text(std::string_view raw) const {
  if (charset != text::Charset::utf8) {
    for (char c : raw)
      if (static_cast<unsigned char>(c) >= 0x80)
        return text::to_utf8(raw, charset).value_or(std::string(raw));
  }
  return std::string(raw);
}

bool looks_like_iban(std::string_view s) {
  if (s.size() < 15 || s.size() > 34 || !is_upper(s[0]) || !is_upper(s[1]) || !is_digit(s[2]) ||
      !is_digit(s[3]))
    return false;
  const auto length = domain::iban_length(s.substr(0, 2));
  if (!length || static_cast<std::size_t>(*length) != s.size()) return false;
  for (char c : s.substr(4))
    if (!is_digit(c) && !is_upper(c)) return false;
  return true;
}

bool looks_like_bic(std::string_view s) {
  if (s.size() != 8 && s.size() != 11) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (i < 6 ? !is_upper(s[i]) : !(is_upper(s[i]) || is_digit(s[i]))) return false;
  return true;
}

std::optional<std::int64_t> parse_swift_amount(std::string_view text, int exponent) {
  if (auto v = domain::parse_decimal(text, ',', exponent);
      v && !text.empty() && text[0] != '-' && text[0] != '+')
    return *v;
  if (text.find(',') != std::string_view::npos || text.empty() || text[0] == '-' || text[0] == '+')
    return std::nullopt;
  if (auto v = domain::parse_decimal(text, '.', exponent)) return *v;
  return std::nullopt;
}

std::optional<domain::Balance> parse_balance(std::string_view value, std::string_view type,
                                             const Context& ctx, Problem& problem) {
  value = trim(value);
  const std::uint64_t at = ctx.offset_of(value);
  if (value.empty() || (value[0] != 'C' && value[0] != 'D')) {
    fail_at(problem, at,
            "invalid balance '" + ctx.to_text(value) + "' (expected C or D, YYMMDD, currency, amount)");
    return std::nullopt;
  }
  bool clamped = false;
  const auto date = parse_swift_date(value.substr(1, 6), clamped);
  if (!date || clamped) {
    fail_at(problem, at + 1, "invalid date '" + ctx.to_text(value.substr(1, 6)) + "' in balance");
    return std::nullopt;
  }
  const auto currency = find_currency(value.substr(7, 3));
  if (!currency) {
    fail_at(problem, at + 7, "unknown currency '" + ctx.to_text(value.substr(7, 3)) + "' in balance");
    return std::nullopt;
  }
  const std::string_view amount = value.size() > 10 ? value.substr(10) : std::string_view();
  const auto minor = parse_swift_amount(amount, currency->exponent);
  if (!minor) {
    fail_at(problem, at + 10, "invalid amount '" + ctx.to_text(amount) + "'");
    return std::nullopt;
  }
  return domain::Balance{domain::Money(value[0] == 'D' ? -*minor : *minor, *currency), *date,
                         std::string(type)};
}

void parse_account(std::string_view value, const Context& ctx, domain::Account& account) {
  value = trim(value);
  if (value.empty()) return;
  std::size_t run = 0;
  while (run < value.size() && is_alnum(value[run])) ++run;
  const std::string_view head = value.substr(0, run);
  const std::string_view tail = trim(value.substr(run));
  if (looks_like_iban(head) && (tail.empty() || find_currency(tail))) {
    account.iban = std::string(head);
    if (!tail.empty()) account.currency = std::string(tail);
    return;
  }
  // An IBAN with its currency glued on ("DE89370400440532013000EUR").
  if (tail.empty() && head.size() > 18 && find_currency(head.substr(head.size() - 3)) &&
      looks_like_iban(head.substr(0, head.size() - 3))) {
    account.iban = std::string(head.substr(0, head.size() - 3));
    account.currency = std::string(head.substr(head.size() - 3));
    return;
  }
  const std::size_t slash = value.find('/');
  if (slash == 8 && all_digits(value.substr(0, 8)) && !trim(value.substr(9)).empty()) {
    account.bank_code = std::string(value.substr(0, 8));
    account.number = ctx.to_text(trim(value.substr(9)));
    return;
  }
  // A national account number with its currency at the end ("1567.50.961EUR", "3462.483.153 EUR").
  if (value.size() > 4 && find_currency(value.substr(value.size() - 3))) {
    const char before = value[value.size() - 4];
    if ((before >= '0' && before <= '9') || before == ' ' || before == '.') {
      account.number = ctx.to_text(trim(value.substr(0, value.size() - 3)));
      account.currency = std::string(value.substr(value.size() - 3));
      return;
    }
  }
  account.number = ctx.to_text(value);
}

std::optional<std::string> parse_date_time(std::string_view value) {
  value = trim(value);
  if (value.size() < 10 || !all_digits(value.substr(0, 10))) return std::nullopt;
  bool clamped = false;
  const auto date = parse_swift_date(value.substr(0, 6), clamped);
  if (!date || clamped || two_digits(value.substr(6)) > 23 || two_digits(value.substr(8)) > 59)
    return std::nullopt;
  std::string out =
      date->iso() + "T" + std::string(value.substr(6, 2)) + ":" + std::string(value.substr(8, 2)) + ":00";
  const std::string_view zone = value.substr(10);
  if (zone.empty()) return out;
  if (zone.size() != 5 || (zone[0] != '+' && zone[0] != '-') || !all_digits(zone.substr(1)))
    return std::nullopt;
  return out + std::string(zone.substr(0, 3)) + ":" + std::string(zone.substr(3, 2));
}

std::optional<domain::Balance> parse_floor_limit(std::string_view value, const Context& ctx,
                                                 Problem& problem) {
  value = trim(value);
  const std::uint64_t at = ctx.offset_of(value);
  const auto currency = find_currency(value.substr(0, 3));
  if (!currency) {
    fail_at(problem, at, "unknown currency '" + ctx.to_text(value.substr(0, 3)) + "' in floor limit");
    return std::nullopt;
  }
  std::string_view amount = value.substr(3);
  bool debit = false;
  if (!amount.empty() && (amount[0] == 'D' || amount[0] == 'C')) {
    debit = amount[0] == 'D';
    amount.remove_prefix(1);
  }
  const auto minor = parse_swift_amount(amount, currency->exponent);
  if (!minor) {
    fail_at(problem, ctx.offset_of(amount), "invalid amount '" + ctx.to_text(amount) + "'");
    return std::nullopt;
  }
  return domain::Balance{domain::Money(debit ? -*minor : *minor, *currency), std::nullopt,
                         std::string("34F")};
}

std::optional<Totals> parse_totals(std::string_view value, const Context& ctx, Problem& problem) {
  value = trim(value);
  std::size_t digits = 0;
  Totals totals;
  while (digits < value.size() && digits < 10 && is_digit(value[digits]))
    totals.count = totals.count * 10 + static_cast<unsigned>(value[digits++] - '0');
  const auto currency = digits > 0 ? find_currency(value.substr(digits, 3)) : std::nullopt;
  if (!currency) {
    fail_at(problem, ctx.offset_of(value),
            "invalid totals '" + ctx.to_text(value) + "' (expected count, currency, amount)");
    return std::nullopt;
  }
  const std::string_view amount = value.substr(digits + 3);
  const auto minor = parse_swift_amount(amount, currency->exponent);
  if (!minor) {
    fail_at(problem, ctx.offset_of(amount), "invalid amount '" + ctx.to_text(amount) + "'");
    return std::nullopt;
  }
  totals.sum = domain::Money(*minor, *currency);
  return totals;
}

bool parse_statement_line(const Field& field, const Context& ctx, const domain::Currency& currency,
                          domain::Entry& entry, std::vector<std::string>& warnings, Problem& problem) {
  std::string_view s = field.lines.front().text;
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  bool negative = false;
  if (!take_dates(s, ctx, entry, warnings, problem) || !take_mark(s, ctx, entry, negative, problem))
    return false;
  std::size_t supplementary = 1;
  if (s.empty() && field.lines.size() > 1) {  // the line broken after the mark (Sparkasse exports)
    s = trim(field.lines[1].text);
    supplementary = 2;
  }
  if (!take_amount(s, ctx, currency, negative, entry, problem) || !take_references(s, ctx, entry, problem))
    return false;
  if (field.lines.size() == supplementary + 1) {
    apply_supplementary(field.lines[supplementary].text, ctx, entry);
  } else if (field.lines.size() > supplementary) {
    std::string joined;
    for (std::size_t i = supplementary; i < field.lines.size(); ++i) {
      if (!joined.empty()) joined += ' ';
      joined += trim(field.lines[i].text);
    }
    apply_supplementary(joined, ctx, entry);
  }
  return true;
}

}  // namespace bankrec::formats::mt940
