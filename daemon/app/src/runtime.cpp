#include <utility>  // first: Asio's headers on g++ 12 use std::exchange without including it

#include "runtime.h"

#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <map>

namespace bankrec::app {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMaxRequestBytes = 8 * 1024;
constexpr std::chrono::seconds kPlainIoTimeout{5};

void notify(const std::string& state) { sd_notify(0, state.c_str()); }

/// One plain-HTTP request on the loopback metrics port: GET /metrics or 404; then the connection closes.
struct PlainConnection : std::enable_shared_from_this<PlainConnection> {
  PlainConnection(asio::ip::tcp::socket s, std::function<std::string()>& render)
      : socket(std::move(s)), timer(socket.get_executor()), buffer(kMaxRequestBytes), render_metrics(render) {}

  void start() {
    timer.expires_after(kPlainIoTimeout);
    timer.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->socket.close();
    });
    asio::async_read_until(socket, buffer, "\r\n\r\n", [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) {
        self->timer.cancel();
        return;
      }
      self->respond();
    });
  }

  void respond() {
    std::string head(asio::buffers_begin(buffer.data()),
                     asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(std::min<std::size_t>(buffer.size(), 64)));
    const bool metrics = head.starts_with("GET /metrics ") || head.starts_with("GET /metrics?");
    const std::string body = metrics ? render_metrics() : "not found\n";
    reply = std::string("HTTP/1.1 ") + (metrics ? "200 OK" : "404 Not Found") +
            "\r\nContent-Type: " + (metrics ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8") +
            "\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + body;
    asio::async_write(socket, asio::buffer(reply), [self = shared_from_this()](error_code, std::size_t) {
      error_code ignored;
      self->socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      self->timer.cancel();
    });
  }

  asio::ip::tcp::socket socket;
  asio::steady_timer timer;
  asio::streambuf buffer;
  std::function<std::string()>& render_metrics;
  std::string reply;
};

}  // namespace

struct Runtime::Impl {
  Impl(jobs::Queue& q, jobs::Scheduler& s, Inbox& i, const Clock& c, std::function<std::string()> render,
       RuntimeOptions o)
      : clock(c),
        queue(q),
        scheduler(s),
        inbox(i),
        render_metrics(std::move(render)),
        options(std::move(o)),
        workers(options.workers),
        pool(RuntimeOptions::kMaxWorkers + 1),
        signals(io, SIGTERM, SIGINT, SIGHUP),
        pump_timer(io),
        rescan_timer(io),
        watchdog_timer(io),
        stop_timer(io),
        inotify_stream(io),
        acceptor(io) {}

