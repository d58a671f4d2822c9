#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"

namespace bankrec::domain {

/// ISO 11649 structured creditor reference: "RF" + 2 check digits + up to 21 alphanumerics,
/// mod-97 checked. Accepts print form with spaces, any case.
bool is_valid_creditor_reference(std::string_view text);
/// Electronic upper-case form of a valid reference ("RF18539007547034").
Result<std::string> parse_creditor_reference(std::string_view text);
/// Builds a reference from a creditor's own reference ("539007547034" → "RF18539007547034").
Result<std::string> make_creditor_reference(std::string_view reference);
/// Every valid RF reference in free text, in order, electronic form; also when the text writes it
/// in groups of four ("RF18 5390 0754 7034") or a line break split it.
std::vector<std::string> find_creditor_references(std::string_view text);

}  // namespace bankrec::domain
