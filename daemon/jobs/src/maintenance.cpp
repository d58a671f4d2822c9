#include "bankrec/jobs/maintenance.h"

#include "bankrec/store/import_writer.h"

namespace bankrec::jobs {

Result<MaintenanceReport> run_maintenance(store::Store& store, std::mutex& store_mutex, const MaintenanceOptions& options) {
  MaintenanceReport report;
  {
    std::lock_guard lock(store_mutex);
    report.expired = BANKREC_TRY(store::expire_pending_older_than(store, options.pending_expiry_days, "maintenance"));
  }
  if (!options.wal_checkpoint) return report;
  std::lock_guard lock(store_mutex);
  // PASSIVE never waits for readers or writers; returns (busy, frames in the log, frames checkpointed).
  auto q = BANKREC_TRY(store.db().prepare("PRAGMA wal_checkpoint(PASSIVE)"));
  if (BANKREC_TRY(q.step())) {
    report.checkpointed = q.column_int(0) == 0;
    report.wal_frames = q.column_int(1);
    report.frames_checkpointed = q.column_int(2);
  }
  q.reset();
  return report;
}

}  // namespace bankrec::jobs
