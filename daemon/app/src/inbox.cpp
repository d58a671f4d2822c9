#include "inbox.h"

#include <spdlog/spdlog.h>

#include <fstream>

#include "bankrec/domain/date.h"
#include "bankrec/jobs/ingest.h"
#include "file_io.h"

namespace bankrec::app {
namespace {

namespace fs = std::filesystem;

bool still_being_written(const fs::path& file) {
  const std::string name = file.filename().string();
  if (name.empty() || name.front() == '.') return true;
  for (const char* suffix : {".part", ".tmp", ".filepart", ".crdownload"})
    if (name.ends_with(suffix)) return true;
  return false;
}

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
  const fs::path target = free_name(dir, file.filename());
  fs::rename(file, target, ec);
  if (ec) return fail(Errc::unavailable, "cannot move to " + target.string() + ": " + ec.message(), file.string());
  return target;
}

}  // namespace

Inbox::Inbox(StoreContext& store, const formats::FormatRegistry& registry, Folders folders, metrics::Registry& metrics)
    : store_(store),
      registry_(registry),
      folders_(std::move(folders)),
      files_(metrics.counter("bankrec_jobs_inbox_files_total", "inbox files handled, by outcome", {"outcome"})),
      entries_(metrics.counter("bankrec_jobs_entries_imported_total", "statement entries stored, by source",
                               {"source"})) {}

Inbox::~Inbox() { stop(); }

void Inbox::start(std::chrono::milliseconds interval) {
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      scan_once();
      lock.lock();
      wake_.wait_for(lock, interval, [this] { return stopping_; });
    }
  });
}

void Inbox::stop() {
  stop_requested_ = true;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int Inbox::scan_once() {
  int moved = 0;
  std::map<fs::path, Seen> now;
  for (const auto& dir : folders_.inboxes) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (stop_requested_) return moved;
      if (!it->is_regular_file(ec) || still_being_written(it->path())) continue;
      Seen seen{it->file_size(ec), it->last_write_time(ec)};
      if (ec) continue;
      const auto before = seen_.find(it->path());
      // Complete when nothing changed since the previous scan.
      if (before != seen_.end() && before->second.size == seen.size && before->second.mtime == seen.mtime) {
        handle(it->path());
        ++moved;
        continue;
      }
      now[it->path()] = seen;
    }
  }
  seen_ = std::move(now);
  return moved;
}

fs::path Inbox::archive_dir() const {
  const auto days = std::chrono::duration_cast<std::chrono::days>(store_.clock.now().time_since_epoch()).count();
  const domain::Date today = domain::Date::from_days(days);
  char sub[16];
  std::snprintf(sub, sizeof sub, "%04d/%02u", static_cast<int>(today.year), static_cast<unsigned>(today.month));
  return folders_.archive / sub;
}

void Inbox::handle(const fs::path& file) {
  const auto log = spdlog::get("jobs");
  std::vector<std::string> errors;
  std::int64_t added = 0, skipped = 0;
  bool all_known = true;
  const auto ingest = [&](const std::string& name, Bytes bytes) {
    jobs::IngestRequest request;
    request.name = name;
    request.bytes = bytes;
    request.source = store::FileSource::inbox;
    request.actor = "inbox";
    auto result = jobs::ingest_file(*store_.store, registry_, request);
    if (!result) {
      errors.push_back(result.error().describe());
      return;
    }
    all_known = all_known && result->duplicate_file;
    added += result->counts.entries_new;
    skipped += result->counts.entries_skipped;
  };
  auto bytes = read_file_bounded(file.string(), formats::ParseOptions{}.max_input_bytes);
  if (!bytes) {
    errors.push_back(bytes.error().describe());
  } else if (formats::is_zip(as_bytes(*bytes))) {
    auto members = formats::unpack_zip(file.filename().string(), as_bytes(*bytes));
    if (!members) errors.push_back(members.error().describe());
    if (members)
      for (const auto& m : *members) ingest(m.name, as_bytes(m.bytes));
  } else {
    ingest(file.filename().string(), as_bytes(*bytes));
  }

  if (errors.empty()) {
    auto target = move_into(file, archive_dir());
    files_.with({all_known ? "duplicate" : "imported"}).inc();
    entries_.with({"inbox"}).inc(static_cast<std::uint64_t>(added));
    log->info("inbox file imported file=\"{}\" entries={} duplicates={} archived=\"{}\"", file.filename().string(),
              added, skipped, target ? target->string() : std::string("?"));
    if (!target) log->error("{}", target.error().describe());
    return;
  }
  files_.with({"failed"}).inc();
  auto target = move_into(file, folders_.failed);
  std::string report;
  for (const auto& e : errors) report += e + "\n";
  if (target) {
    std::ofstream(target->string() + ".error.txt") << report;
    log->error("inbox file failed file=\"{}\" moved=\"{}\": {}", file.filename().string(), target->string(),
               errors.front());
  } else {
    log->error("inbox file failed file=\"{}\" and could not be moved: {}; {}", file.filename().string(),
               target.error().describe(), errors.front());
  }
}

}  // namespace bankrec::app
