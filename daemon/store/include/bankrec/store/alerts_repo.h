#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/store/store.h"

/// Alerts (the console's notification list) and the outbox of their notifications (tables
/// `alerts`, `alert_deliveries`; schema step 5). Each method is one short transaction on the
/// caller's thread; the Store is not thread-safe, so callers that share one serialise access
/// (jobs::AlertManager does).
namespace bankrec::store {

struct AlertRecord {
  std::int64_t id = 0;
  std::string kind, alert_key, severity, message;
  std::optional<std::string> object_type, object_id;
  std::string state;  ///< "open" or "resolved"
  std::int64_t occurrences = 1;
  std::string created_at, last_seen_at;
  std::optional<std::string> resolved_at, acknowledged_at, acknowledged_by;
};

struct NewAlert {
  std::string kind;       ///< [a-z0-9_]+, at most 64 bytes
  std::string alert_key;  ///< what the condition is about (a file, a connector); at most 512 bytes
  std::string severity;   ///< info, warning, error, critical
  std::string message;    ///< at most 4096 bytes
  std::optional<std::string> object_type, object_id;
};

struct AlertDelivery {
  std::int64_t id = 0;
  std::int64_t alert_id = 0;
  std::string channel;  ///< "email", "webhook"
  std::string event;    ///< "raised", "resolved"
  std::string state;    ///< "pending", "sent", "abandoned"
  std::string delivery_id;
  std::int64_t attempts = 0;
  std::string next_attempt_at;
  std::optional<std::string> last_attempt_at, last_error, sent_at;
  std::string created_at;
};

struct RaiseOutcome {
  std::int64_t alert_id = 0;
  bool created = false;  ///< false: the alert was already open and only counted
  std::int64_t occurrences = 1;
};

class AlertsRepo {
 public:
  explicit AlertsRepo(Store& store) : store_(store) {}

  /// Opens an alert, or counts another occurrence of the open one with the same kind and key
  /// (message and severity updated, no new notification). A new alert queues one 'raised' delivery
  /// per channel (each with a fresh `delivery_ids` entry, same order as `channels`).
  Result<RaiseOutcome> raise(const NewAlert& alert, const std::vector<std::string>& channels,
                             const std::vector<std::string>& delivery_ids);
  /// Resolves the open alert with this kind and key and queues 'resolved' deliveries; nullopt
  /// when none was open.
  Result<std::optional<std::int64_t>> resolve(std::string_view kind, std::string_view alert_key,
                                              const std::vector<std::string>& channels,
                                              const std::vector<std::string>& delivery_ids);

  Result<std::optional<AlertRecord>> find_open(std::string_view kind, std::string_view alert_key);
  Result<AlertRecord> get(std::int64_t id);
  /// Newest first (by last_seen_at); open only or all; at most `limit` (1..1000).
  Result<std::vector<AlertRecord>> list(bool open_only, int limit);
  Result<void> acknowledge(std::int64_t id, std::string_view actor);

  /// Pending deliveries whose next_attempt_at has come, oldest first.
  Result<std::vector<AlertDelivery>> due_deliveries(std::chrono::system_clock::time_point now, int limit);
  Result<std::vector<AlertDelivery>> deliveries_of(std::int64_t alert_id);
  /// Deliveries sent on `channel` at or after `since` (for per-channel rate limits).
  Result<std::int64_t> count_sent_since(std::string_view channel, std::chrono::system_clock::time_point since);
  Result<void> mark_sent(std::int64_t delivery_id);
  /// Records a failed attempt and when to try again; `abandon` gives up (a permanent failure).
  Result<void> mark_failed(std::int64_t delivery_id, std::string_view error,
                           std::chrono::system_clock::time_point next_attempt, bool abandon);
  /// Moves a delivery back without counting an attempt (a rate limit held it).
  Result<void> postpone(std::int64_t delivery_id, std::chrono::system_clock::time_point next_attempt);

 private:
  Store& store_;
};

}  // namespace bankrec::store
