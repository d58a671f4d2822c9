#include "profiles/yaml_util.h"

namespace bankrec::formats {

Unexpected Yaml::error(const YAML::Node& node, const std::string& key, const std::string& message) const {
  const YAML::Mark mark = node.Mark();
  Error e{Errc::invalid_input, (key.empty() ? "" : key + ": ") + message, path_};
  if (!mark.is_null()) {
    e.line = static_cast<std::uint32_t>(mark.line + 1);
    e.column = static_cast<std::uint32_t>(mark.column + 1);
    e.where += ":" + std::to_string(e.line) + ":" + std::to_string(e.column);
  }
  return Unexpected{std::move(e)};
}

Result<void> Yaml::only_keys(const YAML::Node& map, const std::string& key,
                             std::initializer_list<const char*> allowed) const {
  if (!map.IsMap()) return error(map, key.empty() ? "profile" : key, "expected a mapping of keys");
  for (const auto& kv : map) {
    const std::string k = kv.first.Scalar();
    bool found = false;
    for (const char* a : allowed) found = found || k == a;
    if (found) continue;
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return error(kv.first, key.empty() ? k : key + "." + k, "unknown key (expected one of: " + list + ")");
  }
  return ok();
}

Result<std::string> Yaml::string(const YAML::Node& node, const std::string& key) const {
  if (!node.IsScalar()) return error(node, key, "expected a text value");
  return node.Scalar();
}

Result<std::vector<std::string>> Yaml::strings(const YAML::Node& node, const std::string& key) const {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) return error(node, key, "expected a text or a list of texts");
  for (std::size_t i = 0; i < node.size(); ++i)
    out.push_back(BANKREC_TRY(string(node[i], key + "[" + std::to_string(i) + "]")));
  return out;
}

Result<std::uint32_t> Yaml::uint(const YAML::Node& node, const std::string& key, std::uint32_t min,
                                 std::uint32_t max) const {
  if (!node.IsScalar()) return error(node, key, "expected a number");
  const std::string& s = node.Scalar();
  std::uint64_t v = 0;
  if (s.empty() || s.size() > 9) return error(node, key, "expected a number from " + std::to_string(min) + " to " + std::to_string(max));
  for (char c : s) {
    if (c < '0' || c > '9') return error(node, key, "expected a number, not '" + s + "'");
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v < min || v > max)
    return error(node, key, std::to_string(v) + " is outside " + std::to_string(min) + ".." + std::to_string(max));
  return static_cast<std::uint32_t>(v);
}

Result<bool> Yaml::boolean(const YAML::Node& node, const std::string& key) const {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  return error(node, key, "expected true or false");
}

Result<std::regex> Yaml::regex(const YAML::Node& node, const std::string& key) const {
  const std::string s = BANKREC_TRY(string(node, key));
  try {
    return std::regex(s, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return error(node, key, "invalid regular expression '" + s + "': " + e.what());
  }
}

Result<std::string> Yaml::profile_name(const YAML::Node& root) const {
  if (!root["name"]) return error(root, "name", "missing: every profile needs a name");
  const std::string name = BANKREC_TRY(string(root["name"], "name"));
  bool valid = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9'));
  for (char c : name)
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
  if (!valid) return error(root["name"], "name", "'" + name + "' must be lower-case letters, digits, '-', '_' or '.'");
  return name;
}

}  // namespace bankrec::formats
