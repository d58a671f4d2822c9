#include "inbox.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <fstream>

#include "bankrec/domain/date.h"
#include "bankrec/jobs/health.h"
#include "bankrec/jobs/ingest.h"
#include "file_io.h"

namespace bankrec::app {
namespace {

namespace fs = std::filesystem;

/// `dir/name`, or `dir/name.1`, `dir/name.2`, ... when taken: an archived file is never overwritten.
fs::path free_name(const fs::path& dir, const fs::path& name) {
  fs::path candidate = dir / name;
  std::error_code ec;
  for (int i = 1; fs::exists(candidate, ec); ++i) candidate = dir / (name.string() + "." + std::to_string(i));
  return candidate;
}

Result<fs::path> move_into(const fs::path& file, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(Errc::unavailable, "cannot create " + dir.string() + ": " + ec.message(), file.filename().string());
  const fs::path target = free_name(dir, file.filename());
  fs::rename(file, target, ec);
  if (ec) return fail(Errc::unavailable, "cannot move to " + target.string() + ": " + ec.message(), file.filename().string());
  return target;
}

}  // namespace

Inbox::Inbox(store::Store& store, std::mutex& store_mutex, const formats::FormatRegistry& registry, Folders folders,
             const Clock& clock, metrics::Registry& metrics)
    : store_(store),
      store_mutex_(store_mutex),
      registry_(registry),
      folders_(std::move(folders)),
      clock_(clock),
      files_(metrics.counter("bankrec_jobs_inbox_files_total", "inbox files handled, by outcome", {"outcome"})),
      entries_(metrics.counter("bankrec_jobs_entries_imported_total", "statement entries stored, by source",
                               {"source"})),
      last_import_(metrics.gauge("bankrec_jobs_last_import_timestamp_seconds",
                                 "when the last inbox file was imported (unix time)")
                       .unlabelled()) {}

Inbox::Folders Inbox::folders() const {
  std::lock_guard lock(folders_mutex_);
  return folders_;
}

void Inbox::set_folders(std::vector<fs::path> inboxes) {
  std::lock_guard lock(folders_mutex_);
  folders_.inboxes = std::move(inboxes);
}

void Inbox::set_ingest_options(const jobs::IngestOptions& options) {
  std::lock_guard lock(folders_mutex_);
  ingest_options_ = options;
}

jobs::IngestOptions Inbox::ingest_options() const {
  std::lock_guard lock(folders_mutex_);
  return ingest_options_;
}

bool Inbox::in_an_inbox(const fs::path& file) const {
  std::lock_guard lock(folders_mutex_);
  for (const auto& dir : folders_.inboxes)
    if (file.parent_path() == dir) return true;
  return false;
}

bool Inbox::is_candidate(const fs::path& file) const {
  if (!in_an_inbox(file) || jobs::is_partial_file_name(file.filename().string())) return false;
  std::error_code ec;
  return fs::is_regular_file(fs::symlink_status(file, ec)) && !ec;
}

std::vector<fs::path> Inbox::scan_once() {
  std::lock_guard lock(scan_mutex_);
  std::vector<fs::path> complete;
  std::map<fs::path, Seen> now;
  const auto wall = clock_.now();
  for (const auto& dir : folders().inboxes) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (now.size() >= kMaxTracked) break;
      std::error_code fec;
      // Symlinks are not followed: a link could point anywhere on the system.
      if (!it->is_regular_file(fec) || it->is_symlink(fec) || jobs::is_partial_file_name(it->path().filename().string()))
        continue;
      const Seen seen{it->file_size(fec), it->last_write_time(fec)};
      if (fec) continue;
      const auto before = seen_.find(it->path());
      const bool stable = before != seen_.end() && before->second.size == seen.size && before->second.mtime == seen.mtime;
      const bool settled = first_scan_ && wall - std::chrono::file_clock::to_sys(seen.mtime) > kSettled;
      if (stable || settled) {
        complete.push_back(it->path());
        continue;
      }
      now[it->path()] = seen;
    }
    if (ec) spdlog::get("jobs")->warn("inbox folder cannot be read folder=\"{}\": {}", dir.string(), ec.message());
  }
  seen_ = std::move(now);
  first_scan_ = false;
  return complete;
}

store::NewJob Inbox::import_job(const fs::path& file) const {
  store::NewJob job;
  job.kind = store::JobKind::import;
  boost::json::object payload;
  payload["path"] = file.string();
  job.payload_json = boost::json::serialize(payload);
  job.dedup_key = "import:" + file.string();
  job.created_by = "inbox";
  job.wait_for_open_dead_letter = true;
  return job;
}

