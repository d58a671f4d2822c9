// parse_amount() for amounts as people and spreadsheets write them, and allocate().
#include "bankrec/domain/money.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>

namespace bankrec::domain {
namespace {

Unexpected bad_amount(std::string_view text, std::string_view why) {
  return fail(Errc::invalid_input, "invalid amount '" + std::string(text) + "' (" + std::string(why) + ")");
}

// g++'s 128-bit integer; __extension__ keeps -Wpedantic quiet about it.
__extension__ typedef __int128 Int128;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// Multi-byte white space that appears in amounts: NBSP (U+00A0), thin space (U+2009) and
// narrow NBSP (U+202F), which French and Swiss formatting use as thousands separator.
constexpr std::string_view kWideSpaces[] = {"\xC2\xA0", "\xE2\x80\x89", "\xE2\x80\xAF"};

/// Length of the white space at the start of `s` (ASCII space/tab or one of kWideSpaces), or 0.
std::size_t space_at(std::string_view s) {
  if (s.empty()) return 0;
  if (s[0] == ' ' || s[0] == '\t') return 1;
  for (std::string_view w : kWideSpaces)
    if (s.starts_with(w)) return w.size();
  return 0;
}

std::string_view trim_spaces(std::string_view s) {
  for (std::size_t n; (n = space_at(s)) != 0;) s.remove_prefix(n);
  for (;;) {
    bool trimmed = false;
    if (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
      s.remove_suffix(1);
      trimmed = true;
    }
    for (std::string_view w : kWideSpaces) {
      if (s.ends_with(w)) {
        s.remove_suffix(w.size());
        trimmed = true;
      }
    }
    if (!trimmed) return s;
  }
}

// Symbols and the currency codes they can stand for.
struct Symbol {
  std::string_view text;
  std::string_view codes;  ///< space-separated codes; "*D" = every code ending in D (dollars)
};
constexpr Symbol kSymbols[] = {
    {"\xE2\x82\xAC", "EUR"}, {"\xC2\xA3", "GBP"}, {"\xC2\xA5", "JPY CNY"}, {"$", "*D"}, {"Fr.", "CHF"}};

bool symbol_fits(const Symbol& symbol, std::string_view code) {
  if (symbol.codes == "*D") return code.size() == 3 && code[2] == 'D';
  for (std::size_t pos = 0; pos < symbol.codes.size(); pos += 4)
    if (symbol.codes.substr(pos, 3) == code) return true;
  return false;
}

/// Removes a currency code or symbol at the front (`front`) or back of `s`; fails on a mismatch.
Result<bool> strip_currency(std::string_view& s, bool front, std::string_view text,
                            const Currency& currency) {
  for (const Symbol& symbol : kSymbols) {
    if (front ? !s.starts_with(symbol.text) : !s.ends_with(symbol.text)) continue;
    if (!symbol_fits(symbol, currency.str()))
      return bad_amount(text,
                        "currency '" + std::string(symbol.text) + "' is not " + std::string(currency.str()));
    if (front)
      s.remove_prefix(symbol.text.size());
    else
      s.remove_suffix(symbol.text.size());
    return true;
  }
  if (s.size() < 3) return false;
  const std::string_view code = front ? s.substr(0, 3) : s.substr(s.size() - 3);
  if (!std::all_of(code.begin(), code.end(), is_alpha)) return false;
  // A letter right next to the code means it is a word, not a code ("EURO", "xEUR").
  if (s.size() > 3 && is_alpha(front ? s[3] : s[s.size() - 4])) return false;
  const std::string up{upper(code[0]), upper(code[1]), upper(code[2])};
  if (up != currency.str())
    return bad_amount(text, "currency '" + std::string(code) + "' is not " + std::string(currency.str()));
  if (front)
    s.remove_prefix(3);
  else
    s.remove_suffix(3);
  return true;
}

/// The sign marks around the number: leading +/-/−, trailing +/-, or parentheses.
struct Signed {
  std::string_view number;
  bool negative = false;
};

/// German "12,-" / "12,--" means 12.00, not -12: the dash right after the separator stands for
/// the cents. Leaves "12," behind.
std::string_view strip_no_cents_dash(std::string_view s) {
  for (std::string_view dash : {",--", ",-", ".--", ".-"})
    if (s.ends_with(dash)) return s.substr(0, s.size() - dash.size() + 1);
  return s;
}

Result<Signed> strip_signs(std::string_view s, std::string_view text, const Currency& currency) {
  Signed out;
  int marks = 0;
  const auto mark = [&](bool negative) {
    ++marks;
    out.negative = negative;
  };
  // Currency and sign may come in either order: "-EUR 12", "EUR -12", "-€12", "12- EUR",
  // "(EUR 12)", "EUR (12)".
  for (int round = 0; round < 2; ++round) {
    if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
      s = trim_spaces(s.substr(1, s.size() - 2));
      mark(true);
    }
    if (BANKREC_TRY(strip_currency(s, /*front=*/true, text, currency))) s = trim_spaces(s);
    if (BANKREC_TRY(strip_currency(s, /*front=*/false, text, currency))) s = trim_spaces(s);
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
      mark(s.front() == '-');
      s = trim_spaces(s.substr(1));
    } else if (s.starts_with("\xE2\x88\x92")) {  // U+2212 minus sign
      mark(true);
      s = trim_spaces(s.substr(3));
    }
    s = strip_no_cents_dash(s);
    if (!s.empty() && (s.back() == '-' || s.back() == '+')) {
      mark(s.back() == '-');
      s = trim_spaces(s.substr(0, s.size() - 1));
    }
  }
  if (marks > 1) return bad_amount(text, "more than one sign");
  out.number = s;
  return out;
}

