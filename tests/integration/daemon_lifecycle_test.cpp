// bankrecd's life cycle with the real executable: the systemd notify protocol (READY, STATUS,
// WATCHDOG at half of WATCHDOG_USEC, RELOADING, STOPPING) on a datagram socket the test owns; SIGTERM
// in the middle of a long import; SIGHUP that moves the inbox and changes schedules, workers and
// retries; and reconciliation after imports with the unmatched alert raised and resolved.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <numeric>

#include "daemon_harness.h"

namespace bankrec::daemon_test {
namespace {

using ::testing::HasSubstr;
using SteadyClock = std::chrono::steady_clock;

/// A Unix datagram socket standing in for systemd's NOTIFY_SOCKET.
class NotifySocket {
 public:
  struct Message {
    SteadyClock::time_point at;
    std::string text;
  };
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  }
  ~NotifySocket() { ::close(fd_); }
  const fs::path& path() const { return path_; }

  /// Reads what arrived within `ms`; appends to messages().
  void receive_for(int ms) {
    const auto until = SteadyClock::now() + std::chrono::milliseconds(ms);
    for (auto now = SteadyClock::now(); now < until; now = SteadyClock::now()) {
      pollfd p{fd_, POLLIN, 0};
      const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count());
      if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0) messages_.push_back({SteadyClock::now(), std::string(buffer, static_cast<std::size_t>(n))});
    }
  }
  /// Receives until a message from index `from` on contains `text` (or `ms` pass); returns it, or "".
  std::string wait_for(const std::string& text, int ms, std::size_t from = 0) {
    const auto until = SteadyClock::now() + std::chrono::milliseconds(ms);
    std::size_t seen = from;
    while (SteadyClock::now() < until) {
      for (; seen < messages_.size(); ++seen)
        if (messages_[seen].text.find(text) != std::string::npos) return messages_[seen].text;
      receive_for(50);
    }
    for (; seen < messages_.size(); ++seen)
      if (messages_[seen].text.find(text) != std::string::npos) return messages_[seen].text;
    return "";
  }
  const std::vector<Message>& messages() const { return messages_; }
  std::string all() const {
    std::string out;
    for (const auto& m : messages_) out += "[" + m.text + "]\n";
    return out;
  }

 private:
  fs::path path_;
  int fd_ = -1;
  std::vector<Message> messages_;
};

/// `env NOTIFY_SOCKET=... WATCHDOG_USEC=... sh -c 'WATCHDOG_PID=$$ exec bankrecd ...'`: sh execs
/// bankrecd in its own process, so $$ is bankrecd's pid, as systemd sets it.
std::vector<std::string> under_systemd(const fs::path& socket, std::uint64_t watchdog_usec) {
  return {"/usr/bin/env", "NOTIFY_SOCKET=" + socket.string(), "WATCHDOG_USEC=" + std::to_string(watchdog_usec),
          "/bin/sh", "-c", "WATCHDOG_PID=$$; export WATCHDOG_PID; exec \"$0\" \"$@\""};
}

