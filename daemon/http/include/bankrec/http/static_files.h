#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "bankrec/base/result.h"
#include "bankrec/http/router.h"

/// The console's built web UI (console/, bundled by esbuild): index.html and a flat assets/ folder
/// whose file names carry a content hash ("app-3KZ7QF2D.js"). Everything is read once at start, so
/// a request can only ever get one of the files listed then: no path from a request reaches the
/// file system.
namespace bankrec::http {

struct StaticAsset {
  std::string content_type;
  std::string body;
  bool immutable = false;  ///< hashed name: cached for a year; otherwise revalidated
};

class StaticFiles {
 public:
  /// Reads DIR/index.html and the regular files directly in DIR/assets/ (at most kMaxFiles files of
  /// at most kMaxFileBytes each). not_found when index.html is missing.
  static Result<std::shared_ptr<const StaticFiles>> load(const std::filesystem::path& dir);

  static constexpr std::size_t kMaxFiles = 512;
  static constexpr std::uintmax_t kMaxFileBytes = 16 * 1024 * 1024;

  const StaticAsset& index() const { return index_; }
  /// A file in assets/ by its name; nullptr when there is none.
  const StaticAsset* find(std::string_view name) const;
  std::size_t size() const { return assets_.size(); }

 private:
  StaticAsset index_;
  std::map<std::string, StaticAsset, std::less<>> assets_;
};

/// Content type by extension (".js" → "text/javascript; charset=utf-8"); application/octet-stream
/// for anything unknown.
std::string_view content_type_for(std::string_view file_name);

/// True for esbuild's hashed names: "<stem>-<8 or more of A-Z0-9>.<ext>".
bool is_hashed_name(std::string_view file_name);

/// GET / → index.html (Cache-Control: no-store); GET /assets/{file} → the file (immutable for a
/// hashed name, no-cache otherwise), 404 for any other name. Public routes: the UI signs in itself.
void install_static_routes(Router& router, std::shared_ptr<const StaticFiles> files);

/// GET / → 503 with a short HTML page saying why the console is not there (`reason`), when the
/// assets could not be loaded; the API still works.
void install_static_unavailable(Router& router, std::string reason);

}  // namespace bankrec::http
