#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "bankrec/base/result.h"

/// UTF-8 validation, charset conversion to UTF-8 and text normalisation for matching.
namespace bankrec::text {

enum class Charset { utf8, iso8859_1, iso8859_15, windows1252 };

/// "utf-8", "iso-8859-1", "iso-8859-15", "windows-1252".
std::string_view charset_name(Charset charset);
/// Accepts the usual spellings ("UTF8", "latin1", "cp1252", "ISO_8859-15", ...), case-insensitive.
Result<Charset> parse_charset(std::string_view name);

/// Offset of the first byte that is not part of well-formed UTF-8 (overlongs, surrogates and
/// code points above U+10FFFF are ill-formed), or std::string_view::npos when all is valid.
std::size_t find_invalid_utf8(std::string_view bytes);
inline bool is_valid_utf8(std::string_view bytes) { return find_invalid_utf8(bytes) == std::string_view::npos; }

/// Guesses the charset of a file: UTF-8 when the bytes are valid UTF-8 (a BOM counts), else
/// Windows-1252 (a superset of ISO-8859-1's printable range, and what German bank exports use).
Charset detect_charset(std::string_view bytes);

/// Converts to UTF-8. From utf8 it validates and fails naming the byte offset of the first bad byte.
/// Bytes undefined in Windows-1252 (0x81 0x8D 0x8F 0x90 0x9D) map to the C1 control of the same value.
Result<std::string> to_utf8(std::string_view bytes, Charset from);

/// Removes a leading UTF-8 byte order mark.
std::string_view strip_bom(std::string_view bytes);

/// Leading and trailing ASCII white space removed.
std::string_view trim(std::string_view s);

/// Runs of white space (incl. CR/LF/tab) become one space; leading/trailing removed.
std::string collapse_spaces(std::string_view s);

/// ASCII lower case (bytes >= 0x80 untouched).
std::string to_lower_ascii(std::string_view s);
bool iequals_ascii(std::string_view a, std::string_view b);

/// Normalises text for comparison: lower case (incl. Latin-1 letters such as Ä→ä), German
/// transliteration (ä→ae, ö→oe, ü→ue, ß→ss; é→e and other accents dropped), every run of
/// punctuation or white space becomes one space, trimmed. "Müller-Lüdenscheidt  GmbH" →
/// "mueller luedenscheidt gmbh"; "MUELLER" and "Müller" compare equal afterwards. Decomposed
/// accents (u + U+0308) count like the composed letter; invalid UTF-8 bytes separate words;
/// letters outside Latin, Greek and Cyrillic are kept as they are. The result is never longer
/// than the input.
std::string normalize_for_matching(std::string_view utf8);

/// normalize_for_matching() and then removal of legal forms as whole words (GmbH, GmbH & Co. KG,
/// AG, KG, e.K., e.V., UG (haftungsbeschränkt), OHG, GbR, SE, mbH, Ltd, Limited, Inc, LLC, SARL,
/// SAS, SA, B.V., N.V., S.p.A., S.L., plc, ...). "Muster Wohnen GmbH & Co. KG" → "muster wohnen".
/// Forms are removed from the end of the name, repeatedly; only unmistakable ones (GmbH, mbH,
/// KGaA, OHG, GbR, LLC, plc, SARL, UG (haftungsbeschränkt)) also from the middle. Short forms
/// that are also names (SE, SA, SAS, AG, KG, Co) are removed only when written as the form:
/// "SE" and "S.A." but not "Se", "se" or "Sá"; "Co." or "& Co" but not a bare "Co". The last
/// word always stays ("AG"). Applying it twice gives the same result as once.
std::string normalize_party_name(std::string_view utf8);

}  // namespace bankrec::text
