#include "bankrec/store/database.h"

#include <sys/stat.h>

#include "bankrec/store/store.h"
#include "bankrec/testing/testing.h"
#include "store_test_util.h"

namespace bankrec::store {
namespace {

using ::testing::HasSubstr;
using testing_util::TestStore;

TEST(Database, file_is_encrypted_on_disk) {
  TestStore t;
  ASSERT_NE(t.store, nullptr);
  ASSERT_OK(t.store->db().exec(
      "CREATE TABLE secret(x TEXT); INSERT INTO secret VALUES('IBAN DE89370400440532013000');"));
  ASSERT_OK(t.store->db().exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  const std::string bytes = bankrec::testing::read_file(t.path());
  ASSERT_GE(bytes.size(), 4096u);
  EXPECT_NE(bytes.substr(0, 16), std::string("SQLite format 3\0", 16));
  EXPECT_EQ(bytes.find("DE89370400440532013000"), std::string::npos);
  EXPECT_EQ(bytes.find("CREATE TABLE"), std::string::npos);
  // What the sqlite3 shell does without a key: the file is not a database to it.
  EXPECT_ERR(Database::open_plaintext(t.path()), Errc::invalid_input, HasSubstr("not a plaintext SQLite database"));
}

TEST(Database, reopens_with_the_same_key) {
  TestStore t;
  auto again = t.reopen();
  ASSERT_OK(again);
  EXPECT_EQ((*again)->schema_version(), latest_schema_version());
}

TEST(Database, wrong_key_is_refused_with_a_clear_error) {
  TestStore t;
  t.store.reset();
  const SecretKey other = SecretKey::generate();
  EXPECT_ERR(Database::open(t.path(), other), Errc::invalid_input, HasSubstr("wrong key"));
}

TEST(Database, plaintext_file_is_refused) {
  bankrec::testing::TempDir dir;
  const auto path = dir.path() / "plain.db";
  {
    auto plain = Database::open_plaintext(path, {.create = true});
    ASSERT_OK(plain);
    ASSERT_OK((*plain)->exec("CREATE TABLE t(x); INSERT INTO t VALUES(1);"));
  }
  EXPECT_EQ(bankrec::testing::read_file(path).substr(0, 15), "SQLite format 3");
  const SecretKey key = SecretKey::generate();
  EXPECT_ERR(Database::open(path, key), Errc::invalid_input, HasSubstr("not an encrypted bankrec database"));
}

TEST(Database, missing_file_is_not_created_without_create) {
  bankrec::testing::TempDir dir;
  const SecretKey key = SecretKey::generate();
  EXPECT_ERR(Database::open(dir.path() / "none.db", key), Errc::not_found, HasSubstr("bankrec init"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "none.db"));
}

TEST(Database, pragmas_are_set_on_open) {
  TestStore t;
  auto& db = t.store->db();
  EXPECT_EQ(*db.query_texts("PRAGMA journal_mode"), std::vector<std::string>{"wal"});
  EXPECT_EQ(*db.query_int("PRAGMA foreign_keys"), 1);
  EXPECT_EQ(*db.query_int("PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(*db.query_texts("PRAGMA cipher_page_size"), std::vector<std::string>{"4096"});
}

TEST(Database, transaction_rolls_back_unless_committed) {
  TestStore t;
  auto& db = t.store->db();
  ASSERT_OK(db.exec("CREATE TABLE t(x)"));
  {
    auto tx = Transaction::begin(db);
    ASSERT_OK(tx);
    ASSERT_OK(db.exec("INSERT INTO t VALUES(1)"));
  }
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM t"), 0);
  {
    auto tx = Transaction::begin(db);
    ASSERT_OK(tx);
    ASSERT_OK(db.exec("INSERT INTO t VALUES(1)"));
    ASSERT_OK(tx->commit());
  }
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM t"), 1);
}

TEST(Migrations, new_database_is_at_the_latest_version_and_audited) {
  TestStore t;
  auto& db = t.store->db();
  EXPECT_EQ(*db.query_int("PRAGMA user_version"), latest_schema_version());
  // One entry for the whole run, naming every step.
  EXPECT_EQ(*db.query_int("SELECT count(*) FROM audit_log WHERE action = 'schema.migrate'"), 1);
  for (const char* table : {"accounts",
                            "source_files",
                            "statements",
                            "entries",
                            "entry_skips",
                            "open_items",
                            "open_item_history",
                            "matches",
                            "allocations",
                            "rules",
                            "connectors",
                            "connector_tokens",
                            "users",
                            "sessions",
                            "jobs",
                            "dead_letters",
                            "alerts",
                            "audit_log",
                            "audit_checkpoints",
                            "account_warnings"}) {
    auto q = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1");
    ASSERT_OK(q);
    q->bind(1, table);
    ASSERT_TRUE(*q->step());
    EXPECT_EQ(q->column_int(0), 1) << table;
  }
}

TEST(Migrations, newer_database_is_refused) {
  TestStore t;
  ASSERT_OK(t.store->db().exec("PRAGMA user_version = 99"));
  auto again = t.reopen();
  EXPECT_ERR(again, Errc::invalid_input, HasSubstr("schema version 99 is newer than this bankrec supports"));
}

TEST(Migrations, reopening_applies_nothing_twice) {
  TestStore t;
  ASSERT_OK(t.reopen());
  auto again = t.reopen();
  ASSERT_OK(again);
  EXPECT_EQ(*(*again)->db().query_int("SELECT count(*) FROM audit_log WHERE action = 'schema.migrate'"), 1);
}

TEST(Maintenance, check_reports_a_sound_database) {
  TestStore t;
  auto problems = t.store->check();
  ASSERT_OK(problems);
  EXPECT_TRUE(problems->empty());
}

TEST(Maintenance, backup_is_encrypted_and_opens_with_the_key) {
  TestStore t;
  ASSERT_OK(t.store->db().exec("CREATE TABLE payload(x TEXT); INSERT INTO payload VALUES('Mueller GmbH');"));
  const auto dest = t.dir.path() / "backup.db";
  ASSERT_OK(t.store->backup(dest, t.key, "tester"));
  const std::string bytes = bankrec::testing::read_file(dest);
  EXPECT_NE(bytes.substr(0, 15), "SQLite format 3");
  EXPECT_EQ(bytes.find("Mueller GmbH"), std::string::npos);
  auto copy = Store::open(dest, t.key, t.signing, t.clock, nullptr);
  ASSERT_OK(copy);
  EXPECT_EQ(*(*copy)->db().query_int("SELECT count(*) FROM payload"), 1);
  EXPECT_EQ((*copy)->schema_version(), latest_schema_version());
  auto report = (*copy)->audit().verify();
  ASSERT_OK(report);
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_ERR(t.store->backup(dest, t.key, "tester"), Errc::invalid_input, HasSubstr("exists"));
  EXPECT_ERR(Database::open(dest, SecretKey::generate()), Errc::invalid_input, HasSubstr("wrong key"));
}

TEST(Maintenance, rekey_rotates_the_key_file_and_keeps_the_data) {
  TestStore t;
  const auto key_file = t.dir.path() / "db.key";
  ASSERT_OK(write_key_file(key_file, t.key.bytes()));
  t.store.reset();
  auto opened = open_with_key_file(t.path(), key_file, t.signing, t.clock, nullptr);
  ASSERT_OK(opened);
  ASSERT_OK((*opened)->db().exec("CREATE TABLE payload(x); INSERT INTO payload VALUES(7);"));
  ASSERT_OK(rotate_key(**opened, key_file, "tester"));
  opened->reset();
  EXPECT_FALSE(std::filesystem::exists(key_file.string() + ".new"));
  EXPECT_ERR(Database::open(t.path(), t.key), Errc::invalid_input, HasSubstr("wrong key"));
  auto again = open_with_key_file(t.path(), key_file, t.signing, t.clock, nullptr);
  ASSERT_OK(again);
  EXPECT_EQ(*(*again)->db().query_int("SELECT x FROM payload"), 7);
  EXPECT_EQ(*(*again)->db().query_int("SELECT count(*) FROM audit_log WHERE action = 'db.rekey'"), 1);
}

// A crash after the new key file was written but before PRAGMA rekey: the old key still opens.
TEST(Maintenance, rekey_interrupted_before_commit_keeps_the_old_key) {
  TestStore t;
  const auto key_file = t.dir.path() / "db.key";
  ASSERT_OK(write_key_file(key_file, t.key.bytes()));
  ASSERT_OK(write_key_file(key_file.string() + ".new", SecretKey::generate().bytes()));
  t.store.reset();
  ASSERT_OK(open_with_key_file(t.path(), key_file, t.signing, t.clock, nullptr));
  EXPECT_FALSE(std::filesystem::exists(key_file.string() + ".new"));
}

// A crash after PRAGMA rekey committed but before the key file was swapped: the next open finishes it.
TEST(Maintenance, rekey_interrupted_after_commit_finishes_on_open) {
  TestStore t;
  const auto key_file = t.dir.path() / "db.key";
  ASSERT_OK(write_key_file(key_file, t.key.bytes()));
  const SecretKey next = SecretKey::generate();
  ASSERT_OK(write_key_file(key_file.string() + ".new", next.bytes()));
  ASSERT_OK(t.store->db().rekey(next));
  t.store.reset();
  ASSERT_OK(open_with_key_file(t.path(), key_file, t.signing, t.clock, nullptr));
  EXPECT_FALSE(std::filesystem::exists(key_file.string() + ".new"));
  auto reloaded = load_secret_key(key_file);
  ASSERT_OK(reloaded);
  EXPECT_TRUE(std::equal(reloaded->bytes().begin(), reloaded->bytes().end(), next.bytes().begin()));
}

}  // namespace
}  // namespace bankrec::store
