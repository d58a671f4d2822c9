#include "bankrec/reconcile/document_number.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace bankrec::reconcile {
namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80;
}
constexpr bool is_weak_separator(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '-' || c == '/' || c == '.' || c == '_' ||
         c == '#';
}
constexpr bool is_slip_letter(char c) { return c == 'O' || c == 'o' || c == 'I' || c == 'l'; }
// Character classes for the one-pass tokenizer, the same sets as the predicates above.
enum : std::uint8_t { kDigit = 1, kAlpha = 2, kSlip = 4, kWeak = 8, kSpace = 16 };
constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    if (is_digit(ch)) t[c] |= kDigit;
    if (is_alpha(ch)) t[c] |= kAlpha;
    if (is_slip_letter(ch)) t[c] |= kSlip;
    if (is_weak_separator(ch)) t[c] |= kWeak;
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') t[c] |= kSpace;
  }
  return t;
}
constexpr auto kClasses = make_classes();
std::uint8_t class_of(char c) { return kClasses[static_cast<unsigned char>(c)]; }

char slip_digit(char c) { return (c == 'O' || c == 'o') ? '0' : '1'; }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

/// Rewrites slip letters that touch digits inside one word; returns how many were rewritten.
int fix_slips(std::string& word) {
  bool has_digit = false;
  for (char c : word) has_digit |= is_digit(c);
  if (!has_digit) return 0;
  int fixed = 0;
  std::size_t i = 0;
  while (i < word.size()) {
    if (!is_alpha(word[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    bool only_slips = true;
    while (j < word.size() && is_alpha(word[j])) only_slips &= is_slip_letter(word[j++]);
    const bool digit_before = i > 0 && is_digit(word[i - 1]);
    const bool digit_after = j < word.size() && is_digit(word[j]);
    const bool lone_run = i == 0 || j == word.size();
    bool other_letters = false;
    for (std::size_t k = 0; k < word.size(); ++k)
      if ((k < i || k >= j) && is_alpha(word[k])) other_letters = true;
    const bool convert = only_slips && ((digit_before && digit_after) ||
                                        (lone_run && !other_letters && (digit_before || digit_after)));
    if (convert) {
      for (std::size_t k = i; k < j; ++k) word[k] = slip_digit(word[k]);
      fixed += static_cast<int>(j - i);
    }
    i = j;
  }
  return fixed;
}

/// Appends the letter and digit tokens of `word` as out[n], out[n + 1], ... (reusing tokens that are
/// already there); returns the new count.
std::size_t split_word(std::string_view word, std::uint32_t offset, bool break_before, bool attached,
                       bool joined, int slips, std::vector<Token>& out, std::size_t n) {
  std::size_t i = 0;
  bool first = true;
  while (i < word.size()) {
    const bool digits = is_digit(word[i]);
    std::size_t j = i;
    while (j < word.size() && is_digit(word[j]) == digits) ++j;
    if (n == out.size()) out.emplace_back();
    Token& t = out[n++];
    t.digits = digits;
    t.text.resize(j - i);
    for (std::size_t k = i; k < j; ++k) t.text[k - i] = upper(word[k]);
    t.break_before = first && break_before;
    t.attached = first ? attached : true;
    t.joined = first ? joined : true;
    t.slips = static_cast<std::uint8_t>(digits ? slips : 0);
    t.offset = offset + static_cast<std::uint32_t>(i);
    first = false;
    i = j;
  }
  return n;
}

}  // namespace

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  out.reserve(text.size() / 4 + 4);
  tokenize_into(text, out);
  return out;
}

void tokenize_into(std::string_view text, std::vector<Token>& out) {
  // Tokens already in `out` are overwritten in place (their strings keep their memory); the rest is cut.
  std::size_t n = 0;
  bool strong = true;
  bool any_separator = true;
  bool space = true;
  std::string word;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::uint8_t c = class_of(text[i]);
    if ((c & (kDigit | kAlpha)) != 0) {
      // One pass over the word: its end, and whether it holds a slip letter and a digit.
      const std::size_t start = i;
      std::uint8_t seen = 0;
      for (std::uint8_t k = c; (k & (kDigit | kAlpha)) != 0; k = i < text.size() ? class_of(text[i]) : 0) {
        seen |= k;
        ++i;
      }
      std::string_view w = text.substr(start, i - start);
      // Only a word with a slip letter and a digit can change; the others are split as they are.
      int slips = 0;
      if ((seen & kSlip) != 0 && (seen & kDigit) != 0) {
        word.assign(w);
        slips = fix_slips(word);
        w = word;
      }
      n = split_word(w, static_cast<std::uint32_t>(start), strong, !any_separator, !space && !strong, slips,
                     out, n);
      strong = false;
      any_separator = false;
      space = false;
      continue;
    }
    if ((c & kWeak) == 0) strong = true;
    if ((c & kSpace) != 0) space = true;
    any_separator = true;
    ++i;
  }
  out.resize(n);
}

std::optional<DocumentNumber> split_document_number(std::string_view text) {
  DocumentNumber number;
  for (const Token& t : tokenize(text)) {
    if (t.digits) {
      number.groups.push_back(t.text);
      continue;
    }
    if (number.groups.empty()) number.prefix += t.text;
  }
  if (number.groups.empty()) return std::nullopt;
  return number;
}

bool is_year_group(std::string_view digits, bool two_digit_allowed) {
  if (digits.size() == 2) return two_digit_allowed;
  if (digits.size() != 4) return false;
  return (digits[0] == '1' && digits[1] == '9' && digits[2] == '9') || (digits[0] == '2' && digits[1] == '0');
}

std::string_view strip_zeros(std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  return digits;
}

std::uint64_t document_key(KeyKind kind, std::string_view prefix,
                           const std::vector<std::string_view>& groups) {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 1099511628211ULL;
  };
  mix(static_cast<unsigned char>(kind) + 1);
  for (char c : prefix) mix(static_cast<unsigned char>(c));
  for (std::string_view g : groups) {
    mix('|');
    for (char c : g) mix(static_cast<unsigned char>(c));
  }
  // splitmix64 finaliser: spreads FNV's weak low bits.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

}  // namespace bankrec::reconcile