TEST(DaemonLifecycle, notify_protocol_and_watchdog_at_half_the_interval) {
  testing::TempDir dir;
  NotifySocket notify(dir.path() / "notify.sock");
  // Text logs: under NOTIFY_SOCKET "auto" would choose journald.
  Daemon d(dir.path(), "log: {format: text}\n");
  ASSERT_TRUE(d.start(under_systemd(notify.path(), 1'000'000)));
  const std::string ready = notify.wait_for("READY=1", 5000);
  ASSERT_FALSE(ready.empty()) << notify.all() << d.log();
  EXPECT_THAT(ready, HasSubstr("STATUS=serving https on 127.0.0.1:"));
  EXPECT_THAT(ready, HasSubstr("inbox folders"));
  EXPECT_THAT(d.log(), HasSubstr("systemd watchdog enabled interval_ms=1000"));

  // 4 s of pings: every 500 ms (half of WATCHDOG_USEC), from the event loop.
  const std::size_t before = notify.messages().size();
  notify.receive_for(4000);
  std::vector<double> pings;
  for (std::size_t i = before; i < notify.messages().size(); ++i)
    if (notify.messages()[i].text == "WATCHDOG=1")
      pings.push_back(std::chrono::duration<double>(notify.messages()[i].at.time_since_epoch()).count());
  ASSERT_GE(pings.size(), 6u) << notify.all();
  EXPECT_LE(pings.size(), 10u) << notify.all();
  std::vector<double> gaps;
  for (std::size_t i = 1; i < pings.size(); ++i) gaps.push_back(pings[i] - pings[i - 1]);
  const double mean = std::accumulate(gaps.begin(), gaps.end(), 0.0) / static_cast<double>(gaps.size());
  EXPECT_GT(mean, 0.40) << notify.all();
  EXPECT_LT(mean, 0.60) << notify.all();
  EXPECT_LT(*std::max_element(gaps.begin(), gaps.end()), 0.95) << "a gap near WATCHDOG_USEC would kill the service";
  std::printf("[ figures  ] watchdog: %zu pings in 4 s, mean gap %.3f s, max gap %.3f s\n", pings.size(), mean,
              *std::max_element(gaps.begin(), gaps.end()));
  // STATUS= follows the queue.
  EXPECT_FALSE(notify.wait_for("STATUS=idle; queue:", 5000).empty()) << notify.all();

  const std::size_t before_reload = notify.messages().size();
  d.process().signal(SIGHUP);
  const std::string reloading = notify.wait_for("RELOADING=1", 5000, before_reload);
  EXPECT_THAT(reloading, HasSubstr("MONOTONIC_USEC="));
  std::size_t reloading_at = before_reload;
  while (reloading_at < notify.messages().size() && notify.messages()[reloading_at].text != reloading) ++reloading_at;
  EXPECT_FALSE(notify.wait_for("READY=1", 5000, reloading_at + 1).empty()) << notify.all();  // after RELOADING

  const auto stop_sent = SteadyClock::now();
  d.process().signal(SIGTERM);
  EXPECT_THAT(notify.wait_for("STOPPING=1", 5000), HasSubstr("STATUS=stopping"));
  EXPECT_EQ(d.process().wait(15000), 0) << d.log();
  std::printf("[ figures  ] idle stop took %.3f s\n",
              std::chrono::duration<double>(SteadyClock::now() - stop_sent).count());
}

// Without WATCHDOG_PID matching bankrecd (systemd watches another process), no pings are sent.
TEST(DaemonLifecycle, watchdog_pid_of_another_process_sends_no_pings) {
  testing::TempDir dir;
  NotifySocket notify(dir.path() / "notify.sock");
  Daemon d(dir.path(), "log: {format: text}\n");
  ASSERT_TRUE(d.start({"/usr/bin/env", "NOTIFY_SOCKET=" + notify.path().string(), "WATCHDOG_USEC=400000",
                       "WATCHDOG_PID=1"}));
  ASSERT_FALSE(notify.wait_for("READY=1", 5000).empty()) << notify.all();
  notify.receive_for(1500);
  for (const auto& m : notify.messages()) EXPECT_NE(m.text, "WATCHDOG=1");
  d.process().signal(SIGTERM);
  EXPECT_EQ(d.process().wait(15000), 0) << d.log();
}

// SIGTERM while a long file is being imported: bankrecd exits 0 within the configured bound, and
// the database holds the whole file or nothing of it; in the second case the file is still in the
// inbox and the next start imports it exactly once.
TEST(DaemonLifecycle, sigterm_during_a_long_import_exits_within_the_bound_all_or_nothing) {
  // Big enough that the import outlasts the bound (30,000 lines take about 1.2 s here).
  constexpr int kEntries = 120000;
  constexpr int kBoundSeconds = 1;
  testing::TempDir dir;
  Daemon d(dir.path(), "jobs: {stop_timeout_seconds: " + std::to_string(kBoundSeconds) + "}\n");
  ASSERT_TRUE(d.start());
  const fs::path staging = dir.path() / "big.xml";
  testing::write_file(staging, camt_statement(1, kEntries));
  fs::rename(staging, d.data() / "inbox" / "big.xml");
  ASSERT_TRUE(eventually([&] { return d.log_has("inbox file importing file=\"big.xml\""); }, 30)) << d.log();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // inside the import transaction
  const auto sent = SteadyClock::now();
  d.process().signal(SIGTERM);
  const int code = d.process().wait(30000);
  const double took = std::chrono::duration<double>(SteadyClock::now() - sent).count();
  EXPECT_EQ(code, 0) << d.log();
  EXPECT_LT(took, kBoundSeconds + 2.0) << d.log();
  const bool cut = d.log_has("stop bound of 1 s reached");
  std::printf("[ figures  ] stop during a %d-line import took %.3f s (bound %d s, %s)\n", kEntries, took,
              kBoundSeconds, cut ? "import cut off at the bound" : "import finished first");

  const std::int64_t entries = query(d.data(), "SELECT count(*) FROM entries");
  const bool in_inbox = fs::exists(d.data() / "inbox" / "big.xml");
  const auto archived = files_below(d.data() / "archive").size();
  if (entries == 0) {
    EXPECT_TRUE(in_inbox) << "nothing imported, so the file must wait in the inbox";
    EXPECT_EQ(query(d.data(), "SELECT count(*) FROM source_files WHERE status = 'processed'"), 0);
  } else {
    EXPECT_EQ(entries, kEntries) << "a partial import";
    EXPECT_EQ(query(d.data(), "SELECT count(*) FROM source_files WHERE status = 'processed'"), 1);
    EXPECT_TRUE(in_inbox || archived == 1u);  // imported; archived now or at the next start
  }
  EXPECT_TRUE(files_below(d.data() / "failed").empty());

  ASSERT_TRUE(d.start());
  ASSERT_TRUE(eventually([&] { return files_below(d.data() / "archive").size() == 1; }, 120)) << d.log();
  d.process().signal(SIGTERM);
  EXPECT_EQ(d.process().wait(30000), 0) << d.log();
  EXPECT_EQ(query(d.data(), "SELECT count(*) FROM entries"), kEntries);
  EXPECT_EQ(query(d.data(), "SELECT count(*) FROM source_files WHERE status = 'processed'"), 1);
}

