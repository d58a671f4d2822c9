#include <spdlog/spdlog.h>

#include <system_error>

#include "bankrec/http/static_files.h"
#include "daemon_console.h"

namespace bankrec::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* kInstalledAssets = "/usr/share/bankrec/console";

/// True when the running executable lives in the build tree it was compiled in.
bool runs_from_build_tree() {
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (ec) return false;
  const fs::path build = fs::weakly_canonical(BANKREC_BUILD_DIR, ec);
  if (ec) return false;
  const std::string e = exe.string(), b = build.string() + "/";
  return e.starts_with(b);
}

/// console.assets_dir when configured; else the installed assets, or the build tree's console/dist
/// for a bankrecd started from its build tree (tests, the demo).
fs::path console_assets_dir(const AppConfig& config) {
  if (config.console.assets_dir) return *config.console.assets_dir;
  if (runs_from_build_tree()) return BANKREC_CONSOLE_BUILD_DIST;
  return kInstalledAssets;
}

}  // namespace

// The console's static part (issue 8): the web UI at / and /assets/. Without built assets the
// daemon still starts (the API works); / then says why.
Result<void> install_console_static(http::Router& router, ConsoleWiring& wiring,
                                    std::vector<std::shared_ptr<void>>& keep) {
  const fs::path dir = console_assets_dir(wiring.config);
  auto files = http::StaticFiles::load(dir);
  const auto log = spdlog::get("app");
  if (!files) {
    if (log) log->warn("console web ui not served assets_dir=\"{}\": {}", dir.string(), files.error().message);
    http::install_static_unavailable(router, files.error().message + " (" + dir.string() + ")");
    return ok();
  }
  if (log) log->info("console web ui assets_dir=\"{}\" files={}", dir.string(), (*files)->size() + 1);
  (void)keep;  // the routes hold the files
  http::install_static_routes(router, *files);
  return ok();
}

}  // namespace bankrec::app
