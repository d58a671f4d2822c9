// Runs the real `bankrec` binary against a data dir in a temp dir: init, import, audit, db commands,
// and imports killed with SIGKILL at random points.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "bankrec/domain/json.h"
#include "bankrec/store/database.h"
#include "bankrec/store/secret_key.h"
#include "bankrec/testing/testing.h"

namespace bankrec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::run_command;
namespace fs = std::filesystem;

/// A statement JSON document (what `bankrec parse` prints) with `count` entries starting at `first`.
std::string statement_json(const std::string& id, int first, int count, const std::string& file = "gen.xml") {
  domain::Statement s;
  s.id = id;
  s.account.iban = "DE89370400440532013000";
  s.account.currency = "EUR";
  s.from_date = s.to_date = domain::Date{2026, 11, 20};
  for (int i = first; i < first + count; ++i) {
    domain::Entry e;
    e.booking_date = e.value_date = domain::Date{2026, 11, 20};
    e.amount = domain::Money(1000 + i, domain::kEur);
    e.bank_reference = "ACSR" + std::to_string(i);
    e.end_to_end_id = "E2E-" + std::to_string(i);
    e.counterparty.name = "Kunde " + std::to_string(i % 97) + " GmbH";
    e.counterparty.iban = "DE02120300000000202051";
    e.remittance = "RE-2026-" + std::to_string(100000 + i) + " Vielen Dank";
    s.entries.push_back(std::move(e));
  }
  return domain::to_json(domain::StatementFile{file, "camt.053.001.08", {s}}) + "\n";
}

class StoreCli : public ::testing::Test {
 protected:
  testing::CommandResult bankrec(std::vector<std::string> args) {
    args.insert(args.begin(), {BANKREC_CLI, "--data-dir", data().string()});
    return run_command(args);
  }
  fs::path data() const { return dir_.path() / ("data" + std::to_string(generation_)); }
  fs::path write(const std::string& name, const std::string& content) {
    testing::write_file(dir_.path() / name, content);
    return dir_.path() / name;
  }
  /// Opens the database the way an attacker (or an auditor) with the key would.
  std::unique_ptr<store::Database> open_db() {
    auto key = store::load_secret_key(data() / "db.key");
    EXPECT_TRUE(key.has_value());
    auto db = store::Database::open(data() / "bankrec.db", *key);
    EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().describe());
    return db ? std::move(*db) : nullptr;
  }
  std::int64_t count(const std::string& sql) {
    auto db = open_db();
    return db ? db->query_int(sql).value_or(-1) : -1;
  }
  testing::TempDir dir_;
  int generation_ = 0;  //!< a fresh data dir per generation
};

