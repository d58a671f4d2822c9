#include "bankrec/store/identity.h"

#include <sodium.h>

#include <array>

#include "bankrec/base/text.h"
#include "date_text.h"
#include "hex.h"
#include "sodium_init.h"

namespace bankrec::store {
namespace {

std::string_view booking_prefix(domain::EntryStatus status) {
  switch (status) {
    case domain::EntryStatus::booked:
      return "b:";
    case domain::EntryStatus::pending:
      return "p:";
    case domain::EntryStatus::info:
      return "i:";
  }
  return "b:";
}

std::string date_text(const std::optional<domain::Date>& date) {
  std::string out;
  if (date) append_iso_date(*date, out);
  return out;
}

/// BLAKE2b-128 of the fields, each followed by a unit separator.
std::string hash_fields(std::initializer_list<std::string_view> fields) {
  ensure_sodium();
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 16);
  for (std::string_view f : fields) {
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(f.data()), f.size());
    const unsigned char separator = 0x1f;
    crypto_generichash_update(&state, &separator, 1);
  }
  std::array<unsigned char, 16> out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return to_hex(out);
}

/// Remittance as the content hash sees it: normalised, without spaces (MT940 wraps ?2x lines where
/// camt has one Ustrd), first 60 characters.
std::string remittance_fingerprint(const std::string& normalised) {
  std::string out;
  for (char c : normalised)
    if (c != ' ' && out.size() < 60) out += c;
  return out;
}

std::optional<std::string> first_real(std::initializer_list<const std::optional<std::string>*> candidates) {
  for (const auto* c : candidates)
    if (*c && !is_placeholder_reference(**c)) return **c;
  return std::nullopt;
}

}  // namespace

bool is_placeholder_reference(const std::string& reference) {
  const std::string t = text::to_lower_ascii(text::trim(reference));
  return t.empty() || t == "nonref" || t == "notprovided" || t == "not provided" || t == "none" || t == "n/a";
}

std::optional<std::string> statement_key(const domain::Statement& h) {
  const bool has_id = h.id && !h.id->empty();
  const bool has_sequence = h.sequence && !h.sequence->empty();
  if (!has_id && !has_sequence) return std::nullopt;
  std::optional<domain::Date> first = h.from_date;
  if (!first && h.opening_balance) first = h.opening_balance->date;
  if (!first) first = h.to_date;
  // MT940's :20: is often the same for every statement of a bank ("STARTUMS"), and :28C: restarts
  // every year: only id, sequence and first date together name one statement.
  return "st:" + h.id.value_or("") + "|" + h.sequence.value_or("") + "|" + date_text(first);
}

std::optional<std::string> bank_key_of(const domain::Entry& e) {
  const std::string_view prefix = booking_prefix(e.status);
  // Tier 1: what the bank assigned. AcctSvcrRef is unique per account by definition; a single
  // underlying transaction's TxId as well; an EndToEndId only together with amount and date,
  // because payers reuse theirs.
  if (const auto ref = first_real({&e.bank_reference})) return std::string(prefix) + "ref:" + *ref;
  if (e.details.size() == 1) {
    if (const auto tx = first_real({&e.details[0].bank_reference, &e.details[0].transaction_id}))
      return std::string(prefix) + "tx:" + *tx;
  }
  if (const auto e2e = first_real({&e.end_to_end_id}))
    return std::string(prefix) + "e2e:" + *e2e + "|" + std::to_string(e.amount.minor()) + "|" +
           date_text(e.booking_date ? e.booking_date : e.value_date);
  return std::nullopt;
}

std::string content_base_of(const domain::Entry& e, const std::string& remittance_norm) {
  return std::string(booking_prefix(e.status)) +
         hash_fields({date_text(e.booking_date), date_text(e.value_date), std::to_string(e.amount.minor()),
                      e.amount.currency().str(), e.counterparty.iban.value_or(""),
                      remittance_fingerprint(remittance_norm)});
}

std::string remittance_norm_of(const domain::Entry& e) {
  return e.remittance ? text::normalize_for_matching(*e.remittance) : std::string();
}

EntryIdentity compute_identity(const domain::Statement& header, std::size_t index, const domain::Entry& e) {
  EntryIdentity id;
  id.bank_key = bank_key_of(e);
  // Tier 2: the same statement delivered again has the same entries at the same positions.
  if (const auto stmt = statement_key(header))
    id.position_key = std::string(booking_prefix(e.status)) + *stmt + "#" + std::to_string(index);
  // Tier 3: the normalised line.
  id.remittance_norm = remittance_norm_of(e);
  id.content_base = content_base_of(e, id.remittance_norm);
  return id;
}

std::int64_t key_hash(std::string_view key) {
  ensure_sodium();
  std::array<unsigned char, 8> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     nullptr, 0);
  std::uint64_t value = 0;
  for (unsigned char b : out) value = value << 8 | b;
  return static_cast<std::int64_t>(value);
}

std::string content_key(const std::string& content_base, int occurrence) {
  return content_base + "#" + std::to_string(occurrence);
}

}  // namespace bankrec::store
