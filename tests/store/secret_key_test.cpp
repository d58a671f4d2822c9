#include "bankrec/store/secret_key.h"

#include <sys/stat.h>

#include "bankrec/testing/testing.h"

namespace bankrec::store {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

TEST(SecretKey, key_file_round_trips_with_mode_0600) {
  bankrec::testing::TempDir dir;
  const auto path = dir.path() / "db.key";
  const SecretKey key = SecretKey::generate();
  ASSERT_OK(write_key_file(path, key.bytes()));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(fs::file_size(path), 65u);
  auto loaded = load_secret_key(path);
  ASSERT_OK(loaded);
  EXPECT_TRUE(std::equal(loaded->bytes().begin(), loaded->bytes().end(), key.bytes().begin()));
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
}

TEST(SecretKey, group_readable_key_file_is_refused) {
  bankrec::testing::TempDir dir;
  const auto path = dir.path() / "db.key";
  ASSERT_OK(write_key_file(path, SecretKey::generate().bytes()));
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_ERR(load_secret_key(path), Errc::permission_denied, HasSubstr("mode 0640"));
  fs::permissions(path, fs::perms::owner_read | fs::perms::others_read);
  EXPECT_ERR(load_secret_key(path), Errc::permission_denied, HasSubstr("group or others"));
}

TEST(SecretKey, malformed_key_file_is_refused_without_echoing_it) {
  bankrec::testing::TempDir dir;
  const auto path = dir.path() / "db.key";
  bankrec::testing::write_file(path, "correct horse battery staple\n");
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  auto key = load_secret_key(path);
  EXPECT_ERR(key, Errc::invalid_input, HasSubstr("64 hex digits"));
  EXPECT_EQ(key.error().message.find("horse"), std::string::npos);
}

TEST(SecretKey, missing_key_file_is_not_found) {
  bankrec::testing::TempDir dir;
  EXPECT_ERR(load_secret_key(dir.path() / "none.key"), Errc::not_found, HasSubstr("cannot open key file"));
}

TEST(SecretKey, lookup_order_is_credential_then_override_then_data_dir) {
  bankrec::testing::TempDir dir;
  fs::create_directories(dir.path() / "creds");
  fs::create_directories(dir.path() / "data");
  KeyLocations where{(dir.path() / "creds").string(), "", dir.path() / "data"};
  EXPECT_FALSE(find_key_file(where, "db.key").has_value());
  bankrec::testing::write_file(dir.path() / "data" / "db.key", "x");
  EXPECT_EQ(find_key_file(where, "db.key"), dir.path() / "data" / "db.key");
  where.key_file_override = (dir.path() / "other.key").string();
  EXPECT_EQ(find_key_file(where, "db.key"), dir.path() / "other.key");
  bankrec::testing::write_file(dir.path() / "creds" / "db.key", "x");
  EXPECT_EQ(find_key_file(where, "db.key"), dir.path() / "creds" / "db.key");
}

TEST(SigningKey, seed_round_trips_and_signatures_verify) {
  const SigningKey key = SigningKey::generate();
  auto again = SigningKey::from_seed_hex(key.seed_hex());
  ASSERT_OK(again);
  EXPECT_EQ(again->public_key_hex(), key.public_key_hex());
  const std::string message = "checkpoint";
  const auto bytes = std::span(reinterpret_cast<const unsigned char*>(message.data()), message.size());
  const auto signature = key.sign(bytes);
  EXPECT_TRUE(verify_signature(bytes, signature, key.public_key()));
  auto tampered = signature;
  tampered[0] ^= 1;
  EXPECT_FALSE(verify_signature(bytes, tampered, key.public_key()));
}

}  // namespace
}  // namespace bankrec::store
