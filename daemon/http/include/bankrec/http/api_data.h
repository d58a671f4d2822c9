#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/http/router.h"
#include "bankrec/jobs/ingest.h"
#include "bankrec/store/store.h"

/// The console's data API (issue 8; documented in daemon/http/openapi/openapi.yaml): dashboard, statements,
/// entries, uploads, original files, errors, jobs and dead letters, alerts, the audit log and the
/// OpenAPI document. Reads are open to every role; uploads, retries and acknowledgements need the
/// upload permission (accountant and up), and every state change writes the audit log.
namespace bankrec::http {

/// What the data routes work with; everything outlives the router.
struct DataApi {
  store::Store& store;
  std::mutex& store_mutex;  //!< guards every use of `store`
  const Clock& clock;
  const formats::FormatRegistry& formats;
  /// The ingestion options in force (the inbox's); empty: defaults.
  std::function<jobs::IngestOptions()> ingest_options;
  /// After an upload added entries (called without the store lock): e.g. request a reconcile run.
  std::function<void(std::string_view actor)> after_import;
  /// After a dead letter went back to the queue (called without the store lock): wake the workers.
  std::function<void()> jobs_changed;
  /// Upload bodies: limit (config console.max_upload_mb) and the private temp directory.
  StreamedBody upload;
};

/// Adds the data routes to `router`.
void install_data_routes(Router& router, std::shared_ptr<DataApi> api);

/// The OpenAPI 3 document of every /api/v1 route (daemon/http/openapi/openapi.yaml, built in).
std::string_view openapi_yaml();

}  // namespace bankrec::http
