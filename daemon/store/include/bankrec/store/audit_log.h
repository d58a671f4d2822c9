#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/store/database.h"
#include "bankrec/store/secret_key.h"

namespace bankrec::store {

/// What an audit entry says; the log adds seq, time and the hashes.
struct AuditRecord {
  std::string actor;        //!< user name, "system", or a connector name
  std::string action;       //!< stable event id: "import.file", "schema.migrate", "db.rekey", ...
  std::string object_type;  //!< "source_file", "database", "entry", ...
  std::string object_id;
  std::string details = "{}";  //!< JSON object text
};

/// One stored entry, hashes in lower-case hex (BLAKE2b-256).
struct AuditEntry {
  std::int64_t seq = 0;
  std::string time;  //!< UTC, "2026-11-22T08:49:09.123Z"
  std::string actor, action, object_type, object_id, details;
  std::string prev_hash, hash;
};

/// A signed statement that the chain up to `seq` ends in `hash`.
struct Checkpoint {
  std::int64_t seq = 0;
  std::string hash;       //!< hex
  std::string signed_at;  //!< UTC
  std::string signature;  //!< hex Ed25519 over checkpoint_message(seq, hash)
};

/// {"seq":N,"hash":"…","signed_at":"…","signature":"…"}: the line format of exported checkpoints.
std::string checkpoint_to_json(const Checkpoint& checkpoint);
/// Reads checkpoint_to_json() output; text before the first '{' (a log prefix) is ignored.
Result<Checkpoint> checkpoint_from_json(std::string_view line);

/// Where checkpoints go besides the database, so that cutting off the newest entries and
/// recomputing the chain can still be detected against an outside record. The daemon plugs
/// journald in here; the CLI writes to stderr.
class CheckpointSink {
 public:
  virtual ~CheckpointSink() = default;
  virtual void publish(const Checkpoint& checkpoint) = 0;
};

/// "bankrec: audit checkpoint {json}" on stderr.
class StderrCheckpointSink final : public CheckpointSink {
 public:
  void publish(const Checkpoint& checkpoint) override;
};

struct AuditOptions {
  std::int64_t checkpoint_every = 1000;       //!< entries between signed checkpoints
  std::chrono::hours max_checkpoint_age{24};  //!< at least this often, when anything is written
};

/// The result of verify(): intact, or the first entry that breaks and why.
struct AuditReport {
  bool intact = true;
  std::int64_t entries = 0;
  std::int64_t checkpoints = 0;
  std::int64_t first_bad_seq = 0;  //!< 0 when intact
  std::string problem;             //!< "entry 17 was changed: its hash does not match its content"
  std::int64_t last_seq = 0;       //!< the last entry walked (its hash: last_hash); where verify_after() goes on
  std::string last_hash;
};

/// The append-only, hash-chained audit log (tables audit_log and audit_checkpoints; triggers refuse
/// UPDATE and DELETE). append() must run inside the caller's write transaction so an event commits
/// or rolls back with what it describes; checkpoints made there are published only on commit.
class AuditLog {
 public:
  AuditLog(Database& db, const Clock& clock, const SigningKey& key, CheckpointSink* sink,
           AuditOptions options = {});

  /// Appends one entry; returns its seq. Signs a checkpoint when due.
  Result<std::int64_t> append(const AuditRecord& record);
  /// Signs the current head unless it is already signed.
  Result<void> checkpoint();
  /// Publishes the checkpoints made since the last call (call after COMMIT) / forgets them (ROLLBACK).
  void publish_pending();
  void discard_pending() { pending_.clear(); }

  /// Recomputes the whole chain and every checkpoint signature; `external` are checkpoints kept
  /// elsewhere (journald, an export) that must also match.
  Result<AuditReport> verify(std::span<const Checkpoint> external = {}) const;
  /// Goes on from an earlier intact report: entry `seq` must still be there with `hash`, and every
  /// later entry and checkpoint is checked as verify() checks them. Counts only what it walked.
  /// Cheap when little was added; a change to an entry before `seq` that keeps `seq`'s own hash is
  /// found only by verify().
  Result<AuditReport> verify_after(std::int64_t seq, const std::string& hash) const;
  /// Entries with time in [from, to) (ISO text compared as text; empty = open end), in seq order.
  Result<void> for_each(std::string_view from, std::string_view to,
                        const std::function<Result<void>(const AuditEntry&)>& visit) const;
  Result<std::vector<Checkpoint>> checkpoints() const;
  /// The newest signed checkpoint (none before the first), and whether its signature is valid.
  Result<std::optional<Checkpoint>> last_checkpoint() const;
  bool signature_valid(const Checkpoint& checkpoint) const;

  std::string public_key_hex() const { return key_.public_key_hex(); }

 private:
  Result<void> sign_head(std::int64_t seq, const std::string& hash);
  /// The walk of verify() and verify_after(): entries after `after_seq` (whose hash is `prev`)
  /// against the chain and the checkpoints `all` (sorted by seq, all after `after_seq`).
  Result<AuditReport> walk(std::int64_t after_seq, std::string prev, std::vector<Checkpoint> all,
                           std::int64_t own_checkpoints) const;

  Database& db_;
  const Clock& clock_;
  const SigningKey& key_;
  CheckpointSink* sink_;
  AuditOptions options_;
  std::vector<Checkpoint> pending_;
};

/// BLAKE2b-256 over the canonical, length-prefixed encoding of an entry (exposed for tests).
std::string audit_entry_hash(const AuditEntry& entry);
/// "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string utc_timestamp(std::chrono::system_clock::time_point time);
/// JSON Lines form of one entry for `audit export` (details embedded as JSON).
std::string audit_entry_to_json(const AuditEntry& entry);

}  // namespace bankrec::store
