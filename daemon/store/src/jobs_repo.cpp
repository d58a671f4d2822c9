#include "bankrec/domain/json.h"
#include "bankrec/store/jobs_repo.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace bankrec::store {
namespace {

constexpr std::array<const char*, 5> kKindNames = {"fetch", "import", "reconcile", "notify", "health"};
constexpr std::array<const char*, 5> kStateNames = {"queued", "running", "succeeded", "failed", "dead"};

constexpr std::string_view kJobColumns =
    "id, kind, state, payload_json, dedup_key, attempts, max_attempts, run_after, lease_owner, lease_until, "
    "started_at, finished_at, error, created_at, created_by, updated_at";
constexpr std::string_view kDeadLetterColumns =
    "id, job_id, kind, payload_json, error, attempts, created_at, resolved_at, resolved_by, resolution, note";

std::optional<std::string> optional_text(const Query& q, int column) {
  if (q.column_is_null(column)) return std::nullopt;
  return q.column_text(column);
}

JobRecord read_job(const Query& q) {
  JobRecord j;
  j.id = q.column_int(0);
  j.kind = parse_job_kind(q.column_text(1)).value_or(JobKind::notify);
  j.state = parse_job_state(q.column_text(2)).value_or(JobState::dead);
  j.payload_json = q.column_text(3);
  j.dedup_key = optional_text(q, 4);
  j.attempts = q.column_int(5);
  j.max_attempts = q.column_int(6);
  j.run_after = q.column_text(7);
  j.lease_owner = optional_text(q, 8);
  j.lease_until = optional_text(q, 9);
  j.started_at = optional_text(q, 10);
  j.finished_at = optional_text(q, 11);
  j.error = optional_text(q, 12);
  j.created_at = q.column_text(13);
  j.created_by = q.column_text(14);
  j.updated_at = q.column_text(15);
  return j;
}

DeadLetter read_dead_letter(const Query& q) {
  DeadLetter d;
  d.id = q.column_int(0);
  d.job_id = q.column_int(1);
  d.kind = parse_job_kind(q.column_text(2)).value_or(JobKind::notify);
  d.payload_json = q.column_text(3);
  d.error = q.column_text(4);
  d.attempts = q.column_int(5);
  d.created_at = q.column_text(6);
  d.resolved_at = optional_text(q, 7);
  d.resolved_by = optional_text(q, 8);
  d.resolution = optional_text(q, 9);
  d.note = optional_text(q, 10);
  return d;
}

/// Error texts come from parsers and banks: bounded, and never cut inside a UTF-8 sequence.
std::string bounded(std::string_view text) {
  if (text.size() <= JobsRepo::kMaxErrorBytes) return std::string(text);
  std::size_t cut = JobsRepo::kMaxErrorBytes - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "\xE2\x80\xA6";
}

std::string json_string(std::string_view s) { return domain::json_quote(s); }

bool looks_like_json_object(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.remove_suffix(1);
  return s.size() >= 2 && s.front() == '{' && s.back() == '}';
}

std::string kinds_clause(const std::vector<JobKind>& kinds) {
  if (kinds.empty()) return {};
  std::string clause = " AND kind IN (";
  for (std::size_t i = 0; i < kinds.size(); ++i)
    clause += std::string(i == 0 ? "'" : ", '") + job_kind_name(kinds[i]) + "'";
  return clause + ")";
}

}  // namespace

const char* job_kind_name(JobKind kind) noexcept { return kKindNames[static_cast<std::size_t>(kind)]; }
const char* job_state_name(JobState state) noexcept { return kStateNames[static_cast<std::size_t>(state)]; }

Result<JobKind> parse_job_kind(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i)
    if (name == kKindNames[i]) return static_cast<JobKind>(i);
  return fail(Errc::invalid_input, "unknown job kind '" + std::string(name) +
                                       "' (expected fetch, import, reconcile, notify or health)");
}

Result<JobState> parse_job_state(std::string_view name) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i)
    if (name == kStateNames[i]) return static_cast<JobState>(i);
  return fail(Errc::invalid_input, "unknown job state '" + std::string(name) +
                                       "' (expected queued, running, succeeded, failed or dead)");
}

