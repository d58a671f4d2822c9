#include "bankrec/reconcile/rules.h"

namespace bankrec::reconcile {
namespace {

std::vector<CounterBookingRule> default_counter_bookings() {
  std::vector<CounterBookingRule> rules;
  // GVC 805/808/809 are the German codes for account fees (DFÜ-Abkommen Anlage 3).
  rules.push_back({"bank fees", "4970", Direction::outgoing, {"805", "808", "809"},
                   {"ACMT-MDOP-CHRG", "PMNT-MCOP-CHRG", "ACMT-OPCL-CHRG"}, {},
                   {"entgeltabschluss", "kontofuehrung", "kontofuehrungsgebuehr", "abschluss entgelt",
                    "kontoentgelt", "bankgebuehr", "bankgebuehren"}});
  rules.push_back({"salaries", "1740", Direction::outgoing, {"153"}, {"PMNT-ICDT-SALA"}, {},
                   {"lohn", "gehalt", "gehaelter", "loehne", "lohnzahlung", "gehaltszahlung"}});
  rules.push_back({"card acquirer payout", "1360", Direction::incoming, {}, {},
                   {"payone", "concardis", "nexi", "adyen", "worldline", "sumup", "elavon", "first data",
                    "global payments", "american express payment"},
                   {"haendlerabrechnung", "kartenumsaetze", "card settlement"}});
  rules.push_back({"tax", "1780", Direction::outgoing, {}, {}, {"finanzamt", "bundeskasse"},
                   {"umsatzsteuer", "ust va", "ust voranmeldung", "lohnsteuer", "gewerbesteuer"}});
  return rules;
}

}  // namespace

RuleSet default_rule_set() {
  RuleSet rules;
  rules.psp_names = {"paypal", "klarna", "stripe", "mollie", "unzer", "computop", "amazon payments"};
  rules.customer_number_words = {"KD",     "KDNR",   "KUNDE",    "KUNDENNR", "KUNDENNUMMER", "KND",
                                 "KNDNR",  "CUSTOMER", "CUSTNO", "DEBITOR", "DEBITORENNR"};
  rules.filler_words = {"NR", "NO", "NUMMER", "NUMBER", "NUM", "N"};
  rules.generic_number_words = {"BELEG", "BELEGNR", "ZAHLUNG", "ZAHLUNGSREF", "REF", "REFERENZ",
                                "VERWENDUNGSZWECK", "DOC", "DOKUMENT"};
  rules.series_aliases = {{"RECHNUNG", "RE"}, {"RECHN", "RE"},  {"RG", "RE"},    {"RGNR", "RE"},
                          {"RENR", "RE"},     {"INVOICE", "INV"}, {"GUTSCHRIFT", "GS"}, {"GSNR", "GS"}};
  rules.counter_bookings = default_counter_bookings();
  return rules;
}

const char* strategy_name(Strategy s) {
  switch (s) {
    case Strategy::document_number: return "document_number";
    case Strategy::creditor_reference: return "creditor_reference";
    case Strategy::customer_number: return "customer_number";
    case Strategy::partner: return "partner";
    case Strategy::grouped: return "grouped";
    case Strategy::counter_booking: return "counter_booking";
  }
  return "document_number";
}

RuleSet apply_overrides(const RuleSet& base, const MatchRule& rule) {
  RuleSet r = base;
  r.rules.clear();
  const auto set = [](auto& field, const auto& value) {
    if (value) field = *value;
  };
  set(r.auto_threshold, rule.auto_threshold);
  set(r.auto_margin, rule.auto_margin);
  set(r.suggest_minimum, rule.suggest_minimum);
  set(r.fee_tolerance_minor, rule.fee_tolerance_minor);
  set(r.fee_tolerance_basis_points, rule.fee_tolerance_basis_points);
  set(r.bank_fee_account, rule.bank_fee_account);
  set(r.discount_grace_days, rule.discount_grace_days);
  set(r.cash_discount_account, rule.cash_discount_account);
  set(r.small_difference_minor, rule.small_difference_minor);
  set(r.small_difference_account, rule.small_difference_account);
  set(r.auto_partial, rule.auto_partial);
  return r;
}

}  // namespace bankrec::reconcile
