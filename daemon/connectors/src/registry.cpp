#include <utility>

#include "bankrec/connectors/connector.h"
#include "builtin.h"

namespace bankrec::connectors {

const char* consent_state_name(ConsentStatus::State state) {
  switch (state) {
    case ConsentStatus::State::missing: return "missing";
    case ConsentStatus::State::pending: return "pending";
    case ConsentStatus::State::valid: return "valid";
    case ConsentStatus::State::expired: return "expired";
    case ConsentStatus::State::revoked: return "revoked";
  }
  return "missing";
}

void ConnectorRegistry::add(std::string type, ConnectorFactory factory) {
  factories_.insert_or_assign(std::move(type), std::move(factory));
}

Result<std::unique_ptr<Connector>> ConnectorRegistry::create(const ConnectorSettings& settings) const {
  const auto it = factories_.find(settings.type);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [type, factory] : factories_) known += (known.empty() ? "" : ", ") + type;
    return fail(Errc::invalid_input,
                "connector '" + settings.name + "': unknown type '" + settings.type + "' (known: " + known + ")");
  }
  return it->second(settings);
}

std::vector<std::string> ConnectorRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& [type, factory] : factories_) out.push_back(type);
  return out;
}

const ConnectorRegistry& builtin_registry() {
  static const ConnectorRegistry registry = [] {
    ConnectorRegistry r;
    // One line per connector type:
    r.add("xs2a", make_xs2a_connector);
    r.add("bridge", make_bridge_connector);
    r.add("gocardless", make_gocardless_connector);
    return r;
  }();
  return registry;
}

}  // namespace bankrec::connectors
