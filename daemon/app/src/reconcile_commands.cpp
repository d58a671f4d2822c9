#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bankrec/app/exit_code.h"
#include "bankrec/base/text.h"
#include "bankrec/domain/json.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/reconcile/decision_json.h"
#include "bankrec/reconcile/engine.h"
#include "bankrec/reconcile/open_items.h"
#include "commands.h"
#include "config.h"
#include "reconcile_db_commands.h"
#include "rules_yaml.h"
#include "file_io.h"

namespace bankrec::app {
namespace {

struct MatchCommand {
  std::vector<std::string> files;
  std::string open_items;
  std::string rules;
  bool explain = false;
};

/// One parsed document with the name the output uses.
struct LoadedFile {
  std::string name;
  std::vector<domain::Statement> statements;
};

/// `bankrec parse` output (statement JSON Lines) is accepted as input too, so scripts can chain the two.
bool looks_like_statement_json(std::string_view bytes) {
  // '{"' and not just '{': an MT940 file with SWIFT blocks starts with "{1:".
  auto t = text::trim(text::strip_bom(bytes.substr(0, 64)));
  if (t.empty() || t.front() != '{') return false;
  t = text::trim(t.substr(1));
  return !t.empty() && t.front() == '"';
}

Result<void> load_json_lines(const std::string& name, std::string_view bytes, std::vector<LoadedFile>& out) {
  std::uint32_t line = 0;
  while (!bytes.empty()) {
    ++line;
    const auto nl = bytes.find('\n');
    const auto one = text::trim(bytes.substr(0, nl));
    bytes = nl == std::string_view::npos ? std::string_view{} : bytes.substr(nl + 1);
    if (one.empty()) continue;
    auto file = domain::statement_file_from_json(one);
    if (!file) {
      Unexpected u = fail(Errc::invalid_input, file.error().describe(), name + ":" + std::to_string(line) + ":1");
      u.error.line = line;
      u.error.column = 1;
      return u;
    }
    out.push_back({name, std::move(file->statements)});
  }
  return ok();
}

Result<void> load_document(const formats::FormatRegistry& registry, const std::string& name, Bytes bytes,
                           std::vector<LoadedFile>& out) {
  const formats::FormatSpec* spec = registry.detect(bytes);
  if (spec == nullptr) return fail(Errc::invalid_input, "unsupported or unrecognised format", name);
  formats::ParseOptions options;
  options.file_name = name;
  auto parsed = BANKREC_TRY(formats::parse_collect(*spec, bytes, options));
  out.push_back({name, std::move(parsed.statements)});
  return ok();
}

Result<std::vector<LoadedFile>> load_statements(const std::vector<std::string>& paths) {
  formats::FormatRegistry registry;
  formats::register_builtin_formats(registry);
  std::vector<LoadedFile> out;
  for (const auto& path : paths) {
    const auto bytes = BANKREC_TRY(read_file_bounded(path, formats::ParseOptions{}.max_input_bytes));
    const Bytes input = as_bytes(bytes);
    if (looks_like_statement_json(bytes)) {
      BANKREC_TRY(load_json_lines(path, bytes, out));
      continue;
    }
    if (!formats::is_zip(input)) {
      BANKREC_TRY(load_document(registry, path, input, out));
      continue;
    }
    for (const auto& member : BANKREC_TRY(formats::unpack_zip(path, input)))
      BANKREC_TRY(load_document(registry, member.name, as_bytes(member.bytes), out));
  }
  return out;
}

int run_match(const MatchCommand& cmd, const GlobalOptions& global) {
  auto rules = resolve_rules(cmd.rules, global);
  if (!rules) {
    std::cerr << format_cli_error(rules.error()) << '\n';
    return exit_code_for(rules.error());
  }
  auto items = reconcile::load_open_items(cmd.open_items);
  if (!items) {
    std::cerr << format_cli_error(items.error()) << '\n';
    return exit_code_for(items.error());
  }
  auto files = load_statements(cmd.files);
  if (!files) {
    std::cerr << format_cli_error(files.error()) << '\n';
    return exit_code_for(files.error());
  }
  auto engine = reconcile::Engine::create(std::move(*items), std::move(*rules));
  if (!engine) {
    std::cerr << format_cli_error(engine.error()) << '\n';
    return exit_code_for(engine.error());
  }
  std::vector<reconcile::EntryRef> refs;
  for (const auto& f : *files)
    for (std::uint32_t s = 0; s < f.statements.size(); ++s)
      for (std::uint32_t e = 0; e < f.statements[s].entries.size(); ++e)
        refs.push_back({&f.statements[s].entries[e], f.name, s, e,
                        f.statements[s].account.iban ? std::string_view(*f.statements[s].account.iban) : std::string_view()});
  const auto decisions = engine->run(refs);
  std::string out;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    out += reconcile::decision_to_json(refs[i], decisions[i], cmd.explain);
    out += '\n';
  }
  std::cout << out;
  std::cout.flush();
  return kExitOk;
}

}  // namespace

Result<reconcile::RuleSet> resolve_rules(const std::string& rules_flag, const GlobalOptions& global) {
  if (!rules_flag.empty()) return load_rules_file(rules_flag);
  const auto config = BANKREC_TRY(load_config(global.config, /*required=*/global.config_given));
  if (config.rules_file) return load_rules_file(*config.rules_file);
  return reconcile::default_rule_set();
}

void add_reconcile_commands(CLI::App& cli, CommandTable& table) {
  add_reconcile_db_commands(cli, table);
  auto cmd = std::make_shared<MatchCommand>();
  auto* sub = cli.add_subcommand("match", "dry run of the reconciliation engine: statements against open items");
  sub->footer(
      "Prints one JSON object per statement entry (contracts/cli.md), in file/statement/entry order, with the "
      "decision (auto, suggest, none), score, matches, write-off, reasons and up to 3 suggestions. Statement "
      "files may also be `bankrec parse` output (JSON Lines). Open items: CSV or JSON Lines (contracts/open-items.md).");
  sub->add_option("STATEMENT_FILE", cmd->files, "statement files")->required();
  sub->add_option("--open-items", cmd->open_items, "open items file (.csv, .jsonl)")->required();
  sub->add_option("--rules", cmd->rules,
                  "rules file (rules.yaml); default: reconcile.rules of the config, else the built-in rules");
  sub->add_flag("--explain", cmd->explain, "append the feature values behind each score (\"features\")");
  table.push_back({sub, [cmd](const GlobalOptions& global) { return run_match(*cmd, global); }});
}

}  // namespace bankrec::app
