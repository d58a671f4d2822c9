#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "bankrec/base/result.h"

namespace bankrec::formats {

/// A PDF layout profile: regular expressions over text lines (with continuation lines), balances.
struct PdfProfile {
  std::string name;
  std::string path;
  std::string description;
};

/// Validates one `kind: pdf` profile document; errors name `path`, line and key.
Result<PdfProfile> parse_pdf_profile(const YAML::Node& root, const std::string& path);

}  // namespace bankrec::formats
