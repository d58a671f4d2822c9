// `bankrec rules proposals`: rules learned from repeated manual decisions, shown for a person to
// review and copy into rules.yaml; nothing is applied. The logic is jobs/rule_proposals.
// `bankrec rules backtest` and `rules approve`: a rule set run in shadow mode over confirmed
// decisions (jobs/rule_backtest), and a person's approval of the stored result.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "bankrec/app/exit_code.h"
#include "bankrec/base/bytes.h"
#include "bankrec/jobs/rule_backtest.h"
#include "bankrec/jobs/rule_proposals.h"
#include "bankrec/store/reconcile_repo.h"
#include "commands.h"
#include "file_io.h"
#include "reconcile_db_commands.h"
#include "rules_yaml.h"
#include "store_context.h"

namespace bankrec::app {
namespace {

struct ProposalsCommand {
  std::size_t min_support = 3;
  std::string actor;
};

int run_proposals(const ProposalsCommand& cmd, const GlobalOptions& global) {
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  jobs::RuleProposalOptions options;
  options.min_support = cmd.min_support;
  const auto proposals =
      jobs::propose_rules(*(*ctx)->store, options, cmd.actor.empty() ? cli_actor() : cmd.actor);
  if (!proposals) return report_error(proposals.error());
  for (const auto& p : *proposals) {
    std::printf("proposal %lld  %s  %s  support %lld  entries %s\n", static_cast<long long>(p.id),
                p.kind.c_str(), p.status.c_str(), static_cast<long long>(p.support), p.entries_json.c_str());
    std::printf("%s\n", p.rule_yaml.c_str());
  }
  std::printf("%zu rule proposal(s); none is applied until a person adds it to rules.yaml\n",
              proposals->size());
  return kExitOk;
}

constexpr std::uint64_t kMaxRulesFileBytes = 4U << 20U;

/// The rules file and its SHA-256 (the digest a backtest result and its approval refer to).
struct RulesFile {
  reconcile::RuleSet rules;
  std::string digest;
};

Result<RulesFile> read_rules(const std::string& path) {
  const std::string text = BANKREC_TRY(read_file_bounded(path, kMaxRulesFileBytes));
  auto rules = BANKREC_TRY(parse_rules_yaml(text, path));
  RulesFile out;
  out.rules = std::move(rules);
  out.digest = store::sha256_hex(as_bytes(text));
  return out;
}

struct BacktestCommand {
  std::string rules, rule, actor;
  int months = 3;
  bool json = false;
  bool no_save = false;
};

int run_backtest(const BacktestCommand& cmd, const GlobalOptions& global) {
  auto file = read_rules(cmd.rules);
  if (!file) return report_error(file.error());
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  jobs::RuleBacktestOptions options;
  options.months = cmd.months;
  options.rule = cmd.rule;
  options.rule_digest = file->digest;
  options.save = !cmd.no_save;
  const auto report =
      jobs::backtest_rules(*(*ctx)->store, file->rules, options, cmd.actor.empty() ? cli_actor() : cmd.actor);
  if (!report) return report_error(report.error());
  if (cmd.json)
    std::printf("%s\n", jobs::backtest_report_json(*report).c_str());
  else
    std::printf("%s", jobs::backtest_report_text(*report).c_str());
  return kExitOk;
}

struct ApproveCommand {
  std::string name, rules, actor;
  bool show_report = false;
};

int run_approve(const ApproveCommand& cmd, const GlobalOptions& global) {
  auto file = read_rules(cmd.rules);
  if (!file) return report_error(file.error());
  const reconcile::MatchRule* rule = nullptr;
  for (const auto& r : file->rules.rules)
    if (r.name == cmd.name) rule = &r;
  if (rule == nullptr)
    return report_error(Error{Errc::not_found, "rule '" + cmd.name + "' is not in " + cmd.rules});
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  store::ReconcileRepo repo(*(*ctx)->store);
  const auto latest = repo.rule_backtests(cmd.name, 1);
  if (!latest) return report_error(latest.error());
  if (latest->empty())
    return report_error(Error{Errc::conflict, "rule '" + cmd.name +
                                                  "' has no backtest; run bankrec rules backtest --rules " +
                                                  cmd.rules + " first"});
  const auto& b = latest->front();
  if (b.rule_digest != file->digest)
    return report_error(Error{Errc::conflict, cmd.rules + " changed since the last backtest of rule '" +
                                                  cmd.name + "' (backtest " + std::to_string(b.id) +
                                                  "); run the backtest again"});
  if (cmd.show_report) std::printf("%s\n", b.report_json.c_str());
  const auto pct = [](const std::optional<std::int64_t>& p) {
    return p ? std::to_string(*p / 10) + "." + std::to_string(*p % 10) + "%" : std::string("n/a");
  };
  std::printf("backtest %lld of rule '%s' (%s by %s): %lld lines, would post %lld, precision %s, recall %s\n",
              static_cast<long long>(b.id), b.rule_name.c_str(), b.created_at.c_str(), b.created_by.c_str(),
              static_cast<long long>(b.lines), static_cast<long long>(b.would_post),
              pct(b.precision_permille).c_str(), pct(b.recall_permille).c_str());
  if (auto approved = repo.approve_rule_backtest(b.id, cmd.actor.empty() ? cli_actor() : cmd.actor);
      !approved)
    return report_error(approved.error());
  if (rule->shadow)
    std::printf(
        "approved; the rule stays in shadow mode until a person removes `shadow: true` from it in %s\n",
        cmd.rules.c_str());
  else
    std::printf("approved; rule '%s' has no `shadow: true` in %s and posts already\n", cmd.name.c_str(),
                cmd.rules.c_str());
  return kExitOk;
}

}  // namespace

void add_rules_commands(CLI::App& cli, CommandTable& table) {
  auto* rules = cli.add_subcommand("rules", "reconciliation rules: proposals, backtests, approvals");
  rules->require_subcommand(1);
  auto cmd = std::make_shared<ProposalsCommand>();
  auto* sub =
      rules->add_subcommand("proposals", "rules proposed from repeated manual decisions (never applied)");
  sub->footer(
      "Looks at the decisions people made (accepted suggestions, own matches and splits, no-match) that "
      "were not undone: a payer marked as no match again and again gets a counter-booking proposal, a "
      "payer matched by hand to one partner again and again gets a rule that only suggests. Each proposal "
      "is stored (audited) and printed as a YAML snippet to review and copy into rules.yaml.");
  sub->add_option("--min-support", cmd->min_support, "decisions of one pattern needed (default 3)")
      ->check(CLI::Range(2, 1000));
  sub->add_option("--actor", cmd->actor, "who asks, for the audit log (default: cli:$USER)");
  table.push_back({sub, [cmd](const GlobalOptions& g) { return run_proposals(*cmd, g); }});

  auto bt = std::make_shared<BacktestCommand>();
  auto* backtest =
      rules->add_subcommand("backtest", "run a rule set in shadow mode over confirmed decisions");
  backtest->footer(
      "Runs the rules of FILE (rules with `shadow: true` as if approved) over the lines whose outcome "
      "is confirmed: a person's decision or an auto decision, not undone, within the last N months. "
      "The open items are taken as they were before those decisions (today's open amounts plus what "
      "the decisions applied). Nothing is posted. Reports per rule and overall: lines it would post, "
      "how many agree with what was confirmed (precision), what share of the confirmed matches it "
      "would post (recall), and the first disagreements. The result is stored per rule (audited) for "
      "`bankrec rules approve`.");
  backtest->add_option("--rules", bt->rules, "rules file to test (YAML, like etc/rules.yaml)")->required();
  backtest->add_option("--months", bt->months, "confirmed within the last N months (default 3)")
      ->check(CLI::Range(1, 120));
  backtest->add_option("--rule", bt->rule, "only the lines this rule decides");
  backtest->add_flag("--json", bt->json, "one JSON object (for the console)");
  backtest->add_flag("--no-save", bt->no_save, "do not store the result");
  backtest->add_option("--actor", bt->actor, "who asks, for the audit log (default: cli:$USER)");
  table.push_back({backtest, [bt](const GlobalOptions& g) { return run_backtest(*bt, g); }});

  auto ap = std::make_shared<ApproveCommand>();
  auto* approve = rules->add_subcommand("approve", "approve a rule's latest backtest (audited)");
  approve->footer(
      "Approves the newest stored backtest of rule NAME, which must have been run on this very rules "
      "file (same SHA-256). The approval is audited; the rule keeps `shadow: true` until a person "
      "removes it from the file.");
  approve->add_option("NAME", ap->name, "rule name as in the rules file")->required();
  approve->add_option("--rules", ap->rules, "rules file the backtest ran on")->required();
  approve->add_flag("--backtest-report", ap->show_report, "print the stored backtest report (JSON) first");
  approve->add_option("--actor", ap->actor, "who approves, for the audit log (default: cli:$USER)");
  table.push_back({approve, [ap](const GlobalOptions& g) { return run_approve(*ap, g); }});
}

}  // namespace bankrec::app
