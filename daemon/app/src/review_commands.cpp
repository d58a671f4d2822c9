// `bankrec review list|show|accept|match|no-match|undo`: the review queue on the database. The
// logic lives in jobs/reconcile_review (the console calls the same functions); this file only
// reads flags and prints.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bankrec/app/exit_code.h"
#include "bankrec/domain/money.h"
#include "bankrec/jobs/reconcile_review.h"
#include "commands.h"
#include "reconcile_db_commands.h"
#include "store_context.h"

namespace bankrec::app {
namespace {

struct ReviewCommand {
  std::string account;
  std::size_t limit = 50;
  std::int64_t id = 0;
  int rank = 1;
  std::vector<std::string> items;
  std::string reason;
  std::string actor;
};

std::string actor_of(const ReviewCommand& cmd) { return cmd.actor.empty() ? cli_actor() : cmd.actor; }

std::string money(std::int64_t minor, const std::string& currency) {
  const auto cur = domain::Currency::parse(currency);
  return domain::format_minor(minor, cur ? cur->exponent : 2) + " " + currency;
}

void print_match(const store::MatchView& m, const std::string& currency) {
  std::printf("  %s match %lld  %s/%s  score %d\n",
              m.rank ? ("#" + std::to_string(*m.rank)).c_str() : "  ", static_cast<long long>(m.id),
              m.decision.c_str(), m.status.c_str(), m.score);
  for (const auto& a : m.allocations)
    std::printf("      item %s  %s\n", a.item_key.c_str(), money(a.amount_minor, a.currency.empty() ? currency : a.currency).c_str());
  std::printf("      reasons %s\n", m.reasons_json.c_str());
}

void print_entry(const store::ReviewItem& r) {
  std::printf("entry %lld  %s  %s  %s  account %s\n", static_cast<long long>(r.entry_id),
              r.booking_date.empty() ? "-" : r.booking_date.c_str(), money(r.amount_minor, r.currency).c_str(),
              r.status.c_str(), r.account_iban.empty() ? "-" : r.account_iban.c_str());
  std::printf("  counterparty '%s' %s\n", r.counterparty_name.c_str(), r.counterparty_iban.c_str());
  if (!r.remittance.empty()) std::printf("  remittance '%s'\n", r.remittance.c_str());
  for (const auto& m : r.suggestions) print_match(m, r.currency);
}

template <typename Fn>
int with_store(const GlobalOptions& global, Fn&& fn) {
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  return fn(*(*ctx)->store);
}

int run_list(const ReviewCommand& cmd, const GlobalOptions& g) {
  return with_store(g, [&](store::Store& store) -> int {
    const auto items = jobs::review_list(store, {cmd.account, cmd.limit});
    if (!items) return report_error(items.error());
    for (const auto& r : *items) print_entry(r);
    std::printf("%zu line(s) waiting for review%s\n", items->size(), items->size() == cmd.limit ? " (limit reached)" : "");
    return kExitOk;
  });
}

int run_show(const ReviewCommand& cmd, const GlobalOptions& g) {
  return with_store(g, [&](store::Store& store) -> int {
    const auto r = jobs::review_show(store, cmd.id);
    if (!r) return report_error(r.error());
    print_entry(*r);
    return kExitOk;
  });
}

int run_accept(const ReviewCommand& cmd, const GlobalOptions& g) {
  return with_store(g, [&](store::Store& store) -> int {
    const auto id = jobs::review_accept(store, cmd.id, cmd.rank, actor_of(cmd));
    if (!id) return report_error(id.error());
    std::printf("entry %lld reconciled: suggestion #%d accepted (match %lld)\n", static_cast<long long>(cmd.id),
                cmd.rank, static_cast<long long>(*id));
    return kExitOk;
  });
}

int run_match(const ReviewCommand& cmd, const GlobalOptions& g) {
  std::vector<jobs::ItemPick> picks;
  for (const auto& text : cmd.items) {
    auto pick = jobs::parse_item_pick(text);
    if (!pick) return report_error(pick.error());
    picks.push_back(std::move(*pick));
  }
  return with_store(g, [&](store::Store& store) -> int {
    const auto id = jobs::review_match(store, cmd.id, picks, actor_of(cmd));
    if (!id) return report_error(id.error());
    std::printf("entry %lld reconciled by hand over %zu item(s) (match %lld)\n", static_cast<long long>(cmd.id),
                picks.size(), static_cast<long long>(*id));
    return kExitOk;
  });
}

int run_no_match(const ReviewCommand& cmd, const GlobalOptions& g) {
  return with_store(g, [&](store::Store& store) -> int {
    const auto id = jobs::review_no_match(store, cmd.id, cmd.reason, actor_of(cmd));
    if (!id) return report_error(id.error());
    std::printf("entry %lld marked as no match (match %lld)\n", static_cast<long long>(cmd.id), static_cast<long long>(*id));
    return kExitOk;
  });
}

int run_undo(const ReviewCommand& cmd, const GlobalOptions& g) {
  return with_store(g, [&](store::Store& store) -> int {
    const auto id = jobs::review_undo(store, cmd.id, actor_of(cmd));
    if (!id) return report_error(id.error());
    std::printf("match %lld undone by compensating match %lld; the entry is back in review\n",
                static_cast<long long>(cmd.id), static_cast<long long>(*id));
    return kExitOk;
  });
}

using Runner = int (*)(const ReviewCommand&, const GlobalOptions&);

CLI::App* verb(CLI::App& review, CommandTable& table, const char* name, const char* help, Runner run,
               std::shared_ptr<ReviewCommand>& cmd) {
  cmd = std::make_shared<ReviewCommand>();
  auto* sub = review.add_subcommand(name, help);
  sub->add_option("--actor", cmd->actor, "who decides, for the audit log (default: cli:$USER)");
  table.push_back({sub, [cmd, run](const GlobalOptions& g) { return run(*cmd, g); }});
  return sub;
}

}  // namespace

void add_review_commands(CLI::App& cli, CommandTable& table) {
  auto* review = cli.add_subcommand("review", "the review queue: lines waiting for a person, and their decisions");
  review->require_subcommand(1);
  std::shared_ptr<ReviewCommand> c;
  auto* list = verb(*review, table, "list", "lines waiting for review with ranked suggestions, score and reasons", run_list, c);
  list->add_option("--account", c->account, "only lines of this statement account (IBAN)");
  list->add_option("--limit", c->limit, "at most this many lines (default 50)")->check(CLI::Range(1, 100000));
  auto* show = verb(*review, table, "show", "one entry with every match it had (suggestions, approvals, undos)", run_show, c);
  show->add_option("ENTRY_ID", c->id, "entry id")->required();
  auto* accept = verb(*review, table, "accept", "accept a suggestion (the best unless --suggestion)", run_accept, c);
  accept->add_option("ENTRY_ID", c->id, "entry id")->required();
  accept->add_option("--suggestion", c->rank, "rank of the suggestion to accept (1..3, default 1)")->check(CLI::Range(1, 3));
  auto* match = verb(*review, table, "match", "match the line to other items by hand, or split it", run_match, c);
  match->add_option("ENTRY_ID", c->id, "entry id")->required();
  match->add_option("--item", c->items, "ID[:AMOUNT]: an open item and the part of the line it gets (default: its open "
                                        "amount, at most what is left); repeat to split")
      ->required();
  auto* none = verb(*review, table, "no-match", "no open item fits the line", run_no_match, c);
  none->add_option("ENTRY_ID", c->id, "entry id")->required();
  none->add_option("--reason", c->reason, "why (kept with the decision; repeated reasons propose rules)");
  auto* undo = verb(*review, table, "undo", "reverse a match (auto or manual) by a compensating one", run_undo, c);
  undo->add_option("MATCH_ID", c->id, "match id")->required();
}

}  // namespace bankrec::app