/// The number without sign and currency, split into digit runs and the separators between them.
struct Shape {
  std::string digits_before;  ///< integer digits, grouping removed
  std::string_view fraction;  ///< digits after the decimal separator
};

enum class Sep : std::uint8_t { none, dot, comma, space, apostrophe };

/// Reads one separator at s[i], returning its kind and length (0 when s[i] is none).
std::size_t separator_at(std::string_view s, std::size_t i, Sep& kind) {
  const std::string_view rest = s.substr(i);
  std::size_t n = 0;
  if (rest[0] == '.') {
    kind = Sep::dot;
    n = 1;
  } else if (rest[0] == ',') {
    kind = Sep::comma;
    n = 1;
  } else if (rest[0] == '\'' || rest.starts_with("\xE2\x80\x99")) {  // ' and ’ (Swiss)
    kind = Sep::apostrophe;
    n = rest[0] == '\'' ? 1 : 3;
  } else if ((n = space_at(rest)) != 0) {
    kind = Sep::space;
  }
  return n;
}

struct Run {
  std::string_view digits;
  Sep sep_after = Sep::none;
};

Result<std::vector<Run>> split_runs(std::string_view s, std::string_view text) {
  std::vector<Run> runs;
  std::size_t i = 0;
  std::size_t start = 0;
  while (i < s.size()) {
    if (is_digit(s[i])) {
      ++i;
      continue;
    }
    Sep kind = Sep::none;
    const std::size_t n = separator_at(s, i, kind);
    if (n == 0) return bad_amount(text, "unexpected character '" + std::string(1, s[i]) + "'");
    runs.push_back({s.substr(start, i - start), kind});
    i += n;
    start = i;
  }
  runs.push_back({s.substr(start), Sep::none});
  return runs;
}

/// Which separator is the decimal one: given, or inferred (see money.h).
Sep decimal_separator(const std::vector<Run>& runs, char given) {
  if (given == '.') return Sep::dot;
  if (given == ',') return Sep::comma;
  int dots = 0, commas = 0, others = 0;
  Sep last = Sep::none;
  for (std::size_t k = 0; k + 1 < runs.size(); ++k) {
    const Sep sep = runs[k].sep_after;
    if (sep == Sep::dot) ++dots;
    if (sep == Sep::comma) ++commas;
    if (sep == Sep::space || sep == Sep::apostrophe) ++others;
    if (sep == Sep::dot || sep == Sep::comma) last = sep;
  }
  if (dots > 0 && commas > 0) return last;  // "1.234,56", "1,234.56"
  if (dots + commas == 0) return Sep::none;
  if (dots + commas > 1) return Sep::none;  // "1.234.567": grouping only
  if (others > 0) return last;              // "1 234.5": spaces group, so the mark is decimal
  // One lone mark: three digits after it is the ambiguous case, read the German way.
  const std::size_t k = static_cast<std::size_t>(
      std::find_if(runs.begin(), runs.end(),
                   [](const Run& r) { return r.sep_after == Sep::dot || r.sep_after == Sep::comma; }) -
      runs.begin());
  const bool three_after = runs[k + 1].digits.size() == 3 && k + 2 == runs.size();
  const std::string_view before = runs[k].digits;
  // "0.123" and "1234.567" cannot be thousands groups, so their mark is the decimal one.
  if (three_after && !before.empty() && before.size() <= 3 && before[0] != '0') return Sep::comma;
  return last;
}

