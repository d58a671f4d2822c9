// `bankrec open-items import FILE` and `bankrec reconcile` (contracts/cli.md): persisted mode.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "bankrec/app/exit_code.h"
#include "bankrec/jobs/reconcile_run.h"
#include "commands.h"
#include "reconcile_db_commands.h"
#include "store_context.h"

namespace bankrec::app {
namespace {

struct OpenItemsImportCommand {
  std::string file;
};
struct ReconcileCommand {
  std::string rules;
};

int run_open_items_import(const OpenItemsImportCommand& cmd, const GlobalOptions& global) {
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  const auto summary = jobs::import_open_items_file(*(*ctx)->store, cmd.file, cli_actor());
  if (!summary) return report_error(summary.error());
  std::printf("%s: %lld added, %lld updated, %lld unchanged\n", cmd.file.c_str(),
              static_cast<long long>(summary->added), static_cast<long long>(summary->updated),
              static_cast<long long>(summary->unchanged));
  return kExitOk;
}

int run_reconcile_command(const ReconcileCommand& cmd, const GlobalOptions& global) {
  auto rules = resolve_rules(cmd.rules, global);
  if (!rules) return report_error(rules.error());
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  jobs::ReconcileRunOptions options;
  options.actor = cli_actor();
  const auto summary = jobs::run_reconcile(*(*ctx)->store, *rules, options);
  if (!summary) return report_error(summary.error());
  std::printf("reconciled %lld, review %lld, unmatched %lld (%zu entries)\n",
              static_cast<long long>(summary->counts.reconciled), static_cast<long long>(summary->counts.review),
              static_cast<long long>(summary->counts.unmatched), summary->entries);
  return kExitOk;
}

}  // namespace

void add_reconcile_db_commands(CLI::App& cli, CommandTable& table) {
  auto* items = cli.add_subcommand("open-items", "open items (invoices, bills, credit notes) in the database");
  items->require_subcommand(1);
  auto import_cmd = std::make_shared<OpenItemsImportCommand>();
  auto* import = items->add_subcommand("import", "load or update open items from a CSV or JSON Lines file");
  import->footer("Items are updated by id; every change keeps its before/after in the item's history. "
                 "Prints how many were added, updated and unchanged.");
  import->add_option("FILE", import_cmd->file, "open items file (.csv, .jsonl; contracts/open-items.md)")->required();
  table.push_back({import, [import_cmd](const GlobalOptions& g) { return run_open_items_import(*import_cmd, g); }});

  auto rec = std::make_shared<ReconcileCommand>();
  auto* sub = cli.add_subcommand("reconcile", "run the rules over every entry not yet reconciled");
  sub->footer("Booked entries not decided yet become reconciled (auto), review (with up to 3 suggestions) or "
              "unmatched; pending entries are skipped. Running it again changes nothing. Prints counts per decision.");
  sub->add_option("--rules", rec->rules, "rules file (rules.yaml); default: reconcile.rules of the config");
  table.push_back({sub, [rec](const GlobalOptions& g) { return run_reconcile_command(*rec, g); }});
  add_review_commands(cli, table);
  add_rules_commands(cli, table);
}

}  // namespace bankrec::app
