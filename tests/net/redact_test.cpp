#include "bankrec/net/redact.h"

#include "bankrec/testing/testing.h"

namespace bankrec::net {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Case {
  const char* description;
  const char* input;
  const char* expected;
};

TEST(Redact, removes_secrets_from_urls_bodies_and_messages) {
  const Case cases[] = {
      {"bearer token", "Authorization: Bearer eyJ0eXAi.abc.def", "Authorization: <redacted> <redacted>"},
      {"bearer in prose", "sent bearer abc123 to bank", "sent bearer <redacted> to bank"},
      {"basic", "basic dXNlcjpwYXNz", "basic <redacted>"},
      {"oauth code in a query", "https://app/cb?code=Splx&state=s1", "https://app/cb?code=<redacted>&state=s1"},
      {"refresh token in a form body", "grant_type=refresh_token&refresh_token=rt1&client_id=c",
       "grant_type=refresh_token&refresh_token=<redacted>&client_id=c"},
      {"client secret in a form body", "client_secret=s3cr3t", "client_secret=<redacted>"},
      {"password in a url", "https://bob:hunter2@proxy:3128/", "https://bob:<redacted>@proxy:3128/"},
      {"user without password stays", "smtp://bob@mail/", "smtp://bob@mail/"},
      {"json token", R"({"access_token": "at-1", "expires_in": 3600})", R"({"access_token": "<redacted>", "expires_in": 3600})"},
      {"json password compact", R"({"user":"a","password":"p\"w"})", R"({"user":"a","password":"<redacted>"})"},
      {"json error code stays", R"({"code":"CONSENT_EXPIRED"})", R"({"code":"CONSENT_EXPIRED"})"},
      {"suffix keys", "smtp_password=x1 webhook_key: k2", "smtp_password=<redacted> webhook_key: <redacted>"},
      {"case-insensitive keys", "Refresh_Token=RT", "Refresh_Token=<redacted>"},
      {"nothing secret", "GET /v1/accounts status=200", "GET /v1/accounts status=200"},
      {"idempotent", "code=<redacted>", "code=<redacted>"},
  };
  for (const auto& c : cases) EXPECT_EQ(redact(c.input), c.expected) << c.description;
}

TEST(Redact, secret_headers) {
  EXPECT_TRUE(is_secret_header("authorization"));
  EXPECT_TRUE(is_secret_header("Proxy-Authorization"));
  EXPECT_TRUE(is_secret_header("Client-Secret"));
  EXPECT_TRUE(is_secret_header("X-API-Key"));
  EXPECT_TRUE(is_secret_header("Cookie"));
  EXPECT_TRUE(is_secret_header("X-Bankrec-Signature"));
  EXPECT_FALSE(is_secret_header("Content-Type"));
  EXPECT_FALSE(is_secret_header("X-Request-ID"));
  EXPECT_EQ(redact_header("Client-Secret", "abc"), "Client-Secret: <redacted>");
  EXPECT_EQ(redact_header("Location", "https://a/cb?code=xyz"), "Location: https://a/cb?code=<redacted>");
}

TEST(Redact, never_leaks_a_secret_embedded_in_noise) {
  const std::string secret = "Zm9vYmFyYmF6cXV4";
  for (const std::string& text :
       {"token=" + secret, "\"refresh_token\":\"" + secret + "\"", "Bearer " + secret, "pass: " + secret,
        "https://u:" + secret + "@h/", "x;api_key=" + secret + ";y", "tan=" + secret})
    EXPECT_THAT(redact(text), Not(HasSubstr(secret))) << text;
}

}  // namespace
}  // namespace bankrec::net
