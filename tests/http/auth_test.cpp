#include "bankrec/http/auth.h"

#include "bankrec/testing/testing.h"

namespace bankrec::http::auth {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kRfcSeed = "12345678901234567890";  // RFC 4226/6238 SHA-1 test key

TEST(Totp, matches_the_rfc_6238_sha1_vectors) {
  struct Case {
    std::int64_t unix_time;
    const char* code;
  };
  for (const Case& c : {Case{59, "94287082"}, Case{1111111109, "07081804"}, Case{1111111111, "14050471"},
                        Case{1234567890, "89005924"}, Case{2000000000, "69279037"}, Case{20000000000, "65353130"}})
    EXPECT_EQ(totp_code(kRfcSeed, totp_step(c.unix_time), 8), c.code) << "T=" << c.unix_time;
}

TEST(Totp, matches_the_rfc_4226_hotp_vectors) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t i = 0; i < 10; ++i) EXPECT_EQ(hotp(kRfcSeed, i), expected[i]) << "counter " << i;
}

TEST(Totp, accepts_one_step_either_side_and_nothing_further) {
  const std::int64_t now = totp_step(1234567890);
  for (int delta : {-1, 0, 1}) {
    const auto step = totp_match(kRfcSeed, totp_code(kRfcSeed, now + delta), now);
    ASSERT_TRUE(step.has_value()) << delta;
    EXPECT_EQ(*step, now + delta);
  }
  EXPECT_FALSE(totp_match(kRfcSeed, totp_code(kRfcSeed, now + 2), now));
  EXPECT_FALSE(totp_match(kRfcSeed, totp_code(kRfcSeed, now - 2), now));
  EXPECT_FALSE(totp_match(kRfcSeed, "12345", now));
  EXPECT_FALSE(totp_match(kRfcSeed, "abcdef", now));
}

TEST(Totp, base32_round_trips_and_builds_the_otpauth_uri) {
  EXPECT_EQ(base32_encode("12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(base32_encode("foobar"), "MZXW6YTBOI");  // RFC 4648 section 10, padding dropped
  EXPECT_EQ(*base32_decode("mzxw 6ytb oi======"), "foobar");
  EXPECT_FALSE(base32_decode("MZ1W"));
  EXPECT_EQ(otpauth_uri("bankrec", "alice@x", "foobar"),
            "otpauth://totp/bankrec:alice%40x?secret=MZXW6YTBOI&issuer=bankrec&algorithm=SHA1&digits=6&period=30");
}

TEST(Qr, renders_svg_and_terminal_blocks) {
  const auto svg = qr_svg("otpauth://totp/bankrec:alice?secret=MZXW6YTBOI");
  ASSERT_OK(svg);
  EXPECT_THAT(*svg, ::testing::StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(*svg, HasSubstr("<path fill=\"#000\" d=\"M"));
  EXPECT_THAT(*svg, ::testing::Not(HasSubstr("script")));
  const auto term = qr_terminal("otpauth://totp/bankrec:alice?secret=MZXW6YTBOI");
  ASSERT_OK(term);
  EXPECT_THAT(*term, HasSubstr("\u2588"));
  EXPECT_THAT(*term, HasSubstr("\u2580"));
}

TEST(PasswordPolicy, refuses_short_common_and_patterned_passwords) {
  struct Case {
    const char* password;
    const char* reason;
  };
  for (const Case& c : {Case{"short", "at least 12"}, Case{"Password1234!", "too common"},
                        Case{"P@ssw0rd2024!!", "too common"}, Case{"passwordpassword", "too common"},
                        Case{"dragon1234567", "too common"}, Case{"Sonnenschein2024", "too common"},
                        Case{"aaaaaaaaaaaaaaab", "too few different"}, Case{"abcdefghijklmn", "sequence"},
                        Case{"1234567890123", "sequence"}, Case{"qwertzuiopasdf", "sequence"},
                        Case{"my-alice-is-long", "user name"}, Case{"bankrec-is-great", "bankrec"},
                        Case{"\xff\xfe not utf-8 at all", "UTF-8"}})
  {
    SCOPED_TRACE(c.password);
    EXPECT_ERR(check_password_policy(c.password, "alice"), Errc::invalid_input, HasSubstr(c.reason));
  }
  // Twelve characters counted as code points: "ääääbcdefghi" has 12, "äöübcdefghi" only 11.
  EXPECT_OK(check_password_policy("\xc3\xa4\xc3\xb6\xc3\xbc-blau-Tisch-7", "alice"));
  EXPECT_ERR(check_password_policy("\xc3\xa4\xc3\xb6\xc3\xbc" "bcdefgh1", "alice"), Errc::invalid_input,
             HasSubstr("has 11 characters"));
  EXPECT_OK(check_password_policy("correct horse battery staple", "alice"));
  EXPECT_OK(check_password_policy("Kaffeetasse+Regenschirm", "alice"));
  EXPECT_ERR(check_password_policy(std::string(1025, 'x'), "alice"), Errc::invalid_input, HasSubstr("longer than"));
}

TEST(PasswordPolicy, ships_the_common_password_list) {
  EXPECT_TRUE(is_common_password("password"));
  EXPECT_TRUE(is_common_password("passwort"));
  EXPECT_TRUE(is_common_password("letmein"));
  EXPECT_FALSE(is_common_password("kaffeetasse"));
}

TEST(Argon2id, hashes_verify_and_report_rehash) {
  const auto hash = hash_password("correct horse battery staple");
  ASSERT_OK(hash);
  EXPECT_THAT(*hash, ::testing::StartsWith("$argon2id$v=19$m=65536,t=2,p=1$"));
  EXPECT_TRUE(verify_password("correct horse battery staple", *hash));
  EXPECT_FALSE(verify_password("correct horse battery stapl", *hash));
  EXPECT_FALSE(verify_password("x", ""));
  EXPECT_FALSE(verify_password("x", "$2y$10$bcrypt-is-not-accepted"));
  EXPECT_FALSE(needs_rehash(*hash));
  const auto weak = hash_password("correct horse battery staple", HashCost::minimum());
  ASSERT_OK(weak);
  EXPECT_TRUE(verify_password("correct horse battery staple", *weak));
  EXPECT_TRUE(needs_rehash(*weak));
  EXPECT_NE(*hash_password("same", HashCost::minimum()), *hash_password("same", HashCost::minimum()));  // salted
}

TEST(Tokens, random_ids_recovery_codes_and_hashes) {
  const std::string id = base64url(random_bytes(32));
  EXPECT_EQ(id.size(), 43u);
  EXPECT_NE(id, base64url(random_bytes(32)));
  EXPECT_EQ(hash_hex("abc").size(), 64u);
  EXPECT_NE(keyed_token("k1", "csrf"), keyed_token("k2", "csrf"));
  EXPECT_EQ(keyed_token("k1", "csrf"), keyed_token("k1", "csrf"));
  const auto codes = make_recovery_codes();
  ASSERT_EQ(codes.size(), 10u);
  EXPECT_THAT(codes[0], ::testing::MatchesRegex("[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}"));
  EXPECT_EQ(normalise_recovery_code("abcd-efgh jkmn-pqrs"), "ABCDEFGHJKMNPQRS");
}

}  // namespace
}  // namespace bankrec::http::auth
