#include "bankrec/jobs/health.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "bankrec/store/jobs_repo.h"
#include "store_test_util.h"

namespace bankrec::jobs {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using store::testing_util::FakeClock;
using store::testing_util::TestStore;

TEST(Health, readiness_lists_what_is_not_ok_and_fails_only_on_fail) {
  FakeClock clock;
  metrics::Registry registry;
  Health health(clock, &registry);
  HealthStatus disk = HealthStatus::ok;
  health.add("disk", [&] { return CheckResult{disk, "42 MiB free"}; });
  health.add("dead_letters", [] { return CheckResult{HealthStatus::warn, "2 open \"dead\" letters"}; });
  EXPECT_FALSE(health.ready());  // nothing ran yet
  EXPECT_THAT(health.readiness_json(), HasSubstr("\"check\":\"startup\""));
  std::vector<std::string> changes;
  health.on_change([&](const CheckReport& now, HealthStatus before) {
    changes.push_back(now.name + ":" + health_status_name(before) + "->" + health_status_name(now.status));
  });
  health.run_all();
  EXPECT_TRUE(health.ready());
  EXPECT_EQ(health.readiness_json(),
            R"({"status":"ready","failing":[{"check":"dead_letters","status":"warn","message":"2 open \"dead\" letters","checked_at":"2026-11-22T09:00:00.000Z"}]})");
  disk = HealthStatus::fail;
  health.run_all();
  EXPECT_FALSE(health.ready());
  EXPECT_THAT(health.readiness_json(), HasSubstr(R"({"status":"not_ready","failing":[{"check":"disk","status":"fail")"));
  disk = HealthStatus::ok;
  health.run_all();
  EXPECT_EQ(changes, (std::vector<std::string>{"dead_letters:ok->warn", "disk:ok->fail", "disk:fail->ok"}));
  const std::string text = registry.render();
  EXPECT_THAT(text, HasSubstr("bankrec_health_check_status{check=\"disk\"} 1"));
  EXPECT_THAT(text, HasSubstr("bankrec_health_check_status{check=\"dead_letters\"} 0"));
}

TEST(Health, a_throwing_check_fails_instead_of_crashing) {
  FakeClock clock;
  Health health(clock, nullptr);
  health.add("boom", []() -> CheckResult { throw std::runtime_error("oops"); });
  const auto r = health.run_all();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, HealthStatus::fail);
  EXPECT_THAT(r[0].message, HasSubstr("oops"));
}

TEST(HealthChecks, dead_letters_and_database) {
  TestStore t;
  std::mutex mutex;
  store::JobsRepo repo(*t.store);
  EXPECT_EQ(dead_letter_check(*t.store, mutex, 0)().status, HealthStatus::ok);
  const auto id = repo.enqueue({})->id;
  ASSERT_TRUE(repo.claim("w", 60s)->has_value());
  ASSERT_OK(repo.bury(id, "w", "x"));
  const auto r = dead_letter_check(*t.store, mutex, 0)();
  EXPECT_EQ(r.status, HealthStatus::warn);
  EXPECT_EQ(r.message, "1 open dead letters (bankrec dead-letters list)");
  metrics::Gauge size;
  EXPECT_EQ(database_check(*t.store, mutex, &size)().status, HealthStatus::ok);
  EXPECT_GT(size.value(), 4096);
}

TEST(HealthChecks, database_quick_check_runs_on_its_own_connection_after_the_first_run_then_daily) {
  TestStore t;
  std::mutex mutex;
  int opened = 0;
  DatabaseCheckOptions options;
  options.full_every = std::chrono::hours(24);
  options.open_reader = [&]() -> Result<std::unique_ptr<store::Database>> {
    ++opened;
    return store::Database::open(t.path(), t.key);
  };
  const auto check = database_check(*t.store, mutex, nullptr, options);
  const auto first = check();  // before READY=1: only the cheap read
  EXPECT_EQ(first.status, HealthStatus::ok);
  EXPECT_THAT(first.message, HasSubstr("runs in the next health job"));
  EXPECT_EQ(opened, 0);
  const auto second = check();  // the quick check, on the reader's connection
  EXPECT_EQ(second.status, HealthStatus::ok) << second.message;
  EXPECT_EQ(second.message, "quick check ok");
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(check().message, "quick check ok");  // the day is not over: the result stands
  EXPECT_EQ(opened, 1);

  // A reader that cannot open is a failed check, and it stands until the next quick check.
  DatabaseCheckOptions broken;
  broken.full_every = std::chrono::hours(0);
  broken.open_reader = []() -> Result<std::unique_ptr<store::Database>> { return fail(Errc::unavailable, "disk gone"); };
  const auto bad = database_check(*t.store, mutex, nullptr, broken);
  EXPECT_EQ(bad().status, HealthStatus::ok);
  const auto failed = bad();
  EXPECT_EQ(failed.status, HealthStatus::fail);
  EXPECT_THAT(failed.message, HasSubstr("quick check could not run: disk gone"));
}

