#include "bankrec/testing/testing.h"
#include "bankrec/http/server.h"

namespace bankrec::http {
namespace {

using ::testing::HasSubstr;

TEST(Router, dispatches_by_path_and_method) {
  Router router;
  router.add("GET", "/healthz", [](const Request&) { return Response::text(200, "ok\n"); });
  router.add("POST", "/api/v1/upload", [](const Request& r) { return Response::json(202, r.body); });
  EXPECT_EQ(router.dispatch({.method = "GET", .path = "/healthz"}).body, "ok\n");
  EXPECT_EQ(router.dispatch({.method = "HEAD", .path = "/healthz"}).status, 200);
  EXPECT_EQ(router.dispatch({.method = "POST", .path = "/api/v1/upload", .body = "{}"}).status, 202);
  const Response missing = router.dispatch({.method = "GET", .path = "/nope"});
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr(R"("code":"not_found")"));
  const Response wrong_method = router.dispatch({.method = "DELETE", .path = "/healthz"});
  EXPECT_EQ(wrong_method.status, 405);
  ASSERT_EQ(wrong_method.headers.size(), 1u);
  EXPECT_EQ(wrong_method.headers[0].second, "GET");
}

TEST(Router, maps_error_classes_to_status_codes) {
  EXPECT_EQ(status_for(Errc::invalid_input), 400);
  EXPECT_EQ(status_for(Errc::permission_denied), 403);
  EXPECT_EQ(status_for(Errc::unavailable), 503);
  const Response r = Response::error(Error{Errc::conflict, "already \"there\"", {}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, R"({"error":{"code":"conflict","message":"already \"there\""}})");
}

TEST(Router, header_lookup_ignores_case) {
  Request r;
  r.headers = {{"Content-Type", "text/csv"}};
  EXPECT_EQ(r.header("content-type"), "text/csv");
  EXPECT_EQ(r.header("accept"), "");
}

TEST(ListenAddress, parses_ipv4_and_ipv6) {
  EXPECT_EQ(*parse_listen_address("127.0.0.1:8443"), (std::pair<std::string, std::uint16_t>{"127.0.0.1", 8443}));
  EXPECT_EQ(*parse_listen_address("[::1]:0"), (std::pair<std::string, std::uint16_t>{"::1", 0}));
  EXPECT_FALSE(parse_listen_address("localhost"));
  EXPECT_FALSE(parse_listen_address("1.2.3.4:99999"));
  EXPECT_FALSE(parse_listen_address("1.2.3.4:8x"));
}

}  // namespace
}  // namespace bankrec::http
