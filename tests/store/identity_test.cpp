#include "bankrec/store/identity.h"

#include "bankrec/testing/testing.h"

namespace bankrec::store {
namespace {

domain::Entry entry(std::int64_t minor, const char* remittance) {
  domain::Entry e;
  e.booking_date = domain::Date{2026, 11, 20};
  e.value_date = domain::Date{2026, 11, 20};
  e.amount = domain::Money(minor, domain::kEur);
  e.remittance = remittance;
  return e;
}

TEST(Identity, bank_reference_is_tier_one_and_placeholders_are_ignored) {
  domain::Statement s;
  auto e = entry(-1250, "Kartenzahlung");
  e.bank_reference = "NONREF";
  EXPECT_FALSE(compute_identity(s, 0, e).bank_key.has_value());
  e.bank_reference = "2026112000012";
  EXPECT_EQ(compute_identity(s, 0, e).bank_key, "b:ref:2026112000012");
  e.status = domain::EntryStatus::pending;
  EXPECT_EQ(compute_identity(s, 0, e).bank_key, "p:ref:2026112000012");
}

TEST(Identity, end_to_end_id_counts_only_with_amount_and_date) {
  domain::Statement s;
  auto e = entry(11900, "RE 4711");
  e.end_to_end_id = "E2E-4711";
  EXPECT_EQ(compute_identity(s, 0, e).bank_key, "b:e2e:E2E-4711|11900|2026-11-20");
  e.end_to_end_id = "NOTPROVIDED";
  EXPECT_FALSE(compute_identity(s, 0, e).bank_key.has_value());
}

TEST(Identity, position_needs_a_statement_id_or_sequence) {
  domain::Statement s;
  const auto e = entry(100, "x");
  EXPECT_FALSE(compute_identity(s, 3, e).position_key.has_value());
  s.sequence = "42";
  s.from_date = domain::Date{2026, 11, 20};
  EXPECT_EQ(compute_identity(s, 3, e).position_key, "b:st:|42|2026-11-20#3");
  s.id = "STMT-1";
  EXPECT_EQ(compute_identity(s, 3, e).position_key, "b:st:STMT-1|42|2026-11-20#3");
  // MT940 banks repeat :20: in every statement; the sequence and date tell them apart.
  auto next = s;
  next.sequence = "43";
  next.from_date = domain::Date{2026, 11, 21};
  EXPECT_NE(compute_identity(next, 3, e).position_key, compute_identity(s, 3, e).position_key);
}

TEST(Identity, placeholders_are_recognised_trimmed_and_in_any_case) {
  for (const char* p : {"NONREF", " nonref ", "NotProvided", "NOT PROVIDED", "none", "N/A", "", "  "})
    EXPECT_TRUE(is_placeholder_reference(p)) << "'" << p << "'";
  for (const char* r : {"NONREF1", "NOTPROVIDEDX", "not  provided", "n/a/b", "2026112000012", "ABC"})
    EXPECT_FALSE(is_placeholder_reference(r)) << "'" << r << "'";
}

TEST(Identity, the_statement_key_computed_once_gives_the_same_keys) {
  domain::Statement s;
  s.id = "STMT-1";
  s.sequence = "42";
  s.from_date = domain::Date{2026, 11, 20};
  auto e = entry(-1250, "Kartenzahlung  Edeka");
  e.end_to_end_id = "E2E-1";
  e.counterparty.iban = "DE02120300000000202051";
  for (const std::size_t index : {std::size_t{0}, std::size_t{7}, std::size_t{123456}}) {
    const EntryIdentity a = compute_identity(s, index, e);
    const EntryIdentity b = compute_identity(statement_key(s), index, e);
    EXPECT_EQ(a.bank_key, b.bank_key);
    EXPECT_EQ(a.position_key, b.position_key);
    EXPECT_EQ(a.content_base, b.content_base);
    EXPECT_EQ(a.remittance_norm, b.remittance_norm);
  }
  EXPECT_EQ(compute_identity(statement_key(s), 12, e).position_key, "b:st:STMT-1|42|2026-11-20#12");
  EXPECT_EQ(compute_identity(std::nullopt, 12, e).position_key, std::nullopt);
  // The content key's exact form is stored (as its hash): prefix, 32 hex digits, "#occurrence".
  const std::string base = compute_identity(s, 0, e).content_base;
  // BLAKE2b-128 over "2026-11-20\x1f2026-11-20\x1f-1250\x1fEUR\x1fDE02120300000000202051\x1f"
  // "kartenzahlungedeka\x1f" (hashlib.blake2b(digest_size=16)): what databases hold already.
  EXPECT_EQ(base, "b:5c0d82ebe936f6ceb5a66da6ba1a3557");
  EXPECT_EQ(content_key(base, 12), base + "#12");
}

TEST(Identity, content_ignores_spacing_and_case_but_not_amount) {
  domain::Statement s;
  const auto a = compute_identity(s, 0, entry(100, "Miete  Januar")).content_base;
  EXPECT_EQ(a, compute_identity(s, 7, entry(100, "MIETE JANUAR")).content_base);
  EXPECT_NE(a, compute_identity(s, 0, entry(101, "Miete Januar")).content_base);
  EXPECT_EQ(content_key(a, 2), a + "#2");
}

}  // namespace
}  // namespace bankrec::store
