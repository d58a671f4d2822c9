#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "bankrec/app/exit_code.h"
#include "bankrec/domain/json.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/formats/profile.h"
#include "commands.h"
#include "config.h"
#include "file_io.h"

namespace bankrec::app {
namespace {

constexpr const char* kFormatNames[] = {"camt.052", "camt.053", "camt.054", "mt940", "mt942", "ofx",
                                        "qif",      "csv",      "xls",      "xlsx",  "xml",   "pdf"};

struct ParseCommand {
  std::string format;
  std::string profile;
  std::string encoding;
  bool lenient = false;
  bool pretty = false;
  std::vector<std::string> files;
};

/// Parses one document (a file or a ZIP member) and prints its JSON line or its error.
bool parse_one(const formats::FormatRegistry& registry, const formats::ProfileSet& profiles, const ParseCommand& cmd,
               const std::string& name, Bytes bytes) {
  formats::ParseOptions options;
  options.profiles = &profiles;
  options.file_name = name;
  options.lenient = cmd.lenient;
  options.encoding = cmd.encoding;
  options.profile = cmd.profile;
  formats::ParseOutput out;
  auto result = [&]() -> Result<void> {
    // The format registry decides; the collected form is fine here because we print it whole.
    const formats::FormatSpec* spec = nullptr;
    if (!cmd.format.empty()) {
      spec = registry.find(cmd.format);
      if (spec == nullptr)
        return fail(Errc::invalid_input,
                    "format '" + cmd.format + "' is not supported by this build", name);
    } else {
      spec = registry.detect(bytes);
      if (spec == nullptr) return fail(Errc::invalid_input, "unsupported or unrecognised format", name);
    }
    out = BANKREC_TRY(formats::parse_collect(*spec, bytes, options));
    return ok();
  }();
  if (!result) {
    std::cout << domain::error_to_json(name, result.error()) << '\n';
    std::cerr << format_cli_error(result.error()) << '\n';
    return false;
  }
  domain::StatementFile file{name, std::move(out.format), std::move(out.statements)};
  std::cout << domain::to_json(file, cmd.pretty ? domain::JsonStyle::pretty : domain::JsonStyle::compact);
  if (!cmd.pretty) std::cout << '\n';
  for (const auto& issue : out.rejected)
    std::cerr << "bankrec: " << name << ":" << issue.pos.line << ":" << issue.pos.column
              << ": warning: rejected record: " << issue.message << '\n';
  return true;
}

int run_parse(const ParseCommand& cmd, const GlobalOptions& global);

}  // namespace

void add_parse_commands(CLI::App& cli, CommandTable& table) {
  auto cmd_ptr = std::make_shared<ParseCommand>();
  ParseCommand& cmd = *cmd_ptr;
  auto* sub = cli.add_subcommand("parse", "read statement files and print them as JSON Lines");
  sub->footer(
      "Prints one JSON object per input file (contracts/statement-json.md), in input order. "
      "A ZIP archive gives one object per member. A file that fails prints {\"file\":..., \"error\":...} "
      "on stdout and FILE:LINE:COL on stderr; the command then exits 2 after the other files.");
  sub->add_option("--format", cmd.format, "force the format instead of sniffing the content")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kFormatNames), std::end(kFormatNames))));
  sub->add_option("--profile", cmd.profile, "force a bank profile (CSV, XLS, XLSX, PDF)");
  sub->add_option("--encoding", cmd.encoding, "force the input charset (utf-8, iso-8859-1, windows-1252, ...)");
  sub->add_flag("--lenient", cmd.lenient, "skip bad records (reported on stderr) instead of failing the file");
  sub->add_flag("--pretty", cmd.pretty, "indent the JSON (one object then spans several lines)");
  sub->add_option("FILE", cmd.files, "statement files")->required();
  table.push_back({sub, [cmd_ptr](const GlobalOptions& global) { return run_parse(*cmd_ptr, global); }});
}

namespace {

/// The bank profiles of the config's profiles_dir (default /etc/bankrec/profiles; none when that
/// folder is absent), for CSV, XLS, XLSX, XML and PDF files.
Result<formats::ProfileSet> load_profiles(const GlobalOptions& global) {
  const AppConfig config = BANKREC_TRY(load_config(global.config, global.config_given));
  return formats::ProfileSet::load_directory(config.profiles_dir);
}

int run_parse(const ParseCommand& cmd, const GlobalOptions& global) {
  formats::FormatRegistry registry;
  formats::register_builtin_formats(registry);
  const auto profiles = load_profiles(global);
  if (!profiles) {
    std::cerr << format_cli_error(profiles.error()) << '\n';
    return kExitBadInput;
  }
  bool all_ok = true;
  for (const auto& path : cmd.files) {
    auto bytes = read_file_bounded(path, formats::ParseOptions{}.max_input_bytes);
    if (!bytes) {
      std::cout << domain::error_to_json(path, bytes.error()) << '\n';
      std::cerr << format_cli_error(bytes.error()) << '\n';
      all_ok = false;
      continue;
    }
    const Bytes input = as_bytes(*bytes);
    if (formats::is_zip(input) && cmd.format.empty()) {
      auto members = formats::unpack_zip(path, input);
      if (!members) {
        std::cout << domain::error_to_json(path, members.error()) << '\n';
        std::cerr << format_cli_error(members.error()) << '\n';
        all_ok = false;
        continue;
      }
      for (const auto& member : *members) all_ok &= parse_one(registry, *profiles, cmd, member.name, as_bytes(member.bytes));
      continue;
    }
    all_ok &= parse_one(registry, *profiles, cmd, path, input);
  }
  std::cout.flush();
  return all_ok ? kExitOk : kExitBadInput;
}

}  // namespace

}  // namespace bankrec::app
