// Text normalisation for matching names and purposes: one pass over the UTF-8 bytes into a
// buffer of the input's size, no per-character allocation.
#include "bankrec/base/text.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace bankrec::text {
namespace {

// Base letters for U+00C0..U+00FF; '*' marks the few that need more than one letter or are
// symbols (handled in latin1_special()).
constexpr std::string_view kLatin1 =
    "aaaa*a*ceeeeiiiidnoooo**ouuu*y**"   // U+00C0..U+00DF
    "aaaa*a*ceeeeiiiidnoooo**ouuu*y*y";  // U+00E0..U+00FF
static_assert(kLatin1.size() == 64);

// Base letters for Latin Extended-A, U+0100..U+017F; '*' for the ligatures Ĳ ĳ Œ œ.
constexpr std::string_view kLatinExtA =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkklllllll"
    "lllnnnnnnnnnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
static_assert(kLatinExtA.size() == 128);

/// How one code point contributes to the normalised text.
struct Fold {
  enum Kind : std::uint8_t { separator, ascii, verbatim, utf8, combining } kind;
  const char* text;  ///< ascii: the replacement letters
  std::uint32_t cp;  ///< utf8: the (lower-cased) code point to write
};

Fold latin1_special(std::uint32_t cp) {
  switch (cp) {
    case 0xC4:
    case 0xE4:
    case 0xC6:
    case 0xE6:
      return {Fold::ascii, "ae", 0};
    case 0xD6:
    case 0xF6:
      return {Fold::ascii, "oe", 0};
    case 0xDC:
    case 0xFC:
      return {Fold::ascii, "ue", 0};
    case 0xDF:
      return {Fold::ascii, "ss", 0};
    case 0xDE:
    case 0xFE:
      return {Fold::ascii, "th", 0};
    default:
      return {Fold::separator, nullptr, 0};  // U+00D7 ×, U+00F7 ÷
  }
}

// One-letter strings for the table lookups, indexed by letter.
constexpr std::array<const char*, 26> kLetters = {"a", "b", "c", "d", "e", "f", "g", "h", "i",
                                                  "j", "k", "l", "m", "n", "o", "p", "q", "r",
                                                  "s", "t", "u", "v", "w", "x", "y", "z"};

Fold letter(char c) { return {Fold::ascii, kLetters[static_cast<std::size_t>(c - 'a')], 0}; }

bool is_separator_cp(std::uint32_t cp) {
  return cp < 0xC0 ||                       // C1 controls, NBSP, ¡ .. ¿ (incl. § ° « »)
         (cp >= 0x2000 && cp <= 0x206F) ||  // general punctuation: dashes, quotes, thin spaces
         (cp >= 0x20A0 && cp <= 0x20CF) ||  // currency symbols (€)
         cp == 0x3000 || cp == 0xFEFF;      // ideographic space, BOM
}

Fold fold(std::uint32_t cp) {
  if (is_separator_cp(cp)) return {Fold::separator, nullptr, 0};
  if (cp <= 0xFF) {
    const char c = kLatin1[cp - 0xC0];
    return c == '*' ? latin1_special(cp) : letter(c);
  }
  if (cp <= 0x17F) {
    const char c = kLatinExtA[cp - 0x100];
    if (c != '*') return letter(c);
    return {Fold::ascii, cp <= 0x133 ? "ij" : "oe", 0};
  }
  // Combining accents (decomposed text, as macOS writes file names): dropped, except that a
  // diaeresis after a, o or u is the German umlaut ("u" + U+0308 is "ue").
  if (cp >= 0x300 && cp <= 0x36F) return {Fold::combining, nullptr, cp};
  if (cp == 0x218 || cp == 0x219) return letter('s');                                      // Romanian Ș ș
  if (cp == 0x21A || cp == 0x21B) return letter('t');                                      // Romanian Ț ț
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return {Fold::utf8, nullptr, cp + 0x20};  // Greek
  if (cp >= 0x410 && cp <= 0x42F) return {Fold::utf8, nullptr, cp + 0x20};                 // Cyrillic
  if (cp >= 0x400 && cp <= 0x40F) return {Fold::utf8, nullptr, cp + 0x50};
  return {Fold::verbatim, nullptr, cp};
}

/// Decodes the well-formed UTF-8 sequence at s[i]; returns its length, or 0 when it is ill-formed.
std::size_t decode(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  std::size_t len = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  return len;
}

/// One word of the normalised output and what its original spelling looked like.
struct Token {
  std::size_t begin = 0;  ///< offset in the normalised string
  std::size_t end = 0;
  bool ascii_only = true;   ///< the original was plain ASCII letters and digits
  bool has_upper = false;   ///< the original had an upper-case letter
  bool has_lower = false;   ///< the original had a lower-case letter
  bool dot_after = false;   ///< the original token was followed by '.'
  bool amp_before = false;  ///< '&' or '+' in the separators before it ("& Co.")
};

// ASCII bytes: the lower-case letter or digit they become, 0 for a separator.
constexpr std::array<char, 128> kAsciiFold = [] {
  std::array<char, 128> t{};
  for (char c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = c;
  for (char c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = c;
  for (char c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<char>(c - 'A' + 'a');
  return t;
}();

/// The normaliser. It writes through a pointer into a buffer as large as the input, which is
/// enough: no code point's replacement is longer than its UTF-8 encoding, and the one space
/// written between words stands for at least one separator byte. With `kTrack` it also records
/// each token (for legal-form removal); without, the hot loop does nothing else.
template <bool kTrack>
class Normalizer {
 public:
  Normalizer(char* out, std::vector<Token>* tokens) : begin_(out), p_(out), tokens_(tokens) {}

  /// Normalises `in`; returns the number of bytes written.
  std::size_t run(std::string_view in) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(in.data());
    std::size_t i = 0;
    while (i < in.size()) {
      const unsigned char c = bytes[i];
      if (c < 0x80) {
        const char folded = kAsciiFold[c];
        if (folded != 0) {
          emit_char(folded, c);
        } else {
          separator(static_cast<char>(c));
        }
        ++i;
        continue;
      }
      std::uint32_t cp = 0;
      const std::size_t len = decode(in, i, cp);
      if (len == 0) {  // ill-formed byte: a word boundary, never copied
        separator('\0');
        ++i;
        continue;
      }
      wide(in.substr(i, len), fold(cp));
      i += len;
    }
    close_token();
    return static_cast<std::size_t>(p_ - begin_);
  }

 private:
  void emit_char(char folded, unsigned char original) {
    open_token();
    *p_++ = folded;
    if constexpr (kTrack) {
      current().has_upper |= original >= 'A' && original <= 'Z';
      current().has_lower |= original >= 'a' && original <= 'z';
    }
  }

  void wide(std::string_view original, const Fold& f) {
    if (f.kind == Fold::separator) return separator('\0');
    if (f.kind == Fold::combining) return combining(f.cp);
    open_token();
    switch (f.kind) {
      case Fold::ascii:
        for (const char* t = f.text; *t != '\0'; ++t) *p_++ = *t;
        break;
      case Fold::utf8:  // two-byte code points only (Greek and Cyrillic lower case)
        *p_++ = static_cast<char>(0xC0 | (f.cp >> 6));
        *p_++ = static_cast<char>(0x80 | (f.cp & 0x3F));
        break;
      default:
        for (char b : original) *p_++ = b;
        break;
    }
    if constexpr (kTrack) current().ascii_only = false;
  }

  void combining(std::uint32_t cp) {
    if (!in_token_) return;
    const char base = p_[-1];
    if (cp == 0x308 && (base == 'a' || base == 'o' || base == 'u')) *p_++ = 'e';
    if constexpr (kTrack) current().ascii_only = false;
  }

  void open_token() {
    if (in_token_) return;
    if (p_ != begin_) *p_++ = ' ';
    in_token_ = true;
    if constexpr (kTrack) {
      const auto at = static_cast<std::size_t>(p_ - begin_);
      tokens_->push_back(Token{at, at});
      tokens_->back().amp_before = amp_pending_;
      amp_pending_ = false;
    }
  }

  void close_token() {
    if constexpr (kTrack) {
      if (in_token_) current().end = static_cast<std::size_t>(p_ - begin_);
    }
    in_token_ = false;
  }

  void separator(char c) {
    if constexpr (kTrack) {
      if (in_token_ && c == '.') current().dot_after = true;
      if (c == '&' || c == '+') amp_pending_ = true;
    }
    close_token();
  }

  Token& current() { return tokens_->back(); }

  char* begin_;
  char* p_;
  std::vector<Token>* tokens_;
  bool in_token_ = false;
  bool amp_pending_ = false;
};

// Legal forms, as normalised token sequences. Removed from the end of a name, repeatedly, so
// that "GmbH & Co. KG" goes as "kg", "co", "gmbh".
constexpr std::string_view kTrailingForms[] = {"ug haftungsbeschraenkt",
                                               "e kfm",
                                               "e kfr",
                                               "e k",
                                               "e v",
                                               "s p a",
                                               "s r l",
                                               "s a",
                                               "s l",
                                               "b v",
                                               "n v",
                                               "gmbh",
                                               "mbh",
                                               "ag",
                                               "kg",
                                               "kgaa",
                                               "ug",
                                               "ohg",
                                               "gbr",
                                               "partg",
                                               "partgmbb",
                                               "ltd",
                                               "limited",
                                               "inc",
                                               "llc",
                                               "corp",
                                               "sarl",
                                               "plc",
                                               "bv",
                                               "nv",
                                               "spa",
                                               "srl",
                                               "se",
                                               "sa",
                                               "sas",
                                               "co",
                                               "ek",
                                               "ev"};

// Forms so distinctive that they are removed wherever they stand ("Muster GmbH Niederlassung Nord").
constexpr std::string_view kAnywhereForms[] = {
    "ug haftungsbeschraenkt", "gmbh", "mbh", "kgaa", "ohg", "gbr", "llc", "plc", "sarl", "partgmbb"};

// Short forms that are also words or surnames ("Sabine Se", "Maria Sá"): removed only when
// written the way the legal form is written.
bool is_ambiguous(std::string_view form) {
  return form == "se" || form == "sa" || form == "sas" || form == "co" || form == "ag" || form == "kg" ||
         form == "ek" || form == "ev";
}

class NameTokens {
 public:
  NameTokens(const std::string& text, const std::vector<Token>& tokens) : text_(text), tokens_(tokens) {}

  std::string_view word(std::size_t i) const {
    return std::string_view(text_).substr(tokens_[i].begin, tokens_[i].end - tokens_[i].begin);
  }

  /// Number of tokens of `form` when tokens [first, ...) spell it, else 0.
  std::size_t match(std::size_t first, std::size_t limit, std::string_view form) const {
    std::size_t i = first;
    while (!form.empty()) {
      if (i >= limit) return 0;
      const std::size_t space = form.find(' ');
      const std::string_view part = form.substr(0, space);
      if (word(i) != part) return 0;
      form = space == std::string_view::npos ? std::string_view() : form.substr(space + 1);
      ++i;
    }
    return i - first;
  }

  bool written_as_form(std::size_t i, std::string_view form) const {
    if (!is_ambiguous(form)) return true;
    const Token& t = tokens_[i];
    if (!t.ascii_only) return false;  // "Sá" is a name, "SA" a legal form
    if (form == "co") return t.dot_after || t.amp_before || !t.has_lower;  // "Co.", "& Co", "CO"
    return !t.has_lower;  // "SE", "AG"; not "Se" or "se", so normalising twice changes nothing
  }

  /// Number of trailing tokens of [0, end) that form one legal form, else 0.
  std::size_t trailing_form(std::size_t end) const {
    const std::string_view last = word(end - 1);
    for (std::string_view form : kTrailingForms) {
      const std::size_t space = form.rfind(' ');
      if (form.substr(space == std::string_view::npos ? 0 : space + 1) != last) continue;  // quick reject
      const std::size_t n = static_cast<std::size_t>(std::count(form.begin(), form.end(), ' ')) + 1;
      if (n >= end) continue;  // never remove the whole name
      const std::size_t first = end - n;
      if (match(first, end, form) == n && written_as_form(first, form)) return n;
    }
    return 0;
  }

  std::size_t anywhere_form(std::size_t i, std::size_t limit) const {
    const std::string_view w = word(i);
    for (std::string_view form : kAnywhereForms) {
      if (w.empty() || form[0] != w[0]) continue;  // quick reject
      if (const std::size_t n = match(i, limit, form)) return n;
    }
    return 0;
  }

 private:
  const std::string& text_;
  const std::vector<Token>& tokens_;
};

}  // namespace

std::string normalize_for_matching(std::string_view utf8) {
  std::string out(utf8.size(), '\0');
  out.resize(Normalizer<false>(out.data(), nullptr).run(utf8));
  return out;
}

std::string normalize_party_name(std::string_view utf8) {
  std::string text(utf8.size(), '\0');
  std::vector<Token> tokens;
  tokens.reserve(8);
  text.resize(Normalizer<true>(text.data(), &tokens).run(utf8));
  const NameTokens names(text, tokens);

  std::size_t end = tokens.size();
  while (end > 1) {
    const std::size_t n = names.trailing_form(end);
    if (n == 0) break;
    end -= n;
  }

  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < end;) {
    const std::size_t skip = names.anywhere_form(i, end);
    if (skip != 0 && skip < end) {  // a name that is only a legal form stays as it is
      i += skip;
      continue;
    }
    if (!out.empty()) out.push_back(' ');
    out.append(names.word(i));
    ++i;
  }
  return out;
}

}  // namespace bankrec::text
