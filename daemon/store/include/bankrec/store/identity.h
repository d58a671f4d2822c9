#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bankrec/domain/statement.h"

/// The tiered identity of a statement entry (README.md, "Entry identity").
namespace bankrec::store {

struct EntryIdentity {
  std::optional<std::string> bank_key;      //!< tier 1: bank-assigned id, scoped by account
  std::optional<std::string> position_key;  //!< tier 2: statement id or sequence + entry index
  std::string content_base;     //!< tier 3 before the occurrence number: hash of the normalised line
  std::string remittance_norm;  //!< text::normalize_for_matching(remittance), "" when absent
};

/// Keys of `entry`, the `index`-th (0-based) entry of the statement `header`. Every key starts with
/// the booking status ("b:", "p:", "i:"), so a pending line never collides with its booked twin.
EntryIdentity compute_identity(const domain::Statement& header, std::size_t index,
                               const domain::Entry& entry);
/// The same with the statement's key computed once per statement (`statement_key(header)`), as
/// the import does for every entry of it.
EntryIdentity compute_identity(const std::optional<std::string>& statement_key, std::size_t index,
                               const domain::Entry& entry);

/// The parts of compute_identity() that depend on the entry alone: its tier-1 key (nullopt when the
/// bank gave no usable id), its tier-3 key before the occurrence number, and its normalised
/// remittance. A stored entry read back with read_entry() gives the same keys as when it was
/// imported, which is how a hit on a 64-bit key hash is confirmed.
std::optional<std::string> bank_key_of(const domain::Entry& entry);
std::string content_base_of(const domain::Entry& entry, const std::string& remittance_norm);
std::string remittance_norm_of(const domain::Entry& entry);

/// Tier 3 key: the content hash with the 1-based occurrence of that content within one import, so
/// that two genuinely identical lines (two equal card payments on one day) both survive.
std::string content_key(const std::string& content_base, int occurrence);

/// 64-bit BLAKE2b of a key, for the indexes (hits are confirmed by comparing the key text).
std::int64_t key_hash(std::string_view key);

/// The key of a statement within its account: "st:<Stmt/Id or :20:>|<sequence>|<first date>";
/// nullopt when the statement carries neither an id nor a sequence number.
std::optional<std::string> statement_key(const domain::Statement& header);

/// True for references that identify nothing ("NONREF", "NOTPROVIDED", ...).
bool is_placeholder_reference(const std::string& reference);

}  // namespace bankrec::store
