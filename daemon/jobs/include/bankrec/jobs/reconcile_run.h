#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "bankrec/base/result.h"
#include "bankrec/reconcile/rules.h"
#include "bankrec/store/reconcile_repo.h"
#include "bankrec/store/store.h"

/// Persisted mode (`bankrec reconcile`): the same engine as `bankrec match`, over the database.
namespace bankrec::jobs {

struct ReconcileRunSummary {
  std::size_t entries = 0;  ///< entries decided in this run
  std::size_t batches = 0;
  store::DecisionCounts counts;
};

struct ReconcileRunOptions {
  std::size_t batch_entries = 20000;  ///< entries per engine run and per transaction
  std::size_t max_batches = 1000;     ///< bound on one call (20 million entries)
  std::string actor = "system";
};

/// Decides every booked entry not decided yet (pending lines are skipped): per batch, the open
/// amounts are read fresh, the engine runs, and the decisions are recorded in one transaction, so
/// an item is never applied beyond its open amount, also across batches and runs. A second call
/// with nothing new changes nothing.
Result<ReconcileRunSummary> run_reconcile(store::Store& store, const reconcile::RuleSet& rules,
                                          const ReconcileRunOptions& options = {});

/// Loads an open-items file (CSV or JSON Lines, contracts/open-items.md) into the database.
Result<store::OpenItemsImportSummary> import_open_items_file(store::Store& store, const std::string& path,
                                                             std::string_view actor);

}  // namespace bankrec::jobs
