#include "bankrec/domain/json.h"
#include "bankrec/jobs/health.h"

#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/statvfs.h>

#include <cstdio>
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

HealthCheck database_check(store::Store& store, std::mutex& store_mutex, metrics::Gauge* size_bytes) {
  return [&store, &store_mutex, size_bytes]() -> CheckResult {
    std::lock_guard lock(store_mutex);
    if (size_bytes != nullptr) {
      std::error_code ec;
      std::uintmax_t total = fs::file_size(store.db().path(), ec);
      if (ec) total = 0;
      const std::uintmax_t wal = fs::file_size(store.db().path().string() + "-wal", ec);
      if (!ec) total += wal;
      size_bytes->set(static_cast<std::int64_t>(total));
    }
    const auto rows = store.db().query_texts("PRAGMA quick_check");
    if (!rows) return {HealthStatus::fail, "quick check could not run: " + rows.error().message};
    if (rows->size() == 1 && rows->front() == "ok") return {HealthStatus::ok, "quick check ok"};
    return {HealthStatus::fail, "quick check found " + std::to_string(rows->size()) + " problems (run bankrec db check)"};
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
    const auto checkpoints = store.audit().checkpoints();
    if (!checkpoints) return {HealthStatus::fail, "cannot read audit checkpoints: " + checkpoints.error().message};
    const auto full = [&]() -> CheckResult {
      const auto report = store.audit().verify();
      if (!report) return {HealthStatus::fail, "audit verification could not run: " + report.error().message};
      if (!report->intact) return {HealthStatus::fail, "audit chain broken: " + report->problem};
      return {HealthStatus::ok, "audit chain intact: " + std::to_string(report->entries) + " entries"};
    };
    if (checkpoints->empty()) return full();
    const store::Checkpoint& last = checkpoints->back();
    const auto signed_at = parse_utc_timestamp(last.signed_at);
    if (!signed_at) return full();
    // Entries are written before the checkpoint that signs them; an hour of slack covers clock steps.
    const std::string from = store::utc_timestamp(*signed_at - std::chrono::hours(1));
    bool anchored = false;
    std::string prev_hash, problem;
    std::int64_t prev_seq = 0, checked = 0;
    const auto walked = store.audit().for_each(from, "", [&](const store::AuditEntry& e) -> Result<void> {
      if (e.seq < last.seq) return ok();
      if (!anchored) {
        anchored = true;
        if (e.seq != last.seq || e.hash != last.hash)
          problem = "entry " + std::to_string(last.seq) + " no longer matches its signed checkpoint";
      } else if (e.seq != prev_seq + 1) {
        problem = "entry " + std::to_string(prev_seq + 1) + " is missing";
      } else if (e.prev_hash != prev_hash) {
        problem = "entry " + std::to_string(e.seq) + " does not link to entry " + std::to_string(prev_seq);
      }
      if (problem.empty() && store::audit_entry_hash(e) != e.hash)
        problem = "entry " + std::to_string(e.seq) + " was changed: its hash does not match its content";
      if (!problem.empty()) return fail(Errc::conflict, problem);
      prev_hash = e.hash;
      prev_seq = e.seq;
      ++checked;
      return ok();
    });
    if (!problem.empty()) return {HealthStatus::fail, "audit chain broken: " + problem};
    if (!walked) return {HealthStatus::fail, "audit verification could not run: " + walked.error().message};
    if (!anchored) return full();  // the checkpointed entry lies before the window (clock moved): verify all
    return {HealthStatus::ok, "audit chain intact since checkpoint " + std::to_string(last.seq) + " (" +
                                  std::to_string(checked) + " entries)"};
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
