#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
std::string_view trim_blanks(std::string_view s);
/// `s` without leading and trailing blanks.
inline std::string_view trim(std::string_view s) {
  if (!s.empty() && !is_blank(s.front()) && !is_blank(s.back())) return s;  // the common case
  return trim_blanks(s);
}

/// Bytes of character data that need no attention: printable ASCII other than '<', '&' and '>',
/// tab and LF.
inline constexpr std::array<bool, 256> kPlainText = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x7F; ++c) t[c] = true;
  t[0x7F] = true;
  t['<'] = false;
  t['&'] = false;
  t['>'] = false;
  t['\t'] = true;
  t['\n'] = true;
  return t;
}();

/// The first byte at or after doc[i] that is not plain (kPlainText): '<', '&', '>', CR, another
/// control character or a byte above ASCII; doc.size() when there is none. Character data up to
/// there is well-formed as it stands.
inline std::size_t plain_run(std::string_view doc, std::size_t i) {
  const std::size_t size = doc.size();
  const char* data = doc.data();
#ifdef __SSE2__
  // Sixteen bytes at a time (a non-ASCII byte reads as negative in the signed compare).
  while (i + 16 <= size) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const __m128i special = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')), _mm_cmpeq_epi8(v, _mm_set1_epi8('&'))),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('>')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
    const __m128i control = _mm_andnot_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
        _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    const int mask = _mm_movemask_epi8(_mm_or_si128(special, control));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
#endif
  while (i < size && kPlainText[static_cast<std::uint8_t>(data[i])]) ++i;
  return i;
}

/// The first byte at or after doc[i] that is not a space, tab or LF (CR is left to
/// scan_char_data(), which notes it for line-end normalisation).
inline std::size_t skip_indentation(std::string_view doc, std::size_t i) {
  const std::size_t size = doc.size();
  const char* data = doc.data();
#ifdef __SSE2__
  while (i + 16 <= size) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const __m128i blank = _mm_or_si128(
        _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));
    const auto other = static_cast<unsigned>(_mm_movemask_epi8(blank)) ^ 0xFFFFu;
    if (other != 0) return i + static_cast<std::size_t>(__builtin_ctz(other));
    i += 16;
  }
#endif
  while (i < size && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t')) ++i;
  return i;
}

/// Length of the UTF-8 XML character (production Char) at doc[i]; 0 when it is not one.
std::size_t char_length(std::string_view doc, std::size_t i);

/// The bytes of the common name: ASCII letters, digits, '_', '-' and '.', no ':' (namespaces)
/// and nothing above ASCII. A start tag whose name is made of these alone is scanned inline;
/// anything else goes through scan_name().
inline constexpr std::array<bool, 256> kSimpleNameChar = [] {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  t['_'] = true;
  t['-'] = true;
  t['.'] = true;
  return t;
}();
inline bool is_simple_name_start(std::uint8_t b) {
  return ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') || b == '_';
}

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
