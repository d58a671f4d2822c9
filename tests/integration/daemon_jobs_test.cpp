// The real bankrecd on 127.0.0.1 with a temporary data dir: inbox by inotify, dead letters and
// `bankrec dead-letters retry`, kill -9 in the middle of imports, SIGHUP with a bad config, and
// /metrics checked by the Prometheus text-format parser of the official Python client.
#include <curl/curl.h>
#include <signal.h>

#include <random>
#include <regex>
#include <thread>

#include "bankrec/store/store.h"
#include "bankrec/testing/testing.h"
#include "daemon_harness.h"

namespace bankrec {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

using daemon_test::camt_statement;
using daemon_test::Daemon;
using daemon_test::eventually;
using daemon_test::files_below;
using daemon_test::get;
using daemon_test::Reply;

/// Counts in the database, read through the store library after bankrecd stopped.
struct DbCounts {
  std::int64_t entries = -1, processed_files = -1, error_files = -1;
};

DbCounts count_database(const fs::path& data) {
  DbCounts c;
  SystemClock clock;
  store::StderrCheckpointSink sink;
  const auto signing = store::load_signing_key(data / "audit.key");
  EXPECT_TRUE(signing.has_value());
  if (!signing) return c;
  auto s = store::open_with_key_file(data / "bankrec.db", data / "db.key", *signing, clock, &sink);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().describe());
  if (!s) return c;
  c.entries = *(*s)->db().query_int("SELECT count(*) FROM entries");
  c.processed_files = *(*s)->db().query_int("SELECT count(*) FROM source_files WHERE status = 'processed'");
  c.error_files = *(*s)->db().query_int("SELECT count(*) FROM source_files WHERE status = 'error'");
  return c;
}

TEST(DaemonJobs, inbox_file_is_imported_through_inotify) {
  testing::TempDir dir;
  const fs::path inbox = dir.path() / "sftp";
  fs::create_directories(inbox);
  // An hour between rescans: only inotify can find the files in time.
  Daemon d(dir.path(), "inbox:\n  - path: " + inbox.string() + "\n    rescan_seconds: 3600\n");
  ASSERT_TRUE(d.start());
  // Written in place (closed after writing) and delivered SFTP-style (.part, then renamed).
  testing::write_file(inbox / "one.xml", camt_statement(1, 3));
  testing::write_file(inbox / "two.xml.part", camt_statement(2, 4));
  EXPECT_TRUE(fs::exists(inbox / "two.xml.part"));
  fs::rename(inbox / "two.xml.part", inbox / "two.xml");
  ASSERT_TRUE(eventually([&] { return files_below(d.data() / "archive").size() == 2; }, 10)) << d.log();
  EXPECT_TRUE(fs::is_empty(inbox));
  const auto jobs = d.cli({"jobs", "list", "--state", "succeeded", "--json"});
  EXPECT_EQ(jobs.exit_code, 0) << jobs.err;
  EXPECT_THAT(jobs.out, HasSubstr("\"kind\":\"import\",\"state\":\"succeeded\""));
  EXPECT_THAT(jobs.out, HasSubstr(inbox.string() + "/two.xml"));
  d.process().signal(SIGTERM);
  EXPECT_EQ(d.process().wait(15000), 0) << d.log();
  const auto counts = count_database(d.data());
  EXPECT_EQ(counts.entries, 7);
  EXPECT_EQ(counts.processed_files, 2);
}

