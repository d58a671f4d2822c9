// IBAN (ISO 13616) and BIC (ISO 9362).
#include "bankrec/domain/iban.h"

#include <algorithm>

namespace bankrec::domain {
namespace {

struct IbanCountry {
  char code[3];
  std::uint8_t length;
};

// SWIFT IBAN registry as of 2025 (incl. the recent SD, BI, RU, DJ, MN, NI, SO, FK, OM, HN, YE),
// sorted by code. Territories
// that the registry lists under their parent's IBAN format (France: GF GP MQ RE PF TF YT NC BL
// MF PM WF; United Kingdom: IM JE GG; Finland: AX) carry the parent's length, because some
// banks write them with their own ISO 3166 prefix.
constexpr IbanCountry kCountries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AX", 18}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
    {"BG", 22}, {"BH", 22}, {"BI", 27}, {"BL", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22},
    {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29},
    {"ES", 24}, {"FI", 18}, {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GF", 27},
    {"GG", 22}, {"GI", 23}, {"GL", 18}, {"GP", 27}, {"GR", 27}, {"GT", 28}, {"HN", 28}, {"HR", 21},
    {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IM", 22}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JE", 22},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MF", 27}, {"MK", 19}, {"MN", 20},
    {"MQ", 27}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NC", 27}, {"NI", 28}, {"NL", 18}, {"NO", 15},
    {"OM", 23}, {"PF", 27}, {"PK", 24}, {"PL", 28}, {"PM", 27}, {"PS", 29}, {"PT", 25}, {"QA", 29},
    {"RE", 27}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31}, {"SD", 18}, {"SE", 24},
    {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TF", 27}, {"TL", 23},
    {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"WF", 27}, {"XK", 20}, {"YE", 30},
    {"YT", 27},
};

constexpr bool code_less(const IbanCountry& a, const IbanCountry& b) {
  return std::string_view(a.code, 2) < std::string_view(b.code, 2);
}
static_assert(std::is_sorted(std::begin(kCountries), std::end(kCountries), code_less),
              "binary search needs order");

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum_upper(char c) { return is_upper(c) || is_digit(c); }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

Unexpected bad_iban(std::string_view text, std::string_view why) {
  return fail(Errc::invalid_input, "invalid iban '" + std::string(text) + "' (" + std::string(why) + ")");
}

/// Upper case without the spaces of the print form (and a leading "IBAN" / "IBAN:" label).
std::string compact(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text)
    if (c != ' ' && c != '\t') out.push_back(upper(c));
  if (out.starts_with("IBAN")) out.erase(0, out.size() > 4 && out[4] == ':' ? 5 : 4);
  return out;
}

/// ISO 7064 MOD 97-10 of `s` read as a number with letters as 10..35; digits one at a time,
/// so no big integers are needed.
unsigned mod97(std::string_view s, unsigned r = 0) {
  for (char c : s)
    r = is_digit(c) ? (r * 10 + static_cast<unsigned>(c - '0')) % 97
                    : (r * 100 + static_cast<unsigned>(c - 'A' + 10)) % 97;
  return r;
}

/// Remainder of the rearranged IBAN (BBAN, country, check digits).
unsigned iban_remainder(std::string_view iban) { return mod97(iban.substr(0, 4), mod97(iban.substr(4))); }

std::string two_digits(unsigned v) {
  return {static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
}

}  // namespace

std::optional<int> iban_length(std::string_view country_code) {
  if (country_code.size() != 2) return std::nullopt;
  const char key[2] = {upper(country_code[0]), upper(country_code[1])};
  const std::string_view k(key, 2);
  const auto* end = std::end(kCountries);
  const auto* it = std::lower_bound(
      std::begin(kCountries), end, k,
      [](const IbanCountry& c, std::string_view v) { return std::string_view(c.code, 2) < v; });
  if (it == end || std::string_view(it->code, 2) != k) return std::nullopt;
  return it->length;
}

Result<Iban> Iban::parse(std::string_view text) {
  const std::string s = compact(text);
  if (s.empty()) return bad_iban(text, "empty");
  const auto bad_char = std::find_if_not(s.begin(), s.end(), is_alnum_upper);
  if (bad_char != s.end()) return bad_iban(text, "unexpected character '" + std::string(1, *bad_char) + "'");
  if (s.size() < 4) return bad_iban(text, "too short");
  const auto length = iban_length(s.substr(0, 2));
  if (!length) return bad_iban(text, "unknown country '" + s.substr(0, 2) + "'");
  if (!is_digit(s[2]) || !is_digit(s[3])) return bad_iban(text, "check digits must be digits");
  if (static_cast<int>(s.size()) != *length)
    return bad_iban(text, std::to_string(s.size()) + " characters, " + s.substr(0, 2) + " ibans have " +
                              std::to_string(*length));
  const std::string_view check = std::string_view(s).substr(2, 2);
  if (check == "00" || check == "01" || check == "99") return bad_iban(text, "check digits out of range");
  if (iban_remainder(s) != 1) return bad_iban(text, "wrong check digits");
  return Iban(s);
}

Result<Iban> Iban::from_bban(std::string_view country_code, std::string_view bban) {
  const std::string country = compact(country_code);
  const auto length = iban_length(country);
  if (!length) return fail(Errc::invalid_input, "no iban for country '" + std::string(country_code) + "'");
  std::string body = compact(bban);
  if (!std::all_of(body.begin(), body.end(), is_alnum_upper))
    return fail(Errc::invalid_input, "invalid bban '" + std::string(bban) + "' (letters and digits only)");
  if (static_cast<int>(body.size()) + 4 != *length)
    return fail(Errc::invalid_input, "invalid bban '" + std::string(bban) + "' (" +
                                         std::to_string(body.size()) + " characters, " + country +
                                         " bbans have " + std::to_string(*length - 4) + ")");
  const unsigned check = 98 - mod97(country + "00", mod97(body));
  return Iban(country + two_digits(check) + body);
}

std::string Iban::print() const {
  std::string out;
  out.reserve(value_.size() + value_.size() / 4);
  for (std::size_t i = 0; i < value_.size(); ++i) {
    if (i != 0 && i % 4 == 0) out.push_back(' ');
    out.push_back(value_[i]);
  }
  return out;
}

bool is_valid_iban(std::string_view text) { return Iban::parse(text).has_value(); }

Result<Bic> Bic::parse(std::string_view text) {
  std::string s;
  s.reserve(text.size());
  for (char c : text)
    if (c != ' ' && c != '\t') s.push_back(upper(c));
  const auto bad = [&](std::string_view why) {
    return fail(Errc::invalid_input, "invalid bic '" + std::string(text) + "' (" + std::string(why) + ")");
  };
  if (s.size() != 8 && s.size() != 11) return bad("8 or 11 characters expected");
  if (!std::all_of(s.begin(), s.begin() + 4, is_upper)) return bad("bank code must be 4 letters");
  if (!std::all_of(s.begin() + 4, s.begin() + 6, is_upper)) return bad("country code must be 2 letters");
  if (!std::all_of(s.begin() + 6, s.end(), is_alnum_upper))
    return bad("location and branch must be letters or digits");
  return Bic(s);
}

bool is_valid_bic(std::string_view text) { return Bic::parse(text).has_value(); }

}  // namespace bankrec::domain
