#pragma once

#include <cstdint>
#include <initializer_list>
#include <regex>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "bankrec/base/result.h"

namespace bankrec::formats {

/// Typed, exception-free reads of profile YAML. Every failure is an invalid_input error whose
/// `where` is "FILE:LINE:COL" of the offending node and whose message starts with the key path:
/// "columns.amount: expected a column name". The XML and PDF profile readers may use it too.
class Yaml {
 public:
  Yaml(std::string path, YAML::Node root) : path_(std::move(path)), root_(std::move(root)) {}

  const YAML::Node& root() const { return root_; }
  const std::string& path() const { return path_; }

  Unexpected error(const YAML::Node& node, const std::string& key, const std::string& message) const;

  /// Refuses keys not in `allowed` (a typo must not silently fall back to a default).
  Result<void> only_keys(const YAML::Node& map, const std::string& key, std::initializer_list<const char*> allowed) const;
  Result<std::string> string(const YAML::Node& node, const std::string& key) const;
  Result<std::vector<std::string>> strings(const YAML::Node& node, const std::string& key) const;
  Result<std::uint32_t> uint(const YAML::Node& node, const std::string& key, std::uint32_t min, std::uint32_t max) const;
  Result<bool> boolean(const YAML::Node& node, const std::string& key) const;
  /// ECMAScript regular expression.
  Result<std::regex> regex(const YAML::Node& node, const std::string& key) const;
  /// The required `name:` key: [a-z0-9][a-z0-9._-]*, as `--profile` names it.
  Result<std::string> profile_name(const YAML::Node& root) const;

 private:
  std::string path_;
  YAML::Node root_;
};

}  // namespace bankrec::formats
