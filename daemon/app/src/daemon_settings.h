#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/jobs/backoff.h"
#include "bankrec/jobs/ingest.h"
#include "bankrec/jobs/maintenance.h"
#include "bankrec/jobs/reconcile_job.h"
#include "bankrec/jobs/scheduler.h"
#include "config.h"

namespace bankrec::app {

/// The part of bankrec.yaml that bankrecd applies at start and again on reload (SIGHUP): derived
/// and checked in one go, so a reload either applies all of it or (on any problem) none of it.
/// Listen address, data dir, TLS and alert channels apply at restart only.
struct LiveSettings {
  std::vector<std::filesystem::path> inboxes;  //!< absolute, normalised; DATA_DIR/inbox when none is configured
  std::chrono::seconds rescan{5};
  unsigned workers = 2;
  jobs::RetryPolicy retry;
  jobs::IngestOptions ingest;
  /// health, maintenance and (when configured) reconcile; their names are stable.
  std::vector<jobs::ScheduledJob> schedules;
  jobs::ReconcileJobSettings reconcile;
  bool reconcile_after_import = true;
  jobs::MaintenanceOptions maintenance;
};

/// Schedule names (the scheduler's memory in the database is keyed by them).
inline constexpr const char* kHealthSchedule = "health";
inline constexpr const char* kMaintenanceSchedule = "maintenance";
inline constexpr const char* kReconcileSchedule = "reconcile";

/// Reads the rules file (reconcile.rules; built-in rules without one) and parses the schedules.
Result<LiveSettings> derive_live_settings(const AppConfig& config, const std::filesystem::path& data_dir);

/// The payload that makes a `health` job run the maintenance instead of the health checks.
inline constexpr const char* kMaintenancePayload = R"({"task":"maintenance"})";

}  // namespace bankrec::app
