#pragma once

#include <string>

#include "bankrec/reconcile/engine.h"

namespace bankrec::reconcile {

/// One `bankrec match` output line (contracts/cli.md), keys in the contract's order: file,
/// statement, entry, amount, decision, score, matches, writeoff, reasons, suggestions. With
/// `with_features` a "features" object is appended (an extension for --explain). No newline.
std::string decision_to_json(const EntryRef& ref, const Decision& decision, bool with_features = false);

/// The feature values behind a score as a JSON object (stored with each decision).
std::string features_to_json(const Features& features);
/// A JSON array of strings (reasons).
std::string strings_to_json(const std::vector<std::string>& items);

}  // namespace bankrec::reconcile