Result<Enqueued> JobsRepo::enqueue(const NewJob& job) {
  if (job.payload_json.size() > kMaxPayloadBytes)
    return fail(Errc::invalid_input, "job payload of " + std::to_string(job.payload_json.size()) +
                                         " bytes exceeds the limit of " + std::to_string(kMaxPayloadBytes));
  if (!looks_like_json_object(job.payload_json)) return fail(Errc::invalid_input, "job payload is not a JSON object");
  if (job.max_attempts < 0 || job.max_attempts > 1000)
    return fail(Errc::invalid_input, "max_attempts must be from 1 to 1000");
  if (job.dedup_key && (job.dedup_key->empty() || job.dedup_key->size() > 4096))
    return fail(Errc::invalid_input, "dedup key must have 1 to 4096 bytes");
  Enqueued out;
  Database& db = store_.db();
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    if (job.dedup_key) {
      Query live = BANKREC_TRY(db.prepare(
          "SELECT id FROM jobs WHERE dedup_key = ?1 AND state IN ('queued', 'running', 'failed')"));
      live.bind(1, *job.dedup_key);
      if (BANKREC_TRY(live.step())) {
        out.id = live.column_int(0);
        return ok();
      }
      if (job.wait_for_open_dead_letter) {
        Query dead = BANKREC_TRY(db.prepare(
            "SELECT j.id FROM jobs j JOIN dead_letters d ON d.job_id = j.id WHERE j.dedup_key = ?1 AND "
            "j.state = 'dead' AND d.resolved_at IS NULL ORDER BY j.id DESC LIMIT 1"));
        dead.bind(1, *job.dedup_key);
        if (BANKREC_TRY(dead.step())) {
          out.id = dead.column_int(0);
          return ok();
        }
      }
    }
    const std::string now = utc_timestamp(store_.clock().now());
    Query insert = BANKREC_TRY(db.prepare(
        "INSERT INTO jobs(kind, state, payload_json, dedup_key, max_attempts, run_after, created_at, created_by, "
        "updated_at) VALUES (?1, 'queued', ?2, ?3, ?4, ?5, ?6, ?7, ?6)"));
    insert.bind(1, job_kind_name(job.kind)).bind(2, job.payload_json).bind(3, job.dedup_key);
    insert.bind(4, job.max_attempts == 0 ? 8 : job.max_attempts).bind(5, job.run_after ? utc_timestamp(*job.run_after) : now);
    insert.bind(6, now).bind(7, job.created_by);
    BANKREC_TRY(insert.run());
    out.id = db.last_insert_rowid();
    out.created = true;
    return ok();
  }));
  return out;
}

Result<std::optional<JobRecord>> JobsRepo::claim(std::string_view owner, std::chrono::seconds lease,
                                                 const std::vector<JobKind>& kinds) {
  std::optional<JobRecord> claimed;
  Database& db = store_.db();
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    const auto now_tp = store_.clock().now();
    const std::string now = utc_timestamp(now_tp);
    // SQLite 3.15 has no RETURNING: select and update inside one BEGIN IMMEDIATE transaction.
    Query pick = BANKREC_TRY(db.prepare(
        "SELECT id FROM jobs WHERE ((state IN ('queued', 'failed') AND run_after <= ?1) OR "
        "(state = 'running' AND lease_until < ?1))" +
        kinds_clause(kinds) + " ORDER BY run_after, id LIMIT 1"));
    pick.bind(1, now);
    if (!BANKREC_TRY(pick.step())) return ok();
    const std::int64_t id = pick.column_int(0);
    Query update = BANKREC_TRY(db.prepare(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?2, lease_until = ?3, "
        "started_at = ?4, finished_at = NULL, updated_at = ?4 WHERE id = ?1"));
    update.bind(1, id).bind(2, owner).bind(3, utc_timestamp(now_tp + lease)).bind(4, now);
    BANKREC_TRY(update.run());
    Query read = BANKREC_TRY(db.prepare("SELECT " + std::string(kJobColumns) + " FROM jobs WHERE id = ?1"));
    read.bind(1, id);
    if (BANKREC_TRY(read.step())) claimed = read_job(read);
    return ok();
  }));
  return claimed;
}

Result<void> JobsRepo::extend_lease(std::int64_t id, std::string_view owner, std::chrono::seconds lease) {
  return store_.write([&]() -> Result<void> {
    const auto now = store_.clock().now();
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE jobs SET lease_until = ?3, updated_at = ?4 WHERE id = ?1 AND state = 'running' AND lease_owner = ?2"));
    q.bind(1, id).bind(2, owner).bind(3, utc_timestamp(now + lease)).bind(4, utc_timestamp(now));
    BANKREC_TRY(q.run());
    if (store_.db().changes() == 0) return fail(Errc::conflict, "job " + std::to_string(id) + " is not held by " + std::string(owner));
    return ok();
  });
}