TEST(DaemonLifecycle, sighup_moves_the_inbox_and_changes_schedules_workers_and_retries) {
  testing::TempDir dir;
  const fs::path first = dir.path() / "first", second = dir.path() / "second";
  fs::create_directories(first);
  // An hour between rescans: only the inotify watches (moved by the reload) can find files in time.
  Daemon d(dir.path(), "inbox:\n  - path: " + first.string() +
                           "\n    rescan_seconds: 3600\nreconcile: {schedule: every 1h}\n");
  ASSERT_TRUE(d.start());
  testing::write_file(first / "a.xml", camt_statement(1, 2));
  ASSERT_TRUE(eventually([&] { return files_below(d.data() / "archive").size() == 1; })) << d.log();

  d.write_config("inbox:\n  - path: " + second.string() +
                 "\n    rescan_seconds: 3600\nreconcile: {schedule: daily 05:30 Europe/Berlin}\n"
                 "maintenance: {schedule: every 2h}\njobs: {workers: 3}\nretry: {max_attempts: 5}\n");
  d.process().signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return d.log_has("configuration reloaded"); })) << d.log();
  EXPECT_THAT(d.log(), HasSubstr("workers=3 inbox_folders=1 retry_max_attempts=5"));
  EXPECT_THAT(d.log(), HasSubstr("reconcile=daily 05:30 Europe/Berlin"));
  EXPECT_THAT(d.log(), HasSubstr("maintenance=every 2h"));
  EXPECT_TRUE(fs::is_directory(second));  // made by the reload
  testing::write_file(second / "b.xml", camt_statement(2, 3));
  ASSERT_TRUE(eventually([&] { return files_below(d.data() / "archive").size() == 2; })) << d.log();
  EXPECT_FALSE(fs::exists(second / "b.xml"));

  // The old folder is no longer watched; a bad reload (rules file missing) changes nothing.
  testing::write_file(first / "c.xml", camt_statement(3, 1));
  d.write_config("inbox:\n  - path: " + first.string() + "\nreconcile: {rules: " + (dir.path() / "none.yaml").string() +
                 "}\n");
  d.process().signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return d.log_has("reload refused"); })) << d.log();
  EXPECT_THAT(d.log(), HasSubstr("none.yaml"));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_TRUE(fs::exists(first / "c.xml"));
  testing::write_file(second / "d.xml", camt_statement(4, 1));
  ASSERT_TRUE(eventually([&] { return files_below(d.data() / "archive").size() == 3; })) << d.log();

  d.process().signal(SIGTERM);
  EXPECT_EQ(d.process().wait(15000), 0) << d.log();
  EXPECT_EQ(query(d.data(), "SELECT count(*) FROM entries"), 6);
  EXPECT_EQ(query(d.data(), "SELECT count(*) FROM schedules WHERE name = 'reconcile' AND spec = 'daily 05:30 Europe/Berlin'"), 1);
  EXPECT_EQ(query(d.data(), "SELECT count(*) FROM schedules WHERE name = 'maintenance' AND spec = 'every 2h'"), 1);
}

