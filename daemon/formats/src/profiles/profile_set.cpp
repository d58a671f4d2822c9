#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include <yaml-cpp/yaml.h>

#include "profiles/profile_set_impl.h"
#include "profiles/yaml_util.h"

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

namespace {

/// Every profile name once, whatever its kind: `--profile NAME` must be unambiguous.
Result<void> check_unique(const ProfileSet::Impl& impl, const std::string& name, const Yaml& y) {
  auto clash = [&](const auto& list) -> const std::string* {
    for (const auto& p : list)
      if (p.name == name) return &p.path;
    return nullptr;
  };
  const std::string* other = clash(impl.tables);
  if (other == nullptr) other = clash(impl.xml);
  if (other == nullptr) other = clash(impl.pdf);
  if (other != nullptr)
    return y.error(y.root()["name"], "name", "profile '" + name + "' is already defined in " + *other);
  return ok();
}

Result<void> load_one(ProfileSet::Impl& impl, const ProfileSource& source) {
  YAML::Node root;
  try {
    root = YAML::Load(source.text);
  } catch (const YAML::Exception& e) {
    Error error{Errc::invalid_input, "invalid YAML: " + e.msg, source.path};
    if (!e.mark.is_null()) {
      error.line = static_cast<std::uint32_t>(e.mark.line + 1);
      error.column = static_cast<std::uint32_t>(e.mark.column + 1);
      error.where += ":" + std::to_string(error.line) + ":" + std::to_string(error.column);
    }
    return Unexpected{std::move(error)};
  }
  const Yaml y(source.path, root);
  if (!root.IsMap()) return y.error(root, "", "a profile is a mapping of keys (name, match, columns, ...)");
  std::string kind = "table";
  if (root["kind"]) kind = BANKREC_TRY(y.string(root["kind"], "kind"));
  const std::string name = BANKREC_TRY(y.profile_name(root));
  BANKREC_TRY(check_unique(impl, name, y));
  // yaml-cpp throws from as<>() and friends; a profile must never take the loader down.
  try {
    if (kind == "table") {
      impl.tables.push_back(BANKREC_TRY(parse_table_profile(root, source.path)));
    } else if (kind == "xml") {
      impl.xml.push_back(BANKREC_TRY(parse_xml_profile(root, source.path)));
    } else if (kind == "pdf") {
      impl.pdf.push_back(BANKREC_TRY(parse_pdf_profile(root, source.path)));
    } else {
      return y.error(root["kind"], "kind", "must be table, xml or pdf, not '" + kind + "'");
    }
  } catch (const YAML::Exception& e) {
    return y.error(root, "", "invalid profile: " + e.msg);
  }
  return ok();
}

}  // namespace

Result<ProfileSet> ProfileSet::from_sources(const std::vector<ProfileSource>& sources) {
  auto impl = std::make_shared<Impl>();
  for (const auto& source : sources) BANKREC_TRY(load_one(*impl, source));
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
