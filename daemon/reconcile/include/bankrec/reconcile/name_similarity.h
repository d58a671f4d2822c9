#pragma once

#include <string>
#include <string_view>

namespace bankrec::reconcile {

/// Jaro-Winkler similarity of two normalised names in per mille (1000 = equal). Works on bytes,
/// so compare names after text::normalize_party_name().
int jaro_winkler_permille(std::string_view a, std::string_view b);

/// Similarity of two normalised party names: Jaro-Winkler of the names as written and with their
/// words sorted, whichever is higher ("beispiel hans" and "hans beispiel" are the same person).
int name_similarity_permille(std::string_view a, std::string_view b);

/// The words of a normalised name in byte order, joined by single spaces.
std::string sorted_words(std::string_view name);

}  // namespace bankrec::reconcile
