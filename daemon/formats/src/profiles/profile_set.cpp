#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include <yaml-cpp/yaml.h>

#include "profiles/profile_set_impl.h"

namespace bankrec::formats {

namespace fs = std::filesystem;

ProfileSet::ProfileSet() : impl_(std::make_shared<const Impl>()) {}

bool ProfileSet::empty() const { return impl_->tables.empty() && impl_->xml.empty() && impl_->pdf.empty(); }

std::vector<ProfileSet::Summary> ProfileSet::list() const {
  std::vector<Summary> out;
  for (const auto& p : impl_->tables) out.push_back({p.name, "table", p.path, p.description});
  for (const auto& p : impl_->xml) out.push_back({p.name, "xml", p.path, p.description});
  for (const auto& p : impl_->pdf) out.push_back({p.name, "pdf", p.path, p.description});
  return out;
}

Result<ProfileSet> ProfileSet::from_sources(const std::vector<ProfileSource>& sources) {
  auto impl = std::make_shared<Impl>();
  for (const auto& source : sources) {
    YAML::Node root;
    try {
      root = YAML::Load(source.text);
    } catch (const YAML::Exception& e) {
      return fail(Errc::invalid_input,
                  source.path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    if (!root.IsMap()) return fail(Errc::invalid_input, source.path + ": a profile is a mapping of keys");
    const std::string kind = root["kind"] ? root["kind"].as<std::string>() : std::string("table");
    if (kind == "table") {
      impl->tables.push_back(BANKREC_TRY(parse_table_profile(root, source.path)));
    } else if (kind == "xml") {
      impl->xml.push_back(BANKREC_TRY(parse_xml_profile(root, source.path)));
    } else if (kind == "pdf") {
      impl->pdf.push_back(BANKREC_TRY(parse_pdf_profile(root, source.path)));
    } else {
      return fail(Errc::invalid_input, source.path + ":" + std::to_string(root["kind"].Mark().line + 1) +
                                           ": kind: must be table, xml or pdf, not \"" + kind + "\"");
    }
  }
  ProfileSet set;
  set.impl_ = std::move(impl);
  return set;
}

Result<ProfileSet> ProfileSet::load_directory(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return ProfileSet{};
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
  if (ec) return fail(Errc::invalid_input, "cannot list profiles: " + ec.message(), dir.string());
  std::sort(files.begin(), files.end());
  std::vector<ProfileSource> sources;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return fail(Errc::invalid_input, "cannot read profile", f.string());
    std::ostringstream text;
    text << in.rdbuf();
    sources.push_back({f.string(), text.str()});
  }
  return from_sources(sources);
}

}  // namespace bankrec::formats