  const Clock& clock;
  jobs::Queue& queue;
  jobs::Scheduler& scheduler;
  Inbox& inbox;
  std::function<std::string()> render_metrics;
  RuntimeOptions options;
  std::atomic<unsigned> workers;  //!< options.workers, changed by a reload
  asio::io_context io;
  asio::thread_pool pool;  //!< workers for jobs, plus one for the pump and inbox scans
  asio::signal_set signals;
  asio::steady_timer pump_timer, rescan_timer, watchdog_timer, stop_timer;
  asio::posix::stream_descriptor inotify_stream;
  int inotify_fd = -1;
  std::map<int, std::filesystem::path> watches;  //!< loop thread only
  std::array<char, 64 * 1024> inotify_buffer{};
  asio::ip::tcp::acceptor acceptor;
  std::function<void()> reload;

  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};     //!< worker loops running
  bool pump_running = false;         //!< loop thread only
  bool pump_again = false;           //!< loop thread only: a wake-up came while the pump ran
  bool finished_cleanly = true;
  std::optional<SteadyClock::time_point> due;  //!< loop thread only: earliest job or schedule
  std::string last_status;
  std::string status_note;  //!< loop thread only: e.g. the last reconciliation's counts

  std::shared_ptr<spdlog::logger> log() const { return spdlog::get("jobs"); }

  // ---- the queue pump: scheduler tick and queue look-up on the pool, workers started from the loop
  void pump() {
    if (stopping) return;
    if (pump_running) {
      pump_again = true;
      return;
    }
    pump_running = true;
    asio::post(pool, [this] {
      std::optional<jobs::TimePoint> next;
      bool due_now = false;
      std::string status;
      if (auto fired = scheduler.tick(); !fired) log()->error("scheduler failed: {}", fired.error().describe());
      if (auto n = queue.next_due(); n && *n) {
        next = **n;
        due_now = **n <= clock.now() + std::chrono::milliseconds(5);
      } else if (!n) {
        log()->error("job queue cannot be read: {}", n.error().describe());
      }
      if (auto c = queue.counts(); c)
        status = "queue: " + std::to_string(c->queued) + " queued, " + std::to_string(c->running) + " running, " +
                 std::to_string(c->failed) + " waiting to retry, " + std::to_string(c->dead_letters_open) +
                 " dead letters";
      const auto sched = scheduler.next_due();
      if (sched && (!next || *sched < *next)) next = sched;
      asio::post(io, [this, next, due_now, status] { pump_done(next, due_now, status); });
    });
  }

  void pump_done(std::optional<jobs::TimePoint> next, bool due_now, const std::string& status) {
    pump_running = false;
    if (stopping) return;
    if (!status.empty() && status != last_status) {
      last_status = status;
      send_status();
    }
    if (due_now) start_workers();
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(options.poll);
    if (next) {
      const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock.now());
      wait = std::clamp(until, std::chrono::milliseconds(10), wait);
    }
    if (pump_again) {
      pump_again = false;
      wait = std::chrono::milliseconds(0);
    }
    pump_timer.expires_after(wait);
    pump_timer.async_wait([this](error_code ec) {
      if (!ec) pump();
    });
  }

  void send_status() {
    if (last_status.empty()) return;
    notify("STATUS=" + std::string(in_flight > 0 ? "running jobs; " : "idle; ") + last_status +
           (status_note.empty() ? "" : "; " + status_note));
  }

  void start_workers() {
    while (!stopping && in_flight < static_cast<int>(workers.load())) {
      ++in_flight;
      asio::post(pool, [this] { worker_loop(); });
    }
  }

  /// Runs due jobs until none is left; checks `stopping` between jobs (SIGTERM finishes the current one).
  void worker_loop() {
    while (!stopping) {
      auto ran = queue.run_one();
      if (!ran) {
        log()->error("job queue failed: {}", ran.error().describe());
        break;
      }
      if (!*ran) break;
      const jobs::RunReport& r = **ran;
      const bool too_many = in_flight.load() > static_cast<int>(workers.load());  // a reload lowered `workers`
      const char* kind = store::job_kind_name(r.job.kind);
      if (r.dead) {
        log()->error("job dead-lettered job={} kind={} attempts={} dead_letter={}: {}", r.job.id, kind, r.job.attempts,
                     r.dead_letter_id.value_or(0), r.error);
      } else if (r.retry_at) {
        log()->warn("job failed, will retry job={} kind={} attempt={} of={} retry_at={}: {}", r.job.id, kind,
                    r.job.attempts, r.job.max_attempts, store::utc_timestamp(*r.retry_at), r.error);
      } else {
        log()->debug("job succeeded job={} kind={} seconds={:.3f}", r.job.id, kind, r.seconds);
      }
      if (too_many) break;
    }
    asio::post(io, [this] {
      --in_flight;
      if (!stopping) pump();
    });
  }

  // ---- inbox: inotify (fast path) and the periodic rescan (safety net)
  void enqueue_files(const std::vector<std::filesystem::path>& files) {
    int created = 0;
    for (const auto& file : files) {
      auto e = queue.enqueue(inbox.import_job(file));
      if (!e) {
        log()->error("cannot queue the import of file=\"{}\": {}", file.filename().string(), e.error().describe());
        continue;
      }
      if (e->created) {
        ++created;
        log()->info("inbox file queued file=\"{}\" job={}", file.filename().string(), e->id);
      }
    }
    if (created > 0) asio::post(io, [this] { pump(); });
  }

  void rescan() {
    if (stopping) return;
    asio::post(pool, [this] { enqueue_files(inbox.scan_once()); });
    rescan_timer.expires_after(options.rescan);
    rescan_timer.async_wait([this](error_code ec) {
      if (!ec) rescan();
    });
  }

  void start_inotify() {
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      log()->warn("inotify unavailable, relying on the rescan every {} s: {}", options.rescan.count(), std::strerror(errno));
      return;
    }
    inotify_fd = fd;
    rewatch();
    inotify_stream.assign(fd);
    read_inotify();
  }

  /// Makes the inotify watches match the inbox's folders (start and reload).
  void rewatch() {
    if (inotify_fd < 0) return;
    const auto folders = inbox.folders().inboxes;
    for (auto it = watches.begin(); it != watches.end();) {
      if (std::find(folders.begin(), folders.end(), it->second) != folders.end()) {
        ++it;
        continue;
      }
      ::inotify_rm_watch(inotify_fd, it->first);
      log()->info("inbox folder no longer watched folder=\"{}\"", it->second.string());
      it = watches.erase(it);
    }
    for (const auto& dir : folders) {
      const bool known = std::any_of(watches.begin(), watches.end(), [&](const auto& w) { return w.second == dir; });
      if (known) continue;
      const int wd = ::inotify_add_watch(inotify_fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR);
      if (wd < 0) {
        log()->warn("cannot watch inbox folder=\"{}\" (rescan only): {}", dir.string(), std::strerror(errno));
        continue;
      }
      watches[wd] = dir;
    }
  }

  void read_inotify() {
    inotify_stream.async_read_some(asio::buffer(inotify_buffer), [this](error_code ec, std::size_t n) {
      if (ec || stopping) return;
      std::vector<std::filesystem::path> files;
      bool overflow = false;
      for (std::size_t at = 0; at + sizeof(inotify_event) <= n;) {
        inotify_event ev;
        std::memcpy(&ev, inotify_buffer.data() + at, sizeof ev);
        const std::size_t size = sizeof(inotify_event) + ev.len;
        if (at + size > n) break;
        if ((ev.mask & IN_Q_OVERFLOW) != 0) overflow = true;
        const auto dir = watches.find(ev.wd);
        if (ev.len > 0 && dir != watches.end()) {
          const char* name = inotify_buffer.data() + at + sizeof(inotify_event);
          files.push_back(dir->second / std::string(name, ::strnlen(name, ev.len)));
        }
        at += size;
      }
      if (overflow) asio::post(pool, [this] { enqueue_files(inbox.scan_once()); });
      if (!files.empty())
        asio::post(pool, [this, files = std::move(files)] {
          std::vector<std::filesystem::path> complete;
          for (const auto& f : files)
            if (inbox.is_candidate(f)) complete.push_back(f);
          enqueue_files(complete);
        });
      read_inotify();
    });
  }

  // ---- systemd watchdog: pinged from the loop itself, so a stuck loop stops the pings
  void start_watchdog() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
    const auto half = std::chrono::microseconds(usec / 2);
    log()->info("systemd watchdog enabled interval_ms={}", usec / 1000);
    ping_watchdog(half);
  }

  void ping_watchdog(std::chrono::microseconds every) {
    notify("WATCHDOG=1");
    watchdog_timer.expires_after(every);
    watchdog_timer.async_wait([this, every](error_code ec) {
      if (!ec) ping_watchdog(every);
    });
  }

  // ---- plain-HTTP metrics on loopback
  void accept_plain() {
    acceptor.async_accept([this](error_code ec, asio::ip::tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted) log()->warn("metrics port accept failed: {}", ec.message());
        if (!acceptor.is_open()) return;
      } else {
        std::make_shared<PlainConnection>(std::move(socket), render_metrics)->start();
      }
      accept_plain();
    });
  }

  // ---- signals and stopping
  void wait_signal() {
    signals.async_wait([this](error_code ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        // MONOTONIC_USEC: what systemd's Type=notify-reload (v253+) expects beside RELOADING=1.
        const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now().time_since_epoch());
        notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec.count()) + "\nSTATUS=reloading the configuration");
        if (reload) reload();
        notify("READY=1");
        send_status();
        pump();
        wait_signal();
        return;
      }
      spdlog::get("app")->info("stopping signal={} running_jobs={}", sig == SIGTERM ? "SIGTERM" : "SIGINT", in_flight.load());
      notify("STOPPING=1\nSTATUS=stopping: finishing the running jobs");
      stopping = true;
      error_code ignored;
      pump_timer.cancel();
      rescan_timer.cancel();
      inotify_stream.close(ignored);
      acceptor.close(ignored);
      signals.cancel(ignored);
      const auto deadline = SteadyClock::now() + options.stop_bound;
      wait_for_workers(deadline);
    });
  }

  void wait_for_workers(SteadyClock::time_point deadline) {
    if (in_flight == 0 && !pump_running) {
      watchdog_timer.cancel();
      io.stop();
      return;
    }
    if (SteadyClock::now() >= deadline) {
      spdlog::get("app")->warn("stop bound of {} s reached with {} jobs still running; they resume at the next start",
                               options.stop_bound.count(), in_flight.load());
      finished_cleanly = false;
      io.stop();
      return;
    }
    stop_timer.expires_after(std::chrono::milliseconds(50));
    stop_timer.async_wait([this, deadline](error_code ec) {
      if (!ec) wait_for_workers(deadline);
    });
  }
};

