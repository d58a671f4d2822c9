#pragma once

#include <memory>

#include "bankrec/base/result.h"
#include "bankrec/connectors/connector.h"

/// Factories of the built-in connectors, one per bank API (each defined in its own source file).
namespace bankrec::connectors {

}  // namespace bankrec::connectors