// The archive folder is unusable (a plain file took its place): the import job fails, is retried
// with backoff, lands in the dead letters; once repaired, `bankrec dead-letters retry` finishes it.
TEST(DaemonJobs, failing_job_goes_to_dead_letters_and_retry_brings_it_back) {
  testing::TempDir dir;
  Daemon d(dir.path(),
           "retry: {base_seconds: 1, factor: 2, cap_seconds: 1, max_attempts: 3}\nhealth: {schedule: every 1s}\n");
  ASSERT_TRUE(d.start());
  fs::remove_all(d.data() / "archive");
  testing::write_file(d.data() / "archive", "not a directory");
  testing::write_file(d.data() / "inbox" / "day.xml", camt_statement(7, 5));

  testing::CommandResult letters;
  ASSERT_TRUE(eventually([&] {
    letters = d.cli({"dead-letters", "list", "--json"});
    return letters.out.find("\"attempts\":3") != std::string::npos;
  })) << letters.out << letters.err << d.log();
  EXPECT_THAT(letters.out, HasSubstr("\"id\":1,"));
  EXPECT_THAT(letters.out, HasSubstr("\"kind\":\"import\""));
  EXPECT_THAT(letters.out, HasSubstr("cannot create"));
  EXPECT_THAT(letters.out, HasSubstr("(gave up after 3 attempts)"));
  EXPECT_TRUE(fs::exists(d.data() / "inbox" / "day.xml"));  // nothing lost
  // The alert is raised right after the dead letter is committed.
  EXPECT_TRUE(eventually([&] { return d.log().find("alert=dead_letter") != std::string::npos; })) << d.log();
  // Readiness names the problem (a warning: still ready), metrics count it.
  ASSERT_TRUE(eventually([&] { return get(d.base() + "/readyz", d.ca()).body.find("dead_letters") != std::string::npos; }))
      << d.log();
  const Reply ready = get(d.base() + "/readyz", d.ca());
  EXPECT_EQ(ready.status, 200);
  EXPECT_THAT(ready.body, HasSubstr(R"("check":"dead_letters","status":"warn","message":"1 open dead letters)"));
  EXPECT_THAT(get(d.base() + "/metrics", d.ca()).body, HasSubstr("bankrec_jobs_dead_letters 1"));
  // The rescan does not queue the same file again while its dead letter is open.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  const std::string all_jobs = d.cli({"jobs", "list", "--limit", "10000", "--json"}).out;
  std::size_t imports = 0;
  for (auto at = all_jobs.find("\"kind\":\"import\""); at != std::string::npos; at = all_jobs.find("\"kind\":\"import\"", at + 1))
    ++imports;
  EXPECT_EQ(imports, 1u) << all_jobs;

  fs::remove(d.data() / "archive");
  fs::create_directories(d.data() / "archive");
  const auto retry = d.cli({"dead-letters", "retry", "1"});
  EXPECT_EQ(retry.exit_code, 0) << retry.err;
  // The job's id depends on whether a scheduled health job was queued first.
  EXPECT_THAT(retry.out, ::testing::ContainsRegex("dead letter 1: job [0-9]+ queued again"));
  ASSERT_TRUE(eventually([&] { return files_below(d.data() / "archive").size() == 1; })) << d.log();
  EXPECT_EQ(d.cli({"dead-letters", "retry", "1"}).exit_code, 2);  // already retried
  EXPECT_EQ(d.cli({"dead-letters", "dismiss", "99"}).exit_code, 2);
  EXPECT_THAT(d.cli({"dead-letters", "list"}).out, Not(HasSubstr("import")));
  const auto audit = d.cli({"audit", "export"});
  EXPECT_THAT(audit.out, HasSubstr("\"action\":\"dead_letter.retry\""));
  d.process().signal(SIGTERM);
  EXPECT_EQ(d.process().wait(15000), 0) << d.log();
  EXPECT_EQ(count_database(d.data()).entries, 5);
}

// kill -9 while a batch of imports runs, restart: every file imported exactly once, none lost.
TEST(DaemonJobs, kill_9_during_imports_then_restart_loses_and_duplicates_nothing) {
  constexpr int kFiles = 8, kEntries = 1500;
  testing::TempDir dir;
  Daemon d(dir.path(), "jobs: {workers: 2}\n");
  ASSERT_TRUE(d.start());
  const fs::path staging = dir.path() / "staging";
  fs::create_directories(staging);
  for (int f = 1; f <= kFiles; ++f) testing::write_file(staging / ("s" + std::to_string(f) + ".xml"), camt_statement(f, kEntries));
  for (int f = 1; f <= kFiles; ++f)
    fs::rename(staging / ("s" + std::to_string(f) + ".xml"), d.data() / "inbox" / ("s" + std::to_string(f) + ".xml"));
  // Some are done, the rest queued or in the middle of their import transaction.
  ASSERT_TRUE(eventually([&] { return !files_below(d.data() / "archive").empty(); })) << d.log();
  d.process().signal(SIGKILL);
  EXPECT_EQ(d.process().wait(10000), 128 + SIGKILL);
  const auto archived_before = files_below(d.data() / "archive").size();
  EXPECT_LT(archived_before, static_cast<std::size_t>(kFiles)) << "all finished before the kill; nothing was tested";

  ASSERT_TRUE(d.start());
  ASSERT_TRUE(eventually([&] { return files_below(d.data() / "archive").size() == kFiles; }, 60)) << d.log();
  EXPECT_TRUE(files_below(d.data() / "failed").empty());
  EXPECT_TRUE(fs::is_empty(d.data() / "inbox"));
  d.process().signal(SIGTERM);
  EXPECT_EQ(d.process().wait(15000), 0) << d.log();
  const auto counts = count_database(d.data());
  EXPECT_EQ(counts.entries, kFiles * kEntries);
  EXPECT_EQ(counts.processed_files, kFiles);
}

TEST(DaemonJobs, sighup_with_a_bad_config_keeps_the_running_one) {
  testing::TempDir dir;
  Daemon d(dir.path(), "log: {level: info}\n");
  ASSERT_TRUE(d.start());
  d.write_config("log: {level: loud}\nnot_a_key: 1\n");
  d.process().signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return d.log().find("reload refused") != std::string::npos; })) << d.log();
  EXPECT_THAT(d.log(), HasSubstr("log.level: expected one of"));
  EXPECT_THAT(d.log(), HasSubstr("not_a_key: unknown key"));
  EXPECT_EQ(get(d.base() + "/healthz", d.ca()).status, 200);
  d.write_config("log: {level: debug}\n");
  d.process().signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return d.log().find("configuration reloaded") != std::string::npos; })) << d.log();
  d.process().signal(SIGTERM);
  EXPECT_EQ(d.process().wait(15000), 0) << d.log();
}

