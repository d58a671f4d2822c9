#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bankrec/base/clock.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/jobs/ingest.h"
#include "bankrec/jobs/queue.h"
#include "bankrec/metrics/metrics.h"
#include "bankrec/store/store.h"

namespace bankrec::app {

/// The inbox folders (e.g. where SFTP deliveries land). Finding files and importing them are two
/// steps joined by the persistent job queue, so a restart between them loses nothing:
///  - detection: a file is complete when inotify reports it closed after writing or moved in, or when
///    its size and modification time are unchanged between two rescans (or, at the first scan, it is
///    older than kSettled). Names starting with '.' or ending in .part, .tmp, .filepart or .crdownload
///    are still being written and left alone. Each complete file becomes an `import` job.
///  - the job: imports the file (idempotent: a file imported before adds nothing) and moves it to
///    ARCHIVE/YYYY/MM/ or, when it cannot be read, to FAILED/ with NAME.error.txt beside it. Nothing is
///    deleted. A move that fails is retried with backoff and ends as a dead letter.
class Inbox {
 public:
  struct Folders {
    std::vector<std::filesystem::path> inboxes;
    std::filesystem::path archive;
    std::filesystem::path failed;
  };
  /// Parser failures (the file went to failed/): the seam where an alert is raised.
  using FailureHook = std::function<void(const std::string& file, const std::string& error)>;

  static constexpr std::chrono::seconds kSettled{10};
  static constexpr std::size_t kMaxTracked = 100'000;  //!< files remembered between scans

  Inbox(store::Store& store, std::mutex& store_mutex, const formats::FormatRegistry& registry, Folders folders,
        const Clock& clock, metrics::Registry& metrics);

  /// A copy: a reload may change the folders at any time.
  Folders folders() const;
  /// Reload: the inbox folders to scan and accept import jobs from (archive and failed stay). A job
  /// queued for a folder that is no longer configured is refused (dead letter; the file stays).
  void set_folders(std::vector<std::filesystem::path> inboxes);
  void on_failure(FailureHook hook) { failure_hook_ = std::move(hook); }
  /// After a file was imported with new entries (on the worker's thread): the daemon queues a
  /// reconciliation here.
  void on_imported(std::function<void(const std::string& file, std::int64_t entries)> hook) {
    imported_hook_ = std::move(hook);
  }
  /// Batch size and pending expiry from bankrec.yaml's `import:` section (start and reload; thread-safe).
  void set_ingest_options(const jobs::IngestOptions& options);
  /// The ingestion options in force (they follow reloads).
  jobs::IngestOptions ingest_options() const;

  /// One pass over the folders; returns the files that are complete now (thread-safe).
  std::vector<std::filesystem::path> scan_once();
  /// Whether `file` (reported by inotify as closed or moved in) should be imported.
  bool is_candidate(const std::filesystem::path& file) const;
  /// The import job for a file: {"path": ...}, deduplicated by path.
  store::NewJob import_job(const std::filesystem::path& file) const;
  /// Runs an import job (on a worker thread).
  jobs::JobOutcome run_import(const store::JobRecord& job);

 private:
  struct Seen {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
  };
  std::filesystem::path archive_dir() const;
  bool in_an_inbox(const std::filesystem::path& file) const;

  store::Store& store_;
  std::mutex& store_mutex_;
  const formats::FormatRegistry& registry_;
  mutable std::mutex folders_mutex_;  //!< guards folders_ and ingest_options_
  Folders folders_;
  const Clock& clock_;
  metrics::Family<metrics::Counter>& files_;
  metrics::Family<metrics::Counter>& entries_;
  metrics::Gauge& last_import_;
  std::mutex scan_mutex_;
  std::map<std::filesystem::path, Seen> seen_;
  bool first_scan_ = true;
  FailureHook failure_hook_;
  std::function<void(const std::string&, std::int64_t)> imported_hook_;
  jobs::IngestOptions ingest_options_;
};

}  // namespace bankrec::app