Runtime::Runtime(jobs::Queue& queue, jobs::Scheduler& scheduler, Inbox& inbox, const Clock& clock,
                 std::function<std::string()> render_metrics, RuntimeOptions options)
    : impl_(std::make_unique<Impl>(queue, scheduler, inbox, clock, std::move(render_metrics), std::move(options))) {}

Runtime::~Runtime() {
  if (impl_ && impl_->finished_cleanly) impl_->pool.join();
}

Result<void> Runtime::prepare() {
  if (!impl_->options.plain_metrics) return ok();
  error_code ec;
  const auto address = asio::ip::make_address(impl_->options.plain_metrics->first, ec);
  if (ec || !address.is_loopback())
    return fail(Errc::invalid_input, "the plain metrics address must be loopback", "metrics.plain_listen");
  const asio::ip::tcp::endpoint endpoint(address, impl_->options.plain_metrics->second);
  auto& acceptor = impl_->acceptor;
  if (!acceptor.open(endpoint.protocol(), ec)) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(64, ec);
  if (ec)
    return fail(Errc::unavailable, "cannot listen for plain metrics on " + endpoint.address().to_string() + ":" +
                                       std::to_string(endpoint.port()) + ": " + ec.message(),
                "metrics.plain_listen");
  spdlog::get("app")->info("plain metrics on http://{}:{}/metrics", endpoint.address().to_string(),
                           acceptor.local_endpoint(ec).port());
  return ok();
}

bool Runtime::stopping() const { return impl_->stopping.load(); }

void Runtime::apply(unsigned workers, std::chrono::seconds rescan) {
  Impl& m = *impl_;
  m.workers = std::clamp(workers, 1u, RuntimeOptions::kMaxWorkers);
  m.options.workers = m.workers;
  m.rewatch();
  m.options.rescan = rescan;
  m.rescan();  // re-arms the timer with the new period and scans the (new) folders now
}

void Runtime::set_status_note(std::string note) {
  asio::post(impl_->io, [m = impl_.get(), note = std::move(note)] {
    m->status_note = note;
    m->send_status();
  });
}

bool Runtime::run(const std::function<void()>& reload) {
  Impl& m = *impl_;
  m.reload = reload;
  m.wait_signal();
  m.start_watchdog();
  m.start_inotify();
  if (m.acceptor.is_open()) m.accept_plain();
  m.rescan();
  m.pump();
  m.io.run();
  if (m.finished_cleanly) m.pool.join();
  return m.finished_cleanly;
}

void Runtime::wake() {
  asio::post(impl_->io, [m = impl_.get()] { m->pump(); });
}

}  // namespace bankrec::app
