#include "connectors_config.h"

#include <algorithm>
#include <set>

#include "bankrec/jobs/scheduler.h"

namespace bankrec::app {
namespace {

const std::set<std::string> kEntryKeys = {"name", "type", "base_url", "accounts", "schedule", "overlap_days",
                                          "history_days", "jitter_minutes", "enabled", "options", "tls", "proxy", "timeouts"};

/// Key names that would hold a secret: refused wherever they appear (file references such as
/// `signing_key_file` and endpoints such as `token_url` are fine).
bool looks_secret(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::set<std::string> kNames = {"secret", "client_secret", "secret_key", "password", "passwd", "token",
                                               "access_token", "refresh_token", "api_key", "apikey", "private_key",
                                               "pin"};
  if (kNames.contains(key)) return true;
  for (const char* suffix : {"_secret", "_password", "_token", "_pin"})
    if (key.ends_with(suffix)) return true;
  return false;
}

bool valid_name(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

class Reader {
 public:
  Reader(YamlProblems& p, std::string path) : p_(p), path_(std::move(path)) {}

  std::string key(const std::string& k) const { return YamlProblems::join(path_, k); }

  void text(const YAML::Node& map, const std::string& k, std::string& out) {
    const YAML::Node n = map[k];
    if (!n) return;
    if (!n.IsScalar() || n.Scalar().empty()) return p_.problem(n, key(k), "expected a non-empty string");
    out = n.Scalar();
  }
  void integer(const YAML::Node& map, const std::string& k, int& out, int min, int max) {
    const YAML::Node n = map[k];
    if (!n) return;
    const std::string s = n.IsScalar() ? n.Scalar() : "";
    const bool digits = !s.empty() && s.size() < 8 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    const int v = digits ? std::stoi(s) : -1;
    if (!digits || v < min || v > max)
      return p_.problem(n, key(k), "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    out = v;
  }
  void boolean(const YAML::Node& map, const std::string& k, bool& out) {
    const YAML::Node n = map[k];
    if (!n) return;
    const std::string s = n.IsScalar() ? n.Scalar() : "";
    if (s == "true" || s == "yes" || s == "on") out = true;
    else if (s == "false" || s == "no" || s == "off") out = false;
    else p_.problem(n, key(k), "expected true or false");
  }
  void refuse_secrets(const YAML::Node& map, const std::string& path) {
    for (const auto& kv : map) {
      const std::string k = kv.first.Scalar();
      if (looks_secret(k))
        p_.problem(kv.first, YamlProblems::join(path, k),
                   "secrets do not belong in bankrec.yaml: store it encrypted in the database with "
                   "`bankrec connector secret NAME " + k + "` (the value is read from standard input)");
    }
  }

  YamlProblems& p_;
  std::string path_;
};

void read_http(Reader& r, const YAML::Node& entry, net::HttpClientConfig& http) {
  if (const YAML::Node tls = entry["tls"]; tls) {
    if (!tls.IsMap()) {
      r.p_.problem(tls, r.key("tls"), "expected a mapping");
    } else {
      Reader t(r.p_, r.key("tls"));
      t.refuse_secrets(tls, r.key("tls"));
      r.p_.only_keys(tls, r.key("tls"), {"ca_file", "client_cert", "client_key"});
      t.text(tls, "ca_file", http.tls.ca_file);
      t.text(tls, "client_cert", http.tls.client_cert_file);
      t.text(tls, "client_key", http.tls.client_key_file);
      if (http.tls.client_cert_file.empty() != http.tls.client_key_file.empty())
        r.p_.problem(tls, r.key("tls"), "give both client_cert and client_key (mutual TLS), or neither");
    }
  }
  r.text(entry, "proxy", http.proxy);
  if (const YAML::Node t = entry["timeouts"]; t) {
    if (!t.IsMap()) return r.p_.problem(t, r.key("timeouts"), "expected a mapping");
    r.p_.only_keys(t, r.key("timeouts"), {"connect_seconds", "total_seconds"});
    Reader tr(r.p_, r.key("timeouts"));
    int connect = static_cast<int>(http.connect_timeout.count() / 1000);
    int total = static_cast<int>(http.total_timeout.count() / 1000);
    tr.integer(t, "connect_seconds", connect, 1, 300);
    tr.integer(t, "total_seconds", total, 1, 3600);
    http.connect_timeout = std::chrono::seconds(connect);
    http.total_timeout = std::chrono::seconds(total);
  }
}

void read_options(Reader& r, const YAML::Node& entry, std::map<std::string, std::string>& options) {
  const YAML::Node o = entry["options"];
  if (!o) return;
  if (!o.IsMap()) return r.p_.problem(o, r.key("options"), "expected a mapping of option: value");
  r.refuse_secrets(o, r.key("options"));
  for (const auto& kv : o) {
    const std::string k = kv.first.Scalar();
    if (!kv.second.IsScalar()) {
      r.p_.problem(kv.second, r.key("options." + k), "expected a single value");
      continue;
    }
    if (!looks_secret(k)) options[k] = kv.second.Scalar();
  }
}

void check_semantics(Reader& r, const YAML::Node& entry, connectors::ConnectorSettings& s) {
  if (s.name.empty()) r.p_.problem(entry, r.key("name"), "required");
  else if (!valid_name(s.name)) r.p_.problem(entry["name"], r.key("name"), "expected [a-z0-9_-]{1,64}");
  if (s.type.empty()) r.p_.problem(entry, r.key("type"), "required");
  const auto types = connectors::builtin_registry().types();
  if (!s.type.empty() && std::find(types.begin(), types.end(), s.type) == types.end()) {
    std::string known;
    for (const auto& t : types) known += (known.empty() ? "" : ", ") + t;
    r.p_.problem(entry["type"], r.key("type"), "unknown connector type '" + s.type + "' (known: " + known + ")");
  }
  const bool loopback = s.base_url.starts_with("http://127.0.0.1") || s.base_url.starts_with("http://localhost");
  if (s.base_url.empty()) r.p_.problem(entry, r.key("base_url"), "required");
  else if (!s.base_url.starts_with("https://") && !loopback)
    r.p_.problem(entry["base_url"], r.key("base_url"), "expected an https:// url (plain http only to localhost)");
  if (auto sched = jobs::Schedule::parse(s.schedule); !sched)
    r.p_.problem(entry["schedule"] ? entry["schedule"] : entry, r.key("schedule"), sched.error().message);
}

}  // namespace

void read_connectors(YamlProblems& problems, const YAML::Node& list, std::vector<connectors::ConnectorSettings>& out) {
  if (!list) return;
  if (!list.IsSequence()) return problems.problem(list, "connectors", "expected a list");
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "connectors[" + std::to_string(i) + "]";
    const YAML::Node entry = list[i];
    if (!entry.IsMap()) {
      problems.problem(entry, path, "expected a mapping");
      continue;
    }
    Reader r(problems, path);
    const std::size_t before = problems.count();
    r.refuse_secrets(entry, path);
    if (problems.count() == before) problems.only_keys(entry, path, kEntryKeys);
    connectors::ConnectorSettings s;
    r.text(entry, "name", s.name);
    r.text(entry, "type", s.type);
    r.text(entry, "base_url", s.base_url);
    r.text(entry, "schedule", s.schedule);
    r.integer(entry, "overlap_days", s.overlap_days, 0, 60);
    r.integer(entry, "history_days", s.history_days, 1, 730);
    r.integer(entry, "jitter_minutes", s.jitter_minutes, 0, 120);
    r.boolean(entry, "enabled", s.enabled);
    if (const YAML::Node a = entry["accounts"]; a) {
      if (!a.IsSequence()) problems.problem(a, r.key("accounts"), "expected a list of IBANs or account ids");
      else
        for (std::size_t j = 0; j < a.size(); ++j) {
          if (!a[j].IsScalar() || a[j].Scalar().empty())
            problems.problem(a[j], r.key("accounts[" + std::to_string(j) + "]"), "expected an IBAN or account id");
          else s.accounts.push_back(a[j].Scalar());
        }
    }
    read_options(r, entry, s.options);
    read_http(r, entry, s.http);
    check_semantics(r, entry, s);
    if (!s.name.empty() && !names.insert(s.name).second)
      problems.problem(entry["name"], r.key("name"), "duplicate connector name '" + s.name + "'");
    // The connector's own checks of its options (unknown keys, missing client_id, ...).
    if (problems.count() == before && !s.type.empty()) {
      if (auto made = connectors::builtin_registry().create(s); !made)
        problems.problem(entry["options"] ? entry["options"] : entry, r.key("options"), made.error().message);
    }
    out.push_back(std::move(s));
  }
}

void emit_connectors(YAML::Emitter& out, const std::vector<connectors::ConnectorSettings>& list) {
  out << YAML::Key << "connectors" << YAML::Value << YAML::BeginSeq;
  for (const auto& s : list) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s.name << YAML::Key << "type" << YAML::Value << s.type
        << YAML::Key << "base_url" << YAML::Value << s.base_url << YAML::Key << "schedule" << YAML::Value << s.schedule
        << YAML::Key << "enabled" << YAML::Value << s.enabled;
    if (!s.http.proxy.empty()) out << YAML::Key << "proxy" << YAML::Value << "<redacted>";
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

}  // namespace bankrec::app
