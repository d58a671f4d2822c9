#include "bankrec/store/users_repo.h"

#include "store_test_util.h"

namespace bankrec::store {
namespace {

using ::testing::HasSubstr;
using testing_util::TestStore;

std::vector<std::string> audit_actions(Store& store) {
  std::vector<std::string> out;
  EXPECT_OK(store.audit().for_each("", "", [&](const AuditEntry& e) -> Result<void> {
    out.push_back(e.action + " " + e.object_id + " " + e.details);
    return ok();
  }));
  return out;
}

TEST(UsersRepo, creates_finds_and_lists_users_with_an_audit_entry) {
  TestStore t;
  const SecretKey secrets = SecretKey::generate();
  UsersRepo repo(*t.store, secrets);
  auto id = repo.create("alice", Role::admin, "$argon2id$fake", "cli:root");
  ASSERT_OK(id);
  EXPECT_ERR(repo.create("alice", Role::viewer, "", "cli:root"), Errc::conflict, HasSubstr("already exists"));
  EXPECT_ERR(repo.create("Alice", Role::viewer, "", "cli:root"), Errc::invalid_input, HasSubstr("invalid user name"));
  EXPECT_ERR(repo.create("-x", Role::viewer, "", "cli:root"), Errc::invalid_input, HasSubstr("invalid user name"));
  const auto user = repo.find("alice");
  ASSERT_OK(user);
  ASSERT_TRUE(user->has_value());
  EXPECT_EQ((*user)->role, Role::admin);
  EXPECT_FALSE((*user)->totp_enrolled);
  const auto creds = repo.credentials("alice");
  ASSERT_OK(creds);
  EXPECT_EQ((*creds)->password_hash, "$argon2id$fake");
  EXPECT_FALSE(repo.credentials("bob")->has_value());
  const auto actions = audit_actions(*t.store);
  ASSERT_FALSE(actions.empty());
  EXPECT_EQ(actions.back(), R"(user.create alice {"role":"admin"})");
  EXPECT_THAT(actions.back(), ::testing::Not(HasSubstr("argon2")));
}

TEST(UsersRepo, parses_role_names) {
  EXPECT_EQ(*parse_role("approver"), Role::approver);
  EXPECT_ERR(parse_role("root"), Errc::invalid_input, HasSubstr("expected viewer, accountant, approver or admin"));
  EXPECT_STREQ(role_name(Role::accountant), "accountant");
}

TEST(UsersRepo, seals_totp_secrets_and_refuses_replayed_steps) {
  TestStore t;
  const SecretKey secrets = SecretKey::generate();
  UsersRepo repo(*t.store, secrets);
  const std::int64_t id = *repo.create("bob", Role::approver, "h", "test");
  ASSERT_OK(repo.begin_totp(id, "12345678901234567890", "bob"));
  EXPECT_EQ(**repo.pending_totp_secret(id), "12345678901234567890");
  EXPECT_FALSE(repo.totp_secret(id)->has_value());  // not active before confirmation
  // The column holds a sealed value, not the secret.
  Query raw = *t.store->db().prepare("SELECT totp_pending FROM users WHERE id = ?1");
  raw.bind(1, id);
  ASSERT_TRUE(*raw.step());
  EXPECT_THAT(raw.column_text(0), ::testing::StartsWith("v1:"));
  EXPECT_THAT(raw.column_text(0), ::testing::Not(HasSubstr("1234567890")));
  // Another key cannot open it.
  const SecretKey other = SecretKey::generate();
  EXPECT_ERR(UsersRepo(*t.store, other).pending_totp_secret(id), Errc::permission_denied, HasSubstr("does not decrypt"));

  ASSERT_OK(repo.confirm_totp(id, 100, {"hash-a", "hash-b"}, "bob"));
  EXPECT_EQ(**repo.totp_secret(id), "12345678901234567890");
  EXPECT_TRUE(repo.get(id)->totp_enrolled);
  EXPECT_EQ(repo.get(id)->recovery_codes_left, 2);
  EXPECT_ERR(repo.use_totp_step(id, 100), Errc::conflict, HasSubstr("already used"));
  EXPECT_ERR(repo.use_totp_step(id, 99), Errc::conflict, HasSubstr("already used"));
  EXPECT_OK(repo.use_totp_step(id, 101));
  EXPECT_OK(repo.use_recovery_code(id, "hash-a"));
  EXPECT_ERR(repo.use_recovery_code(id, "hash-a"), Errc::not_found, HasSubstr("recovery code"));
  EXPECT_EQ(repo.get(id)->recovery_codes_left, 1);
  ASSERT_OK(repo.remove_totp(id, "admin"));
  EXPECT_FALSE(repo.get(id)->totp_enrolled);
  EXPECT_EQ(repo.get(id)->recovery_codes_left, 0);
}

TEST(UsersRepo, sessions_end_on_password_change_and_disable) {
  TestStore t;
  const SecretKey secrets = SecretKey::generate();
  UsersRepo repo(*t.store, secrets);
  const std::int64_t id = *repo.create("carol", Role::viewer, "h", "test");
  const auto now = t.clock.now();
  for (const char* s : {"s1", "s2"}) {
    SessionRecord rec;
    rec.id_hash = s;
    rec.user_id = id;
    rec.csrf_token_hash = "c";
    rec.created_at = rec.last_seen_at = now;
    rec.expires_at = now + std::chrono::hours(12);
    ASSERT_OK(repo.create_session(rec));
  }
  EXPECT_EQ(*repo.count_sessions(id), 2);
  const auto found = repo.find_session("s1");
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->expires_at, now + std::chrono::hours(12));
  EXPECT_TRUE(*repo.delete_session("s1"));
  EXPECT_FALSE(*repo.delete_session("s1"));
  ASSERT_OK(repo.set_password(id, "h2", "admin"));
  EXPECT_EQ(*repo.count_sessions(id), 0);
  EXPECT_EQ(repo.credentials("carol")->value().password_hash, "h2");
}

TEST(UsersRepo, purges_idle_and_expired_sessions) {
  TestStore t;
  const SecretKey secrets = SecretKey::generate();
  UsersRepo repo(*t.store, secrets);
  const std::int64_t id = *repo.create("dave", Role::viewer, "h", "test");
  const auto now = t.clock.now();
  SessionRecord idle{"idle", id, "c", now - std::chrono::hours(2), now - std::chrono::hours(1), now + std::chrono::hours(5)};
  SessionRecord old{"old", id, "c", now - std::chrono::hours(13), now, now - std::chrono::minutes(1)};
  SessionRecord fresh{"fresh", id, "c", now, now, now + std::chrono::hours(12)};
  for (const auto& s : {idle, old, fresh}) ASSERT_OK(repo.create_session(s));
  EXPECT_EQ(*repo.purge_sessions(now, std::chrono::minutes(30)), 2);
  EXPECT_TRUE(repo.find_session("fresh")->has_value());
}

TEST(UsersRepo, locks_a_key_after_max_failures_within_the_window) {
  TestStore t;
  const SecretKey secrets = SecretKey::generate();
  UsersRepo repo(*t.store, secrets);
  const ThrottlePolicy policy{3, std::chrono::minutes(15), std::chrono::minutes(10)};
  auto now = t.clock.now();
  EXPECT_EQ(repo.record_failure(ThrottleScope::account, "eve", now, policy)->failures, 1);
  // Outside the window the count starts again.
  now += std::chrono::minutes(16);
  EXPECT_EQ(repo.record_failure(ThrottleScope::account, "eve", now, policy)->failures, 1);
  EXPECT_EQ(repo.record_failure(ThrottleScope::account, "eve", now, policy)->failures, 2);
  EXPECT_FALSE(repo.locked_until(ThrottleScope::account, "eve", now)->has_value());
  const auto third = repo.record_failure(ThrottleScope::account, "eve", now, policy);
  ASSERT_OK(third);
  EXPECT_TRUE(third->locked_now);
  EXPECT_EQ(**repo.locked_until(ThrottleScope::account, "eve", now), now + std::chrono::minutes(10));
  EXPECT_FALSE(repo.locked_until(ThrottleScope::address, "eve", now)->has_value());  // scopes are separate
  EXPECT_FALSE(repo.locked_until(ThrottleScope::account, "eve", now + std::chrono::minutes(10))->has_value());
  EXPECT_THAT(audit_actions(*t.store).back(), HasSubstr("auth.lockout eve {\"scope\":\"account\""));
  ASSERT_OK(repo.unlock("eve", "admin"));
  EXPECT_FALSE(repo.locked_until(ThrottleScope::account, "eve", now)->has_value());
}

}  // namespace
}  // namespace bankrec::store
