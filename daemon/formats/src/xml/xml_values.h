#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/domain/date.h"
#include "xml/xml_profile.h"

struct _xmlNode;

// The generic XML format's value layer: profile paths evaluated on an expanded element, and the
// date and amount texts a profile describes.
namespace bankrec::formats::xml {

/// True when the element's attributes and children satisfy a step's predicate.
bool matches_predicate(::_xmlNode* element, const XmlPathStep& step);
/// Values of `path` below `context` in document order (the element itself when the path is "."),
/// each trimmed and with inner whitespace runs collapsed to one space; empty values are left out.
std::vector<std::string> select_values(::_xmlNode* context, const XmlPath& path, std::size_t first_step = 0);
/// A field's value: every path's values joined with one space; nullopt when there is none.
std::optional<std::string> field_value(::_xmlNode* context, const XmlField& field,
                                       std::size_t first_step = 0);

/// Line of the first element a field's paths reach (of `context` when none), for error positions.
long field_line(::_xmlNode* context, const XmlField& field);

/// A date by the profile's pattern (YYYY, YY, MM, M, DD, D; anything else literal); a time part
/// after the date ("31.01.2024 00:00:00", "2024-01-31T10:00:00+01:00") is ignored.
Result<domain::Date> parse_date_pattern(std::string_view text, std::string_view pattern);
/// Decimal text → minor units: optional sign, optional thousands separators, decimal separator,
/// and exponent notation as Java writes doubles ("1.23456789E7"), expanded exactly (no floats).
Result<std::int64_t> parse_minor(std::string_view text, char decimal_sep, char thousands_sep, int exponent);

}  // namespace bankrec::formats::xml
