#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/domain/date.h"
#include "bankrec/store/secret_key.h"
#include "bankrec/store/store.h"

/// Durable state of the bank connectors (schema steps 1 and 6): the configured connectors, their
/// secrets and plain values, the connection log, per-account cursors and daily access counts, consent
/// records and gap tasks. Plain structs only: store does not know the connectors module.
///
/// Secrets (client secrets, access and refresh tokens) are encrypted a second time inside the
/// already encrypted database with libsodium secretbox (XSalsa20-Poly1305, random nonce per write)
/// under the *connectors key*: 256 random bits in its own key file `connectors.key`, looked for where
/// db.key is looked for (`$CREDENTIALS_DIRECTORY`, `BANKREC_CONNECTORS_KEY_FILE`, the data dir) with the
/// same 0600 checks. It is not derived from the database key, so `bankrec db rekey` leaves connector
/// secrets readable; a copy of the database alone (without connectors.key) reveals no secret. Each
/// ciphertext binds the connector name and the secret's kind, so a row moved to another connector
/// or kind does not decrypt.
namespace bankrec::store {

using TimePoint = std::chrono::system_clock::time_point;

inline constexpr std::string_view kConnectorsKeyFileName = "connectors.key";

/// The connectors key from the first existing candidate in `where`; with `create`, a fresh key is
/// written (0600) to `where.data_dir / connectors.key` when none exists.
Result<SecretKey> open_connectors_key(const KeyLocations& where, bool create);

/// What bankrec.yaml says about one connector (no secrets).
struct ConnectorDefinition {
  std::string name;
  std::string kind;
  std::string settings_json = "{}";
  std::string schedule;
  bool enabled = true;
};

/// One row of `connectors`.
struct ConnectorRow {
  std::int64_t id = 0;
  std::string name, kind, settings_json, schedule;
  bool enabled = true;
  std::string state = "active";  //!< active, needs_consent, disabled
  std::optional<std::string> state_detail, last_run_at, last_status, last_success_at;
};

struct StoredValue {
  std::string value;
  std::optional<TimePoint> expires;
};

struct ValueWrite {
  std::string key;
  std::optional<std::string> value;  //!< nullopt erases
  bool secret = false;
  std::optional<TimePoint> expires;
};

struct ConnectionLogRow {
  std::int64_t id = 0;
  std::string at;  //!< UTC text
  std::string connector, account, operation, outcome;
  int http_status = 0;
  std::string request_id;
  std::int64_t elapsed_ms = 0;
};

struct CursorRow {
  std::string account;
  std::optional<domain::Date> booked_through;  //!< last booked day delivered and committed
  std::optional<std::string> last_success_at;
};

struct ConsentRow {
  std::string consent_id;
  std::string state;  //!< missing, pending, valid, expired, revoked
  std::optional<domain::Date> valid_until;
  std::string updated_at;
};

struct GapRow {
  std::int64_t id = 0;
  std::string connector, account;
  domain::Date missing_from, missing_to;
  std::string reason, opened_at;
  std::optional<std::string> closed_at, closed_reason;
};

class ConnectorsRepo {
 public:
  static constexpr std::int64_t kMaxLogRowsPerConnector = 100'000;

  /// `secrets_key` (open_connectors_key) must outlive the repository.
  ConnectorsRepo(Store& store, const SecretKey& secrets_key) : store_(store), key_(secrets_key) {}

  /// Brings `connectors` in line with the config: new ones are added, changed ones updated (audited
  /// as connector.configure), ones no longer configured are disabled (kept for their history).
  Result<void> sync(const std::vector<ConnectorDefinition>& definitions, std::string_view actor);
  Result<std::vector<ConnectorRow>> list();
  Result<std::optional<ConnectorRow>> find(std::string_view name);
  /// not_found names the connector and says it must be configured first.
  Result<ConnectorRow> get(std::string_view name);
  Result<void> set_state(std::string_view name, std::string_view state, std::optional<std::string> detail);
  /// Remembers the last run (and its success time when `success`).
  Result<void> record_run(std::string_view name, std::string_view status, bool success);

  /// A plain or secret value; an expired one is still returned (the connector decides).
  Result<std::optional<StoredValue>> read(std::string_view name, std::string_view key, bool secret);
  /// Every write in one transaction.
  Result<void> write(std::string_view name, const std::vector<ValueWrite>& writes);
  /// `bankrec connector secret`: stores one secret and audits connector.secret (kind only, never the value).
  Result<void> store_secret(std::string_view name, std::string_view kind, std::string_view value, std::string_view actor);
  /// Kinds of the stored secrets (not their values).
  Result<std::vector<std::string>> secret_kinds(std::string_view name);

  Result<void> append_log(const std::vector<ConnectionLogRow>& rows);
  /// Newest first.
  Result<std::vector<ConnectionLogRow>> log(std::string_view name, std::int64_t limit);
  /// Deletes rows older than `before` and, per connector, beyond kMaxLogRowsPerConnector; returns how many.
  Result<std::int64_t> prune_log(TimePoint before);

  Result<std::vector<CursorRow>> cursors(std::string_view name);
  Result<std::optional<CursorRow>> cursor(std::string_view name, std::string_view account);
  /// Moves the cursor (never backwards) and records the success time.
  Result<void> set_cursor(std::string_view name, std::string_view account, domain::Date booked_through);

  /// Unattended accesses counted for (connector, account, UTC day).
  Result<int> accesses(std::string_view name, std::string_view account, domain::Date day);
  /// Counts one more access; returns the new count. Old days are dropped on the way.
  Result<int> count_access(std::string_view name, std::string_view account, domain::Date day);

  /// The consent as last seen (a new consent id adds a history row; the same id updates it).
  Result<void> record_consent(std::string_view name, std::string_view consent_id, std::string_view state,
                              std::optional<domain::Date> valid_until, std::string_view actor);
  Result<std::optional<ConsentRow>> consent(std::string_view name);

  /// Opens a gap task for [from, to] unless an open one of the same account already covers it (then
  /// that one is widened). Returns the gap's id.
  Result<std::int64_t> open_gap(std::string_view name, std::string_view account, domain::Date from, domain::Date to,
                                std::string_view reason);
  /// `name` empty: every connector.
  Result<std::vector<GapRow>> gaps(std::string_view name, bool open_only);
  /// Closes every open gap whose days are covered by stored statements of that account (an upload
  /// or a new sync), where consecutive statements' closing and opening balances match where both are
  /// known (a mismatch means lines are still missing). Returns how many were closed (audited).
  Result<int> close_covered_gaps();

 private:
  Result<std::int64_t> connector_id(std::string_view name);
  Store& store_;
  const SecretKey& key_;
};

}  // namespace bankrec::store
