#include "daemon_console.h"

namespace bankrec::app {

// The console's static part (issue 8): installs its routes; nothing yet.
Result<void> install_console_static(http::Router& router, ConsoleWiring& wiring,
                                  std::vector<std::shared_ptr<void>>& keep) {
  (void)router;
  (void)wiring;
  (void)keep;
  return ok();
}

}  // namespace bankrec::app
