#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "sandbox/ledger.h"

namespace bankrec::app::sandbox {

/// A placeholder for a JSON number that must be written exactly as `decimal` ("-194", "12.50"):
/// Boost.JSON would print a double as "1.25E1", and amounts must never pass through a double.
inline boost::json::string raw_number(std::string_view decimal) {
  return boost::json::string("\x01" + std::string(decimal));
}

/// Serializes `value`, turning raw_number() placeholders into bare numbers.
inline std::string to_json(const boost::json::value& value) {
  const std::string text = boost::json::serialize(value);
  static constexpr std::string_view kMarker = "\"\\u0001";
  std::string out;
  out.reserve(text.size());
  std::size_t from = 0, pos = 0;
  while ((pos = text.find(kMarker, from)) != std::string::npos) {
    const std::size_t end = text.find('"', pos + kMarker.size());
    if (end == std::string::npos) break;
    out.append(text, from, pos - from);
    out.append(text, pos + kMarker.size(), end - pos - kMarker.size());
    from = end + 1;
  }
  out.append(text, from, std::string::npos);
  return out;
}

/// A Berlin Group transaction object (XS2A 1.3.x `transactionDetails`; GoCardless adds its fields).
boost::json::object bg_transaction(const Txn& t, bool pending);

}  // namespace bankrec::app::sandbox
