#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/store/reconcile_repo.h"
#include "bankrec/store/store.h"

/// Rules proposed from what people decided by hand: repeated no-match decisions for one payer
/// (a recurring line without an invoice: propose a counter-booking) and repeated manual matches of
/// one payer to one partner's items (propose a rule for that payer that only suggests). Proposals
/// are stored and shown, never applied.
namespace bankrec::jobs {

struct RuleProposalOptions {
  std::size_t min_support = 3;           ///< decisions of the same pattern needed for a proposal
  std::size_t max_decisions = 1000000;   ///< bound on the decisions read
};

/// Reads the standing manual decisions, stores a proposal per pattern seen often enough (or
/// refreshes it), and returns every stored proposal. Deterministic: same decisions, same proposals.
Result<std::vector<store::RuleProposal>> propose_rules(store::Store& store, const RuleProposalOptions& options,
                                                       std::string_view actor);

}  // namespace bankrec::jobs