Result<void> JobsRepo::succeed(std::int64_t id, std::string_view owner) {
  return store_.write([&]() -> Result<void> {
    const std::string now = utc_timestamp(store_.clock().now());
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE jobs SET state = 'succeeded', lease_owner = NULL, lease_until = NULL, finished_at = ?3, "
        "updated_at = ?3 WHERE id = ?1 AND state = 'running' AND lease_owner = ?2"));
    q.bind(1, id).bind(2, owner).bind(3, now);
    BANKREC_TRY(q.run());
    if (store_.db().changes() == 0)
      return fail(Errc::conflict, "job " + std::to_string(id) + " is not running under " + std::string(owner));
    return ok();
  });
}

Result<void> JobsRepo::retry_later(std::int64_t id, std::string_view owner, std::string_view error,
                                   TimePoint run_after) {
  return store_.write([&]() -> Result<void> {
    const std::string now = utc_timestamp(store_.clock().now());
    Query q = BANKREC_TRY(store_.db().prepare(
        "UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_until = NULL, error = ?3, run_after = ?4, "
        "finished_at = ?5, updated_at = ?5 WHERE id = ?1 AND state = 'running' AND lease_owner = ?2"));
    q.bind(1, id).bind(2, owner).bind(3, bounded(error)).bind(4, utc_timestamp(run_after)).bind(5, now);
    BANKREC_TRY(q.run());
    if (store_.db().changes() == 0)
      return fail(Errc::conflict, "job " + std::to_string(id) + " is not running under " + std::string(owner));
    return ok();
  });
}

Result<std::int64_t> JobsRepo::bury_locked(const JobRecord& job, std::string_view error) {
  Database& db = store_.db();
  const std::string now = utc_timestamp(store_.clock().now());
  Query q = BANKREC_TRY(db.prepare(
      "UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_until = NULL, error = ?2, finished_at = ?3, "
      "updated_at = ?3 WHERE id = ?1"));
  q.bind(1, job.id).bind(2, bounded(error)).bind(3, now);
  BANKREC_TRY(q.run());
  Query insert = BANKREC_TRY(db.prepare(
      "INSERT INTO dead_letters(job_id, kind, payload_json, error, attempts, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  insert.bind(1, job.id).bind(2, job_kind_name(job.kind)).bind(3, job.payload_json).bind(4, bounded(error));
  insert.bind(5, job.attempts).bind(6, now);
  BANKREC_TRY(insert.run());
  return db.last_insert_rowid();
}

Result<std::int64_t> JobsRepo::bury(std::int64_t id, std::string_view owner, std::string_view error) {
  std::int64_t letter = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Query read = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kJobColumns) +
                                                 " FROM jobs WHERE id = ?1 AND state = 'running' AND lease_owner = ?2"));
    read.bind(1, id).bind(2, owner);
    if (!BANKREC_TRY(read.step()))
      return fail(Errc::conflict, "job " + std::to_string(id) + " is not running under " + std::string(owner));
    letter = BANKREC_TRY(bury_locked(read_job(read), error));
    return ok();
  }));
  return letter;
}

Result<Recovery> JobsRepo::requeue_interrupted() {
  Recovery recovery;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Query read = BANKREC_TRY(
        store_.db().prepare("SELECT " + std::string(kJobColumns) + " FROM jobs WHERE state = 'running' ORDER BY id"));
    std::vector<JobRecord> running;
    while (BANKREC_TRY(read.step())) running.push_back(read_job(read));
    const std::string now = utc_timestamp(store_.clock().now());
    for (const JobRecord& job : running) {
      if (job.attempts >= job.max_attempts) {
        BANKREC_TRY(bury_locked(job, "the process stopped during attempt " + std::to_string(job.attempts) + " of " +
                                         std::to_string(job.max_attempts) +
                                         (job.error ? "; last error: " + *job.error : std::string())));
        ++recovery.dead_lettered;
        continue;
      }
      Query q = BANKREC_TRY(store_.db().prepare(
          "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, run_after = ?2, "
          "updated_at = ?2 WHERE id = ?1"));
      q.bind(1, job.id).bind(2, now);
      BANKREC_TRY(q.run());
      ++recovery.requeued;
    }
    return ok();
  }));
  return recovery;
}

Result<std::optional<JobRecord>> JobsRepo::find(std::int64_t id) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kJobColumns) + " FROM jobs WHERE id = ?1"));
  q.bind(1, id);
  if (!BANKREC_TRY(q.step())) return std::optional<JobRecord>{};
  return std::optional<JobRecord>{read_job(q)};
}

