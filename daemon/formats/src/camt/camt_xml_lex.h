#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// The lexical layer of the CAMT XML cursor (XML 1.0 fifth edition, UTF-8 only): characters,
// names, references, character data and the raw sections (comments, CDATA, processing
// instructions). Every function scans forward only and stops at the end of the document, so a
// document is read in one linear pass whatever it holds. Errors are returned as a Fault: the byte
// where the document stops being well-formed and a lower-case message.
namespace bankrec::formats::camt::lex {

inline constexpr std::size_t kNone = static_cast<std::size_t>(-1);

struct Fault {
  std::size_t at = 0;
  std::string message;
};

inline bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
std::size_t skip_blanks(std::string_view doc, std::size_t i);
std::string_view trim(std::string_view s);

/// Length of the UTF-8 XML character (production Char) at doc[i]; 0 when it is not one.
std::size_t char_length(std::string_view doc, std::size_t i);

/// FNV-1a, as scan_name() computes it while scanning.
std::uint32_t hash_name(std::string_view name);

/// A Name at doc[i] (its end; i when there is none), its hash and the offset of its first colon
/// (kNone without one).
std::size_t scan_name(std::string_view doc, std::size_t i, std::uint32_t& hash, std::size_t& colon);

/// Character data from doc[i] up to the next '<' or the end of the document, checked. `plain` is
/// cleared when it holds a reference or a CR (decode() must then be used). kNone on error.
std::size_t scan_char_data(std::string_view doc, std::size_t i, bool& plain, Fault& fault);

/// An attribute value with its quotes at doc[i]; returns the byte past the closing quote, kNone on
/// error. `plain` as for scan_char_data() (blanks other than ' ' also need normalising).
std::size_t scan_attribute_value(std::string_view doc, std::size_t i, bool& plain, Fault& fault);

/// Raw content from doc[i] to `terminator` ("-->", "]]>", "?>"), checked; the terminator's byte or
/// kNone. Comments refuse "--" inside.
std::size_t scan_section(std::string_view doc, std::size_t i, std::string_view terminator, bool comment,
                         Fault& fault);

/// Appends checked character data with references expanded and line ends normalised; in an
/// attribute value blanks become spaces (XML 1.0 §3.3.3).
void append_decoded(std::string_view raw, std::string& out, bool attribute);

/// Appends CDATA content with line ends normalised.
void append_cdata(std::string_view raw, std::string& out);

/// Line and 1-based character column of doc[byte].
void line_and_column(std::string_view doc, std::size_t byte, std::uint32_t& line, std::uint32_t& column);

}  // namespace bankrec::formats::camt::lex
