#include "config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "bankrec/http/server.h"
#include "connectors_config.h"
#include "yaml_problems.h"
#include "bankrec/jobs/scheduler.h"

namespace bankrec::app {
namespace {

/// Collects problems with their positions while walking the document.
class Checker : public YamlProblems {
 public:
  using YamlProblems::YamlProblems;

  void string(const YAML::Node& map, const std::string& path, const char* key, std::string& out) {
    const YAML::Node n = map[key];
    if (!n) return;
    if (!n.IsScalar() || n.Scalar().empty()) return problem(n, join(path, key), "expected a non-empty string");
    out = n.Scalar();
  }
  void string(const YAML::Node& map, const std::string& path, const char* key, std::optional<std::string>& out) {
    std::string v;
    string(map, path, key, v);
    if (!v.empty()) out = v;
  }
  void number(const YAML::Node& map, const std::string& path, const char* key, std::uint32_t& out, std::uint32_t min,
              std::uint32_t max) {
    const YAML::Node n = map[key];
    if (!n) return;
    std::uint64_t v = 0;
    const std::string& s = n.IsScalar() ? n.Scalar() : std::string();
    bool good = !s.empty() && s.size() < 11;
    for (char c : s) good = good && c >= '0' && c <= '9';
    if (good) v = std::stoull(s);
    if (!good || v < min || v > max)
      return problem(n, join(path, key),
                     "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    out = static_cast<std::uint32_t>(v);
  }
  void one_of(const YAML::Node& map, const std::string& path, const char* key, std::string& out,
              const std::set<std::string>& values) {
    const YAML::Node n = map[key];
    if (!n) return;
    if (!n.IsScalar() || !values.contains(n.Scalar())) {
      std::string list;
      for (const auto& v : values) list += (list.empty() ? "" : ", ") + v;
      return problem(n, join(path, key), "expected one of: " + list);
    }
    out = n.Scalar();
  }
  void boolean(const YAML::Node& map, const std::string& path, const char* key, bool& out) {
    const YAML::Node n = map[key];
    if (!n) return;
    const std::string& v = n.IsScalar() ? n.Scalar() : std::string();
    if (v == "true" || v == "yes" || v == "on") {
      out = true;
    } else if (v == "false" || v == "no" || v == "off") {
      out = false;
    } else {
      problem(n, join(path, key), "expected true or false");
    }
  }
  void schedule(const YAML::Node& map, const std::string& path, const char* key, std::string& out) {
    string(map, path, key, out);
    if (auto s = jobs::Schedule::parse(out); map[key] && !s) problem(map[key], join(path, key), s.error().message);
  }
  bool is_map(const YAML::Node& n, const std::string& path) {
    if (n.IsMap()) return true;
    problem(n, path, "expected a mapping");
    return false;
  }

};

void read_inboxes(Checker& c, const YAML::Node& root, AppConfig& cfg) {
  const YAML::Node list = root["inbox"];
  if (!list) return;
  if (!list.IsSequence()) return c.problem(list, "inbox", "expected a list of folders");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "inbox[" + std::to_string(i) + "]";
    if (!c.is_map(list[i], path)) continue;
    c.only_keys(list[i], path, {"path", "account", "rescan_seconds"});
    InboxConfig inbox;
    c.string(list[i], path, "path", inbox.path);
    if (inbox.path.empty()) c.problem(list[i], path + ".path", "required");
    c.string(list[i], path, "account", inbox.account);
    c.number(list[i], path, "rescan_seconds", inbox.rescan_seconds, 1, 86400);
    cfg.inboxes.push_back(std::move(inbox));
  }
}

void read_alerts(Checker& c, const YAML::Node& root, AppConfig& cfg) {
  const YAML::Node alerts = root["alerts"];
  if (!alerts || !c.is_map(alerts, "alerts")) return;
  c.only_keys(alerts, "alerts", {"email", "webhook", "templates_dir", "instance", "console_url", "max_per_hour"});
  c.string(alerts, "alerts", "templates_dir", cfg.alerts.templates_dir);
  c.string(alerts, "alerts", "instance", cfg.alerts.instance);
  c.string(alerts, "alerts", "console_url", cfg.alerts.console_url);
  c.number(alerts, "alerts", "max_per_hour", cfg.alerts.max_per_hour, 1, 10000);
  if (const YAML::Node e = alerts["email"]; e && c.is_map(e, "alerts.email")) {
    c.only_keys(e, "alerts.email", {"smtp_url", "from", "to", "username", "password_file", "ca_file"});
    EmailAlertConfig email;
    c.string(e, "alerts.email", "smtp_url", email.smtp_url);
    c.string(e, "alerts.email", "from", email.from);
    c.string(e, "alerts.email", "username", email.username);
    c.string(e, "alerts.email", "password_file", email.password_file);
    c.string(e, "alerts.email", "ca_file", email.ca_file);
    if (!email.smtp_url.starts_with("smtps://") && !email.smtp_url.starts_with("smtp://"))
      c.problem(e, "alerts.email.smtp_url", "expected smtps://HOST[:PORT] or smtp://HOST[:PORT]");
    if (const YAML::Node to = e["to"]; to && to.IsSequence()) {
      for (const auto& t : to) email.to.push_back(t.Scalar());
    }
    if (email.to.empty()) c.problem(e, "alerts.email.to", "expected a list of at least one address");
    cfg.email = std::move(email);
  }
  if (const YAML::Node w = alerts["webhook"]; w && c.is_map(w, "alerts.webhook")) {
    c.only_keys(w, "alerts.webhook", {"url", "secret_file", "ca_file"});
    WebhookAlertConfig hook;
    c.string(w, "alerts.webhook", "url", hook.url);
    c.string(w, "alerts.webhook", "secret_file", hook.secret_file);
    c.string(w, "alerts.webhook", "ca_file", hook.ca_file);
    if (!hook.url.starts_with("https://") && !hook.url.starts_with("http://127.0.0.1") &&
        !hook.url.starts_with("http://localhost"))
      c.problem(w, "alerts.webhook.url", "expected an https:// url (plain http only to localhost)");
    cfg.webhook = std::move(hook);
  }
}

void read_console(Checker& c, const YAML::Node& root, AppConfig& cfg) {
  const YAML::Node console = root["console"];
  if (!console || !c.is_map(console, "console")) return;
  c.only_keys(console, "console", {"assets_dir", "max_upload_mb", "session_idle_minutes", "session_absolute_hours",
                                    "login_max_failures_per_account", "login_max_failures_per_address",
                                    "login_window_minutes", "login_lockout_minutes"});
  c.string(console, "console", "assets_dir", cfg.console.assets_dir);
  c.number(console, "console", "max_upload_mb", cfg.console.max_upload_mb, 1, 4096);
  // Sign-in limits (admin part of issue 8): sessions and login throttling.
  c.number(console, "console", "session_idle_minutes", cfg.console.session_idle_minutes, 1, 24 * 60);
  c.number(console, "console", "session_absolute_hours", cfg.console.session_absolute_hours, 1, 24 * 30);
  c.number(console, "console", "login_max_failures_per_account", cfg.console.login_max_failures_per_account, 1, 1000);
  c.number(console, "console", "login_max_failures_per_address", cfg.console.login_max_failures_per_address, 1, 100000);
  c.number(console, "console", "login_window_minutes", cfg.console.login_window_minutes, 1, 24 * 60);
  c.number(console, "console", "login_lockout_minutes", cfg.console.login_lockout_minutes, 1, 24 * 60);
}

void read_root(Checker& c, const YAML::Node& root, AppConfig& cfg) {
  c.only_keys(root, "", {"data_dir", "listen", "tls", "log", "inbox", "import", "reconcile", "retry", "audit",
                         "metrics", "alerts", "connectors", "health", "jobs",
                         "maintenance", "console", "profiles_dir"});
  c.string(root, "", "data_dir", cfg.data_dir);
  c.string(root, "", "profiles_dir", cfg.profiles_dir);
  c.string(root, "", "listen", cfg.listen);
  if (root["listen"] && !http::parse_listen_address(cfg.listen))
    c.problem(root["listen"], "listen", "expected ADDR:PORT, e.g. 127.0.0.1:8443");
  if (const YAML::Node tls = root["tls"]; tls && c.is_map(tls, "tls")) {
    c.only_keys(tls, "tls", {"certificate", "key"});
    c.string(tls, "tls", "certificate", cfg.tls_certificate);
    c.string(tls, "tls", "key", cfg.tls_key);
    if (cfg.tls_certificate.has_value() != cfg.tls_key.has_value())
      c.problem(tls, "tls", "give both certificate and key, or neither (a self-signed one is made then)");
  }
  if (const YAML::Node log = root["log"]; log && c.is_map(log, "log")) {
    c.only_keys(log, "log", {"level", "format"});
    c.one_of(log, "log", "level", cfg.log_level, {"trace", "debug", "info", "warn", "error"});
    c.one_of(log, "log", "format", cfg.log_format, {"auto", "journald", "text"});
  }
  read_inboxes(c, root, cfg);
  if (const YAML::Node imp = root["import"]; imp && c.is_map(imp, "import")) {
    c.only_keys(imp, "import", {"batch_size", "pending_expiry_days"});
    c.number(imp, "import", "batch_size", cfg.import_batch_size, 1, 100000);
    c.number(imp, "import", "pending_expiry_days", cfg.pending_expiry_days, 1, 365);
  }
  if (const YAML::Node rec = root["reconcile"]; rec && c.is_map(rec, "reconcile")) {
    c.only_keys(rec, "reconcile", {"rules", "after_import", "schedule", "batch_entries", "unmatched_alert"});
    c.string(rec, "reconcile", "rules", cfg.rules_file);
    c.boolean(rec, "reconcile", "after_import", cfg.reconcile_after_import);
    if (rec["schedule"]) {
      std::string text;
      c.schedule(rec, "reconcile", "schedule", text);
      cfg.reconcile_schedule = text;
    }
    c.number(rec, "reconcile", "batch_entries", cfg.reconcile_batch_entries, 100, 1000000);
    if (const YAML::Node u = rec["unmatched_alert"]; u && c.is_map(u, "reconcile.unmatched_alert")) {
      c.only_keys(u, "reconcile.unmatched_alert", {"count", "percent"});
      c.number(u, "reconcile.unmatched_alert", "count", cfg.unmatched_alert_count, 0, 100000000);
      c.number(u, "reconcile.unmatched_alert", "percent", cfg.unmatched_alert_percent, 0, 100);
    }
  }
  if (const YAML::Node m = root["maintenance"]; m && c.is_map(m, "maintenance")) {
    c.only_keys(m, "maintenance", {"schedule", "wal_checkpoint"});
    c.schedule(m, "maintenance", "schedule", cfg.maintenance_schedule);
    c.boolean(m, "maintenance", "wal_checkpoint", cfg.maintenance_wal_checkpoint);
  }
  if (const YAML::Node r = root["retry"]; r && c.is_map(r, "retry")) {
    c.only_keys(r, "retry", {"base_seconds", "factor", "cap_seconds", "max_attempts"});
    c.number(r, "retry", "base_seconds", cfg.retry.base_seconds, 1, 86400);
    c.number(r, "retry", "factor", cfg.retry.factor, 1, 10);
    c.number(r, "retry", "cap_seconds", cfg.retry.cap_seconds, 1, 7 * 86400);
    c.number(r, "retry", "max_attempts", cfg.retry.max_attempts, 1, 100);
  }
  if (const YAML::Node a = root["audit"]; a && c.is_map(a, "audit")) {
    c.only_keys(a, "audit", {"checkpoint_every"});
    c.number(a, "audit", "checkpoint_every", cfg.audit_checkpoint_every, 1, 1000000);
  }
  if (const YAML::Node m = root["metrics"]; m && c.is_map(m, "metrics")) {
    c.only_keys(m, "metrics", {"plain_listen"});
    c.string(m, "metrics", "plain_listen", cfg.metrics_plain_listen);
    if (cfg.metrics_plain_listen) {
      const auto addr = http::parse_listen_address(*cfg.metrics_plain_listen);
      if (!addr || (addr->first != "127.0.0.1" && addr->first != "::1"))
        c.problem(m["plain_listen"], "metrics.plain_listen", "expected a loopback ADDR:PORT (plain http is loopback only)");
    }
  }
  read_alerts(c, root, cfg);
  if (const YAML::Node h = root["health"]; h && c.is_map(h, "health")) {
    c.only_keys(h, "health", {"schedule", "max_dead_letters"});
    c.string(h, "health", "schedule", cfg.health_schedule);
    if (auto s = jobs::Schedule::parse(cfg.health_schedule); h["schedule"] && !s)
      c.problem(h["schedule"], "health.schedule", s.error().message);
    c.number(h, "health", "max_dead_letters", cfg.health_max_dead_letters, 0, 1000000);
  }
  if (const YAML::Node j = root["jobs"]; j && c.is_map(j, "jobs")) {
    c.only_keys(j, "jobs", {"workers", "stop_timeout_seconds"});
    c.number(j, "jobs", "workers", cfg.workers, 1, 16);
    c.number(j, "jobs", "stop_timeout_seconds", cfg.stop_timeout_seconds, 1, 3600);
  }
  read_console(c, root, cfg);
  read_connectors(c, root["connectors"], cfg.connectors);
}

}  // namespace

Result<AppConfig> parse_config(const std::string& text, const std::string& file_name) {
  AppConfig cfg;
  cfg.source = file_name;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return fail(Errc::invalid_input, e.msg,
                file_name + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1));
  }
  if (root.IsNull()) return cfg;  // an empty file means defaults
  Checker checker(file_name);
  if (!root.IsMap()) {
    checker.problem(root, "(top level)", "expected a mapping of settings");
  } else {
    try {
      read_root(checker, root, cfg);
    } catch (const YAML::Exception& e) {
      return fail(Errc::invalid_input, e.msg, file_name);
    }
  }
  if (!checker.ok()) return fail(Errc::invalid_input, "invalid configuration:\n" + checker.joined(), file_name);
  return cfg;
}

