#pragma once

#include <string>
#include <vector>

#include "bankrec/domain/open_item.h"
#include "bankrec/domain/statement.h"
#include "bankrec/reconcile/engine.h"

/// Builders for engine tests: items and entries with only the fields a test cares about.
namespace bankrec::reconcile::testing {

inline domain::OpenItem item(std::string id, std::string number, std::int64_t minor, std::string partner = "P1",
                             std::string name = "Muster Wohnen GmbH", std::vector<std::string> ibans = {},
                             domain::OpenItemKind kind = domain::OpenItemKind::invoice) {
  domain::OpenItem i;
  i.id = std::move(id);
  i.kind = kind;
  i.partner_id = std::move(partner);
  i.partner_name = std::move(name);
  i.partner_ibans = std::move(ibans);
  i.document_number = std::move(number);
  i.amount = domain::Money(minor, domain::kEur);
  i.due_date = domain::Date{2026, 3, 20};
  return i;
}

inline domain::Entry entry(std::int64_t minor, std::string remittance, std::string name = "Someone Else",
                           std::string iban = "") {
  domain::Entry e;
  e.booking_date = domain::Date{2026, 3, 16};
  e.value_date = e.booking_date;
  e.amount = domain::Money(minor, domain::kEur);
  if (!remittance.empty()) e.remittance = std::move(remittance);
  if (!name.empty()) e.counterparty.name = std::move(name);
  if (!iban.empty()) e.counterparty.iban = std::move(iban);
  return e;
}

inline constexpr const char* kIban1 = "DE89370400440532013000";
inline constexpr const char* kIban2 = "DE02120300000000202051";

/// Runs the default rules over `entries` (one statement of file "f").
inline std::vector<Decision> run(std::vector<domain::OpenItem> items, const std::vector<domain::Entry>& entries,
                                 RuleSet rules = default_rule_set()) {
  auto engine = Engine::create(std::move(items), std::move(rules));
  if (!engine) return {};
  std::vector<EntryRef> refs;
  for (std::uint32_t i = 0; i < entries.size(); ++i) refs.push_back({&entries[i], "f", 0, i});
  return engine->run(refs);
}

inline Decision run_one(std::vector<domain::OpenItem> items, const domain::Entry& e) {
  auto d = run(std::move(items), std::vector<domain::Entry>{e});
  return d.empty() ? Decision{} : d.front();
}

inline std::vector<std::string> ids(const std::vector<Application>& matches) {
  std::vector<std::string> out;
  for (const auto& m : matches) out.push_back(m.item_id);
  return out;
}

}  // namespace bankrec::reconcile::testing
