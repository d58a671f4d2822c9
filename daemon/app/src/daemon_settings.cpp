#include "daemon_settings.h"

#include <algorithm>

#include "bankrec/reconcile/rules.h"
#include "rules_yaml.h"

namespace bankrec::app {
namespace {

namespace fs = std::filesystem;

fs::path folder_path(const fs::path& p) {
  std::error_code ec;
  fs::path normal = fs::absolute(p, ec).lexically_normal();
  return normal.has_filename() ? normal : normal.parent_path();  // "/srv/in/" and "/srv/in" alike
}

Result<jobs::ScheduledJob> scheduled(const char* name, const std::string& text, store::JobKind kind,
                                     std::string payload, const std::string& key) {
  auto schedule = jobs::Schedule::parse(text);
  if (!schedule) return fail(Errc::invalid_input, schedule.error().message, key);
  jobs::ScheduledJob job{name, *schedule, kind, std::move(payload), std::chrono::seconds(0), std::nullopt};
  return job;
}

}  // namespace

Result<LiveSettings> derive_live_settings(const AppConfig& config, const fs::path& data_dir) {
  LiveSettings live;
  // Without configured folders: DATA_DIR/inbox, rescanned every few seconds besides inotify.
  std::uint32_t rescan_seconds = config.inboxes.empty() ? 5 : 3600;
  for (const auto& in : config.inboxes) {
    const fs::path dir = folder_path(in.path);
    if (std::find(live.inboxes.begin(), live.inboxes.end(), dir) == live.inboxes.end()) live.inboxes.push_back(dir);
    rescan_seconds = std::min(rescan_seconds, in.rescan_seconds);
  }
  if (live.inboxes.empty()) live.inboxes.push_back(folder_path(data_dir / "inbox"));
  live.rescan = std::chrono::seconds(rescan_seconds);
  live.workers = config.workers;
  live.retry = {std::chrono::seconds(config.retry.base_seconds), config.retry.factor,
                std::chrono::seconds(config.retry.cap_seconds), config.retry.max_attempts};
  live.ingest.import.batch_entries = config.import_batch_size;
  live.ingest.index_for_search = true;  // imported lines are found by the console's search at once
  live.ingest.import.pending_expiry_days = static_cast<int>(config.pending_expiry_days);
  // Bank profiles: read at start and on every reload; an invalid profile keeps the old settings.
  auto profiles = formats::ProfileSet::load_directory(config.profiles_dir);
  if (!profiles) return Unexpected{profiles.error()};
  live.ingest.profiles = std::make_shared<const formats::ProfileSet>(std::move(*profiles));

  live.schedules.push_back(
      BANKREC_TRY(scheduled(kHealthSchedule, config.health_schedule, store::JobKind::health, "{}", "health.schedule")));
  live.schedules.push_back(BANKREC_TRY(scheduled(kMaintenanceSchedule, config.maintenance_schedule,
                                                 store::JobKind::health, kMaintenancePayload, "maintenance.schedule")));
  if (config.reconcile_schedule) {
    auto job = BANKREC_TRY(
        scheduled(kReconcileSchedule, *config.reconcile_schedule, store::JobKind::reconcile, "{}", "reconcile.schedule"));
    job.dedup_key = jobs::ReconcileJob::kDedupKey;  // joins a queued run after an import, never a second one
    live.schedules.push_back(std::move(job));
  }

  auto rules = config.rules_file ? load_rules_file(*config.rules_file) : Result<reconcile::RuleSet>(reconcile::default_rule_set());
  if (!rules) return Unexpected{rules.error()};
  live.reconcile.rules = std::make_shared<const reconcile::RuleSet>(std::move(*rules));
  live.reconcile.unmatched = {config.unmatched_alert_count, config.unmatched_alert_percent};
  live.reconcile.batch_entries = config.reconcile_batch_entries;
  live.reconcile_after_import = config.reconcile_after_import;
  live.maintenance.pending_expiry_days = static_cast<int>(config.pending_expiry_days);
  live.maintenance.wal_checkpoint = config.maintenance_wal_checkpoint;
  return live;
}

}  // namespace bankrec::app
