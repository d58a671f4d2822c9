#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>

#include "bankrec/app/exit_code.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/jobs/ingest.h"
#include "commands.h"
#include "config.h"
#include "file_io.h"
#include "store_context.h"

namespace bankrec::app {
namespace {

struct ImportCommand {
  std::string format;
  std::string profile;
  std::string encoding;
  bool lenient = false;
  std::vector<std::string> files;
};

/// Finds the key file, or creates it with `write` where the contract looks last (or where the
/// override names it); refuses to invent a key for a database that already exists.
Result<std::filesystem::path> ensure_key(
    const store::KeyLocations& where, const char* name, bool db_exists,
    const std::function<Result<void>(const std::filesystem::path&)>& write) {
  std::filesystem::path path = where.data_dir / name;
  if (auto found = store::find_key_file(where, name)) {
    std::error_code ec;
    if (std::filesystem::exists(*found, ec)) return *found;
    path = *found;
  }
  if (db_exists) return fail(Errc::not_found, "the database exists but its key file does not", path.string());
  BANKREC_TRY(write(path));
  return path;
}

Result<void> create_data_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec)) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  if (ec)
    return fail(Errc::permission_denied, "cannot create the data directory: " + ec.message(), dir.string());
  return ok();
}

void print_summary(const std::string& name, const store::ImportResult& r) {
  if (r.duplicate_file) {
    std::cout << name << ": already imported (file " << r.source_file_id << "), nothing added\n";
    return;
  }
  std::cout << name << ": " << r.counts.statements << " statements, " << r.counts.entries_new
            << " new entries, " << r.counts.entries_skipped << " duplicates skipped";
  if (r.counts.pending_replaced > 0) std::cout << ", " << r.counts.pending_replaced << " pending replaced";
  std::cout << '\n';
  for (const auto& warning : r.counts.warnings)
    std::cerr << "bankrec: " << name << ": warning: " << warning << '\n';
}

/// Imports one document; prints its summary or its error. Returns the exit code for it.
int import_one(StoreContext& ctx, const formats::FormatRegistry& registry, const ImportCommand& cmd,
               const jobs::IngestOptions& options, const std::string& name, Bytes bytes) {
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  jobs::IngestRequest request;
  request.name = name;
  request.bytes = bytes;
  request.actor = cli_actor();
  request.format_id = cmd.format;
  request.lenient = cmd.lenient;
  request.profile = cmd.profile;
  request.encoding = cmd.encoding;
  request.keep_original = true;  // statements from every intake can be downloaded in the console
  // A progress line rewritten in place on a terminal; otherwise (a pipe, a log file, journald) one
  // line with the counts per batch of entries, which is what a log can hold.
  jobs::ProgressFn progress;
  if (tty)
    progress = [](const jobs::IngestProgress& p) {
      std::cerr << "\r" << p.name << ": " << p.entries_seen << " entries read, " << p.entries_new << " new"
                << (p.done ? "\r\033[K" : "") << std::flush;
    };
  else
    progress = [](const jobs::IngestProgress& p) {
      if (p.done) return;  // the summary on stdout says the rest
      std::cerr << "bankrec: " << p.name << ": progress: " << p.entries_seen << " entries read, "
                << p.entries_new << " new, " << p.entries_skipped << " duplicates\n";
    };
  auto result = jobs::ingest_file(*ctx.store, registry, request, progress, options);
  if (!result) return report_error(result.error());
  print_summary(name, *result);
  return kExitOk;
}

int run_import(const ImportCommand& cmd, const GlobalOptions& global) {
  const auto config = load_config(global.config, /*required=*/global.config_given);
  if (!config) return report_error(config.error());
  jobs::IngestOptions options;
  options.import.batch_entries = config->import_batch_size;
  options.import.pending_expiry_days = static_cast<int>(config->pending_expiry_days);
  options.index_for_search = true;  // lines imported here are found by the console's search at once
  auto profiles = formats::ProfileSet::load_directory(config->profiles_dir);
  if (!profiles) return report_error(profiles.error());
  options.profiles = std::make_shared<const formats::ProfileSet>(std::move(*profiles));
  auto ctx = open_store_context(global);
  if (!ctx) return report_error(ctx.error());
  formats::FormatRegistry registry;
  formats::register_builtin_formats(registry);
  registry.add(jobs::statement_json_format());
  int exit = kExitOk;
  auto note = [&](int code) {
    if (code != kExitOk && (exit == kExitOk || code == kExitInternal)) exit = code;
  };
  for (const auto& path : cmd.files) {
    auto bytes = read_file_bounded(path, formats::ParseOptions{}.max_input_bytes);
    if (!bytes) {
      note(report_error(bytes.error()));
      continue;
    }
    const Bytes input = as_bytes(*bytes);
    if (!formats::is_zip(input) || !cmd.format.empty()) {
      note(import_one(**ctx, registry, cmd, options, path, input));
      continue;
    }
    auto members = formats::unpack_zip(path, input);
    if (!members) {
      note(report_error(members.error()));
      continue;
    }
    for (const auto& member : *members)
      note(import_one(**ctx, registry, cmd, options, member.name, as_bytes(member.bytes)));
  }
  return exit;
}

}  // namespace

