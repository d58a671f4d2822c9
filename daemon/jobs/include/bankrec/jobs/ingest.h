#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "bankrec/base/bytes.h"
#include "bankrec/base/result.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/formats/profile.h"
#include "bankrec/store/import_writer.h"
#include "bankrec/store/store.h"

/// Ingestion: one statement document from any intake (CLI, inbox, upload, API) into the store.
namespace bankrec::jobs {

struct IngestRequest {
  std::string name;  //!< file name as shown to people; "archive.zip/x.xml" for a ZIP member
  Bytes bytes;
  store::FileSource source = store::FileSource::cli;
  std::string actor = "cli";
  std::string format_id;  //!< forced format; empty = sniff
  bool lenient = false;
  std::string profile;   //!< forced bank profile (CSV/XLS/XLSX/XML/PDF); empty = choose automatically
  std::string encoding;  //!< forced charset; empty = detect
  /// Keep `bytes` as the file's original in the database (file_originals, once per content), in the
  /// same transaction as the import or its error row: what the console's download hands back.
  bool keep_original = true;
};

/// Reported every ImportOptions::batch_entries entries and once at the end.
struct IngestProgress {
  std::string_view name;
  std::int64_t entries_seen = 0;
  std::int64_t entries_new = 0;
  std::int64_t entries_skipped = 0;
  bool done = false;
};
using ProgressFn = std::function<void(const IngestProgress&)>;

struct IngestOptions {
  store::ImportOptions import;
  /// Bank profiles for table, XML and PDF files (profiles_dir); shared so a reload can swap the set
  /// while an import still uses the old one. nullptr: such files find no profile.
  std::shared_ptr<const formats::ProfileSet> profiles;
  /// After the commit, bring the console's text-search index up to date (its own transactions, not
  /// part of the import: a failure there leaves the import standing and the next search catches up).
  bool index_for_search = false;
};

/// Parses `request.bytes` with the streaming parser straight into the store, all-or-nothing: a
/// file with the same SHA-256 as one imported before is skipped (result.duplicate_file); a file that
/// fails leaves only its source_files row with status=error and the reason, and the error is returned.
/// Pending lines past their expiry are expired first.
Result<store::ImportResult> ingest_file(store::Store& store, const formats::FormatRegistry& registry,
                                        const IngestRequest& request, const ProgressFn& progress = {},
                                        const IngestOptions& options = {});

/// The statement JSON of contracts/statement-json.md (what `bankrec parse` prints, one document per
/// line) as an importable format, id "bankrec.json": lets parsed or API-delivered statements be
/// imported through the same path as bank files.
formats::FormatSpec statement_json_format();

}  // namespace bankrec::jobs
