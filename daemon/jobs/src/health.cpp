#include "bankrec/domain/json.h"
#include "bankrec/jobs/health.h"

#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/statvfs.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <utility>
#include <ctime>

#include "bankrec/jobs/queue.h"
#include "bankrec/store/jobs_repo.h"

namespace bankrec::jobs {
namespace {

namespace fs = std::filesystem;

std::string json_string(std::string_view s) { return domain::json_quote(s); }

std::string mib(std::uint64_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MiB"; }

}  // namespace

const char* health_status_name(HealthStatus status) noexcept {
  switch (status) {
    case HealthStatus::ok: return "ok";
    case HealthStatus::warn: return "warn";
    case HealthStatus::fail: return "fail";
  }
  return "fail";
}

bool is_partial_file_name(const std::string& name) {
  if (name.empty() || name.front() == '.') return true;
  for (const char* suffix : {".part", ".tmp", ".filepart", ".crdownload"})
    if (name.ends_with(suffix)) return true;
  return false;
}

Health::Health(const Clock& clock, metrics::Registry* metrics) : clock_(clock) {
  if (metrics == nullptr) return;
  status_ = &metrics->gauge("bankrec_health_check_status", "latest result per health check: 1 ok, 0 warn, -1 fail",
                            {"check"});
  last_run_ = &metrics->gauge("bankrec_health_last_run_timestamp_seconds", "when the health checks last ran (unix time)")
                   .unlabelled();
}

void Health::add(std::string name, HealthCheck check) { checks_.push_back({std::move(name), std::move(check)}); }

std::vector<CheckReport> Health::run_all() {
  std::vector<CheckReport> reports;
  for (const Entry& e : checks_) {
    CheckResult r;
    try {
      r = e.check();
    } catch (const std::exception& ex) {
      r = {HealthStatus::fail, std::string("check raised an exception: ") + ex.what()};
    }
    reports.push_back({e.name, r.status, std::move(r.message), store::utc_timestamp(clock_.now())});
  }
  std::vector<std::pair<CheckReport, HealthStatus>> changes;
  {
    std::lock_guard lock(mutex_);
    for (const CheckReport& r : reports) {
      HealthStatus before = HealthStatus::ok;
      for (const CheckReport& old : last_)
        if (old.name == r.name) before = old.status;
      if (r.status != before) changes.emplace_back(r, before);
    }
    last_ = reports;
  }
  if (status_ != nullptr)
    for (const CheckReport& r : reports) status_->with({r.name}).set(r.status == HealthStatus::ok ? 1 : r.status == HealthStatus::warn ? 0 : -1);
  if (last_run_ != nullptr)
    last_run_->set(std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count());
  if (hook_)
    for (const auto& [now, before] : changes) hook_(now, before);
  return reports;
}

std::vector<CheckReport> Health::last() const {
  std::lock_guard lock(mutex_);
  return last_;
}

bool Health::ready() const {
  std::lock_guard lock(mutex_);
  if (last_.empty() && !checks_.empty()) return false;
  for (const CheckReport& r : last_)
    if (r.status == HealthStatus::fail) return false;
  return true;
}

std::string Health::readiness_json() const {
  const bool is_ready = ready();
  std::string out = std::string("{\"status\":\"") + (is_ready ? "ready" : "not_ready") + "\",\"failing\":[";
  bool first = true;
  std::lock_guard lock(mutex_);
  if (last_.empty() && !checks_.empty()) {
    out += R"({"check":"startup","status":"fail","message":"health checks have not run yet","checked_at":null})";
    first = false;
  }
  for (const CheckReport& r : last_) {
    if (r.status == HealthStatus::ok) continue;
    out += std::string(first ? "" : ",") + "{\"check\":" + json_string(r.name) + ",\"status\":\"" +
           health_status_name(r.status) + "\",\"message\":" + json_string(r.message) +
           ",\"checked_at\":" + json_string(r.checked_at) + "}";
    first = false;
  }
  return out + "]}";
}

HealthCheck dead_letter_check(store::Store& store, std::mutex& store_mutex, std::int64_t max_open) {
  return [&store, &store_mutex, max_open]() -> CheckResult {
    std::lock_guard lock(store_mutex);
    const auto counts = store::JobsRepo(store).counts();
    if (!counts) return {HealthStatus::fail, "cannot count dead letters: " + counts.error().message};
    const auto open = counts->dead_letters_open;
    if (open > max_open)
      return {HealthStatus::warn, std::to_string(open) + " open dead letters (bankrec dead-letters list)"};
    return {HealthStatus::ok, std::to_string(open) + " open dead letters"};
  };
}

HealthCheck database_check(store::Store& store, std::mutex& store_mutex, metrics::Gauge* size_bytes,
                           DatabaseCheckOptions options) {
  struct State {
    bool first = true;
    std::optional<std::chrono::steady_clock::time_point> full_at;
    CheckResult full{HealthStatus::ok, ""};
  };
  auto state = std::make_shared<State>();
  return [&store, &store_mutex, size_bytes, options = std::move(options), state]() -> CheckResult {
    {
      std::lock_guard lock(store_mutex);
      if (size_bytes != nullptr) {
        std::error_code ec;
        std::uintmax_t total = fs::file_size(store.db().path(), ec);
        if (ec) total = 0;
        const std::uintmax_t wal = fs::file_size(store.db().path().string() + "-wal", ec);
        if (!ec) total += wal;
        size_bytes->set(static_cast<std::int64_t>(total));
      }
      // Cheap, every time: the schema can be read and decrypted.
      if (auto n = store.db().query_int("SELECT count(*) FROM sqlite_master"); !n)
        return {HealthStatus::fail, "database cannot be read: " + n.error().message};
    }
    const auto now = std::chrono::steady_clock::now();
    const bool first = std::exchange(state->first, false);
    const bool due = !state->full_at || now - *state->full_at >= options.full_every;
    if (due && !(first && options.open_reader)) {
      // PRAGMA quick_check reads every page: about 3 s per GB. On a connection of its own (a reader
      // beside the store's writer in WAL mode) it holds no lock the console or the jobs wait for.
      Result<std::vector<std::string>> rows = fail(Errc::internal, "not run");
      if (options.open_reader) {
        auto reader = options.open_reader();
        if (reader) rows = (*reader)->query_texts("PRAGMA quick_check");
        else rows = Unexpected{reader.error()};
      } else {
        std::lock_guard lock(store_mutex);
        rows = store.db().query_texts("PRAGMA quick_check");
      }
      state->full_at = now;
      if (!rows)
        state->full = {HealthStatus::fail, "quick check could not run: " + rows.error().message};
      else if (rows->size() == 1 && rows->front() == "ok")
        state->full = {HealthStatus::ok, "quick check ok"};
      else
        state->full = {HealthStatus::fail,
                       "quick check found " + std::to_string(rows->size()) + " problems (run bankrec db check)"};
    }
    if (!state->full_at) return {HealthStatus::ok, "database readable; the quick check of every page runs in the next health job"};
    return state->full;
  };
}

HealthCheck disk_check(fs::path dir, std::uint64_t min_free_bytes, double warn_ratio) {
  return [dir = std::move(dir), min_free_bytes, warn_ratio]() -> CheckResult {
    struct statvfs vfs {};
    if (::statvfs(dir.c_str(), &vfs) != 0) return {HealthStatus::fail, "cannot read the free space of the data dir"};
    const std::uint64_t free_bytes = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    const std::uint64_t total = static_cast<std::uint64_t>(vfs.f_blocks) * vfs.f_frsize;
    const double ratio = total == 0 ? 0 : static_cast<double>(free_bytes) / static_cast<double>(total);
    const std::string what = mib(free_bytes) + " free of " + mib(total);
    if (free_bytes < min_free_bytes) return {HealthStatus::fail, what + " (need " + mib(min_free_bytes) + ")"};
    if (ratio < warn_ratio) return {HealthStatus::warn, what};
    return {HealthStatus::ok, what};
  };
}

HealthCheck certificate_check(fs::path cert_pem, const Clock& clock, std::chrono::hours warn_before) {
  return [cert_pem = std::move(cert_pem), &clock, warn_before]() -> CheckResult {
    FILE* f = std::fopen(cert_pem.c_str(), "rb");
    if (f == nullptr) return {HealthStatus::fail, "the TLS certificate cannot be read"};
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (cert == nullptr) return {HealthStatus::fail, "the TLS certificate is not a PEM certificate"};
    const std::time_t now = std::chrono::system_clock::to_time_t(clock.now());
    ASN1_TIME* now_asn1 = ASN1_TIME_set(nullptr, now);
    int days = 0, seconds = 0;
    const bool diffed = now_asn1 != nullptr && ASN1_TIME_diff(&days, &seconds, now_asn1, X509_get0_notAfter(cert)) == 1;
    ASN1_TIME_free(now_asn1);
    X509_free(cert);
    if (!diffed) return {HealthStatus::fail, "the TLS certificate's expiry cannot be read"};
    const auto left = std::chrono::hours(24) * days + std::chrono::seconds(seconds);
    if (left <= std::chrono::seconds(0)) return {HealthStatus::fail, "the TLS certificate has expired"};
    const std::string what = "the TLS certificate expires in " + std::to_string(days) + " days";
    if (left < warn_before) return {HealthStatus::warn, what};
    return {HealthStatus::ok, what};
  };
}

HealthCheck audit_check(store::Store& store, std::mutex& store_mutex) {
  return [&store, &store_mutex]() -> CheckResult {
    std::lock_guard lock(store_mutex);
    const auto last = store.audit().last_checkpoint();
    if (!last) return {HealthStatus::fail, "cannot read audit checkpoints: " + last.error().message};
    if (*last && !store.audit().signature_valid(**last))
      return {HealthStatus::fail, "audit chain broken: checkpoint at entry " + std::to_string((*last)->seq) +
                                      " has an invalid signature"};
    // From the newest checkpoint (its entry must still carry the signed hash) to the head: as
    // cheap as the entries written since, however long the log is.
    const auto report = *last ? store.audit().verify_after((*last)->seq, (*last)->hash) : store.audit().verify();
    if (!report) return {HealthStatus::fail, "audit verification could not run: " + report.error().message};
    if (!report->intact) return {HealthStatus::fail, "audit chain broken: " + report->problem};
    if (!*last) return {HealthStatus::ok, "audit chain intact: " + std::to_string(report->entries) + " entries"};
    return {HealthStatus::ok, "audit chain intact since checkpoint " + std::to_string((*last)->seq) + " (" +
                                  std::to_string(report->entries) + " entries)"};
  };
}

HealthCheck inbox_backlog_check(std::vector<fs::path> dirs, const Clock& clock, std::chrono::seconds max_age) {
  return [dirs = std::move(dirs), &clock, max_age]() -> CheckResult {
    constexpr int kMaxEntries = 100'000;  // bounded walk
    const auto now = clock.now();
    int waiting = 0, seen = 0;
    for (const fs::path& dir : dirs) {
      std::error_code ec;
      for (fs::directory_iterator it(dir, ec), end; !ec && it != end && seen < kMaxEntries; it.increment(ec)) {
        ++seen;
        std::error_code fec;
        if (!it->is_regular_file(fec) || is_partial_file_name(it->path().filename().string())) continue;
        const auto mtime = std::chrono::file_clock::to_sys(it->last_write_time(fec));
        if (!fec && now - mtime > max_age) ++waiting;
      }
      if (ec) return {HealthStatus::fail, "an inbox folder cannot be read: " + ec.message()};
    }
    if (waiting > 0)
      return {HealthStatus::warn, std::to_string(waiting) + " files waiting in the inbox longer than " +
                                      std::to_string(max_age.count()) + " s"};
    return {HealthStatus::ok, "inbox empty or recent"};
  };
}

}  // namespace bankrec::jobs
