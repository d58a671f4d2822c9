#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/bytes.h"
#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/domain/date.h"
#include "bankrec/domain/statement.h"
#include "bankrec/net/http_client.h"

/// Bank connectors: one class per bank API behind one interface, plus a registry. A connector only
/// talks to its bank and hands back domain values or raw statement documents; durable state (tokens,
/// consent ids, cursors) lives behind ConnectorState, which jobs/ keeps in the encrypted database.
/// Ingestion, cursors, rate budgets, retries and alerts belong to the runner in jobs/.
///
/// Error convention (Result<T> carries an Error whose Errc classifies the failure for the runner):
///   Errc::unavailable       transient: network, timeout, 5xx, 429, malformed or truncated body → retry
///                           with backoff (ConnectorContext::retry_after() holds the server's hint)
///   Errc::permission_denied consent missing, expired or revoked, or a refresh that failed → stop the
///                           connector, alert the admin with the re-authorisation action, never retry
///   Errc::invalid_input     configuration or protocol error (bad client id, unknown account, 400) →
///                           dead letter at once
///   Errc::not_found         a configured account the bank does not know → dead letter at once
/// Messages are lower-case, name the connector and account, and never contain secrets.
namespace bankrec::connectors {

using SysTime = std::chrono::system_clock::time_point;

/// One `connectors:` entry of bankrec.yaml. Secrets (client secrets, tokens) are never here: they are
/// stored encrypted in the database (`bankrec connector secret NAME KIND`) and read via ConnectorState.
struct ConnectorSettings {
  std::string name;                   ///< unique, [a-z0-9_-]{1,64}
  std::string type;                   ///< registry id: "xs2a", "bridge", "gocardless"
  std::string base_url;               ///< https root of the bank's API (opaque, per bank)
  std::vector<std::string> accounts;  ///< IBANs to fetch; empty = every account the consent grants
  std::string schedule = "daily 06:00 Europe/Berlin";
  int overlap_days = 3;               ///< refetch this many days before the cursor
  int history_days = 90;              ///< how far back the first sync reaches
  int jitter_minutes = 5;             ///< each scheduled run starts a random 0..jitter minutes late
  bool enabled = true;
  /// Type-specific options, validated by the connector's factory (unknown keys are errors there):
  /// xs2a: profile (standard|sparkasse|signing), client_id, redirect_uri, psu_id, psu_ip_address,
  ///       consent_days, frequency_per_day, token_url, signing_key_file, signing_certificate_file,
  ///       sca_approach (redirect|decoupled), sca_poll_ms, sca_timeout_seconds;
  /// bridge: api_version (v3|v2), client_id, user_external_id (v3), user_email (v2), account_types,
  ///       use_clean_label, card_date, page_size;
  /// gocardless: secret_id, institution_id, redirect_uri, max_historical_days, access_valid_for_days.
  std::map<std::string, std::string> options;
  net::HttpClientConfig http;  ///< CA bundle, mTLS certificate and key, proxy, timeouts
};

/// Durable per-connector state kept by the caller. Secrets are encrypted at rest; plain values are not
/// secret (consent id, bridge user uuid, requisition id). Every write is committed before it returns.
class ConnectorState {
 public:
  virtual ~ConnectorState() = default;

  struct Write {
    std::string key;                   ///< "access_token", "refresh_token", "client_secret", "consent_id", ...
    std::optional<std::string> value;  ///< nullopt erases the key
    bool secret = false;
    std::optional<SysTime> expires;
  };
  struct Value {
    std::string value;
    std::optional<SysTime> expires;
  };

  virtual Result<std::optional<Value>> read(std::string_view key, bool secret) = 0;
  /// All writes in one transaction: a rotated refresh token and its access token land together, and
  /// the old refresh token is only overwritten when the new one is committed.
  virtual Result<void> write(const std::vector<Write>& writes) = 0;
};

/// One exchange for the connection log that aggregator contracts require (and the console shows).
struct ConnectionEvent {
  SysTime at{};
  std::string connector;
  std::string account;     ///< IBAN or provider account id; empty for connector-level calls
  std::string operation;   ///< "token", "consent", "accounts", "balances", "transactions", ...
  std::string outcome;     ///< "ok", or the failure class: "network", "timeout", "http_401", ...
  int http_status = 0;
  std::string request_id;  ///< the X-Request-ID we sent
  std::chrono::milliseconds elapsed{0};
};

/// What a connector gets for one run: HTTP, time, state, and the connection log.
class ConnectorContext {
 public:
  ConnectorContext(std::string connector, net::HttpClient& http, const Clock& clock, ConnectorState& state,
                   std::function<void(const ConnectionEvent&)> log = {})
      : connector_(std::move(connector)), http_(http), clock_(clock), state_(state), log_(std::move(log)) {}

