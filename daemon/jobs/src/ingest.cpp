#include "bankrec/jobs/ingest.h"

#include <chrono>
#include <optional>

#include "bankrec/domain/date.h"
#include "bankrec/store/console_data_repo.h"

namespace bankrec::jobs {
namespace {

/// Hands the parser's statements and entry batches to the import writer.
class StoreSink final : public formats::StatementSink {
 public:
  StoreSink(store::ImportWriter& writer, std::string_view name, const ProgressFn& progress, std::size_t every)
      : writer_(writer), name_(name), progress_(progress), every_(every == 0 ? 1000 : every) {}

  Result<void> set_format(std::string_view format) override { return writer_.set_format(format); }
  Result<void> begin_statement(const domain::Statement& header) override {
    return writer_.begin_statement(header);
  }
  Result<void> add_entries(std::vector<domain::Entry>& batch) override {
    BANKREC_TRY(take_reject_error());
    BANKREC_TRY(writer_.add_entries(batch));
    seen_ += static_cast<std::int64_t>(batch.size());
    if (progress_ && seen_ >= next_report_) {
      report(/*done=*/false);
      next_report_ = seen_ + static_cast<std::int64_t>(every_);
    }
    return ok();
  }
  Result<void> end_statement(const domain::Statement& header) override {
    BANKREC_TRY(take_reject_error());
    return writer_.end_statement(header);
  }
  /// Lenient mode: the skipped record is stored with its position and reason. reject() cannot
  /// fail, so a storage error is kept and returned by the next call (or by finish()).
  void reject(formats::ParseIssue issue) override {
    if (reject_error_) return;
    auto stored = writer_.add_reject(issue.pos.line, issue.pos.column, issue.pos.byte, issue.pos.locator,
                                     issue.message);
    if (!stored) reject_error_ = std::move(stored).error();
  }
  Result<void> take_reject_error() {
    if (!reject_error_) return ok();
    Error error = std::move(*reject_error_);
    reject_error_.reset();
    return Unexpected{std::move(error)};
  }

  void report(bool done) const {
    if (!progress_) return;
    const auto& c = writer_.counts();
    progress_({name_, seen_, c.entries_new, c.entries_skipped, done});
  }

 private:
  store::ImportWriter& writer_;
  std::string_view name_;
  const ProgressFn& progress_;
  std::size_t every_;
  std::int64_t seen_ = 0;
  std::int64_t next_report_ = 0;
  std::optional<Error> reject_error_;
};

}  // namespace

Result<store::ImportResult> ingest_file(store::Store& store, const formats::FormatRegistry& registry,
                                        const IngestRequest& request, const ProgressFn& progress,
                                        const IngestOptions& options) {
  store::SourceFileInfo file{request.name, store::sha256_hex(request.bytes), request.bytes.size(), request.source,
                             request.actor};
  if (request.keep_original)
    file.original = as_text(request.bytes);
  if (const auto existing = BANKREC_TRY(store::find_imported_file(store, file.sha256))) {
    BANKREC_TRY(store::record_duplicate_file(store, file, *existing));
    store::ImportResult result;
    result.source_file_id = *existing;
    result.duplicate_file = true;
    return result;
  }
  BANKREC_TRY(store::expire_pending_older_than(store, options.import.pending_expiry_days, "system"));

  auto writer = BANKREC_TRY(store::ImportWriter::begin(store, file, options.import));
  formats::ParseOptions parse_options;
  parse_options.file_name = request.name;
  parse_options.lenient = request.lenient;
  parse_options.profile = request.profile;
  parse_options.encoding = request.encoding;
  parse_options.profiles = options.profiles.get();
  StoreSink sink(*writer, request.name, progress, options.import.batch_entries);
  auto parsed = formats::parse_document(registry, request.format_id, request.bytes, parse_options, sink);
  if (parsed) parsed = sink.take_reject_error();
  if (!parsed) {
    BANKREC_TRY(writer->abort(parsed.error()));
    return Unexpected{std::move(parsed).error()};
  }
  auto result = writer->commit();
  if (!result) {
    const Error error = result.error();
    BANKREC_TRY(writer->abort(error));
    return Unexpected{error};
  }
  sink.report(/*done=*/true);
  if (options.index_for_search) (void)store::ConsoleDataRepo(store).index_for_search();
  return result;
}

}  // namespace bankrec::jobs
