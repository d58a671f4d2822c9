#include "rule_match.h"

#include <algorithm>

#include "engine_internal.h"

namespace bankrec::reconcile {
namespace {

std::string electronic_iban(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ') continue;
    out.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

bool iban_pattern_matches(const std::string& pattern, const std::string& iban) {
  const std::string p = electronic_iban(pattern);
  if (!p.empty() && p.back() == '*') return iban.starts_with(std::string_view(p).substr(0, p.size() - 1));
  return iban == p;
}

Result<std::regex> compile(const std::string& pattern, const std::string& where) {
  try {
    return std::regex(pattern, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
  } catch (const std::regex_error& e) {
    return fail(Errc::invalid_input, "invalid regular expression '" + pattern + "': " + e.what(), where);
  }
}

bool code_matches(const std::vector<std::string>& codes, const domain::TransactionCode& code) {
  return std::any_of(codes.begin(), codes.end(), [&](const std::string& c) {
    return (code.gvc && *code.gvc == c) || (code.iso && code.iso->starts_with(c));
  });
}

bool holds(const CompiledRule& r, const EntryRef& ref) {
  const RuleConditions& w = r.rule.when;
  const domain::Entry& e = *ref.entry;
  const std::int64_t amount = e.amount.minor();
  if (w.direction == Direction::incoming && amount <= 0) return false;
  if (w.direction == Direction::outgoing && amount >= 0) return false;
  if (w.amount_min_minor && std::llabs(amount) < *w.amount_min_minor) return false;
  if (w.amount_max_minor && std::llabs(amount) > *w.amount_max_minor) return false;
  if (!w.currency.empty() && e.amount.currency().str() != w.currency) return false;
  if (!w.accounts.empty()) {
    const std::string account = electronic_iban(ref.account);
    if (std::none_of(w.accounts.begin(), w.accounts.end(),
                     [&](const std::string& a) { return electronic_iban(a) == account; }))
      return false;
  }
  if (!w.counterparty_ibans.empty()) {
    const std::string iban = electronic_iban(e.counterparty.iban.value_or(""));
    if (iban.empty() || std::none_of(w.counterparty_ibans.begin(), w.counterparty_ibans.end(),
                                     [&](const std::string& p) { return iban_pattern_matches(p, iban); }))
      return false;
  }
  if (!r.names.empty()) {
    const std::string& name = e.counterparty.name.value_or("");
    if (std::none_of(r.names.begin(), r.names.end(), [&](const std::regex& re) { return std::regex_search(name, re); }))
      return false;
  }
  if (r.purpose) {
    const std::string text = e.posting_text.value_or("") + " " + e.remittance.value_or("");
    if (!std::regex_search(text, *r.purpose)) return false;
  }
  if (!w.transaction_codes.empty() && !code_matches(w.transaction_codes, e.transaction_code)) return false;
  return true;
}

}  // namespace

bool CompiledRule::allows(Strategy s) const {
  return rule.strategies.empty() || std::find(rule.strategies.begin(), rule.strategies.end(), s) != rule.strategies.end();
}

Result<std::vector<CompiledRule>> compile_rules(const RuleSet& rules) {
  std::vector<CompiledRule> out;
  for (std::size_t i = 0; i < rules.rules.size(); ++i) {
    const MatchRule& rule = rules.rules[i];
    const std::string where = "rules[" + std::to_string(i) + "] '" + rule.name + "'";
    CompiledRule c{rule, apply_overrides(rules, rule), {}, std::nullopt};
    for (const auto& n : rule.when.counterparty_names)
      c.names.push_back(BANKREC_TRY(compile(n, where + " when.counterparty_name")));
    if (!rule.when.purpose_regex.empty()) c.purpose = BANKREC_TRY(compile(rule.when.purpose_regex, where + " when.purpose"));
    out.push_back(std::move(c));
  }
  return out;
}

const CompiledRule* select_rule(const std::vector<CompiledRule>& rules, const EntryRef& ref) {
  for (const auto& r : rules)
    if (holds(r, ref)) return &r;
  return nullptr;
}

Strategy strategy_of(const Draft& d) {
  if (d.counter != nullptr) return Strategy::counter_booking;
  if (d.cited)
    return d.creditor_reference ? Strategy::creditor_reference : Strategy::document_number;
  return d.features.field == "customer_number" ? Strategy::customer_number : Strategy::partner;
}

}  // namespace bankrec::reconcile