/// An open-items CSV with one invoice per line of camt_statement(file, n).
std::string open_items_csv(int file, int n) {
  std::string csv = "id,kind,partner_id,partner_name,document_number,amount,currency,due_date\n";
  for (int i = 1; i <= n; ++i) {
    const std::string ref = std::to_string(file) + "-" + std::to_string(i);
    csv += "I" + ref + ",invoice,P" + ref + ",Kunde " + ref + ",INV-" + ref + "," + amount_text(line_amount(i)) +
           ",EUR,2026-11-30\n";
  }
  return csv;
}

TEST(DaemonLifecycle, imports_are_reconciled_and_the_unmatched_alert_raised_and_resolved) {
  testing::TempDir dir;
  Daemon d(dir.path(), "reconcile: {unmatched_alert: {percent: 50}}\nmaintenance: {schedule: every 1s}\n");
  ASSERT_TRUE(d.start());
  // Without open items nothing is decided: the lines wait.
  testing::write_file(d.data() / "inbox" / "early.xml", camt_statement(9, 2, 777));
  ASSERT_TRUE(eventually([&] { return d.log_has("inbox file imported file=\"early.xml\""); })) << d.log();
  const auto skipped = [&] {
    const std::string log = d.log();
    int n = 0;
    for (auto at = log.find("reconciliation skipped"); at != std::string::npos; at = log.find("reconciliation skipped", at + 1)) ++n;
    return n;
  };
  ASSERT_TRUE(eventually([&] { return skipped() >= 2; })) << d.log();  // at the start, and after early.xml

  testing::write_file(dir.path() / "items.csv", open_items_csv(1, 4) + open_items_csv(3, 2).substr(open_items_csv(3, 2).find('\n') + 1));
  const auto loaded = d.cli({"open-items", "import", (dir.path() / "items.csv").string()});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  // File 1: every line pays its invoice; the 2 early lines (no item fits) are decided in the same run.
  testing::write_file(d.data() / "inbox" / "one.xml", camt_statement(1, 4));
  ASSERT_TRUE(eventually([&] { return d.log_has("reconciliation done") && d.log_has("auto=4"); })) << d.log();
  EXPECT_THAT(d.log(), HasSubstr("entries=6 auto=4 suggest=0 none=2"));
  EXPECT_FALSE(d.log_has("alert=unmatched_above_threshold"));  // 33 % < 50 %

  // File 2: nothing fits (amounts of their own): 100 % unmatched, the alert is raised.
  testing::write_file(d.data() / "inbox" / "two.xml", camt_statement(2, 3, 555));
  ASSERT_TRUE(eventually([&] { return d.log_has("alert=unmatched_above_threshold key=\"reconcile\" raised"); }))
      << d.log();
  EXPECT_THAT(d.log(), HasSubstr("3 of 3 lines (100.0%) left unmatched"));
  const std::string metrics = get(d.base() + "/metrics", d.ca()).body;
  EXPECT_THAT(metrics, HasSubstr("bankrec_reconcile_decisions_total{decision=\"auto\"} 4"));
  EXPECT_THAT(metrics, HasSubstr("bankrec_reconcile_decisions_total{decision=\"none\"} 5"));
  EXPECT_THAT(metrics, HasSubstr("bankrec_reconcile_unmatched_entries 5"));
  EXPECT_THAT(metrics, HasSubstr("bankrec_reconcile_open_review_items 0"));
  EXPECT_THAT(metrics, HasSubstr("bankrec_jobs_runs_total{kind=\"reconcile\",outcome=\"succeeded\"}"));

  // File 3: both lines pay their invoices: the condition clears.
  testing::write_file(d.data() / "inbox" / "three.xml", camt_statement(3, 2));
  ASSERT_TRUE(eventually([&] { return d.log_has("alert=unmatched_above_threshold key=\"reconcile\" resolved"); }))
      << d.log();
  // The maintenance job runs on its schedule, not only at import.
  ASSERT_TRUE(eventually([&] { return d.log_has("maintenance done"); })) << d.log();
  d.process().signal(SIGTERM);
  EXPECT_EQ(d.process().wait(15000), 0) << d.log();
  EXPECT_EQ(query(d.data(), "SELECT count(*) FROM entries WHERE status = 'reconciled'"), 6);
  EXPECT_EQ(query(d.data(), "SELECT count(*) FROM entries WHERE status = 'unmatched'"), 5);
  // Never two reconcile jobs alive at once; each import had its run (or joined one).
  EXPECT_GE(query(d.data(), "SELECT count(*) FROM jobs WHERE kind = 'reconcile' AND state = 'succeeded'"), 3);
  EXPECT_EQ(query(d.data(), "SELECT count(*) FROM jobs WHERE kind = 'reconcile' AND state = 'dead'"), 0);
}

}  // namespace
}  // namespace bankrec::daemon_test
