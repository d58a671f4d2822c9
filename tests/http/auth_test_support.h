#pragma once
// Shared by the tests that sign in through the Router (auth_service_test, the admin API tests): users
// with TOTP enrolled, reading a response, and the table-driven check that every route admits exactly
// the roles it should.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/clock.h"
#include "bankrec/http/auth_service.h"
#include "bankrec/http/router.h"
#include "bankrec/testing/testing.h"

namespace bankrec::http::auth_test_support {

/// The least role a route admits; nullopt: any signed-in user; `anyone`: no sign-in at all.
struct RouteRoles {
  const char* method;
  const char* pattern;
  std::optional<Role> least;
  bool anyone = false;
};

/// The sign-in and user routes (install_auth_routes).
inline std::vector<RouteRoles> auth_route_roles() {
  return {
    {"POST", "/api/v1/auth/login", std::nullopt, true},
    {"POST", "/api/v1/auth/logout", std::nullopt},
    {"POST", "/api/v1/auth/logout-all", std::nullopt},
    {"GET", "/api/v1/auth/me", std::nullopt},
    {"POST", "/api/v1/auth/totp/enrol", std::nullopt},
    {"POST", "/api/v1/auth/totp/confirm", std::nullopt},
    {"POST", "/api/v1/auth/step-up", std::nullopt},
    {"GET", "/api/v1/users", Role::admin},
    {"GET", "/api/v1/users/{id}", Role::admin},
    {"POST", "/api/v1/users", Role::admin},
    {"PATCH", "/api/v1/users/{id}", Role::admin},
  };
}

/// Every registered route has a row in `table`: a new route without one fails here.
inline void expect_every_route_listed(const Router& router, const std::vector<RouteRoles>& table) {
  for (const auto& route : router.routes()) {
    const bool listed = std::any_of(table.begin(), table.end(), [&](const RouteRoles& e) {
      return route.method == e.method && route.pattern == e.pattern;
    });
    EXPECT_TRUE(listed) << route.method << " " << route.pattern << " has no expected roles";
  }
}

/// The "code" of an error body; "" when the body is no error.
inline std::string error_code(const Response& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("error")) return {};
  return std::string(v.at("error").at("code").as_string());
}

/// The first header `name` (exact case); "" when absent.
inline std::string header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

/// `r` is what `role` got at `path` of the row's route: let through, or 403 forbidden.
inline void expect_role_decision(const RouteRoles& e, Role role, const std::string& path, const Response& r) {
  const bool allowed = !e.least || role >= *e.least;
  const std::string what = std::string(e.method) + " " + path + " as " + store::role_name(role) + ": " +
                           std::to_string(r.status) + " " + r.body;
  if (allowed) {
    EXPECT_NE(error_code(r), "forbidden") << what;
    EXPECT_NE(r.status, 401) << what;
  } else {
    EXPECT_EQ(r.status, 403) << what;
    EXPECT_EQ(error_code(r), "forbidden") << what;
  }
}

/// The TOTP step of `clock`'s now.
inline std::int64_t step_now(const Clock& clock) {
  return auth::totp_step(std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count());
}

/// Creates a user; with `enrol`, enrols TOTP with the code of `clock`'s step and returns the raw secret
/// ("" without `enrol` or when a step failed, which the test is told).
inline std::string create_user(AuthService& auth, const Clock& clock, const std::string& name, Role role,
                               const std::string& password, bool enrol) {
  const auto user = auth.create_user(name, role, password, "test");
  EXPECT_OK(user);
  if (!user || !enrol) return {};
  const auto e = auth.begin_totp(user->id, "test");
  EXPECT_OK(e);
  if (!e) return {};
  const std::string secret = *auth::base32_decode(e->secret_base32);
  EXPECT_OK(auth.confirm_totp(user->id, auth::totp_code(secret, step_now(clock)), "test"));
  return secret;
}

}  // namespace bankrec::http::auth_test_support
