#pragma once

#include <memory>
#include <utility>

#include "bankrec/base/result.h"
#include "bankrec/connectors/connector.h"

/// Factories of the built-in connectors, one per bank API (each defined in its own source file).
namespace bankrec::connectors {

/// Berlin Group NextGenPSD2 XS2A (xs2a.cpp).
Result<std::unique_ptr<Connector>> make_xs2a_connector(const ConnectorSettings& settings);
Result<std::unique_ptr<Connector>> make_bridge_connector(const ConnectorSettings& settings);
Result<std::unique_ptr<Connector>> make_gocardless_connector(const ConnectorSettings& settings);

/// The body of a factory: `parse` checks the settings' options, then the connector is built from them.
template <class ConnectorType, class ParseOptions>
Result<std::unique_ptr<Connector>> make_connector(const ConnectorSettings& settings, ParseOptions parse) {
  auto options = BANKREC_TRY(parse(settings));
  return std::unique_ptr<Connector>(std::make_unique<ConnectorType>(settings, std::move(options)));
}

}  // namespace bankrec::connectors
