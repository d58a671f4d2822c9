#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bankrec/formats/format.h"

// How spreadsheet cells become the canonical text of a formats::Table (profile.h): numbers as plain
// decimals with '.', date cells as ISO dates. Shared by the XLSX and XLS readers.
namespace bankrec::formats::xlsx {

/// What a cell's number format makes of a number.
enum class ValueKind : std::uint8_t { number, date, date_time, time };

/// Built-in number format ids (ECMA-376 Part 1, 18.8.30): 14-22 and 45-47, plus the East Asian
/// locale date ids 27-36 and 50-58.
ValueKind builtin_format_kind(std::uint32_t id);
/// A custom format code ("dd.mm.yyyy", "[$-407]d. mmmm yyyy", "#,##0.00 \"EUR\""): date parts y/d/m
/// and time parts h/s, [h] elapsed; quoted text, escapes, colours and locales do not count.
ValueKind format_code_kind(std::string_view code);

/// Workbook date systems: 1900 (serial 1 = 1900-01-01, with Lotus' phantom 1900-02-29 at serial 60)
/// and 1904 (serial 0 = 1904-01-01; old Mac Excel, workbookPr date1904).
enum class DateSystem : std::uint8_t { d1900, d1904 };

/// Plain decimal with '.', no exponent, at most 15 significant digits (what Excel keeps):
/// 1234.5 → "1234.5", 0.1+0.2 → "0.3", 1e-7 → "0.0000001", -0.0 → "0".
std::string render_number(double value);
/// A date serial as "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" or "HH:MM:SS" (rounded to the second);
/// nullopt when it is no date (negative, beyond 9999-12-31, or day 0 of the 1900 system).
/// Serial 60 of the 1900 system renders as "1900-02-29", as Excel shows it.
std::optional<std::string> render_serial(double serial, ValueKind kind, DateSystem system);

/// Column letters: 0 → "A", 25 → "Z", 26 → "AA", 16383 → "XFD".
std::string column_name(std::uint32_t column);
/// Locator prefix of a sheet: "Sheet1!", or "'Konto 1'!" when the name needs quotes.
std::string sheet_prefix(std::string_view sheet);
/// Decodes the OOXML escapes `_xHHHH_` (ECMA-376 Part 1, 22.9.2.19 ST_Xstring) to UTF-8.
std::string decode_xstring(std::string_view text);

/// An invalid_input error located at a workbook place: "<file> (Sheet1!C14): <message>".
Unexpected sheet_error(const ParseOptions& options, std::string_view locator, std::string message);

}  // namespace bankrec::formats::xlsx
