#include "bankrec/http/static_files.h"

#include <array>
#include <cctype>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

namespace bankrec::http {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

struct TypeByExtension {
  std::string_view extension, type;
};

constexpr std::array<TypeByExtension, 14> kTypes{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
    {".yaml", "application/yaml"},
}};

Result<std::string> read_file(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return fail(Errc::not_found, "cannot read console file: " + ec.message(), path.string());
  if (size > StaticFiles::kMaxFileBytes)
    return fail(Errc::invalid_input, "console file larger than " + std::to_string(StaticFiles::kMaxFileBytes) + " bytes",
                path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::not_found, "cannot open console file", path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// Names as esbuild writes them: letters, digits, '.', '-', '_', not starting with '.'.
bool is_plain_name(std::string_view name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  return true;
}

Response asset_response(const StaticAsset& asset, std::string_view cache_control) {
  Response r{200, asset.content_type, {}, asset.body};
  r.headers.emplace_back("Cache-Control", std::string(cache_control));
  return r;
}

}  // namespace

std::string_view content_type_for(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext(file_name.substr(dot));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& t : kTypes)
    if (t.extension == ext) return t.type;
  return "application/octet-stream";
}

bool is_hashed_name(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view stem = file_name.substr(0, dot);
  const auto dash = stem.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return false;
  const std::string_view hash = stem.substr(dash + 1);
  if (hash.size() < 8) return false;
  for (char c : hash)
    if (!std::isdigit(static_cast<unsigned char>(c)) && !std::isupper(static_cast<unsigned char>(c))) return false;
  return true;
}

Result<std::shared_ptr<const StaticFiles>> StaticFiles::load(const fs::path& dir) {
  auto files = std::make_shared<StaticFiles>();
  const fs::path index = dir / "index.html";
  std::error_code ec;
  if (!fs::is_regular_file(index, ec))
    return fail(Errc::not_found, "no index.html in the console's assets directory (console.assets_dir)", dir.string());
  files->index_ = {std::string(content_type_for("index.html")), BANKREC_TRY(read_file(index)), false};
  const fs::path assets = dir / "assets";
  if (!fs::is_directory(assets, ec)) return std::shared_ptr<const StaticFiles>(std::move(files));
  for (fs::directory_iterator it(assets, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // Symbolic links are not followed: only files that are really in assets/ are served.
    if (!it->is_regular_file(ec) || it->is_symlink(ec) || !is_plain_name(name)) continue;
    if (files->assets_.size() >= kMaxFiles)
      return fail(Errc::invalid_input, "more than " + std::to_string(kMaxFiles) + " files in the console's assets",
                  assets.string());
    StaticAsset asset{std::string(content_type_for(name)), BANKREC_TRY(read_file(it->path())), is_hashed_name(name)};
    files->assets_.emplace(name, std::move(asset));
  }
  if (ec) return fail(Errc::unavailable, "cannot list the console's assets: " + ec.message(), assets.string());
  return std::shared_ptr<const StaticFiles>(std::move(files));
}

const StaticAsset* StaticFiles::find(std::string_view name) const {
  const auto it = assets_.find(name);
  return it == assets_.end() ? nullptr : &it->second;
}

void install_static_routes(Router& router, std::shared_ptr<const StaticFiles> files) {
  router.add("GET", "/", [files](const Request&) { return asset_response(files->index(), "no-store"); });
  router.add("GET", "/index.html", [files](const Request&) { return asset_response(files->index(), "no-store"); });
  router.add("GET", "/assets/{file}", [files](const Request& request) {
    const StaticAsset* asset = files->find(request.param("file"));
    if (asset == nullptr) return Response::error(404, "not_found", "no such console file");
    return asset_response(*asset, asset->immutable ? kImmutable : std::string_view("no-cache"));
  });
}

void install_static_unavailable(Router& router, std::string reason) {
  std::string escaped;
  for (char c : reason) {
    switch (c) {
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '&': escaped += "&amp;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped += c;
    }
  }
  const std::string page =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>bankrec</title></head><body>"
      "<h1>The bankrec console is not installed</h1><p>" +
      escaped + "</p><p>The REST API under /api/v1/ works without it.</p></body></html>\n";
  router.add("GET", "/", [page](const Request&) {
    Response r{503, "text/html; charset=utf-8", {}, page};
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });
}

}  // namespace bankrec::http
