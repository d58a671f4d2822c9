#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/domain/statement.h"
#include "bankrec/reconcile/rules.h"
#include "item_index.h"

namespace bankrec::reconcile {

/// An item a cited number points to, and how strongly (identity points).
struct ItemHit {
  std::uint32_t item = 0;
  int strength = 0;
  int slips = 0;
  const char* how = "";  ///< "document number", "document number without its year", "creditor reference", ...
  bool slip_read = false;  ///< read with a letter for a digit (an OCR slip)
};

/// One number cited in the text; several hits when the citation is ambiguous ("Re 123" for two years).
struct Mention {
  std::vector<ItemHit> hits;
  std::string token;  ///< the cited number as read
  std::string_view field;  ///< remittance, end_to_end_id, structured_reference (static strings)
};

struct TextFindings {
  std::vector<Mention> mentions;
  std::vector<std::uint32_t> customer_partners;
  std::string customer_token;
};

/// Reads remittance, end-to-end id and structured reference (also of batch details) for document
/// numbers, payment references, RF creditor references and customer numbers. The words that
/// introduce numbers (RuleSet aliases, fillers, customer-number words) come from the index.
TextFindings scan_entry_text(const ItemIndex& index, const domain::Entry& entry);
/// The same into `out` (reset first; reused from line to line it keeps its memory).
void scan_entry_text(const ItemIndex& index, const domain::Entry& entry, TextFindings& out);

}  // namespace bankrec::reconcile
