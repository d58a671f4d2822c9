#include "bankrec/store/audit_log.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <utility>

#include "bankrec/domain/json.h"
#include "hex.h"
#include "sodium_init.h"

namespace bankrec::store {
namespace {

constexpr std::string_view kEntryDomain = "bankrec.audit.v1";
constexpr std::string_view kCheckpointDomain = "bankrec.audit.checkpoint.v1";
const std::string kGenesisHash(64, '0');

void put_field(crypto_generichash_state& state, std::string_view field) {
  std::array<unsigned char, 8> length{};
  std::uint64_t n = field.size();
  for (auto& b : length) {
    b = static_cast<unsigned char>(n & 0xff);
    n >>= 8;
  }
  crypto_generichash_update(&state, length.data(), length.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(field.data()), field.size());
}

std::string entry_hash_with_seq(const AuditEntry& e, std::int64_t seq) {
  ensure_sodium();
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  put_field(state, kEntryDomain);
  put_field(state, std::to_string(seq));
  for (const std::string* f :
       {&e.time, &e.actor, &e.action, &e.object_type, &e.object_id, &e.details, &e.prev_hash})
    put_field(state, *f);
  std::array<unsigned char, 32> out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return to_hex(out);
}

/// kCheckpointDomain || seq (8 bytes big-endian) || head hash (32 bytes).
std::vector<unsigned char> checkpoint_message(std::int64_t seq, const std::string& hash_hex) {
  std::vector<unsigned char> msg(kCheckpointDomain.begin(), kCheckpointDomain.end());
  for (int shift = 56; shift >= 0; shift -= 8)
    msg.push_back(static_cast<unsigned char>(static_cast<std::uint64_t>(seq) >> shift));
  std::array<unsigned char, 32> hash{};
  if (from_hex(hash_hex, hash)) msg.insert(msg.end(), hash.begin(), hash.end());
  return msg;
}

bool checkpoint_signature_ok(const Checkpoint& cp, std::span<const unsigned char> public_key) {
  const auto signature = from_hex(cp.signature);
  if (!signature) return false;
  return verify_signature(checkpoint_message(cp.seq, cp.hash), *signature, public_key);
}

std::string json_string_field(std::string_view json, std::string_view name) {
  const std::string key = "\"" + std::string(name) + "\":\"";
  const auto at = json.find(key);
  if (at == std::string_view::npos) return {};
  const auto start = at + key.size();
  const auto end = json.find('"', start);
  return end == std::string_view::npos ? std::string() : std::string(json.substr(start, end - start));
}

AuditEntry read_entry(const Query& q) {
  AuditEntry e;
  e.seq = q.column_int(0);
  e.time = q.column_text(1);
  e.actor = q.column_text(2);
  e.action = q.column_text(3);
  e.object_type = q.column_text(4);
  e.object_id = q.column_text(5);
  e.details = q.column_text(6);
  e.prev_hash = q.column_text(7);
  e.hash = q.column_text(8);
  return e;
}

constexpr std::string_view kSelectEntries =
    "SELECT seq, time, actor, action, object_type, object_id, details, prev_hash, hash FROM audit_log";

/// Explains a row whose stored hash does not match its content: a row moved from elsewhere in the
/// chain still matches its content under its original seq. Returns the seq to blame and why.
std::pair<std::int64_t, std::string> describe_changed(const AuditEntry& e) {
  for (std::int64_t delta = 1; delta <= 16; ++delta) {
    for (const std::int64_t other : {e.seq - delta, e.seq + delta}) {
      if (other < 1 || entry_hash_with_seq(e, other) != e.hash) continue;
      const std::string where =
          "entry " + std::to_string(e.seq) + " holds the content of entry " + std::to_string(other);
      if (other == e.seq - 1)
        return {other, "entry " + std::to_string(other) + " was inserted (or entries reordered): " + where};
      return {e.seq, where + ": entries were reordered, inserted or removed"};
    }
  }
  return {e.seq, "entry " + std::to_string(e.seq) + " was changed: its hash does not match its content"};
}

struct Walk {
  AuditReport report;
  void fail_at(std::int64_t seq, std::string problem) {
    if (!report.intact) return;
    report.intact = false;
    report.first_bad_seq = seq;
    report.problem = std::move(problem);
  }
};

}  // namespace

std::string utc_timestamp(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(time);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return buf;
}

std::string audit_entry_hash(const AuditEntry& entry) { return entry_hash_with_seq(entry, entry.seq); }

std::string audit_entry_to_json(const AuditEntry& e) {
  using domain::json_quote;
  std::string details = e.details.empty() ? "{}" : e.details;
  if (details.front() != '{' && details.front() != '[') details = json_quote(details);
  return "{\"seq\":" + std::to_string(e.seq) + ",\"time\":" + json_quote(e.time) +
         ",\"actor\":" + json_quote(e.actor) + ",\"action\":" + json_quote(e.action) +
         ",\"object_type\":" + json_quote(e.object_type) + ",\"object_id\":" + json_quote(e.object_id) +
         ",\"details\":" + details + ",\"prev_hash\":" + json_quote(e.prev_hash) +
         ",\"hash\":" + json_quote(e.hash) + "}";
}

std::string checkpoint_to_json(const Checkpoint& cp) {
  return "{\"seq\":" + std::to_string(cp.seq) + ",\"hash\":\"" + cp.hash + "\",\"signed_at\":\"" +
         cp.signed_at + "\",\"signature\":\"" + cp.signature + "\"}";
}

Result<Checkpoint> checkpoint_from_json(std::string_view line) {
  const auto brace = line.find('{');
  if (brace == std::string_view::npos) return fail(Errc::invalid_input, "no checkpoint object on the line");
  const std::string_view json = line.substr(brace);
  Checkpoint cp;
  const auto seq_at = json.find("\"seq\":");
  if (seq_at != std::string_view::npos) {
    const char* first = json.data() + seq_at + 6;
    std::from_chars(first, json.data() + json.size(), cp.seq);
  }
  cp.hash = json_string_field(json, "hash");
  cp.signed_at = json_string_field(json, "signed_at");
  cp.signature = json_string_field(json, "signature");
  if (cp.seq <= 0 || cp.hash.size() != 64 || cp.signature.size() != 128)
    return fail(Errc::invalid_input,
                "not a checkpoint (expected {\"seq\":N,\"hash\":...,\"signature\":...})");
  return cp;
}

void StderrCheckpointSink::publish(const Checkpoint& checkpoint) {
  std::cerr << "bankrec: audit checkpoint " << checkpoint_to_json(checkpoint) << '\n';
}

AuditLog::AuditLog(Database& db, const Clock& clock, const SigningKey& key, CheckpointSink* sink,
                   AuditOptions options)
    : db_(db), clock_(clock), key_(key), sink_(sink), options_(options) {}

Result<std::int64_t> AuditLog::append(const AuditRecord& record) {
  BANKREC_CHECK(db_.in_transaction(), "audit entries are written inside the caller's transaction");
  AuditEntry e;
  e.prev_hash = kGenesisHash;
  {
    Query head = BANKREC_TRY(db_.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
    if (BANKREC_TRY(head.step())) {
      e.seq = head.column_int(0);
      e.prev_hash = head.column_text(1);
    }
  }
  e.seq += 1;
  e.time = utc_timestamp(clock_.now());
  e.actor = record.actor;
  e.action = record.action;
  e.object_type = record.object_type;
  e.object_id = record.object_id;
  e.details = record.details.empty() ? "{}" : record.details;
  e.hash = audit_entry_hash(e);
  Query insert = BANKREC_TRY(db_.prepare(
      "INSERT INTO audit_log(seq, time, actor, action, object_type, object_id, details, prev_hash, hash) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  insert.bind(1, e.seq).bind(2, e.time).bind(3, e.actor).bind(4, e.action).bind(5, e.object_type);
  insert.bind(6, e.object_id).bind(7, e.details).bind(8, e.prev_hash).bind(9, e.hash);
  BANKREC_TRY(insert.run());

  bool due = options_.checkpoint_every > 0 && e.seq % options_.checkpoint_every == 0;
  if (!due) {
    Query last =
        BANKREC_TRY(db_.prepare("SELECT signed_at FROM audit_checkpoints ORDER BY seq DESC LIMIT 1"));
    const bool any = BANKREC_TRY(last.step());
    due = !any || last.column_text(0) < utc_timestamp(clock_.now() - options_.max_checkpoint_age);
  }
  if (due) BANKREC_TRY(sign_head(e.seq, e.hash));
  return e.seq;
}

Result<void> AuditLog::checkpoint() {
  Query head = BANKREC_TRY(db_.prepare(
      "SELECT a.seq, a.hash, c.seq FROM audit_log a LEFT JOIN audit_checkpoints c ON c.seq = a.seq "
      "ORDER BY a.seq DESC LIMIT 1"));
  if (!BANKREC_TRY(head.step()) || !head.column_is_null(2)) return ok();
  return sign_head(head.column_int(0), head.column_text(1));
}

Result<void> AuditLog::sign_head(std::int64_t seq, const std::string& hash) {
  Checkpoint cp{seq, hash, utc_timestamp(clock_.now()), {}};
  cp.signature = to_hex(key_.sign(checkpoint_message(seq, hash)));
  Query insert =
      BANKREC_TRY(db_.prepare("INSERT INTO audit_checkpoints(seq, hash, signed_at, signature, public_key) "
                              "VALUES(?1, ?2, ?3, ?4, ?5)"));
  insert.bind(1, cp.seq)
      .bind(2, cp.hash)
      .bind(3, cp.signed_at)
      .bind(4, cp.signature)
      .bind(5, key_.public_key_hex());
  BANKREC_TRY(insert.run());
  pending_.push_back(std::move(cp));
  return ok();
}

void AuditLog::publish_pending() {
  if (sink_ != nullptr)
    for (const auto& cp : pending_) sink_->publish(cp);
  pending_.clear();
}

Result<std::vector<Checkpoint>> AuditLog::checkpoints() const {
  Query q =
      BANKREC_TRY(db_.prepare("SELECT seq, hash, signed_at, signature FROM audit_checkpoints ORDER BY seq"));
  std::vector<Checkpoint> out;
  while (BANKREC_TRY(q.step()))
    out.push_back({q.column_int(0), q.column_text(1), q.column_text(2), q.column_text(3)});
  return out;
}

Result<std::optional<Checkpoint>> AuditLog::last_checkpoint() const {
  Query q = BANKREC_TRY(
      db_.prepare("SELECT seq, hash, signed_at, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1"));
  if (!BANKREC_TRY(q.step())) return std::optional<Checkpoint>();
  return std::optional<Checkpoint>(Checkpoint{q.column_int(0), q.column_text(1), q.column_text(2), q.column_text(3)});
}

bool AuditLog::signature_valid(const Checkpoint& checkpoint) const {
  return checkpoint_signature_ok(checkpoint, key_.public_key());
}

Result<AuditReport> AuditLog::verify(std::span<const Checkpoint> external) const {
  std::vector<Checkpoint> all = BANKREC_TRY(checkpoints());
  const auto own = static_cast<std::int64_t>(all.size());
  all.insert(all.end(), external.begin(), external.end());
  return walk(0, kGenesisHash, std::move(all), own);
}

Result<AuditReport> AuditLog::verify_after(std::int64_t seq, const std::string& hash) const {
  if (seq <= 0) return verify();
  Query head = BANKREC_TRY(db_.prepare("SELECT hash FROM audit_log WHERE seq = ?1"));
  head.bind(1, seq);
  if (!BANKREC_TRY(head.step())) {
    AuditReport report;
    report.intact = false;
    report.first_bad_seq = seq;
    report.problem = "entry " + std::to_string(seq) + " was verified before and is gone: entries were cut off the end";
    return report;
  }
  if (head.column_text(0) != hash) {
    AuditReport report;
    report.intact = false;
    report.first_bad_seq = seq;
    report.problem = "entry " + std::to_string(seq) + " was changed since it was verified: its hash is not the one verified";
    return report;
  }
  Query q = BANKREC_TRY(
      db_.prepare("SELECT seq, hash, signed_at, signature FROM audit_checkpoints WHERE seq > ?1 ORDER BY seq"));
  q.bind(1, seq);
  std::vector<Checkpoint> later;
  while (BANKREC_TRY(q.step()))
    later.push_back({q.column_int(0), q.column_text(1), q.column_text(2), q.column_text(3)});
  const auto own = static_cast<std::int64_t>(later.size());
  return walk(seq, hash, std::move(later), own);
}

Result<AuditReport> AuditLog::walk(std::int64_t after_seq, std::string prev, std::vector<Checkpoint> all,
                                   std::int64_t own_checkpoints) const {
  Walk walk;
  walk.report.checkpoints = own_checkpoints;
  std::sort(all.begin(), all.end(), [](const Checkpoint& a, const Checkpoint& b) { return a.seq < b.seq; });
  const auto& pk = key_.public_key();
  for (const auto& cp : all)
    if (!checkpoint_signature_ok(cp, pk))
      walk.fail_at(cp.seq, "checkpoint at entry " + std::to_string(cp.seq) + " has an invalid signature");

  Query q = BANKREC_TRY(db_.prepare(std::string(kSelectEntries) + " WHERE seq > ?1 ORDER BY seq"));
  q.bind(1, after_seq);
  std::size_t next_cp = 0;
  std::int64_t expected = after_seq + 1;
  walk.report.last_seq = after_seq;
  walk.report.last_hash = prev;
  while (BANKREC_TRY(q.step())) {
    const AuditEntry e = read_entry(q);
    ++walk.report.entries;
    if (e.seq != expected)
      walk.fail_at(expected, "entry " + std::to_string(expected) + " is missing: the log jumps from entry " +
                                 std::to_string(expected - 1) + " to entry " + std::to_string(e.seq));
    else if (audit_entry_hash(e) != e.hash) {
      auto [seq, why] = describe_changed(e);
      walk.fail_at(seq, std::move(why));
    } else if (e.prev_hash != prev)
      walk.fail_at(e.seq, "entry " + std::to_string(e.seq) + " does not follow entry " +
                              std::to_string(e.seq - 1) +
                              ": an entry was inserted, removed or reordered before it");
    for (; next_cp < all.size() && all[next_cp].seq <= e.seq; ++next_cp)
      if (all[next_cp].seq == e.seq && all[next_cp].hash != e.hash)
        walk.fail_at(e.seq, "checkpoint at entry " + std::to_string(e.seq) +
                                " does not match the log: entries up to " + std::to_string(e.seq) +
                                " were rewritten");
    prev = e.hash;
    expected = e.seq + 1;
    walk.report.last_seq = e.seq;
    walk.report.last_hash = e.hash;
  }
  if (next_cp < all.size())
    walk.fail_at(expected, "the log ends at entry " + std::to_string(expected - 1) +
                               " but a checkpoint covers entry " + std::to_string(all.back().seq) +
                               ": entries were cut off the end");
  return walk.report;
}

Result<void> AuditLog::for_each(std::string_view from, std::string_view to,
                                const std::function<Result<void>(const AuditEntry&)>& visit) const {
  Query q =
      BANKREC_TRY(db_.prepare(std::string(kSelectEntries) +
                              " WHERE (?1 = '' OR time >= ?1) AND (?2 = '' OR time < ?2) ORDER BY seq"));
  q.bind(1, from).bind(2, to);
  while (BANKREC_TRY(q.step())) BANKREC_TRY(visit(read_entry(q)));
  return ok();
}

}  // namespace bankrec::store
