#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "bankrec/base/result.h"

namespace bankrec::formats {

/// A generic XML profile: element paths → fields, for exports that are neither CAMT nor OFX.
struct XmlProfile {
  std::string name;
  std::string path;
  std::string description;
};

/// Validates one `kind: xml` profile document; errors name `path`, line and key.
Result<XmlProfile> parse_xml_profile(const YAML::Node& root, const std::string& path);

}  // namespace bankrec::formats
