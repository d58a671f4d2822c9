#pragma once

#include <memory>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/http/auth_service.h"
#include "bankrec/http/router.h"
#include "commands.h"

namespace bankrec::app {

/// The console's sign-in inside bankrecd: its own database connection, the secrets key, the
/// AuthService; alive as long as the router's routes may run.
class ConsoleAuth {
 public:
  virtual ~ConsoleAuth() = default;
  virtual std::shared_ptr<http::AuthService> service() const = 0;
};

/// Opens what sign-in needs and installs the auth and user routes on `router` (issue 8).
Result<std::unique_ptr<ConsoleAuth>> install_console_auth(http::Router& router, const GlobalOptions& global,
                                                          const Clock& clock);

}  // namespace bankrec::app