Result<Shape> shape(std::string_view s, std::string_view text, char given) {
  const std::vector<Run> runs = BANKREC_TRY(split_runs(s, text));
  const Sep decimal = decimal_separator(runs, given);
  Shape out;
  std::size_t groups_end = runs.size();  // runs [0, groups_end) form the integer part
  for (std::size_t k = 0; k + 1 < runs.size(); ++k) {
    if (runs[k].sep_after != decimal) continue;
    if (k + 2 != runs.size()) return bad_amount(text, "digits grouped after the decimal separator");
    groups_end = k + 1;
    out.fraction = runs[k + 1].digits;
  }
  Sep grouping = Sep::none;
  for (std::size_t k = 0; k < groups_end; ++k) {
    const std::string_view d = runs[k].digits;
    if (k + 1 < groups_end) {
      const Sep sep = runs[k].sep_after;
      if (grouping != Sep::none && sep != grouping) return bad_amount(text, "mixed thousands separators");
      grouping = sep;
    }
    const bool first = k == 0;
    if (groups_end > 1 && (first ? (d.empty() || d.size() > 3 || d[0] == '0') : d.size() != 3))
      return bad_amount(text, "inconsistent thousands grouping");
    out.digits_before.append(d);
  }
  if (out.digits_before.empty() && out.fraction.empty()) return bad_amount(text, "no digits");
  return out;
}

Result<std::int64_t> to_minor(const Shape& shape, bool negative, int exponent, std::string_view text) {
  // Accumulate the magnitude as unsigned so that INT64_MIN is reachable for negative amounts.
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : std::numeric_limits<std::int64_t>::max();
  std::uint64_t value = 0;
  const auto push = [&](unsigned digit) {
    if (value > (limit - digit) / 10) return false;
    value = value * 10 + digit;
    return true;
  };
  for (char c : shape.digits_before)
    if (!push(static_cast<unsigned>(c - '0'))) return bad_amount(text, "too large");
  for (std::size_t i = 0; i < shape.fraction.size(); ++i) {
    const char c = shape.fraction[i];
    if (static_cast<int>(i) >= exponent) {
      if (c != '0') return bad_amount(text, "more than " + std::to_string(exponent) + " decimals");
      continue;
    }
    if (!push(static_cast<unsigned>(c - '0'))) return bad_amount(text, "too large");
  }
  for (int i = static_cast<int>(shape.fraction.size()); i < exponent; ++i)
    if (!push(0)) return bad_amount(text, "too large");
  if (!negative) return static_cast<std::int64_t>(value);
  return static_cast<std::int64_t>(~value + 1);  // two's complement: also yields INT64_MIN
}

}  // namespace

Result<Money> parse_amount(std::string_view text, Currency currency, char decimal_sep) {
  if (decimal_sep != 0 && decimal_sep != '.' && decimal_sep != ',')
    return fail(Errc::invalid_input, "unsupported decimal separator '" + std::string(1, decimal_sep) + "'");
  const std::string_view trimmed = trim_spaces(text);
  if (trimmed.empty()) return bad_amount(text, "empty");
  const Signed sign = BANKREC_TRY(strip_signs(trimmed, text, currency));
  if (sign.number.empty()) return bad_amount(text, "no digits");
  const Shape parts = BANKREC_TRY(shape(sign.number, text, decimal_sep));
  const std::int64_t minor = BANKREC_TRY(to_minor(parts, sign.negative, currency.exponent, text));
  return Money(minor, currency);
}

Result<std::vector<std::int64_t>> allocate(std::int64_t total, std::span<const std::int64_t> weights) {
  if (weights.empty()) return fail(Errc::invalid_input, "cannot allocate over no weights");
  Int128 sum = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] < 0)
      return fail(Errc::invalid_input,
                  "negative weight " + std::to_string(weights[i]) + " at index " + std::to_string(i));
    sum += weights[i];
  }
  if (sum == 0) return fail(Errc::invalid_input, "cannot allocate over weights that are all zero");

  // Allocate the magnitude and give the parts the total's sign, so that -10 splits like 10.
  const Int128 magnitude = total < 0 ? -static_cast<Int128>(total) : static_cast<Int128>(total);
  std::vector<Int128> parts(weights.size());
  std::vector<Int128> remainders(weights.size());
  Int128 assigned = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const Int128 product = magnitude * weights[i];  // < 2^126: no overflow
    parts[i] = product / sum;
    remainders[i] = product % sum;
    assigned += parts[i];
  }
  std::vector<std::size_t> order(weights.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  for (std::size_t k = 0; assigned < magnitude; ++k, ++assigned) ++parts[order[k]];

  std::vector<std::int64_t> out(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i)
    out[i] = static_cast<std::int64_t>(total < 0 ? -parts[i] : parts[i]);
  return out;
}

}  // namespace bankrec::domain
