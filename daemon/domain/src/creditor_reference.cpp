// ISO 11649 structured creditor reference ("RF18 5390 0754 7034").
#include "bankrec/domain/creditor_reference.h"

#include <algorithm>

namespace bankrec::domain {
namespace {

constexpr std::size_t kMaxReference = 21;  // characters after "RF" and the check digits

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

/// ISO 7064 MOD 97-10 with letters as 10..35 (upper-case input), digit by digit.
unsigned mod97(std::string_view s, unsigned r = 0) {
  for (char c : s)
    r = is_digit(c) ? (r * 10 + static_cast<unsigned>(c - '0')) % 97
                    : (r * 100 + static_cast<unsigned>(c - 'A' + 10)) % 97;
  return r;
}

std::string compact(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text)
    if (c != ' ' && c != '\t') out.push_back(upper(c));
  return out;
}

/// Why `s` (compact, upper case) is not a valid reference, or nullptr when it is.
const char* problem(std::string_view s) {
  if (s.size() < 5) return "too short";
  if (s.size() > 4 + kMaxReference) return "longer than 25 characters";
  if (!s.starts_with("RF")) return "must start with RF";
  if (!is_digit(s[2]) || !is_digit(s[3])) return "check digits must be digits";
  if (!std::all_of(s.begin() + 4, s.end(), is_alnum)) return "letters and digits only";
  if (mod97(s.substr(0, 4), mod97(s.substr(4))) != 1) return "wrong check digits";
  return nullptr;
}

/// A candidate's characters and the offsets (in `chars`) at which one of its runs ends.
struct Candidate {
  std::string chars;
  std::vector<std::size_t> run_ends;
};

bool is_line_break(char c) { return c == '\n' || c == '\r'; }

/// Collects alphanumerics from `pos` (just after "RF"): across line breaks freely (a bank split
/// the line), across one space only between print-form groups of four.
Candidate collect(std::string_view text, std::size_t pos) {
  Candidate c{"RF", {}};
  std::size_t run = 2;  // "RF" starts the first group
  bool print_form = false;
  while (pos < text.size() && c.chars.size() < 4 + kMaxReference) {
    const char ch = text[pos];
    if (is_alnum(ch)) {
      if (print_form && run == 4) {  // a word after the last group, not a fifth character
        c.chars.resize(c.run_ends.back());
        return c;
      }
      c.chars.push_back(upper(ch));
      ++run;
      ++pos;
      continue;
    }
    c.run_ends.push_back(c.chars.size());
    std::size_t next = pos;
    bool line_break = false;
    while (next < text.size() && (text[next] == ' ' || text[next] == '\t' || is_line_break(text[next]))) {
      line_break |= is_line_break(text[next]);
      ++next;
    }
    const bool print_group = next == pos + 1 && text[pos] == ' ' && run == 4;
    if (next == pos || !(line_break || print_group)) return c;
    if (!line_break) {
      run = 0;
      print_form = true;
    } else if (print_form && run == 4) {
      run = 0;  // the line ended after a whole group
    }
    pos = next;
  }
  if (pos == text.size() || !is_alnum(text[pos])) c.run_ends.push_back(c.chars.size());
  return c;
}

}  // namespace

bool is_valid_creditor_reference(std::string_view text) { return problem(compact(text)) == nullptr; }

Result<std::string> parse_creditor_reference(std::string_view text) {
  std::string s = compact(text);
  if (const char* why = problem(s))
    return fail(Errc::invalid_input, "invalid creditor reference '" + std::string(text) + "' (" + why + ")");
  return s;
}

Result<std::string> make_creditor_reference(std::string_view reference) {
  const std::string body = compact(reference);
  const auto bad = [&](std::string_view why) {
    return fail(Errc::invalid_input, "cannot make a creditor reference from '" + std::string(reference) +
                                         "' (" + std::string(why) + ")");
  };
  if (body.empty()) return bad("empty");
  if (body.size() > kMaxReference) return bad("longer than 21 characters");
  if (!std::all_of(body.begin(), body.end(), is_alnum)) return bad("letters and digits only");
  const unsigned check = 98 - mod97("RF00", mod97(body));
  return std::string("RF") + static_cast<char>('0' + check / 10) + static_cast<char>('0' + check % 10) + body;
}

std::vector<std::string> find_creditor_references(std::string_view text) {
  std::vector<std::string> found;
  std::size_t pos = 0;
  while (pos + 5 <= text.size()) {
    const bool at_token_start = pos == 0 || !is_alnum(text[pos - 1]);
    if (!at_token_start || upper(text[pos]) != 'R' || upper(text[pos + 1]) != 'F' ||
        !is_digit(text[pos + 2])) {
      ++pos;
      continue;
    }
    const Candidate c = collect(text, pos + 2);
    // The longest prefix that ends where a run ends and validates: a reference split by a line
    // break is whole again, and words after it are left out.
    bool matched = false;
    for (auto it = c.run_ends.rbegin(); it != c.run_ends.rend() && !matched; ++it) {
      const std::string_view prefix = std::string_view(c.chars).substr(0, *it);
      if (problem(prefix) != nullptr) continue;
      found.emplace_back(prefix);
      matched = true;
    }
    pos += 2;
  }
  return found;
}

}  // namespace bankrec::domain