Result<AppConfig> load_config(const std::string& path, bool required) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (required) return fail(Errc::invalid_input, "config file not found", path);
    AppConfig defaults;
    defaults.source = "built-in defaults";
    return defaults;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::invalid_input, "cannot read config file", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

std::string redacted_dump(const AppConfig& c) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "data_dir" << YAML::Value << c.data_dir;
  out << YAML::Key << "listen" << YAML::Value << c.listen;
  out << YAML::Key << "profiles_dir" << YAML::Value << c.profiles_dir;
  if (c.tls_certificate) {
    out << YAML::Key << "tls" << YAML::Value << YAML::BeginMap << YAML::Key << "certificate" << YAML::Value
        << *c.tls_certificate << YAML::Key << "key" << YAML::Value << "<redacted>" << YAML::EndMap;
  }
  out << YAML::Key << "log" << YAML::Value << YAML::BeginMap << YAML::Key << "level" << YAML::Value << c.log_level
      << YAML::Key << "format" << YAML::Value << c.log_format << YAML::EndMap;
  out << YAML::Key << "inbox" << YAML::Value << YAML::BeginSeq;
  for (const auto& i : c.inboxes) {
    out << YAML::BeginMap << YAML::Key << "path" << YAML::Value << i.path;
    if (i.account) out << YAML::Key << "account" << YAML::Value << *i.account;
    out << YAML::Key << "rescan_seconds" << YAML::Value << i.rescan_seconds << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "retry" << YAML::Value << YAML::BeginMap << YAML::Key << "base_seconds" << YAML::Value
      << c.retry.base_seconds << YAML::Key << "factor" << YAML::Value << c.retry.factor << YAML::Key << "cap_seconds"
      << YAML::Value << c.retry.cap_seconds << YAML::Key << "max_attempts" << YAML::Value << c.retry.max_attempts
      << YAML::EndMap;
  if (c.email) {
    out << YAML::Key << "alerts" << YAML::Value << YAML::BeginMap << YAML::Key << "email" << YAML::Value
        << YAML::BeginMap << YAML::Key << "smtp_url" << YAML::Value << c.email->smtp_url << YAML::Key << "from"
        << YAML::Value << c.email->from << YAML::Key << "password_file" << YAML::Value << "<redacted>" << YAML::EndMap
        << YAML::EndMap;
  }
  if (!c.connectors.empty()) emit_connectors(out, c.connectors);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace bankrec::app
