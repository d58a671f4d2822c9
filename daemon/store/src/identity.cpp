#include "bankrec/store/identity.h"

#include <sodium.h>

#include <array>
#include <charconv>

#include "bankrec/base/text.h"
#include "date_text.h"
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

/// Feeds one field and its unit separator to `state`.
void hash_field(crypto_generichash_state& state, std::string_view f) {
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(f.data()), f.size());
  const unsigned char separator = 0x1f;
  crypto_generichash_update(&state, &separator, 1);
}

/// "YYYY-MM-DD" in `buffer`, or "" without a date (what date_text() gives, without allocating).
std::string_view date_field(const std::optional<domain::Date>& date, std::string& buffer) {
  buffer.clear();
  if (date) append_iso_date(*date, buffer);
  return buffer;
}

/// Remittance as the content hash sees it: normalised, without spaces (MT940 wraps ?2x lines where
/// camt has one Ustrd), first 60 characters; written to `out` (at least 60 bytes), returns the size.
std::size_t remittance_fingerprint(std::string_view normalised, char* out) {
  std::size_t n = 0;
  for (const char c : normalised) {
    if (n == 60) break;
    if (c != ' ') out[n++] = c;
  }
  return n;
}

const std::string* first_real(std::initializer_list<const std::optional<std::string>*> candidates) {
  for (const auto* c : candidates)
    if (*c && !is_placeholder_reference(**c)) return &**c;
  return nullptr;
}

}  // namespace

bool is_placeholder_reference(const std::string& reference) {
  // Case-insensitive (ASCII) comparison of the trimmed text, without a lower-case copy: the import
  // asks this for several fields of every entry.
  const std::string_view t = text::trim(reference);
  if (t.empty()) return true;
  if (t.size() > 12) return false;  // longer than any placeholder
  for (const std::string_view placeholder : {"nonref", "notprovided", "not provided", "none", "n/a"})
    if (text::iequals_ascii(t, placeholder)) return true;
  return false;
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
  auto key = [&](std::string_view kind, const std::string& id, std::size_t extra) {
    std::string out;
    out.reserve(prefix.size() + kind.size() + id.size() + extra);
    out.append(prefix).append(kind).append(id);
    return out;
  };
  if (const auto* ref = first_real({&e.bank_reference})) return key("ref:", *ref, 0);
  if (e.details.size() == 1) {
    if (const auto* tx = first_real({&e.details[0].bank_reference, &e.details[0].transaction_id}))
      return key("tx:", *tx, 0);
  }
  if (const auto* e2e = first_real({&e.end_to_end_id})) {
    const std::string amount = std::to_string(e.amount.minor());
    std::string out = key("e2e:", *e2e, 2 + amount.size() + 10);
    out.append("|").append(amount).append("|");
    if (const auto& date = e.booking_date ? e.booking_date : e.value_date) append_iso_date(*date, out);
    return out;
  }
  return std::nullopt;
}

std::string content_base_of(const domain::Entry& e, const std::string& remittance_norm) {
  // BLAKE2b-128 of the fields, each followed by a unit separator, as lower-case hex after the
  // booking prefix. Fields: booking date, value date, amount, currency, counterparty IBAN and the
  // remittance fingerprint (stored keys depend on this exact sequence).
  ensure_sodium();
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 16);
  std::string date;
  date.reserve(10);
  hash_field(state, date_field(e.booking_date, date));
  hash_field(state, date_field(e.value_date, date));
  char amount[24];
  const auto [end, ec] = std::to_chars(amount, amount + sizeof amount, e.amount.minor());
  (void)ec;  // 24 characters hold every int64
  hash_field(state, std::string_view(amount, static_cast<std::size_t>(end - amount)));
  hash_field(state, e.amount.currency().str());
  hash_field(state, e.counterparty.iban ? std::string_view(*e.counterparty.iban) : std::string_view());
  char fingerprint[60];
  hash_field(state, std::string_view(fingerprint, remittance_fingerprint(remittance_norm, fingerprint)));
  std::array<unsigned char, 16> digest{};
  crypto_generichash_final(&state, digest.data(), digest.size());
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::string_view prefix = booking_prefix(e.status);
  std::string out;
  out.reserve(prefix.size() + 2 * digest.size());
  out.append(prefix);
  for (const unsigned char b : digest) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

std::string remittance_norm_of(const domain::Entry& e) {
  return e.remittance ? text::normalize_for_matching(*e.remittance) : std::string();
}

EntryIdentity compute_identity(const domain::Statement& header, std::size_t index, const domain::Entry& e) {
  return compute_identity(statement_key(header), index, e);
}

EntryIdentity compute_identity(const std::optional<std::string>& statement_key, std::size_t index,
                               const domain::Entry& e) {
  EntryIdentity id;
  id.bank_key = bank_key_of(e);
  // Tier 2: the same statement delivered again has the same entries at the same positions.
  if (statement_key) {
    const std::string_view prefix = booking_prefix(e.status);
    char number[24];
    const auto [end, ec] = std::to_chars(number, number + sizeof number, index);
    (void)ec;
    std::string& key = id.position_key.emplace();
    key.reserve(prefix.size() + statement_key->size() + 1 + static_cast<std::size_t>(end - number));
    key.append(prefix).append(*statement_key).append("#").append(number, end);
  }
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
  char number[16];
  const auto [end, ec] = std::to_chars(number, number + sizeof number, occurrence);
  (void)ec;
  std::string out;
  out.reserve(content_base.size() + 1 + static_cast<std::size_t>(end - number));
  out.append(content_base).append("#").append(number, end);
  return out;
}

}  // namespace bankrec::store
