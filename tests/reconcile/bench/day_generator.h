#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bankrec/domain/open_item.h"
#include "bankrec/domain/statement.h"

/// A deterministic day of a German retailer's bank lines and open items, with the answer for each
/// line. Used by the quality scorer (reconcile_quality) and the speed benchmark (bench_reconcile).
namespace bankrec::reconcile::bench {

/// What a line should be matched to.
struct Truth {
  std::string case_name;
  /// The line can be matched with certainty (it counts in the auto rate).
  bool certain = false;
  /// Any `auto` decision on this line is an error (ambiguous, double payment, no match exists).
  bool no_auto = false;
  /// Acceptable item-id sets (sorted); the first is the intended one. Empty for counter-bookings and no-match lines.
  std::vector<std::vector<std::string>> item_sets;
  std::string account;  ///< expected counter-booking account, or ""
};

/// A line as the bank writes it, before a format is chosen: the entry plus the purpose-text pieces
/// as the payer split them (camt Ustrd elements; MT940 breaks them into ?2x fields anyway).
struct GeneratedLine {
  domain::Entry entry;
  std::vector<std::string> purpose_pieces;
  Truth truth;
};

struct Day {
  domain::Date date;
  domain::Account account;
  std::vector<domain::OpenItem> items;
  std::vector<GeneratedLine> lines;
};

struct DayOptions {
  std::uint64_t seed = 20260316;
  std::size_t lines = 2000;
  std::size_t items = 2000;  ///< open items in total (case items plus unrelated ones)
};

Day generate_day(const DayOptions& options);

/// The statement as a parser would deliver it (purpose pieces joined with a space).
domain::Statement to_statement(const Day& day);

std::string write_open_items_csv(const Day& day);
std::string write_camt053(const Day& day);
std::string write_mt940(const Day& day);
/// One JSON object per line: {"entry": N, "case": ..., "certain": ..., "no_auto": ..., "items": [[...]], "account": ...}.
std::string write_truth_jsonl(const Day& day);

}  // namespace bankrec::reconcile::bench
