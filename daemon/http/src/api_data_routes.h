#pragma once

#include <memory>

#include "api_data_util.h"
#include "bankrec/http/api_data.h"

// The parts of install_data_routes() (api_data.cpp: reads; api_data_upload.cpp: uploads, originals,
// actions and the OpenAPI document).
namespace bankrec::http::data {

/// The entry summary of the API sketch.
json::object entry_json(const store::EntryRow& e);

void install_read_routes(Router& router, std::shared_ptr<DataApi> api);
void install_write_routes(Router& router, std::shared_ptr<DataApi> api);

}  // namespace bankrec::http::data