Result<void> run_init(const GlobalOptions& global) {
  const StorePaths paths = store_paths(global);
  BANKREC_TRY(create_data_dir(paths.data_dir));
  std::error_code ec;
  const bool db_exists = std::filesystem::exists(paths.db, ec);
  BANKREC_TRY(ensure_key(paths.db_key_where, "db.key", db_exists, [](const std::filesystem::path& path) {
    const store::SecretKey fresh = store::SecretKey::generate();
    return store::write_key_file(path, fresh.bytes());
  }));
  BANKREC_TRY(
      ensure_key(paths.audit_key_where, "audit.key", db_exists, [](const std::filesystem::path& path) {
        return store::write_signing_key_file(path, store::SigningKey::generate());
      }));
  auto ctx = std::make_unique<StoreContext>();
  ctx->paths = paths;
  const auto db_key = *store::find_key_file(paths.db_key_where, "db.key");
  ctx->signing_key.emplace(
      BANKREC_TRY(store::load_signing_key(*store::find_key_file(paths.audit_key_where, "audit.key"))));
  store::StoreOptions options;
  options.open.create = !db_exists;
  ctx->store = BANKREC_TRY(
      store::open_with_key_file(paths.db, db_key, *ctx->signing_key, ctx->clock, &ctx->checkpoints, options));
  store::Store& s = *ctx->store;
  BANKREC_TRY(s.write([&]() -> Result<void> {
    if (BANKREC_TRY(s.db().query_int("SELECT count(*) FROM audit_log WHERE action = 'system.init'")) > 0)
      return ok();
    BANKREC_TRY(s.audit().append({cli_actor(), "system.init", "database", "bankrec.db",
                                  "{\"schema_version\":" + std::to_string(s.schema_version()) + "}"}));
    return ok();
  }));
  std::cout << (db_exists ? "already initialised: " : "initialised: ") << paths.db.string()
            << " (schema version " << s.schema_version() << ")\n"
            << "audit signing key (Ed25519, public): " << s.audit().public_key_hex() << '\n';
  return ok();
}

void add_store_commands(CLI::App& cli, CommandTable& table) {
  auto* init =
      cli.add_subcommand("init", "create the data directory, keys, the encrypted database and the audit log");
  init->footer(
      "Idempotent: existing keys and an existing database are kept. The database key comes from "
      "$CREDENTIALS_DIRECTORY/db.key, $BANKREC_DB_KEY_FILE or DATA_DIR/db.key (created 0600 when none "
      "exists).");
  table.push_back({init, [](const GlobalOptions& global) {
                     auto done = run_init(global);
                     return done ? kExitOk : report_error(done.error());
                   }});

  auto cmd = std::make_shared<ImportCommand>();
  auto* import = cli.add_subcommand("import", "parse statement files and store them (idempotent)");
  import->footer(
      "Prints one summary line per file (a ZIP archive: per member): statements, new entries, duplicates "
      "skipped. Re-importing a file or an overlapping one adds nothing twice. A file that fails is "
      "recorded as an error and changes nothing else; the command then exits 2 after the other files.");
  import->add_option("--format", cmd->format, "force the format instead of sniffing the content");
  import->add_option("--profile", cmd->profile, "force a bank profile (CSV, XLS, XLSX, XML, PDF)");
  import->add_option("--encoding", cmd->encoding, "force the input charset (utf-8, iso-8859-1, windows-1252, ...)");
  import->add_flag("--lenient", cmd->lenient, "skip bad records instead of failing the file");
  import->add_option("FILE", cmd->files, "statement files")->required();
  table.push_back({import, [cmd](const GlobalOptions& global) { return run_import(*cmd, global); }});

  add_audit_commands(cli, table);
  add_db_commands(cli, table);
}

}  // namespace bankrec::app
