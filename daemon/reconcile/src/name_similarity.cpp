#include "bankrec/reconcile/name_similarity.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <string>
#include <vector>

namespace bankrec::reconcile {

int jaro_winkler_permille(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a == b ? 1000 : 0;
  if (a == b) return 1000;
  const std::size_t window = std::max<std::size_t>(a.size(), b.size()) / 2;
  const std::size_t reach = window > 0 ? window - 1 : 0;
  // Names are short: flags on the stack, the heap only for unusually long ones.
  constexpr std::size_t kStack = 128;
  std::array<char, kStack> stack_a{}, stack_b{};
  std::vector<char> heap_a, heap_b;
  char* used_a = stack_a.data();
  char* used_b = stack_b.data();
  if (a.size() > kStack || b.size() > kStack) {
    heap_a.assign(a.size(), 0);
    heap_b.assign(b.size(), 0);
    used_a = heap_a.data();
    used_b = heap_b.data();
  }
  std::size_t matches = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t lo = i > reach ? i - reach : 0;
    const std::size_t hi = std::min(b.size(), i + reach + 1);
    for (std::size_t j = lo; j < hi; ++j) {
      if (used_b[j] || a[i] != b[j]) continue;
      used_a[i] = used_b[j] = 1;
      ++matches;
      break;
    }
  }
  if (matches == 0) return 0;
  std::size_t transpositions = 0;
  for (std::size_t i = 0, j = 0; i < a.size(); ++i) {
    if (!used_a[i]) continue;
    while (!used_b[j]) ++j;
    if (a[i] != b[j]) ++transpositions;
    ++j;
  }
  // Integer arithmetic in parts per million keeps the result exact and platform independent.
  const std::int64_t m = static_cast<std::int64_t>(matches);
  const std::int64_t jaro_ppm = (1000000 * m / static_cast<std::int64_t>(a.size()) +
                                 1000000 * m / static_cast<std::int64_t>(b.size()) +
                                 1000000 * (m - static_cast<std::int64_t>(transpositions / 2)) / m) / 3;
  std::int64_t prefix = 0;
  while (prefix < 4 && static_cast<std::size_t>(prefix) < std::min(a.size(), b.size()) && a[prefix] == b[prefix]) ++prefix;
  const std::int64_t jw_ppm = jaro_ppm + prefix * (1000000 - jaro_ppm) / 10;
  return static_cast<int>(jw_ppm / 1000);
}

std::string sorted_words(std::string_view s) {
  std::vector<std::string_view> words;
  while (!s.empty()) {
    const auto space = s.find(' ');
    if (space != 0) words.push_back(s.substr(0, space));
    if (space == std::string_view::npos) break;
    s.remove_prefix(space + 1);
  }
  std::sort(words.begin(), words.end());
  std::string out;
  for (auto w : words) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

std::string name_skeleton(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const char next = i + 1 < name.size() ? name[i + 1] : '\0';
    if (next == 'e' && (c == 'a' || c == 'o' || c == 'u')) ++i;  // "ae" -> "a"
    if (!out.empty() && out.back() == c && c != ' ') continue;     // "ss" -> "s", "ff" -> "f"
    out.push_back(c);
  }
  return out;
}

std::string_view strip_cut_legal_form(std::string_view name) {
  static constexpr std::string_view kForms[] = {"gmbh", "mbh", "co", "kg", "kgaa", "ug", "haftungsbeschraenkt",
                                                "haftungsbeschrankt", "ag", "ohg", "gbr", "ek", "ev", "eg", "se",
                                                "ltd", "inc", "sarl", "bv", "nv", "spa", "srl"};
  for (;;) {
    const auto space = name.rfind(' ');
    if (space == std::string_view::npos) return name;
    const std::string_view last = name.substr(space + 1);
    const bool fragment = std::any_of(std::begin(kForms), std::end(kForms),
                                      [&](std::string_view form) { return !last.empty() && form.starts_with(last); });
    if (!fragment) return name;
    name = name.substr(0, space);
  }
}

int name_similarity_permille(std::string_view a, std::string_view b) {
  const int direct = jaro_winkler_permille(a, b);
  if (direct >= 990 || a.find(' ') == std::string_view::npos) return direct;
  return std::max(direct, jaro_winkler_permille(sorted_words(a), sorted_words(b)));
}

}  // namespace bankrec::reconcile
