// SEPA keywords in German purpose text (DFÜ-Abkommen, Anlage 3, "Belegung des
// Verwendungszwecks"): "EREF+ ... SVWZ+ ...".
#include "bankrec/domain/sepa.h"

#include <array>

namespace bankrec::domain {
namespace {

struct Keyword {
  std::string_view tag;  ///< with its '+'
  std::optional<std::string> SepaPurpose::*field;
};

constexpr std::array<Keyword, 13> kKeywords = {{
    {"EREF+", &SepaPurpose::eref},
    {"KREF+", &SepaPurpose::kref},
    {"MREF+", &SepaPurpose::mref},
    {"CRED+", &SepaPurpose::cred},
    {"DEBT+", &SepaPurpose::debt},
    {"SVWZ+", &SepaPurpose::svwz},
    {"ABWA+", &SepaPurpose::abwa},
    {"ABWE+", &SepaPurpose::abwe},
    {"IBAN+", &SepaPurpose::iban},
    {"BIC+", &SepaPurpose::bic},
    {"COAM+", &SepaPurpose::coam},
    {"OAMT+", &SepaPurpose::oamt},
    {"SQTP+", &SepaPurpose::sqtp},
}};

// Bytes >= 0x80 belong to UTF-8 letters ("ÜEREF+" is inside a word), so they count as alphanumeric.
bool is_word_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// The keyword starting at text[pos], or nullptr.
const Keyword* keyword_at(std::string_view text, std::size_t pos) {
  // Fast exit on the hot path: every keyword starts with one of these letters.
  switch (text[pos]) {
    case 'A': case 'B': case 'C': case 'D': case 'E': case 'I': case 'K': case 'M': case 'O': case 'S': break;
    default: return nullptr;
  }
  if (pos > 0 && is_word_char(text[pos - 1])) return nullptr;
  const std::string_view rest = text.substr(pos);
  for (const Keyword& k : kKeywords)
    if (rest.starts_with(k.tag)) return &k;
  return nullptr;
}

/// Stores one value; a keyword that appears twice gets both values, joined by a space.
void store(std::optional<std::string>& slot, std::string_view value) {
  value = trim(value);
  if (value.empty()) return;
  if (!slot) {
    slot.emplace(value);
    return;
  }
  slot->push_back(' ');
  slot->append(value);
}

}  // namespace

SepaPurpose parse_sepa_purpose(std::string_view text) {
  SepaPurpose out;
  const Keyword* current = nullptr;
  std::size_t value_start = 0;
  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    const Keyword* k = keyword_at(text, pos);
    if (!k) continue;
    const std::string_view before = text.substr(value_start, pos - value_start);
    store(current ? out.*(current->field) : out.leading_text, before);
    current = k;
    value_start = pos + k->tag.size();
    pos = value_start - 1;
  }
  const std::string_view last = text.substr(value_start);
  store(current ? out.*(current->field) : out.leading_text, last);
  return out;
}

}  // namespace bankrec::domain
