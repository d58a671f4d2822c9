// `bankrec jobs list` and `bankrec dead-letters list|retry|dismiss` (issue 6): the persistent job
// queue as an operator sees it. Retry and dismiss are audit-logged by the repository.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "bankrec/domain/json.h"
#include "bankrec/app/exit_code.h"
#include "bankrec/store/jobs_repo.h"
#include "commands.h"
#include "store_context.h"

namespace bankrec::app {
namespace {

struct ListOptions {
  std::string state;
  std::int64_t limit = 100;
  bool all = false;
  bool json = false;
};

struct DeadLetterAction {
  std::int64_t id = 0;
  std::string note;
};

std::string json_string(std::string_view s) { return domain::json_quote(s); }

std::string json_optional(const std::optional<std::string>& s) { return s ? json_string(*s) : "null"; }

/// One line for a table cell: newlines flattened, long text cut.
std::string cell(std::string_view s, std::size_t width) {
  std::string out;
  for (const char c : s) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (out.size() > width) out = out.substr(0, width - 3) + "...";
  return out;
}

void print_job(const store::JobRecord& j, bool json) {
  if (json) {
    std::cout << "{\"id\":" << j.id << ",\"kind\":\"" << store::job_kind_name(j.kind) << "\",\"state\":\""
              << store::job_state_name(j.state) << "\",\"attempts\":" << j.attempts
              << ",\"max_attempts\":" << j.max_attempts << ",\"run_after\":" << json_string(j.run_after)
              << ",\"started_at\":" << json_optional(j.started_at) << ",\"finished_at\":" << json_optional(j.finished_at)
              << ",\"error\":" << json_optional(j.error) << ",\"dedup_key\":" << json_optional(j.dedup_key)
              << ",\"payload\":" << j.payload_json << ",\"created_at\":" << json_string(j.created_at)
              << ",\"created_by\":" << json_string(j.created_by) << "}\n";
    return;
  }
  std::printf("%-8lld %-10s %-10s %3lld/%-3lld %-25s %s\n", static_cast<long long>(j.id), store::job_kind_name(j.kind),
              store::job_state_name(j.state), static_cast<long long>(j.attempts),
              static_cast<long long>(j.max_attempts), j.run_after.c_str(), cell(j.error.value_or(""), 80).c_str());
}

void print_dead_letter(const store::DeadLetter& d, bool json) {
  if (json) {
    std::cout << "{\"id\":" << d.id << ",\"job_id\":" << d.job_id << ",\"kind\":\"" << store::job_kind_name(d.kind)
              << "\",\"attempts\":" << d.attempts << ",\"error\":" << json_string(d.error)
              << ",\"payload\":" << d.payload_json << ",\"created_at\":" << json_string(d.created_at)
              << ",\"resolved_at\":" << json_optional(d.resolved_at) << ",\"resolved_by\":" << json_optional(d.resolved_by)
              << ",\"resolution\":" << json_optional(d.resolution) << ",\"note\":" << json_optional(d.note) << "}\n";
    return;
  }
  std::printf("%-8lld %-8lld %-10s %-8lld %-25s %-10s %s\n", static_cast<long long>(d.id),
              static_cast<long long>(d.job_id), store::job_kind_name(d.kind), static_cast<long long>(d.attempts),
              d.created_at.c_str(), d.resolution.value_or("open").c_str(), cell(d.error, 80).c_str());
}

int run_jobs_list(const ListOptions& o, const GlobalOptions& global) {
  std::optional<store::JobState> state;
  if (!o.state.empty()) {
    auto parsed = store::parse_job_state(o.state);
    if (!parsed) return report_error(parsed.error());
    state = *parsed;
  }
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  auto jobs = store::JobsRepo(*(*ctx)->store).list(state, o.limit);
  if (!jobs) return report_error(jobs.error());
  if (!o.json) std::printf("%-8s %-10s %-10s %-7s %-25s %s\n", "ID", "KIND", "STATE", "TRIES", "RUN_AFTER", "ERROR");
  for (const auto& j : *jobs) print_job(j, o.json);
  return kExitOk;
}

int run_dead_letters_list(const ListOptions& o, const GlobalOptions& global) {
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  auto letters = store::JobsRepo(*(*ctx)->store).dead_letters(o.all, o.limit);
  if (!letters) return report_error(letters.error());
  if (!o.json)
    std::printf("%-8s %-8s %-10s %-8s %-25s %-10s %s\n", "ID", "JOB", "KIND", "TRIES", "CREATED_AT", "STATE", "ERROR");
  for (const auto& d : *letters) print_dead_letter(d, o.json);
  return kExitOk;
}

int run_dead_letter_retry(const DeadLetterAction& a, const GlobalOptions& global) {
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  auto job = store::JobsRepo(*(*ctx)->store).retry_dead_letter(a.id, cli_actor());
  if (!job) return report_error(job.error());
  std::cout << "dead letter " << a.id << ": job " << *job << " queued again\n";
  return kExitOk;
}

int run_dead_letter_dismiss(const DeadLetterAction& a, const GlobalOptions& global) {
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  if (auto done = store::JobsRepo(*(*ctx)->store).dismiss_dead_letter(a.id, cli_actor(), a.note); !done)
    return report_error(done.error());
  std::cout << "dead letter " << a.id << ": dismissed\n";
  return kExitOk;
}

}  // namespace

void add_jobs_commands(CLI::App& cli, CommandTable& table) {
  auto* jobs = cli.add_subcommand("jobs", "the persistent job queue (imports, fetches, health checks, ...)");
  jobs->require_subcommand(1);
  auto list_opts = std::make_shared<ListOptions>();
  auto* list = jobs->add_subcommand("list", "list jobs, newest first");
  list->add_option("--state", list_opts->state, "only jobs in this state: queued, running, succeeded, failed, dead");
  list->add_option("--limit", list_opts->limit, "at most this many (default 100)")->check(CLI::Range(1, 10000));
  list->add_flag("--json", list_opts->json, "JSON Lines instead of a table");
  table.push_back({list, [list_opts](const GlobalOptions& g) { return run_jobs_list(*list_opts, g); }});

  auto* dead = cli.add_subcommand("dead-letters", "jobs that ran out of attempts: list, retry or dismiss them");
  dead->require_subcommand(1);
  auto dl_opts = std::make_shared<ListOptions>();
  auto* dl_list = dead->add_subcommand("list", "list open dead letters, oldest first");
  dl_list->add_flag("--all", dl_opts->all, "include retried and dismissed ones (newest first)");
  dl_list->add_option("--limit", dl_opts->limit, "at most this many (default 100)")->check(CLI::Range(1, 10000));
  dl_list->add_flag("--json", dl_opts->json, "JSON Lines instead of a table");
  table.push_back({dl_list, [dl_opts](const GlobalOptions& g) { return run_dead_letters_list(*dl_opts, g); }});

  auto retry_opts = std::make_shared<DeadLetterAction>();
  auto* retry = dead->add_subcommand("retry", "queue the dead letter's job again with fresh attempts (audit-logged)");
  retry->add_option("ID", retry_opts->id, "dead letter id (bankrec dead-letters list)")->required()->check(CLI::PositiveNumber);
  table.push_back({retry, [retry_opts](const GlobalOptions& g) { return run_dead_letter_retry(*retry_opts, g); }});

  auto dismiss_opts = std::make_shared<DeadLetterAction>();
  auto* dismiss = dead->add_subcommand("dismiss", "close the dead letter without running it again (audit-logged)");
  dismiss->add_option("ID", dismiss_opts->id, "dead letter id (bankrec dead-letters list)")->required()->check(CLI::PositiveNumber);
  dismiss->add_option("--note", dismiss_opts->note, "why (kept with the dead letter and in the audit log)");
  table.push_back({dismiss, [dismiss_opts](const GlobalOptions& g) { return run_dead_letter_dismiss(*dismiss_opts, g); }});
}

}  // namespace bankrec::app
