#include "xml/xml_profile.h"

namespace bankrec::formats {

// Minimal form until the xml profile work lands: names and describes the profile only.
Result<XmlProfile> parse_xml_profile(const YAML::Node& root, const std::string& path) {
  XmlProfile p;
  p.path = path;
  if (root["name"]) p.name = root["name"].as<std::string>();
  if (root["description"]) p.description = root["description"].as<std::string>();
  return p;
}

}  // namespace bankrec::formats
