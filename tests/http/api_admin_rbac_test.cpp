// Every registered route (sign-in, users and the admin API) × every role, and API tokens for
// machine clients: scopes, no CSRF, revoked and wrong tokens, never step-up or user administration.
#include "api_admin_fixture.h"
#include "auth_test_support.h"
#include "bankrec/testing/testing.h"

namespace bankrec::http::admin_test {
namespace {

using ::testing::HasSubstr;

using auth_test_support::RouteRoles;

/// The least role each route admits: the sign-in and user routes, then the admin API's.
std::vector<RouteRoles> expected_roles() {
  std::vector<RouteRoles> all = auth_test_support::auth_route_roles();
  all.insert(all.end(), {
    {"GET", "/api/v1/review", Role::viewer},
    {"GET", "/api/v1/review/{entry_id}", Role::viewer},
    {"POST", "/api/v1/review/{entry_id}/accept", Role::accountant},
    {"POST", "/api/v1/review/{entry_id}/match", Role::accountant},
    {"POST", "/api/v1/review/{entry_id}/no-match", Role::accountant},
    {"POST", "/api/v1/review/{entry_id}/undo", Role::accountant},
    {"GET", "/api/v1/open-items", Role::viewer},
    {"GET", "/api/v1/rules", Role::viewer},
    {"POST", "/api/v1/rules/validate", Role::admin},
    {"POST", "/api/v1/rules/dry-run", Role::admin},
    {"PUT", "/api/v1/rules", Role::admin},
    {"GET", "/api/v1/connectors", Role::viewer},
    {"GET", "/api/v1/connectors/{name}/log", Role::viewer},
    {"POST", "/api/v1/connectors/{name}/run", Role::admin},
    {"POST", "/api/v1/connectors/{name}/consent", Role::admin},
    {"GET", "/api/v1/connectors/{name}/consent", Role::admin},
    {"GET", "/api/v1/connectors/callback", std::nullopt, true},
    {"GET", "/api/v1/tokens", Role::admin},
    {"POST", "/api/v1/tokens", Role::admin},
    {"DELETE", "/api/v1/tokens/{id}", Role::admin},
    {"GET", "/api/v1/me/preferences", std::nullopt},
    {"PUT", "/api/v1/me/preferences", std::nullopt},
    {"DELETE", "/api/v1/me/preferences", std::nullopt},
    {"GET", "/api/v1/settings", Role::admin},
  });
  return all;
}
const std::vector<RouteRoles> kExpected = expected_roles();

std::string concrete(std::string path) {
  for (const char* p : {"{id}", "{entry_id}", "{name}"})
    if (auto at = path.find(p); at != std::string::npos) path.replace(at, std::string(p).size(), p[1] == 'n' ? "spk" : "999");
  return path;
}

TEST_F(AdminApiTest, the_openapi_document_names_every_admin_route) {
  const std::string doc = bankrec::testing::read_file(std::string(BANKREC_TEST_SOURCE_DIR) + "/daemon/http/openapi/openapi.yaml");
  for (const auto& route : router_.routes()) {
    const auto at = doc.find("\n  " + route.pattern + ":\n");
    ASSERT_NE(at, std::string::npos) << route.pattern;
    const auto next = doc.find("\n  /", at + 1);
    std::string method = route.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(doc.substr(at, next - at).find("\n    " + method + ":"), std::string::npos)
        << route.method << " " << route.pattern;
  }
}

TEST_F(AdminApiTest, every_route_admits_exactly_the_roles_it_should) {
  auth_test_support::expect_every_route_listed(router_, kExpected);
  add_all_users();
  for (const RouteRoles& e : kExpected) {
    if (e.anyone) continue;
    const std::string path = concrete(e.pattern);
    const std::string body_text = std::string(e.method) == "GET" ? "" : "{}";
    for (Role role : {Role::viewer, Role::accountant, Role::approver, Role::admin}) {
      // A fresh session per call (logout ends one); approver and admin sign in with a code, so
      // step-up is fresh and only the role decides.
      const Session s = login(role);
      // Without the CSRF header a state change is refused before anything else.
      if (body_text == "{}") {
        EXPECT_EQ(error_code(call(e.method, path, body_text, &s, false)), "csrf") << e.method << " " << path;
      }
      auth_test_support::expect_role_decision(e, role, path, call(e.method, path, body_text, &s));
    }
    EXPECT_EQ(call(e.method, path, body_text).status, 401) << e.method << " " << path;
  }
}

class TokenTest : public AdminApiTest {
 protected:
  std::string make(const Session& admin, const std::string& name, const std::string& scopes, int* status = nullptr) {
    const Response r = call("POST", "/api/v1/tokens", R"({"name":")" + name + R"(","scopes":)" + scopes + "}", &admin);
    if (status) *status = r.status;
    if (r.status != 201) return {};
    return std::string(body(r).at("token").as_string());
  }
};

TEST_F(TokenTest, a_read_token_reads_and_cannot_change_anything) {
  add_all_users();
  const Session admin = login(Role::admin);
  const std::string token = make(admin, "erp-read", R"(["read"])");
  ASSERT_THAT(token, ::testing::StartsWith("brk_"));
  Session machine;
  machine.bearer = token;
  const Response review = call("GET", "/api/v1/review", {}, &machine);
  EXPECT_EQ(review.status, 200) << review.body;
  EXPECT_EQ(call("GET", "/api/v1/open-items", {}, &machine).status, 200);
  const std::string accept = "/api/v1/review/" + std::to_string(entry_) + "/accept";
  EXPECT_EQ(error_code(call("POST", accept, R"({"suggestion":1})", &machine)), "forbidden");
  EXPECT_EQ(entry_status(), "review");
  // Routes open to any signed-in person are not open to a machine.
  EXPECT_EQ(error_code(call("GET", "/api/v1/me/preferences", {}, &machine)), "forbidden");
  EXPECT_EQ(error_code(call("GET", "/api/v1/auth/me", {}, &machine)), "forbidden");
  // The stored row has the hash only; the list shows the prefix and last use.
  EXPECT_EQ(*t_.store->db().query_int("SELECT count(*) FROM api_tokens WHERE token_hash = '" + auth::hash_hex(token) + "'"), 1);
  const auto rows = *t_.store->db().query_texts("SELECT name || prefix || scopes || token_hash FROM api_tokens");
  for (const auto& row : rows) EXPECT_THAT(row, ::testing::Not(HasSubstr(token)));
  const Response listed = call("GET", "/api/v1/tokens", {}, &admin);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_THAT(listed.body, HasSubstr("\"name\":\"erp-read\""));
  EXPECT_THAT(listed.body, ::testing::Not(HasSubstr(token)));
  EXPECT_FALSE(body(listed).at("items").at(0).at("last_used_at").is_null());
}

TEST_F(TokenTest, a_review_token_decides_without_csrf_and_is_audited_as_the_token) {
  add_all_users();
  const Session admin = login(Role::admin);
  Session machine;
  machine.bearer = make(admin, "erp", R"(["read","review"])");
  const Response r = call("POST", "/api/v1/review/" + std::to_string(entry_) + "/accept", R"({"suggestion":1})", &machine);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(audited("token:erp reconcile.accept"));
  EXPECT_TRUE(audited("admin-user token.create"));
}

TEST_F(TokenTest, tokens_never_reach_step_up_or_user_administration) {
  add_all_users();
  const Session admin = login(Role::admin);
  int status = 0;
  make(admin, "too-much", R"(["manage_users"])", &status);
  EXPECT_EQ(status, 400);
  make(admin, "unknown", R"(["root"])", &status);
  EXPECT_EQ(status, 400);
  make(admin, "bad name!", R"(["read"])", &status);
  EXPECT_EQ(status, 400);
  Session machine;
  machine.bearer = make(admin, "ops", R"(["read","upload","review","approve","manage_connectors","manage_rules","manage_config"])");
  ASSERT_FALSE(machine.bearer.empty());
  make(admin, "ops", R"(["read"])", &status);
  EXPECT_EQ(status, 409);  // one live token per name
  for (const RouteRoles& e : kExpected) {
    if (e.anyone) continue;
    const std::string path = concrete(e.pattern);
    const Response r = call(e.method, path, std::string(e.method) == "GET" ? "" : "{}", &machine);
    const bool user_admin = std::string(e.pattern).starts_with("/api/v1/users") ||
                            std::string(e.pattern).starts_with("/api/v1/tokens");
    const bool step_up = std::string(e.method) == "PUT" && std::string(e.pattern) == "/api/v1/rules";
    const bool consent = std::string(e.method) == "POST" && std::string(e.pattern).ends_with("/consent");
    const std::string what = std::string(e.method) + " " + path + ": " + std::to_string(r.status) + " " + r.body;
    if (!e.least || user_admin) {
      EXPECT_EQ(error_code(r), "forbidden") << what;
    } else if (step_up || consent) {
      EXPECT_EQ(error_code(r), "step_up_required") << what;
    } else {
      EXPECT_NE(r.status, 401) << what;
      EXPECT_NE(error_code(r), "forbidden") << what;
      EXPECT_NE(error_code(r), "csrf") << what;
    }
  }
}

TEST_F(TokenTest, revoked_and_wrong_tokens_are_refused) {
  add_all_users();
  const Session admin = login(Role::admin);
  Session machine;
  machine.bearer = make(admin, "erp", R"(["read"])");
  ASSERT_EQ(call("GET", "/api/v1/review", {}, &machine).status, 200);

  Session wrong;
  wrong.bearer = machine.bearer;
  wrong.bearer.back() = wrong.bearer.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(call("GET", "/api/v1/review", {}, &wrong).status, 401);
  wrong.bearer = "not-a-token";
  EXPECT_EQ(call("GET", "/api/v1/review", {}, &wrong).status, 401);
  Request basic;
  basic.method = "GET";
  basic.path = basic.target = "/api/v1/review";
  basic.headers.emplace_back("Authorization", "Basic YWRtaW46eA==");
  EXPECT_EQ(router_.dispatch(basic).status, 401);

  const std::int64_t id = body(call("GET", "/api/v1/tokens", {}, &admin)).at("items").at(0).at("id").as_int64();
  const Response viewer_try = call("DELETE", "/api/v1/tokens/" + std::to_string(id), "", &machine);
  EXPECT_EQ(error_code(viewer_try), "forbidden");
  const Response revoked = call("DELETE", "/api/v1/tokens/" + std::to_string(id), "", &admin);
  EXPECT_EQ(revoked.status, 204) << revoked.body;
  EXPECT_EQ(call("GET", "/api/v1/review", {}, &machine).status, 401);
  EXPECT_EQ(call("DELETE", "/api/v1/tokens/" + std::to_string(id), "", &admin).status, 409);
  EXPECT_EQ(call("DELETE", "/api/v1/tokens/777", "", &admin).status, 404);
  EXPECT_TRUE(body(call("GET", "/api/v1/tokens", {}, &admin)).at("items").at(0).at("revoked").as_bool());
  EXPECT_TRUE(audited("admin-user token.revoke"));
  // Creating and revoking need step-up.
  t_.clock.advance(std::chrono::minutes(6));
  int status = 0;
  make(admin, "late", R"(["read"])", &status);
  EXPECT_EQ(status, 403);
}

}  // namespace
}  // namespace bankrec::http::admin_test
