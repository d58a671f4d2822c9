#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <vector>

namespace bankrec::app {

/// Collects every problem of a YAML document with its position, as "FILE:LINE:COL: KEY.PATH: message"
/// (bankrec.yaml and rules.yaml report all problems at once, not only the first).
class YamlProblems {
 public:
  explicit YamlProblems(std::string file) : file_(std::move(file)) {}

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  void problem(const YAML::Node& node, const std::string& path, const std::string& message) {
    const auto mark = node.Mark();
    std::string where = file_;
    if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    problems_.push_back(where + ": " + path + ": " + message);
  }
  bool ok() const { return problems_.empty(); }
  std::size_t count() const { return problems_.size(); }
  std::string joined() const {
    std::string out;
    for (const auto& p : problems_) out += (out.empty() ? "" : "\n") + p;
    return out;
  }

  /// Refuses keys that are not in `allowed` (a typo must not silently fall back to a default).
  void only_keys(const YAML::Node& map, const std::string& path, const std::set<std::string>& allowed) {
    std::set<std::string> seen;
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      // YAML forbids repeated keys, but yaml-cpp keeps both and a lookup finds only the first: the
      // second would be ignored without a word.
      if (!seen.insert(key).second) problem(kv.first, join(path, key), "key given twice");
      if (allowed.contains(key)) continue;
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      problem(kv.first, join(path, key), "unknown key (expected one of: " + list + ")");
    }
  }

 private:
  std::string file_;
  std::vector<std::string> problems_;
};

}  // namespace bankrec::app
