#include "bankrec/testing/testing.h"
#include "bankrec/http/server.h"

namespace bankrec::http {
namespace {

using ::testing::HasSubstr;

TEST(Router, dispatches_by_path_and_method) {
  Router router;
  router.add("GET", "/healthz", [](const Request&) { return Response::text(200, "ok\n"); });
  router.add("POST", "/upload", [](const Request& r) { return Response::json(202, r.body); });
  EXPECT_EQ(router.dispatch({.method = "GET", .path = "/healthz"}).body, "ok\n");
  EXPECT_EQ(router.dispatch({.method = "HEAD", .path = "/healthz"}).status, 200);
  EXPECT_EQ(router.dispatch({.method = "POST", .path = "/upload", .body = "{}"}).status, 202);
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

namespace bankrec::http {
namespace {

TEST(Router, matches_path_parameters_and_prefers_literal_segments) {
  Router router;
  router.add("GET", "/files/{id}", [](const Request& r) { return Response::text(200, "id=" + std::string(r.param("id"))); });
  router.add("GET", "/files/latest", [](const Request&) { return Response::text(200, "latest"); });
  router.add("GET", "/files/{id}/lines/{n}", [](const Request& r) {
    return Response::text(200, std::string(r.param("id")) + ":" + std::string(r.param("n")));
  });
  EXPECT_EQ(router.dispatch({.method = "GET", .path = "/files/42"}).body, "id=42");
  EXPECT_EQ(router.dispatch({.method = "GET", .path = "/files/latest"}).body, "latest");
  EXPECT_EQ(router.dispatch({.method = "GET", .path = "/files/a%20b"}).body, "id=a b");
  EXPECT_EQ(router.dispatch({.method = "GET", .path = "/files/7/lines/3"}).body, "7:3");
  EXPECT_EQ(router.dispatch({.method = "GET", .path = "/files/"}).status, 404);
  EXPECT_EQ(router.dispatch({.method = "GET", .path = "/files/a%2Fb"}).status, 404);  // no '/' smuggled in
  EXPECT_EQ(router.dispatch({.method = "GET", .path = "/files/%zz"}).status, 404);
  EXPECT_EQ(router.dispatch({.method = "DELETE", .path = "/files/42"}).status, 405);
}

TEST(Router, signed_in_routes_fail_closed_without_a_guard_and_are_blocking) {
  Router router;
  router.add("GET", "/api/v1/things", Access::need(Permission::read), [](const Request&) { return Response::json(200, "{}"); });
  router.add("GET", "/healthz", [](const Request&) { return Response::json(200, "{}"); });
  EXPECT_EQ(router.dispatch({.method = "GET", .path = "/api/v1/things"}).status, 403);
  EXPECT_TRUE(router.is_blocking({.method = "GET", .path = "/api/v1/things"}));
  EXPECT_FALSE(router.is_blocking({.method = "GET", .path = "/healthz"}));
}

TEST(Router, reads_cookies) {
  Request r;
  r.headers = {{"Cookie", "a=1; __Host-bankrec_session=xyz;b=2"}};
  EXPECT_EQ(r.cookie("__Host-bankrec_session"), "xyz");
  EXPECT_EQ(r.cookie("b"), "2");
  EXPECT_EQ(r.cookie("c"), "");
}

TEST(Roles, permissions_per_role) {
  EXPECT_TRUE(role_has(Role::viewer, Permission::read));
  EXPECT_FALSE(role_has(Role::viewer, Permission::upload));
  EXPECT_TRUE(role_has(Role::accountant, Permission::review));
  EXPECT_FALSE(role_has(Role::accountant, Permission::approve));
  EXPECT_TRUE(role_has(Role::approver, Permission::approve));
  EXPECT_FALSE(role_has(Role::approver, Permission::manage_users));
  EXPECT_TRUE(role_has(Role::admin, Permission::manage_config));
  EXPECT_FALSE(role_requires_totp(Role::accountant));
  EXPECT_TRUE(role_requires_totp(Role::approver));
}

}  // namespace
}  // namespace bankrec::http
