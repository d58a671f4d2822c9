#pragma once

#include <string>
#include <string_view>

#include "bankrec/base/result.h"
#include "bankrec/domain/statement.h"

// The compact stored form of an entry (README.md, "Entry rows"). An entries row keeps as columns
// what queries filter, sort or show in lists (dates, amount, currency, booking status, bank
// reference, end-to-end id, counterparty name and IBAN); everything else of the domain::Entry goes
// into the `rest` BLOB written here, so nothing is stored twice and absent fields take no bytes.
//
// Layout: a version byte (1), then fields in any order, each a one-byte tag followed by a varint
// length and that many bytes (strings as UTF-8, money as zigzag varint minor units + 3-byte
// currency code + exponent byte). A detail (batch booking TxDtls) is a `detail` tag, its fields,
// and an `end` tag. Unknown tags make decoding fail instead of silently dropping data.
namespace bankrec::store {

/// Appends the compact form of what the columns do not hold to `out`.
void encode_entry_rest(const domain::Entry& entry, std::string& out);

/// Fills the fields of `entry` that encode_entry_rest() wrote. `entry` already holds the column
/// values. Fails with a message naming the byte offset when the blob is damaged.
Result<void> decode_entry_rest(std::string_view rest, domain::Entry& entry);

}  // namespace bankrec::store