Result<std::vector<JobRecord>> JobsRepo::list(std::optional<JobState> state, std::int64_t limit) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT " + std::string(kJobColumns) + " FROM jobs" +
                                            (state ? " WHERE state = ?1" : "") + " ORDER BY id DESC LIMIT ?2"));
  if (state) q.bind(1, job_state_name(*state));
  q.bind(2, std::clamp<std::int64_t>(limit, 0, kMaxListRows));
  std::vector<JobRecord> out;
  while (BANKREC_TRY(q.step())) out.push_back(read_job(q));
  return out;
}

Result<std::optional<std::string>> JobsRepo::next_run_after() {
  Query q = BANKREC_TRY(store_.db().prepare(
      "SELECT min(t) FROM (SELECT min(run_after) AS t FROM jobs WHERE state IN ('queued', 'failed') "
      "UNION ALL SELECT min(lease_until) FROM jobs WHERE state = 'running')"));
  if (!BANKREC_TRY(q.step()) || q.column_is_null(0)) return std::optional<std::string>{};
  return std::optional<std::string>{q.column_text(0)};
}

Result<QueueCounts> JobsRepo::counts() {
  QueueCounts c;
  Query q = BANKREC_TRY(store_.db().prepare("SELECT state, count(*) FROM jobs GROUP BY state"));
  while (BANKREC_TRY(q.step())) {
    const auto state = parse_job_state(q.column_text(0));
    if (!state) continue;
    const std::int64_t n = q.column_int(1);
    switch (*state) {
      case JobState::queued: c.queued = n; break;
      case JobState::running: c.running = n; break;
      case JobState::succeeded: c.succeeded = n; break;
      case JobState::failed: c.failed = n; break;
      case JobState::dead: c.dead = n; break;
    }
  }
  c.dead_letters_open = BANKREC_TRY(store_.db().query_int("SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL"));
  return c;
}

Result<std::int64_t> JobsRepo::prune_succeeded(TimePoint before) {
  std::int64_t removed = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    Query q = BANKREC_TRY(store_.db().prepare("DELETE FROM jobs WHERE state = 'succeeded' AND finished_at < ?1 AND "
                                              "id NOT IN (SELECT job_id FROM dead_letters)"));
    q.bind(1, utc_timestamp(before));
    BANKREC_TRY(q.run());
    removed = store_.db().changes();
    return ok();
  }));
  return removed;
}

Result<std::vector<DeadLetter>> JobsRepo::dead_letters(bool include_resolved, std::int64_t limit) {
  Query q = BANKREC_TRY(store_.db().prepare(
      "SELECT " + std::string(kDeadLetterColumns) + " FROM dead_letters" +
      (include_resolved ? " ORDER BY id DESC" : " WHERE resolved_at IS NULL ORDER BY id") + " LIMIT ?1"));
  q.bind(1, std::clamp<std::int64_t>(limit, 0, kMaxListRows));
  std::vector<DeadLetter> out;
  while (BANKREC_TRY(q.step())) out.push_back(read_dead_letter(q));
  return out;
}

Result<std::optional<DeadLetter>> JobsRepo::find_dead_letter(std::int64_t id) {
  Query q = BANKREC_TRY(
      store_.db().prepare("SELECT " + std::string(kDeadLetterColumns) + " FROM dead_letters WHERE id = ?1"));
  q.bind(1, id);
  if (!BANKREC_TRY(q.step())) return std::optional<DeadLetter>{};
  return std::optional<DeadLetter>{read_dead_letter(q)};
}

