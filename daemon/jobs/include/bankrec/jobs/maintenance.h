#pragma once

#include <cstdint>
#include <mutex>

#include "bankrec/base/result.h"
#include "bankrec/store/store.h"

/// The daemon's daily maintenance (a `health` job with payload {"task":"maintenance"}, on the
/// `maintenance.schedule` of bankrec.yaml): cheap housekeeping that must not wait for an import.
namespace bankrec::jobs {

struct MaintenanceOptions {
  int pending_expiry_days = 10;  //!< import.pending_expiry_days
  bool wal_checkpoint = true;    //!< PRAGMA wal_checkpoint(PASSIVE): folds the WAL back without blocking anyone
};

struct MaintenanceReport {
  std::int64_t expired = 0;  //!< pending lines marked expired (audit-logged by the store when > 0)
  bool checkpointed = false;
  std::int64_t wal_frames = -1;          //!< frames in the WAL before the checkpoint (-1: not in WAL mode)
  std::int64_t frames_checkpointed = -1;  //!< of those, copied into the database
};

/// Runs the tasks one after the other, each under `store_mutex` on its own (short) transaction.
Result<MaintenanceReport> run_maintenance(store::Store& store, std::mutex& store_mutex, const MaintenanceOptions& options);

}  // namespace bankrec::jobs
