#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/http/auth_service.h"
#include "bankrec/http/router.h"
#include "bankrec/reconcile/rules.h"
#include "bankrec/store/secret_key.h"
#include "bankrec/store/store.h"

/// The console's admin REST API (issue 8; documented in daemon/http/openapi/openapi.yaml): the review queue, open
/// items, rules (read, validate, dry run, update), connectors (status, log, run now, consent and its
/// callback), API tokens, the user's preferences and a read-only settings view. Handlers run on the
/// server's blocking pool; every use of the daemon's Store is under `db_mutex`. What only the app
/// can do (YAML, the job queue, the connectors' OAuth flow, reloads) arrives as functions.
namespace bankrec::http {

/// A rules file problem: line (0 when unknown), key path and message.
struct RulesProblem {
  int line = 0;
  std::string key, message;
};

/// A console-started bank authorisation of one connector, as its page shows it: redirect flows wait
/// for the bank's redirect; decoupled ones (the person approves in the banking app) are polled by
/// the daemon until the bank decides.
struct ConsentProgress {
  std::string approach;  //!< "redirect" (a URL to open) or "decoupled" (approve in the banking app)
  std::string state;     //!< "pending", "valid" or "failed"
  std::string message;   //!< what the person must do, or why it failed
  std::string started_at, finished_at;  //!< UTC timestamps; finished_at "" while pending
  std::string valid_until;              //!< the consent's last day (YYYY-MM-DD) once valid, else ""
};

struct AdminApi {
  store::Store& db;
  std::mutex& db_mutex;
  const Clock& clock;
  std::shared_ptr<AuthService> auth;  //!< tokens and preferences
  /// Opens ConnectorsRepo for status and log (no secret is read); nullptr: no connectors.
  const store::SecretKey* connectors_key = nullptr;

  std::string rules_path;  //!< the rules file the daemon reads ("" when none is configured)
  /// Parses rules YAML (the app's reader): the rule set, or invalid_input with one problem per line
  /// as "FILE:LINE:COL: key.path: message".
  std::function<Result<reconcile::RuleSet>(const std::string& yaml, const std::string& file_name)> parse_rules;
  /// Asks the daemon to reload its configuration (SIGHUP), after the rules were saved.
  std::function<void()> request_reload;

  /// Queues a fetch of the connector now; returns the job id (not_found for an unknown connector).
  std::function<Result<std::int64_t>(const std::string& connector, const std::string& actor)> run_connector;
  /// Starts the bank authorisation; returns the URL the admin opens. `redirect_uri` is the callback.
  std::function<Result<std::string>(const std::string& connector, const std::string& redirect_uri,
                                    const std::string& actor)>
      start_consent;
  /// Completes it from the bank's redirect (query: state, code, error ...): the single-use state
  /// names the connector and the admin who started it. Returns the connector name.
  std::function<Result<std::string>(const std::map<std::string, std::string>& query)> finish_consent;
  /// The latest console-started authorisation of the connector (nullopt: none in the last 15 minutes).
  /// start_consent returns an empty URL for a decoupled one, whose message and state are here.
  std::function<std::optional<ConsentProgress>(const std::string& connector)> consent_progress;
  /// The effective configuration without secrets, as a JSON object text.
  std::function<std::string()> settings_json;
};

/// Registers the admin routes (see the sketch; roles in each install_* function):
///   GET  /api/v1/review, /api/v1/review/{entry_id}              read
///   POST /api/v1/review/{entry_id}/accept|match|no-match|undo   review (write-off: approve + step-up)
///   GET  /api/v1/open-items                                     read
///   GET  /api/v1/rules                                          read
///   POST /api/v1/rules/validate, /api/v1/rules/dry-run          manage_rules
///   PUT  /api/v1/rules                                          manage_rules + step-up
///   GET  /api/v1/connectors, /api/v1/connectors/{name}/log      read
///   POST /api/v1/connectors/{name}/run                          manage_connectors
///   POST /api/v1/connectors/{name}/consent                      manage_connectors + step-up
///   GET  /api/v1/connectors/{name}/consent                      manage_connectors (its progress)
///   GET  /api/v1/connectors/callback                            anyone: the bank's redirect carries no
///        SameSite=Strict cookie; the single-use, expiring state of a step-up'd start authorises it
///   GET  /api/v1/tokens                                         manage_users
///   POST /api/v1/tokens, DELETE /api/v1/tokens/{id}             manage_users + step-up
///   GET|PUT|DELETE /api/v1/me/preferences                       any signed-in user
///   GET  /api/v1/settings                                       manage_config
void install_admin_routes(Router& router, std::shared_ptr<const AdminApi> api);

/// Splits the app's rules error text ("FILE:LINE:COL: key.path: message" per line) into problems.
std::vector<RulesProblem> rules_problems(std::string_view error_text);

}  // namespace bankrec::http
