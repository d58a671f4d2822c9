#include <spdlog/spdlog.h>

#include "bankrec/http/api_data.h"
#include "daemon_console.h"

namespace bankrec::app {

// The console's data part (issue 8): statements, entries, uploads, errors, jobs, alerts, audit and
// the OpenAPI document (bankrec/http/api_data.h), on bankrecd's store connection and ingestion.
Result<void> install_console_data(http::Router& router, ConsoleWiring& wiring,
                                  std::vector<std::shared_ptr<void>>& keep) {
  auto api = std::make_shared<http::DataApi>(http::DataApi{wiring.db, wiring.store_mutex, wiring.clock, wiring.formats,
                                                           wiring.ingest_options, {}, {}, {}});
  jobs::ReconcileJob& reconciler = wiring.reconciler;
  api->after_import = [&reconciler](std::string_view actor) {
    // New lines from an upload are reconciled like the inbox's (the request is coalesced).
    if (auto r = reconciler.request("upload"); !r) {
      if (auto log = spdlog::get("app"))
        log->error("cannot queue the reconciliation after an upload by {}: {}", actor, r.error().describe());
    }
  };
  api->upload.max_bytes = static_cast<std::size_t>(wiring.config.console.max_upload_mb) * 1024 * 1024;
  api->upload.dir = wiring.data_dir / "tmp" / "uploads";
  keep.push_back(api);
  http::install_data_routes(router, std::move(api));
  return ok();
}

}  // namespace bankrec::app