TEST_F(StoreCli, init_creates_private_keys_and_an_encrypted_database) {
  const auto r = bankrec({"init"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("initialised: " + (data() / "bankrec.db").string()));
  EXPECT_THAT(r.out, HasSubstr("audit signing key (Ed25519, public): "));
  for (const char* name : {"db.key", "audit.key"}) {
    struct stat st {};
    ASSERT_EQ(::stat((data() / name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
  EXPECT_NE(testing::read_file(data() / "bankrec.db").substr(0, 15), "SQLite format 3");
  const auto again = bankrec({"init"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("already initialised"));
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'system.init'"), 1);
}

TEST_F(StoreCli, commands_before_init_explain_what_to_do) {
  const auto r = bankrec({"db", "check"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("run 'bankrec init' first"));
}

TEST_F(StoreCli, import_is_idempotent_for_the_same_and_overlapping_files) {
  ASSERT_EQ(bankrec({"init"}).exit_code, 0);
  const auto day = write("day.jsonl", statement_json("S1", 0, 30));
  auto r = bankrec({"import", day.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, day.string() + ": 1 statements, 30 new entries, 0 duplicates skipped\n");
  r = bankrec({"import", day.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("already imported (file 1), nothing added"));
  const auto overlap = write("overlap.jsonl", statement_json("S2", 20, 20));
  r = bankrec({"import", overlap.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, overlap.string() + ": 1 statements, 10 new entries, 10 duplicates skipped\n");
  EXPECT_EQ(count("SELECT count(*) FROM entries"), 40);
}

TEST_F(StoreCli, a_bad_file_exits_2_and_the_others_are_still_imported) {
  ASSERT_EQ(bankrec({"init"}).exit_code, 0);
  const auto bad = write(
      "bad.jsonl", statement_json("S1", 0, 2) + "{\"file\": \"x\", \"statements\": [{\"account\": 7}]}\n");
  const auto good = write("good.jsonl", statement_json("S3", 0, 3));
  const auto r = bankrec({"import", bad.string(), good.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bankrec: " + bad.string() + ":2:1: error: "));
  EXPECT_THAT(r.out, HasSubstr(good.string() + ": 1 statements, 3 new entries"));
  EXPECT_EQ(count("SELECT count(*) FROM entries"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM source_files WHERE status = 'error'"), 1);
}

TEST_F(StoreCli, wrong_key_and_loose_key_permissions_exit_2) {
  ASSERT_EQ(bankrec({"init"}).exit_code, 0);
  fs::permissions(data() / "db.key", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  auto r = bankrec({"db", "check"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("accessible by group or others"));
  fs::remove(data() / "db.key");
  ASSERT_OK(store::write_key_file(data() / "db.key", store::SecretKey::generate().bytes()));
  r = bankrec({"db", "check"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("wrong key"));
}

// Not a terminal (the test captures stderr): counts per batch as log lines instead of a progress bar;
// `import.batch_size` from the config file sets how often.
TEST_F(StoreCli, import_logs_progress_counts_when_not_on_a_terminal) {
  ASSERT_EQ(bankrec({"init"}).exit_code, 0);
  auto progress_lines = [](const std::string& err) {
    std::vector<std::string> lines;
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);)
      if (line.find(": progress: ") != std::string::npos) lines.push_back(line);
    return lines;
  };
  const auto big = write("big.jsonl", statement_json("S1", 0, 2500));
  auto r = bankrec({"import", big.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(progress_lines(r.err),
              ElementsAre("bankrec: " + big.string() + ": progress: 512 entries read, 512 new, 0 duplicates",
                          "bankrec: " + big.string() + ": progress: 1536 entries read, 1536 new, 0 duplicates"));
  EXPECT_EQ(r.out, big.string() + ": 1 statements, 2500 new entries, 0 duplicates skipped\n");
  const auto config = write("bankrec.yaml", "import:\n  batch_size: 2000\n  pending_expiry_days: 3\n");
  const auto more = write("more.jsonl", statement_json("S1", 2000, 1000));  // 500 repeated lines
  r = bankrec({"--config", config.string(), "import", more.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(progress_lines(r.err),
              ElementsAre("bankrec: " + more.string() + ": progress: 512 entries read, 12 new, 500 duplicates"));
  EXPECT_EQ(count("SELECT count(*) FROM entries"), 3000);
}

TEST_F(StoreCli, a_plaintext_database_is_refused_with_exit_2) {
  ASSERT_EQ(bankrec({"init"}).exit_code, 0);
  fs::remove(data() / "bankrec.db");
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(data() / ("bankrec.db" + std::string(suffix)));
  {
    store::OpenOptions create;
    create.create = true;
    auto plain = store::Database::open_plaintext(data() / "bankrec.db", create);
    ASSERT_OK(plain);
    ASSERT_OK((*plain)->exec("CREATE TABLE audit_log(seq INTEGER PRIMARY KEY)"));
  }
  for (const std::vector<std::string>& args : {std::vector<std::string>{"audit", "verify"},
                                               std::vector<std::string>{"db", "check"}}) {
    auto r = bankrec(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_THAT(r.err, HasSubstr("cannot decrypt the database: wrong key, or not an encrypted bankrec database"));
  }
}

TEST_F(StoreCli, audit_verify_prints_the_key_and_names_a_changed_entry) {
  ASSERT_EQ(bankrec({"init"}).exit_code, 0);
  ASSERT_EQ(bankrec({"import", write("d.jsonl", statement_json("S1", 0, 5)).string()}).exit_code, 0);
  auto r = bankrec({"audit", "verify"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("audit log intact: 3 entries\n"));
  EXPECT_THAT(r.out, HasSubstr("audit signing key (Ed25519, public): "));
  {
    auto db = open_db();
    ASSERT_OK(
        db->exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;"));
  }
  r = bankrec({"audit", "verify"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.out, HasSubstr("audit log broken at entry 2: entry 2 was changed"));
}

TEST_F(StoreCli, audit_verify_compares_checkpoints_kept_outside) {
  const auto init = bankrec({"init"});
  ASSERT_EQ(init.exit_code, 0);
  const auto imported = bankrec({"import", write("d.jsonl", statement_json("S1", 0, 5)).string()});
  // Checkpoints went to stderr (journald in the daemon); an auditor kept them.
  const auto kept = write("checkpoints.log", init.err + imported.err);
  EXPECT_THAT(init.err + imported.err, HasSubstr("bankrec: audit checkpoint {\"seq\":3,"));
  EXPECT_EQ(bankrec({"audit", "verify", "--checkpoints", kept.string()}).exit_code, 0);
  {
    auto db = open_db();
    ASSERT_OK(
        db->exec("DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_checkpoints_no_delete;"
                 "DELETE FROM audit_log WHERE seq > 1; DELETE FROM audit_checkpoints WHERE seq > 1;"));
  }
  EXPECT_EQ(bankrec({"audit", "verify"}).exit_code, 0);  // the truncated chain is self-consistent
  const auto r = bankrec({"audit", "verify", "--checkpoints", kept.string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.out, HasSubstr("entries were cut off the end"));
}

TEST_F(StoreCli, audit_export_writes_json_lines) {
  ASSERT_EQ(bankrec({"init"}).exit_code, 0);
  const auto r = bankrec({"audit", "export", "--from", "2000-01-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"({"seq":1,"time":")"));
  EXPECT_THAT(r.out, HasSubstr(R"("action":"system.init")"));
  EXPECT_EQ(bankrec({"audit", "export", "--to", "2000-01-01"}).out, "");
}

TEST_F(StoreCli, db_check_backup_and_rekey) {
  ASSERT_EQ(bankrec({"init"}).exit_code, 0);
  ASSERT_EQ(bankrec({"import", write("d.jsonl", statement_json("S1", 0, 5)).string()}).exit_code, 0);
  auto r = bankrec({"db", "check"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("database ok"));

  const auto backup = dir_.path() / "backup.db";
  r = bankrec({"db", "backup", backup.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string bytes = testing::read_file(backup);
  EXPECT_NE(bytes.substr(0, 15), "SQLite format 3");
  EXPECT_EQ(bytes.find("Kunde"), std::string::npos);
  auto old_key = store::load_secret_key(data() / "db.key");
  ASSERT_OK(old_key);
  {
    auto copy = store::Database::open(backup, *old_key);
    ASSERT_OK(copy);
    EXPECT_EQ(*(*copy)->query_int("SELECT count(*) FROM entries"), 5);
  }
  EXPECT_EQ(bankrec({"db", "backup", backup.string()}).exit_code, 2);  // never overwrites

  r = bankrec({"db", "rekey"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_ERR(store::Database::open(data() / "bankrec.db", *old_key), Errc::invalid_input,
             HasSubstr("wrong key"));
  EXPECT_EQ(count("SELECT count(*) FROM entries"), 5);
  EXPECT_EQ(bankrec({"db", "check"}).exit_code, 0);
  r = bankrec({"audit", "verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action IN ('db.backup', 'db.rekey')"), 2);
}

/// Starts `bankrec import` and SIGKILLs it after `delay`; returns true when it was killed (not finished).
bool import_killed_after(const std::vector<std::string>& argv, std::chrono::microseconds delay) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  std::this_thread::sleep_for(delay);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status);
}

// kill -9 at random points of a 5,000-entry import: the database stays consistent and the
// final re-import completes it exactly once.
TEST_F(StoreCli, import_killed_at_random_points_completes_exactly_once) {
  ASSERT_EQ(bankrec({"init"}).exit_code, 0);
  constexpr int kEntries = 5000;
  const auto big = write("big.jsonl", statement_json("BIG", 0, kEntries));
  // How long a full import takes here, measured on a scratch copy of the data dir.
  testing::TempDir scratch;
  ASSERT_EQ(run_command({BANKREC_CLI, "--data-dir", scratch.path().string(), "init"}).exit_code, 0);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(
      run_command({BANKREC_CLI, "--data-dir", scratch.path().string(), "import", big.string()}).exit_code, 0);
  const auto full =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);

  std::mt19937 rng(20261122);
  std::uniform_int_distribution<std::int64_t> when(0, full.count());
  int killed = 0;
  for (int round = 0; killed < 20 && round < 60; ++round) {
    const std::vector<std::string> argv{BANKREC_CLI, "--data-dir", data().string(), "import", big.string()};
    if (import_killed_after(argv, std::chrono::microseconds(when(rng)))) ++killed;
    const auto check = bankrec({"db", "check"});
    ASSERT_EQ(check.exit_code, 0) << "round " << round << ": " << check.out << check.err;
    const std::int64_t stored = count("SELECT count(*) FROM entries");
    ASSERT_TRUE(stored == 0 || stored == kEntries) << "round " << round << ": partial import of " << stored;
    if (stored == kEntries) {
      // This run committed before its kill: carry on in a fresh data dir.
      ASSERT_EQ(bankrec({"audit", "verify"}).exit_code, 0);
      ++generation_;
      ASSERT_EQ(bankrec({"init"}).exit_code, 0);
    }
  }
  EXPECT_GE(killed, 20);
  RecordProperty("killed", killed);
  const auto again = bankrec({"import", big.string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(count("SELECT count(*) FROM entries"), kEntries);
  EXPECT_EQ(count("SELECT count(*) FROM source_files WHERE status = 'processed'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'import.file'"), 1);
  EXPECT_EQ(bankrec({"db", "check"}).exit_code, 0);
  const auto verify = bankrec({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  std::cout << "[ kill -9 ] " << killed << " imports killed at random points (full import "
            << full.count() / 1000 << " ms)\n";
}

}  // namespace
}  // namespace bankrec
