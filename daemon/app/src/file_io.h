#pragma once

#include <cstdint>
#include <string>

#include "bankrec/base/result.h"

namespace bankrec::app {

/// Reads a whole regular file, refusing one larger than `max_bytes`; errors name the path.
Result<std::string> read_file_bounded(const std::string& path, std::uint64_t max_bytes);

}  // namespace bankrec::app
