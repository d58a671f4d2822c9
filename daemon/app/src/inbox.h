#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bankrec/formats/format_registry.h"
#include "bankrec/metrics/metrics.h"
#include "store_context.h"

namespace bankrec::app {

/// The inbox folders (e.g. where SFTP deliveries land): a file is imported once it is complete —
/// its size and modification time unchanged between two scans; names starting with '.' or ending
/// in .part, .tmp, .filepart or .crdownload are still being written and are left alone. Afterwards
/// it moves to ARCHIVE/YYYY/MM/ (imported or already known) or to FAILED/ with NAME.error.txt
/// beside it. Nothing is deleted; a restart mid-way re-imports idempotently.
class Inbox {
 public:
  struct Folders {
    std::vector<std::filesystem::path> inboxes;
    std::filesystem::path archive;
    std::filesystem::path failed;
  };

  Inbox(StoreContext& store, const formats::FormatRegistry& registry, Folders folders, metrics::Registry& metrics);
  ~Inbox();
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  /// Scans every `interval` on its own thread until stop().
  void start(std::chrono::milliseconds interval);
  void stop();
  /// One pass over the folders (the thread's body); returns how many files were moved.
  int scan_once();

 private:
  struct Seen {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
  };
  void handle(const std::filesystem::path& file);
  std::filesystem::path archive_dir() const;

  StoreContext& store_;
  const formats::FormatRegistry& registry_;
  Folders folders_;
  metrics::Family<metrics::Counter>& files_;
  metrics::Family<metrics::Counter>& entries_;
  std::map<std::filesystem::path, Seen> seen_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> stop_requested_{false};  //!< checked between files, so SIGTERM is not held up
};

}  // namespace bankrec::app
