#include "bankrec/http/static_files.h"

#include <fstream>

#include "bankrec/testing/testing.h"

namespace bankrec::http {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

/// A built console as esbuild leaves it, plus things that must never be served.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dist_ = dir_.path() / "dist";
    write(dist_ / "index.html", "<!doctype html><title>bankrec</title>");
    write(dist_ / "assets" / "main-ALYBPUVD.js", "console.log(1)");
    write(dist_ / "assets" / "main-DGBOO3I7.css", "body{}");
    write(dist_ / "assets" / "favicon-77D351C9F1.svg", "<svg/>");
    write(dist_ / "assets" / "robots.txt", "plain");
    write(dist_ / "assets" / ".hidden", "secret");
    write(dist_ / "assets" / "sub" / "deep-ABCDEFGH.js", "nested");
    write(dir_.path() / "outside.txt", "outside");
    fs::create_symlink(dir_.path() / "outside.txt", dist_ / "assets" / "link-ABCDEFGH.txt");
  }

  Router router() {
    auto files = StaticFiles::load(dist_);
    EXPECT_TRUE(files.has_value()) << (files ? "" : files.error().message);
    Router r;
    if (files) install_static_routes(r, *files);
    return r;
  }

  testing::TempDir dir_;
  fs::path dist_;
};

TEST(StaticFiles, content_types_follow_the_extension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("main-ALYBPUVD.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("MAIN.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("icon.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("font.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("archive.tar.gz"), "application/octet-stream");
  EXPECT_EQ(content_type_for("noextension"), "application/octet-stream");
}

TEST(StaticFiles, only_esbuild_hashes_count_as_immutable_names) {
  EXPECT_TRUE(is_hashed_name("main-ALYBPUVD.js"));
  EXPECT_TRUE(is_hashed_name("favicon-77D351C9F1.svg"));
  EXPECT_FALSE(is_hashed_name("main.js"));
  EXPECT_FALSE(is_hashed_name("main-alybpuvd.js"));  // lower case is a word, not a hash
  EXPECT_FALSE(is_hashed_name("main-ABC.js"));       // too short
  EXPECT_FALSE(is_hashed_name("-ALYBPUVD.js"));
  EXPECT_FALSE(is_hashed_name("ALYBPUVD"));
}

TEST_F(StaticFilesTest, index_is_served_uncached_at_the_root) {
  const Router r = router();
  for (const char* path : {"/", "/index.html"}) {
    const Response index = r.dispatch({.method = "GET", .path = path});
    EXPECT_EQ(index.status, 200) << path;
    EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(index.body, "<!doctype html><title>bankrec</title>");
    EXPECT_EQ(header(index, "Cache-Control"), "no-store");
  }
  EXPECT_EQ(r.dispatch({.method = "HEAD", .path = "/"}).status, 200);
  EXPECT_EQ(r.dispatch({.method = "POST", .path = "/"}).status, 405);
}

TEST_F(StaticFilesTest, hashed_assets_are_immutable_and_others_revalidated) {
  const Router r = router();
  const Response js = r.dispatch({.method = "GET", .path = "/assets/main-ALYBPUVD.js"});
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(r.dispatch({.method = "GET", .path = "/assets/main-DGBOO3I7.css"}).content_type, "text/css; charset=utf-8");
  const Response plain = r.dispatch({.method = "GET", .path = "/assets/robots.txt"});
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(header(plain, "Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, nothing_outside_the_listed_files_is_reachable) {
  const Router r = router();
  for (const char* path : {"/assets/missing-ABCDEFGH.js", "/assets/.hidden", "/assets/sub", "/assets/sub/deep-ABCDEFGH.js",
                           "/assets/link-ABCDEFGH.txt", "/assets/..%2Findex.html", "/assets/%2e%2e%2foutside.txt",
                           "/assets/../index.html", "/assets/..", "/assets/", "/outside.txt", "/assets/main-ALYBPUVD.js%00"}) {
    const Response res = r.dispatch({.method = "GET", .path = path});
    EXPECT_EQ(res.status, 404) << path;
    EXPECT_THAT(res.body, ::testing::Not(HasSubstr("outside"))) << path;
    EXPECT_THAT(res.body, ::testing::Not(HasSubstr("secret"))) << path;
  }
}

TEST_F(StaticFilesTest, a_folder_without_index_html_is_refused) {
  fs::remove(dist_ / "index.html");
  const auto files = StaticFiles::load(dist_);
  ASSERT_FALSE(files.has_value());
  EXPECT_EQ(files.error().code, Errc::not_found);
  EXPECT_THAT(files.error().message, HasSubstr("index.html"));
  EXPECT_EQ(files.error().where, dist_.string());
}

TEST(StaticFiles, unavailable_page_says_why_and_escapes_it) {
  Router r;
  install_static_unavailable(r, "no index.html in </p><script>x</script>");
  const Response res = r.dispatch({.method = "GET", .path = "/"});
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(res.body, HasSubstr("no index.html in &lt;/p&gt;&lt;script&gt;x&lt;/script&gt;"));
  EXPECT_THAT(res.body, ::testing::Not(HasSubstr("<script>")));
}

}  // namespace
}  // namespace bankrec::http