TEST(HealthChecks, audit_chain_since_the_last_checkpoint) {
  TestStore t(store::AuditOptions{.checkpoint_every = 5});
  std::mutex mutex;
  for (int i = 0; i < 12; ++i)
    ASSERT_OK(t.store->write([&]() -> Result<void> {
      BANKREC_TRY(t.store->audit().append({"alice", "test.event", "thing", std::to_string(i), "{}"}));
      return ok();
    }));
  const auto good = audit_check(*t.store, mutex)();
  EXPECT_EQ(good.status, HealthStatus::ok) << good.message;
  EXPECT_THAT(good.message, HasSubstr("since checkpoint"));

  // Someone with the key changes an entry after the last checkpoint.
  const std::int64_t last_seq = t.store->audit().checkpoints()->back().seq;
  t.store.reset();
  {
    auto db = store::Database::open(t.path(), t.key);
    ASSERT_OK(db);
    ASSERT_OK((*db)->exec("DROP TRIGGER audit_log_no_update"));
    ASSERT_OK((*db)->exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = " + std::to_string(last_seq + 1)));
  }
  auto reopened = t.reopen(store::AuditOptions{.checkpoint_every = 5});
  ASSERT_OK(reopened);
  const auto bad = audit_check(**reopened, mutex)();
  EXPECT_EQ(bad.status, HealthStatus::fail);
  EXPECT_THAT(bad.message, HasSubstr("entry " + std::to_string(last_seq + 1) + " was changed"));
}

TEST(HealthChecks, disk_thresholds) {
  bankrec::testing::TempDir dir;
  EXPECT_EQ(disk_check(dir.path(), 1, 0.0)().status, HealthStatus::ok);
  EXPECT_EQ(disk_check(dir.path(), 1, 1.01)().status, HealthStatus::warn);
  const auto full = disk_check(dir.path(), std::uint64_t{1} << 62, 0.0)();
  EXPECT_EQ(full.status, HealthStatus::fail);
  EXPECT_THAT(full.message, HasSubstr("MiB free of"));
  EXPECT_EQ(disk_check(dir.path() / "missing", 1, 0.0)().status, HealthStatus::fail);
}

/// A self-signed certificate valid in [not_before, not_after].
void write_certificate(const std::filesystem::path& path, std::time_t not_before, std::time_t not_after) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  ASN1_TIME_set(X509_getm_notBefore(cert), not_before);
  ASN1_TIME_set(X509_getm_notAfter(cert), not_after);
  X509_set_pubkey(cert, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, cert);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

TEST(HealthChecks, certificate_expiry) {
  bankrec::testing::TempDir dir;
  FakeClock clock;
  const std::time_t now = std::chrono::system_clock::to_time_t(clock.now());
  const auto cert = dir.path() / "cert.pem";
  write_certificate(cert, now - 86400, now + 10 * 86400);
  EXPECT_EQ(certificate_check(cert, clock, 24h * 30)().status, HealthStatus::warn);
  EXPECT_EQ(certificate_check(cert, clock, 24h * 30)().message, "the TLS certificate expires in 10 days");
  EXPECT_EQ(certificate_check(cert, clock, 24h)().status, HealthStatus::ok);
  clock.advance(24h * 11);
  EXPECT_EQ(certificate_check(cert, clock, 24h)().status, HealthStatus::fail);
  EXPECT_EQ(certificate_check(dir.path() / "none.pem", clock, 24h)().status, HealthStatus::fail);
  bankrec::testing::write_file(dir.path() / "junk.pem", "not a certificate");
  EXPECT_THAT(certificate_check(dir.path() / "junk.pem", clock, 24h)().message, HasSubstr("not a PEM"));
}

TEST(HealthChecks, inbox_backlog_counts_old_complete_files) {
  bankrec::testing::TempDir dir;
  FakeClock clock(std::chrono::system_clock::time_point{} + std::chrono::file_clock::to_sys(std::chrono::file_clock::now()).time_since_epoch());
  bankrec::testing::write_file(dir.path() / "a.xml", "x");
  bankrec::testing::write_file(dir.path() / "b.xml.part", "x");
  const auto check = inbox_backlog_check({dir.path()}, clock, 600s);
  EXPECT_EQ(check().status, HealthStatus::ok);
  clock.advance(601s);
  const auto r = check();
  EXPECT_EQ(r.status, HealthStatus::warn);
  EXPECT_EQ(r.message, "1 files waiting in the inbox longer than 600 s");
}

}  // namespace
}  // namespace bankrec::jobs
