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

}  // namespace bankrec::reconcile