/// Runs Python's prometheus_client text parser over `text`; returns its verdict.
testing::CommandResult prometheus_parse(const fs::path& dir, const std::string& text) {
  const fs::path file = dir / "metrics.txt";
  testing::write_file(file, text);
  return testing::run_command(
      {"/usr/bin/python3", "-c",
       "import sys\n"
       "from prometheus_client.parser import text_string_to_metric_families\n"
       "families = list(text_string_to_metric_families(open(sys.argv[1]).read()))\n"
       "names = {f.name for f in families}\n"
       "assert all(n.startswith('bankrec_') for n in names), names\n"
       "print(len(families), 'families', sum(len(f.samples) for f in families), 'samples')\n",
       file.string()});
}

TEST(DaemonJobs, metrics_pass_the_prometheus_parser_on_both_ports) {
  testing::TempDir dir;
  const std::uint16_t plain = testing::free_loopback_port();
  Daemon d(dir.path(), "metrics: {plain_listen: 127.0.0.1:" + std::to_string(plain) + "}\nhealth: {schedule: every 1s}\n");
  ASSERT_TRUE(d.start());
  testing::write_file(d.data() / "inbox" / "a.xml", camt_statement(3, 2));
  testing::write_file(d.data() / "inbox" / "b.txt", "no statement\n");
  ASSERT_TRUE(eventually([&] { return files_below(d.data() / "archive").size() == 1 && fs::exists(d.data() / "failed" / "b.txt.error.txt"); }))
      << d.log();
  ASSERT_TRUE(eventually([&] {
    return get(d.base() + "/metrics", d.ca()).body.find("kind=\"health\",outcome=\"succeeded\"") != std::string::npos;
  })) << d.log();
  const Reply tls = get(d.base() + "/metrics", d.ca());
  for (const char* name :
       {"bankrec_jobs_duration_seconds_bucket{kind=\"import\",outcome=\"succeeded\",le=", "bankrec_jobs_queue_depth{state=\"queued\"}",
        "bankrec_jobs_dead_letters 0", "bankrec_store_db_size_bytes ", "bankrec_health_check_status{check=\"database\"} 1",
        "bankrec_jobs_last_import_timestamp_seconds ", "bankrec_jobs_inbox_files_total{outcome=\"failed\"} 1"})
    EXPECT_THAT(tls.body, HasSubstr(name));
  const auto parsed = prometheus_parse(dir.path(), tls.body);
  EXPECT_EQ(parsed.exit_code, 0) << parsed.err << tls.body;
  EXPECT_THAT(parsed.out, HasSubstr("families"));
  // A broken exposition is rejected by the same parser: the check can fail.
  EXPECT_NE(prometheus_parse(dir.path(), "bankrec_x{le=\"1\" 2\n").exit_code, 0);

  // Every metric the Grafana dashboard queries is one bankrecd exposes.
  const std::string dashboard = testing::read_file(testing::source_dir() / "etc" / "grafana" / "bankrec.json");
  const std::regex metric_name("bankrec_[a-z_]+");
  int checked = 0;
  for (std::sregex_iterator it(dashboard.begin(), dashboard.end(), metric_name), end; it != end; ++it, ++checked)
    EXPECT_THAT(tls.body, HasSubstr("# TYPE " + std::regex_replace(it->str(), std::regex("_bucket$"), "") + " "))
        << "etc/grafana/bankrec.json uses " << it->str();
  EXPECT_GT(checked, 10);

  const Reply http = get("http://127.0.0.1:" + std::to_string(plain) + "/metrics");
  EXPECT_EQ(http.status, 200);
  EXPECT_EQ(prometheus_parse(dir.path(), http.body).exit_code, 0);
  EXPECT_EQ(get("http://127.0.0.1:" + std::to_string(plain) + "/other").status, 404);
  d.process().signal(SIGTERM);
  EXPECT_EQ(d.process().wait(15000), 0) << d.log();
}

}  // namespace
}  // namespace bankrec
