#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "bankrec/app/exit_code.h"
#include "bankrec/store/audit_log.h"
#include "store_context.h"

namespace bankrec::app {
namespace {

struct AuditOptionsCli {
  std::string checkpoints_file;
  std::string from;
  std::string to;
};

/// Checkpoints exported from journald or collected from stderr: one JSON object per line, any log
/// prefix before the '{' ignored, lines without one skipped.
Result<std::vector<store::Checkpoint>> load_checkpoints(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(Errc::invalid_input, "cannot open the checkpoints file", path);
  std::vector<store::Checkpoint> out;
  std::string line;
  for (std::uint32_t number = 1; std::getline(in, line); ++number) {
    if (line.find('{') == std::string::npos) continue;
    auto cp = store::checkpoint_from_json(line);
    if (!cp) {
      Error error{Errc::invalid_input, cp.error().message, path + ":" + std::to_string(number) + ":1"};
      error.line = number;
      error.column = 1;
      return Unexpected{std::move(error)};
    }
    out.push_back(std::move(*cp));
  }
  return out;
}

int run_verify(const AuditOptionsCli& opts, const GlobalOptions& global) {
  std::vector<store::Checkpoint> external;
  if (!opts.checkpoints_file.empty()) {
    auto loaded = load_checkpoints(opts.checkpoints_file);
    if (!loaded) return report_error(loaded.error());
    external = std::move(*loaded);
  }
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  auto report = (*ctx)->store->audit().verify(external);
  if (!report) return report_error(report.error());
  const std::string key = (*ctx)->store->audit().public_key_hex();
  if (!report->intact) {
    std::cout << "audit log broken at entry " << report->first_bad_seq << ": " << report->problem << '\n'
              << "audit signing key (Ed25519, public): " << key << '\n';
    std::cerr << "bankrec: error: audit log broken at entry " << report->first_bad_seq << ": "
              << report->problem << '\n';
    return kExitIntegrity;
  }
  std::cout << "audit log intact: " << report->entries << " entries\n"
            << "checkpoints: " << report->checkpoints << " signed"
            << (external.empty() ? "" : ", " + std::to_string(external.size()) + " external matched") << '\n'
            << "audit signing key (Ed25519, public): " << key << '\n';
  return kExitOk;
}

/// A bare date as --to includes that whole day.
std::string inclusive_end(const std::string& to) { return to.size() == 10 ? to + "T~" : to; }

int run_export(const AuditOptionsCli& opts, const GlobalOptions& global) {
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  auto done =
      (*ctx)->store->audit().for_each(opts.from, inclusive_end(opts.to), [](const store::AuditEntry& e) {
        std::cout << store::audit_entry_to_json(e) << '\n';
        return ok();
      });
  std::cout.flush();
  return done ? kExitOk : report_error(done.error());
}

}  // namespace

void add_audit_commands(CLI::App& cli, CommandTable& table) {
  auto opts = std::make_shared<AuditOptionsCli>();
  auto* audit = cli.add_subcommand("audit", "verify or export the tamper-evident audit log");
  audit->require_subcommand(1);
  auto* verify =
      audit->add_subcommand("verify", "recompute the hash chain and check every signed checkpoint");
  verify->add_option(
      "--checkpoints", opts->checkpoints_file,
      "file of checkpoints kept outside the database (journald export, stderr capture), one per line");
  verify->footer(
      "Prints 'audit log intact: N entries' and the Ed25519 public key to pin, or names the first entry "
      "that was changed, removed, inserted or reordered and exits 3.");
  table.push_back({verify, [opts](const GlobalOptions& g) { return run_verify(*opts, g); }});
  auto* exp = audit->add_subcommand("export", "write audit entries as JSON Lines");
  exp->add_option("--from", opts->from, "first time (UTC, YYYY-MM-DD or ISO 8601), inclusive");
  exp->add_option("--to", opts->to, "last time (UTC); a bare date includes that day");
  table.push_back({exp, [opts](const GlobalOptions& g) { return run_export(*opts, g); }});
  // `bankrec audit` alone: CLI11 reports the missing subcommand (exit 2).
  table.push_back({audit, [](const GlobalOptions&) { return int(kExitBadInput); }});
}

}  // namespace bankrec::app