fs::path Inbox::archive_dir() const {
  const auto days = std::chrono::duration_cast<std::chrono::days>(clock_.now().time_since_epoch()).count();
  const domain::Date today = domain::Date::from_days(days);
  char sub[16];
  std::snprintf(sub, sizeof sub, "%04d/%02u", static_cast<int>(today.year), static_cast<unsigned>(today.month));
  return folders().archive / sub;
}

jobs::JobOutcome Inbox::run_import(const store::JobRecord& job) {
  const auto log = spdlog::get("jobs");
  boost::system::error_code jec;
  const auto value = boost::json::parse(job.payload_json, jec);
  const auto* path_value = !jec && value.is_object() ? value.as_object().if_contains("path") : nullptr;
  if (path_value == nullptr || !path_value->is_string())
    return jobs::JobOutcome::permanent({Errc::invalid_input, "import job without a path", {}});
  const fs::path file = std::string(path_value->as_string());
  // Only files directly inside a configured inbox folder: a job row must not name any other file.
  if (!in_an_inbox(file))
    return jobs::JobOutcome::permanent({Errc::permission_denied, "not inside an inbox folder", file.string()});
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(file, ec))) {
    // Moved already (a crash after the move, before the job was marked done): nothing left to do.
    log->info("inbox file already handled file=\"{}\" job={}", file.filename().string(), job.id);
    return jobs::JobOutcome::success();
  }

  log->info("inbox file importing file=\"{}\" job={} attempt={}", file.filename().string(), job.id, job.attempts);
  jobs::IngestOptions ingest_options;
  {
    std::lock_guard lock(folders_mutex_);
    ingest_options = ingest_options_;
  }
  std::vector<std::string> errors;
  std::int64_t added = 0, skipped = 0;
  bool all_known = true;
  const auto ingest = [&](const std::string& name, Bytes bytes) -> Result<void> {
    jobs::IngestRequest request;
    request.name = name;
    request.bytes = bytes;
    request.source = store::FileSource::inbox;
    request.actor = "inbox";
    request.keep_original = true;  // the console hands it back; a ZIP member keeps its own bytes
    std::lock_guard lock(store_mutex_);
    auto result = jobs::ingest_file(store_, registry_, request, {}, ingest_options);
    if (!result) {
      // Busy or broken storage is worth a retry; a file that cannot be parsed is not.
      if (result.error().code == Errc::unavailable || result.error().code == Errc::internal)
        return Unexpected{result.error()};
      errors.push_back(result.error().describe());
      return ok();
    }
    all_known = all_known && result->duplicate_file;
    added += result->counts.entries_new;
    skipped += result->counts.entries_skipped;
    return ok();
  };
  auto bytes = read_file_bounded(file.string(), formats::ParseOptions{}.max_input_bytes);
  if (!bytes) {
    errors.push_back(bytes.error().describe());
  } else if (formats::is_zip(as_bytes(*bytes))) {
    auto members = formats::unpack_zip(file.filename().string(), as_bytes(*bytes));
    if (!members) errors.push_back(members.error().describe());
    if (members)
      for (const auto& m : *members)
        if (auto r = ingest(m.name, as_bytes(m.bytes)); !r) return jobs::JobOutcome::retry(r.error());
  } else if (auto r = ingest(file.filename().string(), as_bytes(*bytes)); !r) {
    return jobs::JobOutcome::retry(r.error());
  }

  // New entries are in the database (committed) whatever happens to the file next.
  if (added > 0 && imported_hook_) imported_hook_(file.filename().string(), added);
  if (errors.empty()) {
    auto target = move_into(file, archive_dir());
    if (!target) return jobs::JobOutcome::retry(target.error());  // imported; the retry only archives it
    files_.with({all_known ? "duplicate" : "imported"}).inc();
    entries_.with({"inbox"}).inc(static_cast<std::uint64_t>(added));
    last_import_.set(std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count());
    log->info("inbox file imported file=\"{}\" entries={} duplicates={} archived=\"{}\" job={}",
              file.filename().string(), added, skipped, target->string(), job.id);
    return jobs::JobOutcome::success();
  }
  auto target = move_into(file, folders().failed);
  if (!target) return jobs::JobOutcome::retry(target.error());
  std::string report;
  for (const auto& e : errors) report += e + "\n";
  std::ofstream(target->string() + ".error.txt") << report;
  files_.with({"failed"}).inc();
  log->error("inbox file failed file=\"{}\" moved=\"{}\" job={}: {}", file.filename().string(), target->string(), job.id,
             errors.front());
  if (failure_hook_) failure_hook_(file.filename().string(), errors.front());
  return jobs::JobOutcome::success();  // handled: the file and its reason are in failed/
}

}  // namespace bankrec::app
