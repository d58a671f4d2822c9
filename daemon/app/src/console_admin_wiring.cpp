// The console's admin part (issue 8): the admin REST API with what only the app can supply (rules
// YAML, the job queue, the connectors' OAuth flow, reloads, the redacted settings), and sign-in's
// limits and lockout alert from bankrec.yaml.
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include "alert_sink.h"
#include "bankrec/http/api_admin.h"
#include "daemon_connectors.h"
#include "daemon_console.h"
#include "rules_yaml.h"
#include "runtime.h"
#include "user_commands.h"

namespace bankrec::app {
namespace {

namespace json = boost::json;

/// YAML (the redacted dump) as JSON: mappings and sequences kept, every scalar a string.
json::value yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : node) o[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json::array a;
      for (const auto& item : node) a.push_back(yaml_to_json(item));
      return a;
    }
    case YAML::NodeType::Scalar: return json::value(node.Scalar());
    default: return nullptr;
  }
}

std::string settings_json(const AppConfig& config) {
  json::object out;
  try {
    out["config"] = yaml_to_json(YAML::Load(redacted_dump(config)));
  } catch (const YAML::Exception& e) {
    out["config"] = nullptr;
    out["error"] = std::string("cannot show the configuration: ") + e.what();
  }
  const ConsoleSettings& c = config.console;
  out["console"] = json::object{{"max_upload_mb", c.max_upload_mb},
                                {"session_idle_minutes", c.session_idle_minutes},
                                {"session_absolute_hours", c.session_absolute_hours},
                                {"login_max_failures_per_account", c.login_max_failures_per_account},
                                {"login_max_failures_per_address", c.login_max_failures_per_address},
                                {"login_window_minutes", c.login_window_minutes},
                                {"login_lockout_minutes", c.login_lockout_minutes}};
  out["source"] = config.source;
  out["read_only"] = true;
  return json::serialize(out);
}

}  // namespace

Result<void> install_console_admin(http::Router& router, ConsoleWiring& wiring, std::vector<std::shared_ptr<void>>& keep) {
  (void)keep;
  // Sign-in limits from the config, and lockouts raised as alerts (before the server serves).
  wiring.auth->set_options(console_auth_options(wiring.config, &wiring.alerts));

  DaemonConnectors& connectors = wiring.connectors;
  jobs::Queue& queue = wiring.queue;
  const AppConfig& config = wiring.config;
  auto api = std::make_shared<http::AdminApi>(http::AdminApi{wiring.db, wiring.store_mutex, wiring.clock, wiring.auth});
  api->connectors_key = &connectors.secrets_key();
  api->rules_path = config.rules_file.value_or("");
  api->parse_rules = [](const std::string& yaml, const std::string& file_name) { return parse_rules_yaml(yaml, file_name); };
  api->request_reload = wiring.request_reload;
  api->run_connector = [&connectors, &queue](const std::string& name, const std::string& actor) {
    return connectors.run_now(queue, name, actor);
  };
  api->start_consent = [&connectors, &config](const std::string& name, const std::string& redirect_uri,
                                               const std::string& actor) -> Result<std::string> {
    const auto* settings = BANKREC_TRY(configured_connector(config, name));
    if (!settings->enabled) return fail(Errc::conflict, "connector '" + name + "' is disabled in " + config.source);
    return connectors.begin_consent(*settings, redirect_uri, actor);
  };
  api->finish_consent = [&connectors](const std::map<std::string, std::string>& query) {
    return connectors.finish_consent(query);
  };
  api->consent_progress = [&connectors](const std::string& name) { return connectors.consent_progress(name); };
  api->settings_json = [&config] { return settings_json(config); };
  http::install_admin_routes(router, api);
  return ok();
}

}  // namespace bankrec::app