Result<std::int64_t> JobsRepo::retry_dead_letter(std::int64_t id, std::string_view actor) {
  std::int64_t job_id = 0;
  BANKREC_TRY(store_.write([&]() -> Result<void> {
    const auto letter = BANKREC_TRY(find_dead_letter(id));
    if (!letter) return fail(Errc::not_found, "no dead letter " + std::to_string(id));
    if (letter->resolved_at)
      return fail(Errc::conflict, "dead letter " + std::to_string(id) + " was already " + letter->resolution.value_or("resolved") +
                                      " by " + letter->resolved_by.value_or("?") + " at " + *letter->resolved_at);
    const auto job = BANKREC_TRY(find(letter->job_id));
    if (!job || job->state != JobState::dead)
      return fail(Errc::conflict, "the job of dead letter " + std::to_string(id) + " is no longer dead");
    if (job->dedup_key) {
      Query live = BANKREC_TRY(store_.db().prepare(
          "SELECT id FROM jobs WHERE dedup_key = ?1 AND state IN ('queued', 'running', 'failed') AND id <> ?2"));
      live.bind(1, *job->dedup_key).bind(2, job->id);
      if (BANKREC_TRY(live.step()))
        return fail(Errc::conflict, "job " + std::to_string(live.column_int(0)) + " already does the same work");
    }
    const std::string now = utc_timestamp(store_.clock().now());
    // Fresh attempts: the person retrying has fixed (or wants to re-test) the cause.
    Query requeue = BANKREC_TRY(store_.db().prepare(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_after = ?2, finished_at = NULL, updated_at = ?2 "
        "WHERE id = ?1"));
    requeue.bind(1, job->id).bind(2, now);
    BANKREC_TRY(requeue.run());
    Query resolve = BANKREC_TRY(store_.db().prepare(
        "UPDATE dead_letters SET resolved_at = ?2, resolved_by = ?3, resolution = 'retried' WHERE id = ?1"));
    resolve.bind(1, id).bind(2, now).bind(3, actor);
    BANKREC_TRY(resolve.run());
    BANKREC_TRY(store_.audit().append({std::string(actor), "dead_letter.retry", "dead_letter", std::to_string(id),
                                       "{\"job_id\":" + std::to_string(job->id) + ",\"kind\":" +
                                           json_string(job_kind_name(job->kind)) + ",\"attempts\":" +
                                           std::to_string(letter->attempts) + ",\"error\":" +
                                           json_string(letter->error) + "}"}));
    job_id = job->id;
    return ok();
  }));
  return job_id;
}

Result<void> JobsRepo::dismiss_dead_letter(std::int64_t id, std::string_view actor, std::string_view note) {
  if (note.size() > 1024) return fail(Errc::invalid_input, "the note is longer than 1024 bytes");
  return store_.write([&]() -> Result<void> {
    const auto letter = BANKREC_TRY(find_dead_letter(id));
    if (!letter) return fail(Errc::not_found, "no dead letter " + std::to_string(id));
    if (letter->resolved_at)
      return fail(Errc::conflict, "dead letter " + std::to_string(id) + " was already " + letter->resolution.value_or("resolved") +
                                      " by " + letter->resolved_by.value_or("?") + " at " + *letter->resolved_at);
    const std::string now = utc_timestamp(store_.clock().now());
    Query resolve = BANKREC_TRY(store_.db().prepare(
        "UPDATE dead_letters SET resolved_at = ?2, resolved_by = ?3, resolution = 'dismissed', note = ?4 WHERE id = ?1"));
    resolve.bind(1, id).bind(2, now).bind(3, actor);
    if (note.empty()) resolve.bind_null(4); else resolve.bind(4, note);
    BANKREC_TRY(resolve.run());
    BANKREC_TRY(store_.audit().append({std::string(actor), "dead_letter.dismiss", "dead_letter", std::to_string(id),
                                       "{\"job_id\":" + std::to_string(letter->job_id) + ",\"kind\":" +
                                           json_string(job_kind_name(letter->kind)) + ",\"error\":" +
                                           json_string(letter->error) + ",\"note\":" + json_string(note) + "}"}));
    return ok();
  });
}

Result<std::optional<std::string>> JobsRepo::schedule_last_fired(std::string_view name) {
  Query q = BANKREC_TRY(store_.db().prepare("SELECT last_fired_at FROM schedules WHERE name = ?1"));
  q.bind(1, name);
  if (!BANKREC_TRY(q.step()) || q.column_is_null(0)) return std::optional<std::string>{};
  return std::optional<std::string>{q.column_text(0)};
}

Result<void> JobsRepo::record_schedule(std::string_view name, std::string_view spec, std::optional<TimePoint> fired,
                                       std::optional<TimePoint> next) {
  return store_.write([&]() -> Result<void> {
    const auto previous = BANKREC_TRY(schedule_last_fired(name));
    // No UPSERT in SQLite 3.15; nothing references this table, so INSERT OR REPLACE is safe.
    Query q = BANKREC_TRY(store_.db().prepare(
        "INSERT OR REPLACE INTO schedules(name, spec, last_fired_at, next_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
    q.bind(1, name).bind(2, spec);
    q.bind(3, fired ? std::optional<std::string>(utc_timestamp(*fired)) : previous);
    q.bind(4, next ? std::optional<std::string>(utc_timestamp(*next)) : std::nullopt);
    q.bind(5, utc_timestamp(store_.clock().now()));
    return q.run();
  });
}

}  // namespace bankrec::store
