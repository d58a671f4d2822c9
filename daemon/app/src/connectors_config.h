#pragma once

#include <yaml-cpp/yaml.h>

#include <vector>

#include "bankrec/connectors/connector.h"
#include "yaml_problems.h"

/// The `connectors:` list of bankrec.yaml (issue 7), read into connectors::ConnectorSettings. Every
/// problem names FILE:LINE:COL and the key path (`connectors[1].tls.ca_file`); unknown keys are
/// refused, and so are secrets: they go into the database with `bankrec connector secret NAME KIND`.
namespace bankrec::app {

void read_connectors(YamlProblems& problems, const YAML::Node& list, std::vector<connectors::ConnectorSettings>& out);

/// For the redacted config dump: the connector settings as YAML (no secrets exist in them).
void emit_connectors(YAML::Emitter& out, const std::vector<connectors::ConnectorSettings>& list);

}  // namespace bankrec::app