  /// Sends, writes one ConnectionEvent, and remembers a Retry-After (or a rate-limit reset a
  /// connector reports through note_retry_after) for the runner.
  net::HttpResult send(const net::HttpRequest& request, std::string_view operation, std::string_view account = {});

  const Clock& clock() const { return clock_; }
  ConnectorState& state() { return state_; }
  const std::string& connector() const { return connector_; }
  void note_retry_after(std::chrono::seconds delay) { retry_after_ = delay; }
  std::optional<std::chrono::seconds> retry_after() const { return retry_after_; }
  /// Waits between polls of a bank (decoupled SCA, consent status). The default sleeps the thread;
  /// tests install one that advances their clock instead.
  using Sleeper = std::function<void(std::chrono::milliseconds)>;
  void set_sleeper(Sleeper sleeper) { sleeper_ = std::move(sleeper); }
  void sleep(std::chrono::milliseconds delay);

 private:
  std::string connector_;
  net::HttpClient& http_;
  const Clock& clock_;
  ConnectorState& state_;
  std::function<void(const ConnectionEvent&)> log_;
  std::optional<std::chrono::seconds> retry_after_;
  Sleeper sleeper_;
};

/// A bank account as the provider knows it.
struct BankAccount {
  std::string iban;         ///< empty for accounts without one (cards)
  std::string provider_id;  ///< the API's account id / resourceId
  std::string currency;
  std::string name;
  std::string kind;         ///< "checking", "savings", "card", ... as far as the API says
};

struct ConsentStatus {
  enum class State : std::uint8_t { missing, pending, valid, expired, revoked };
  State state = State::missing;
  std::string id;                     ///< consent / requisition / item id at the bank
  std::optional<domain::Date> valid_until;
  std::string detail;                 ///< what the admin must do, when not valid
};
const char* consent_state_name(ConsentStatus::State state);  ///< "missing", "valid", ...

/// Start of an interactive bank authorisation (SCA): the URL the person opens, and the state value
/// that must come back in the callback. An empty `url` means there is nothing to open (decoupled
/// SCA: the person approves in the bank's app); the caller then calls finish_authorisation() with an
/// empty callback, which waits for the bank's verdict.
struct AuthorisationStart {
  std::string url;
  std::string state;    ///< empty: the callback carries no state to check (the bank's status decides)
  std::string message;  ///< what the person must do, for the admin (the bank's psuMessage where given)
};

/// A raw statement document as the bank delivered it (camt.052 from savings banks), to be ingested
/// through the format registry like an uploaded file.
struct RawDocument {
  std::string name;       ///< "xs2a-spk-DE02...-2026-11-20.xml", shown as the source file name
  std::string format_id;  ///< forced format ("camt.052"), empty = sniff
  std::string content;    ///< the body as received (owned: the HTTP response is gone by then)
  Bytes bytes() const { return as_bytes(content); }
};

struct TransactionsRequest {
  BankAccount account;
  domain::Date from;
  domain::Date to;
};

/// Booked and pending lines of one account for [from, to]. A connector fills either `statements`
/// (JSON APIs: booked and pending entries, balances where the API gives them) or `documents`.
struct TransactionsBatch {
  std::vector<domain::Statement> statements;
  std::vector<RawDocument> documents;
  domain::Date covered_to;  ///< last booked day the bank has fully delivered (the cursor may move here)
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual std::string_view type() const = 0;
  /// Unattended accesses the bank allows per account and day (PSD2: 4; 0 = no limit). The runner
  /// plans within it and never spends it on retries of the same day.
  virtual int daily_access_limit() const { return 0; }

  virtual Result<ConsentStatus> consent(ConnectorContext& ctx) = 0;
  virtual Result<AuthorisationStart> begin_authorisation(ConnectorContext& ctx, std::string_view redirect_uri) = 0;
  /// `callback` is the query of the redirect back to us (code, state, error, ...).
  virtual Result<ConsentStatus> finish_authorisation(ConnectorContext& ctx,
                                                     const std::map<std::string, std::string>& callback) = 0;
  virtual Result<std::vector<BankAccount>> accounts(ConnectorContext& ctx) = 0;
  virtual Result<TransactionsBatch> transactions(ConnectorContext& ctx, const TransactionsRequest& request) = 0;
};

/// Builds a connector from its settings; validates the type-specific options.
using ConnectorFactory = std::function<Result<std::unique_ptr<Connector>>(const ConnectorSettings&)>;

/// Adding a bank is one class plus one line in builtin_registry() (src/registry.cpp).
class ConnectorRegistry {
 public:
  void add(std::string type, ConnectorFactory factory);
  Result<std::unique_ptr<Connector>> create(const ConnectorSettings& settings) const;
  std::vector<std::string> types() const;

 private:
  std::map<std::string, ConnectorFactory, std::less<>> factories_;
};

/// Every built-in connector type.
const ConnectorRegistry& builtin_registry();

}  // namespace bankrec::connectors
