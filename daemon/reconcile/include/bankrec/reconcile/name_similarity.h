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

/// A normalised name as it sounds rather than as it is spelt: umlaut transcriptions folded ("ae" →
/// "a", "ue" → "u", "oe" → "o"), "ss" → "s", and runs of one letter collapsed ("ff" → "f"). So
/// "mueller", "muller" and "mulller" all become "muler". Used to rank candidates, never as equality.
std::string name_skeleton(std::string_view name);

/// For a name the bank cut off at its field length: trailing words that are only the start of a
/// legal form ("gmb", "co k", "ug haftungsbeschr") removed, as long as one word remains.
std::string_view strip_cut_legal_form(std::string_view name);

/// The words of a normalised name in byte order, joined by single spaces.
std::string sorted_words(std::string_view name);

}  // namespace bankrec::reconcile
