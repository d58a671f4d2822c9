#include "pdf/pdf_profile.h"

namespace bankrec::formats {

// Minimal form until the pdf profile work lands: names and describes the profile only.
Result<PdfProfile> parse_pdf_profile(const YAML::Node& root, const std::string& path) {
  PdfProfile p;
  p.path = path;
  if (root["name"]) p.name = root["name"].as<std::string>();
  if (root["description"]) p.description = root["description"].as<std::string>();
  return p;
}

}  // namespace bankrec::formats
