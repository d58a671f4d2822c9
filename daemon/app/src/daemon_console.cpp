#include "daemon_console.h"

#include <vector>

namespace bankrec::app {

namespace {

class Parts final : public ConsoleParts {
 public:
  std::vector<std::shared_ptr<void>> keep;
};

}  // namespace

Result<std::unique_ptr<ConsoleParts>> install_console(http::Router& router, ConsoleWiring& wiring) {
  auto parts = std::make_unique<Parts>();
  BANKREC_TRY(install_console_data(router, wiring, parts->keep));
  BANKREC_TRY(install_console_admin(router, wiring, parts->keep));
  BANKREC_TRY(install_console_static(router, wiring, parts->keep));
  return std::unique_ptr<ConsoleParts>(std::move(parts));
}

}  // namespace bankrec::app
