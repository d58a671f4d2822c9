#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// How document numbers look in ERPs and in purpose texts: tokens, series prefix, digit groups.
namespace bankrec::reconcile {

/// A word of purpose text: ASCII letters (upper-cased) or digits. Umlauts and other non-ASCII
/// letters stay inside letter tokens as they are (they never form a series prefix).
struct Token {
  std::string text;
  bool digits = false;        ///< true for a digit run
  bool break_before = false;  ///< a strong separator (',', ';', ':', '(' ...) or the field start precedes it
  bool attached = false;      ///< follows the previous token without any separator ("RE2026")
  bool joined = false;        ///< no white space between it and the previous token ("RE-2026")
  std::uint8_t slips = 0;     ///< letters read as digits (O→0, I/l→1), an OCR or typing slip
  std::uint32_t offset = 0;   ///< byte offset of the token in the text
};

/// Splits text into letter and digit tokens. Separators '-', '/', '.', '_', '#' and white space
/// are weak (a number may continue after them: "RE-2026-000123", "RE 2026 123"); every other
/// punctuation is strong. Inside a word, a run made only of O, I or l that touches a digit is
/// read as digits and counted as a slip ("2O26" → "2026").
std::vector<Token> tokenize(std::string_view text);
/// The same into `out` (cleared first), reusing its memory: for callers that tokenize many texts.
void tokenize_into(std::string_view text, std::vector<Token>& out);

/// A document number as the ERP prints it: "RE-2026-000123" is prefix "RE", groups {"2026", "000123"}.
struct DocumentNumber {
  std::string prefix;               ///< letters before the first digit, upper case, joined ("RE", "INV")
  std::vector<std::string> groups;  ///< digit groups as printed (leading zeros kept)
};

/// nullopt when the text has no digits at all (such a number cannot be found in a purpose text).
std::optional<DocumentNumber> split_document_number(std::string_view text);

/// True when a digit group looks like a year: four digits 1990..2099, or two digits next to a
/// longer sequence group ("RE 24/1234").
bool is_year_group(std::string_view digits, bool two_digit_allowed);

/// Leading zeros removed; "0" stays "0".
std::string_view strip_zeros(std::string_view digits);

/// How a number was cited. The kinds form separate key spaces in the index.
enum class KeyKind : std::uint8_t {
  full,         ///< prefix + every group, zeros stripped: "RE 2026 123"
  concat,       ///< prefix + every group's digits joined as printed: "RE2026000123"
  sequence,     ///< prefix + the last group only, when the others are a year: "Re.-Nr. 123"
  bare_full,    ///< every group without the prefix: "2026-000123"
  bare_concat,  ///< digits joined without the prefix: "2026000123"
};

/// 64-bit key of (kind, prefix, groups). `groups` must already be in the kind's form (stripped or
/// joined). Collisions are possible in principle (2^-64 per pair) and are further guarded by amount checks.
std::uint64_t document_key(KeyKind kind, std::string_view prefix, const std::vector<std::string_view>& groups);

}  // namespace bankrec::reconcile
