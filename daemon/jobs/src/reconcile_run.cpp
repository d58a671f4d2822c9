#include "bankrec/jobs/reconcile_run.h"

#include "bankrec/reconcile/decision_json.h"
#include "bankrec/reconcile/engine.h"
#include "bankrec/reconcile/open_items.h"

namespace bankrec::jobs {
namespace {

namespace rc = reconcile;

store::CandidateRecord to_record(const rc::Candidate& c) {
  store::CandidateRecord r;
  r.score = c.score;
  for (const auto& m : c.matches) r.allocations.push_back({m.item_id, m.amount.minor(), std::string(m.amount.currency().str())});
  if (c.writeoff) {
    r.writeoff_minor = c.writeoff->amount.minor();
    r.writeoff_reason = c.writeoff->reason;
    r.writeoff_account = c.writeoff->account;
  }
  r.reasons_json = rc::strings_to_json(c.reasons);
  r.features_json = rc::features_to_json(c.features);
  return r;
}

store::DecisionRecord to_record(std::int64_t entry_id, const rc::Decision& d) {
  store::DecisionRecord r;
  r.entry_id = entry_id;
  r.reasons_json = rc::strings_to_json(d.reasons);
  switch (d.kind) {
    case rc::DecisionKind::automatic: {
      r.kind = store::DecisionKind::automatic;
      rc::Candidate chosen{d.matches, d.writeoff, d.score, d.reasons, d.features};
      r.chosen = to_record(chosen);
      break;
    }
    case rc::DecisionKind::suggest:
      r.kind = store::DecisionKind::suggest;
      r.shadow_auto = d.shadow_auto;
      for (const auto& s : d.suggestions) r.suggestions.push_back(to_record(s));
      break;
    case rc::DecisionKind::none:
      r.kind = store::DecisionKind::none;
      break;
  }
  return r;
}

}  // namespace

Result<ReconcileRunSummary> run_reconcile(store::Store& store, const rc::RuleSet& rules,
                                          const ReconcileRunOptions& options) {
  store::ReconcileRepo repo(store);
  ReconcileRunSummary summary;
  while (summary.batches < options.max_batches) {
    const auto entries = BANKREC_TRY(repo.load_undecided_entries(options.batch_entries));
    if (entries.empty()) break;
    std::vector<domain::OpenItem> items;
    for (auto& stored : BANKREC_TRY(repo.load_open_items())) items.push_back(std::move(stored.item));
    const auto engine = BANKREC_TRY(rc::Engine::create(std::move(items), rules));
    std::vector<rc::EntryRef> refs;
    refs.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i)
      refs.push_back({&entries[i].entry, "db", 0, static_cast<std::uint32_t>(i), entries[i].account_iban});
    const auto decisions = engine.run(refs);
    std::vector<store::DecisionRecord> records;
    records.reserve(decisions.size());
    for (std::size_t i = 0; i < decisions.size(); ++i) records.push_back(to_record(entries[i].id, decisions[i]));
    const auto counts = BANKREC_TRY(repo.record_decisions(records, options.actor));
    summary.counts.reconciled += counts.reconciled;
    summary.counts.review += counts.review;
    summary.counts.unmatched += counts.unmatched;
    summary.entries += entries.size();
    ++summary.batches;
  }
  return summary;
}

Result<store::OpenItemsImportSummary> import_open_items_file(store::Store& store, const std::string& path,
                                                             std::string_view actor) {
  const auto items = BANKREC_TRY(rc::load_open_items(path));
  return store::ReconcileRepo(store).import_open_items(items, path, actor);
}

}  // namespace bankrec::jobs
