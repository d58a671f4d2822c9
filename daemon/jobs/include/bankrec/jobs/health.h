#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bankrec/base/clock.h"
#include "bankrec/metrics/metrics.h"
#include "bankrec/store/database.h"
#include "bankrec/store/store.h"

/// Health checks: each is a function returning ok, warn or fail with a short message that names
/// numbers, never secrets or file contents. `/readyz` reports the latest results; a `fail` makes the
/// service not ready.
namespace bankrec::jobs {

enum class HealthStatus { ok, warn, fail };
const char* health_status_name(HealthStatus status) noexcept;

struct CheckResult {
  HealthStatus status = HealthStatus::ok;
  std::string message;
};

struct CheckReport {
  std::string name;
  HealthStatus status = HealthStatus::ok;
  std::string message;
  std::string checked_at;  //!< UTC
};

using HealthCheck = std::function<CheckResult()>;

/// The registered checks and their latest results. run_all() runs on a worker (checks may block);
/// last()/readiness_json() are cheap and thread-safe, for the HTTP handlers.
class Health {
 public:
  Health(const Clock& clock, metrics::Registry* metrics);

  /// Registers a check (before the first run_all()).
  void add(std::string name, HealthCheck check);
  /// Called when a check's status changes (also on its first run when that is not ok). The seam for
  /// alerts: the daemon raises or resolves one here.
  void on_change(std::function<void(const CheckReport& now, HealthStatus before)> hook) { hook_ = std::move(hook); }

  std::vector<CheckReport> run_all();
  std::vector<CheckReport> last() const;
  /// True once every check ran and none failed.
  bool ready() const;
  /// {"status":"ready"|"not_ready","failing":[{"check":..,"status":"warn"|"fail","message":..,"checked_at":..}]}
  std::string readiness_json() const;

 private:
  struct Entry {
    std::string name;
    HealthCheck check;
  };
  const Clock& clock_;
  std::vector<Entry> checks_;
  mutable std::mutex mutex_;
  std::vector<CheckReport> last_;
  std::function<void(const CheckReport&, HealthStatus)> hook_;
  metrics::Family<metrics::Gauge>* status_ = nullptr;
  metrics::Gauge* last_run_ = nullptr;
};

/// Open dead letters: warn above `max_open`.
HealthCheck dead_letter_check(store::Store& store, std::mutex& store_mutex, std::int64_t max_open);
/// How the database check reads every page.
struct DatabaseCheckOptions {
  /// PRAGMA quick_check (every page read and decrypted: seconds per GB) runs this often; every
  /// other run only reads the schema (and sets the size gauge).
  std::chrono::hours full_every{24};
  /// Opens a second connection to the database for the quick check, so it holds no lock while it
  /// reads; then the first run (the one before READY=1) leaves the quick check to the next run.
  /// Empty: the quick check runs on the store's connection under the store mutex, on the first run.
  std::function<Result<std::unique_ptr<store::Database>>()> open_reader;
};
/// Reads the schema every run and PRAGMA quick_check as `options` says; the last quick check's
/// result stands until the next. Also sets `size_bytes` (when given) to the database's size with its WAL.
HealthCheck database_check(store::Store& store, std::mutex& store_mutex, metrics::Gauge* size_bytes,
                           DatabaseCheckOptions options = {});
/// Free space where `dir` lives: fail below `min_free_bytes`, warn below `warn_ratio` of the volume.
HealthCheck disk_check(std::filesystem::path dir, std::uint64_t min_free_bytes, double warn_ratio);
/// The TLS certificate's expiry: warn within `warn_before`, fail when expired or unreadable.
HealthCheck certificate_check(std::filesystem::path cert_pem, const Clock& clock, std::chrono::hours warn_before);
/// The audit chain from the last signed checkpoint to the head: every entry's hash recomputed and
/// linked (the whole chain when there is no checkpoint yet).
HealthCheck audit_check(store::Store& store, std::mutex& store_mutex);
/// Complete files waiting in the inbox folders longer than `max_age`: warn with their number.
HealthCheck inbox_backlog_check(std::vector<std::filesystem::path> dirs, const Clock& clock,
                                std::chrono::seconds max_age);

/// Names still being written to (".part", ".tmp", ".filepart", ".crdownload", leading '.').
bool is_partial_file_name(const std::string& name);

}  // namespace bankrec::jobs
