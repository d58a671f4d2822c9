#pragma once

#include <memory>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/http/auth_service.h"
#include "bankrec/http/router.h"
#include "commands.h"
#include "config.h"

namespace bankrec::app {

class AlertSink;

/// The console's sign-in inside bankrecd: its own database connection, the secrets key, the
/// AuthService; alive as long as the router's routes may run.
class ConsoleAuth {
 public:
  virtual ~ConsoleAuth() = default;
  virtual std::shared_ptr<http::AuthService> service() const = 0;
};

/// Sign-in limits from bankrec.yaml (console.session_*, console.login_*); a lockout is logged and,
/// with `alerts`, raised as a login_lockout alert (its auth.lockout audit entry is the repository's).
http::AuthOptions console_auth_options(const AppConfig& config, AlertSink* alerts);

/// Opens what sign-in needs and installs the auth and user routes on `router` (issue 8).
Result<std::unique_ptr<ConsoleAuth>> install_console_auth(http::Router& router, const GlobalOptions& global,
                                                          const Clock& clock);

}  // namespace bankrec::app
