#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bankrec/base/result.h"
#include "bankrec/connectors/connector.h"

/// bankrec.yaml: parsed and validated here only (modules never see YAML). Every problem names the
/// file, line, column and key path; all problems are collected, not only the first.
namespace bankrec::app {

struct InboxConfig {
  std::string path;
  std::optional<std::string> account;  ///< IBAN the files in this folder belong to
  std::uint32_t rescan_seconds = 60;
};

struct RetryConfig {
  std::uint32_t base_seconds = 30;
  std::uint32_t factor = 2;
  std::uint32_t cap_seconds = 3600;
  std::uint32_t max_attempts = 8;
};

struct EmailAlertConfig {
  std::string smtp_url;  ///< smtps://host:465 or smtp://host:587 (STARTTLS required)
  std::string from;
  std::vector<std::string> to;
  std::optional<std::string> username;
  std::optional<std::string> password_file;  ///< secrets are file references, never inline
  std::optional<std::string> ca_file;        ///< CA bundle of a mail server with a private CA
};

struct WebhookAlertConfig {
  std::string url;
  std::optional<std::string> secret_file;  ///< HMAC-SHA256 key for the signature header
  std::optional<std::string> ca_file;      ///< CA bundle of a receiver with a private CA
};

/// alerts.* besides the channels (jobs::AlertsConfig gets these).
struct AlertSettings {
  std::string templates_dir = "/etc/bankrec/templates/alerts";
  std::string instance = "bankrec";          ///< names this appliance in subjects and payloads
  std::optional<std::string> console_url;    ///< link shown in alert messages
  std::uint32_t max_per_hour = 30;           ///< notifications per channel and hour; more wait
};

/// console.* (issue 8): the web console inside bankrecd.
struct ConsoleSettings {
  /// Built web UI (index.html, assets/). Unset: /usr/share/bankrec/console, or the build tree's
  /// console/dist when bankrecd runs from its build tree (console_static_wiring.cpp).
  std::optional<std::string> assets_dir;
  std::uint32_t max_upload_mb = 50;  ///< largest file POST /api/v1/uploads takes (streamed to disk)
  std::uint32_t session_idle_minutes = 30;            ///< a session unused this long ends
  std::uint32_t session_absolute_hours = 12;          ///< a session ends this long after sign-in, used or not
  std::uint32_t login_max_failures_per_account = 5;   ///< failures within the window that lock a name
  std::uint32_t login_max_failures_per_address = 20;  ///< ... that lock a client address
  std::uint32_t login_window_minutes = 15;            ///< failures older than this are forgotten
  std::uint32_t login_lockout_minutes = 15;           ///< how long a lock lasts
};

struct AppConfig {
  std::string source;  ///< file it came from, or "built-in defaults"
  std::string data_dir = "/var/lib/bankrec";
  std::string listen = "127.0.0.1:8443";
  std::optional<std::string> tls_certificate;
  std::optional<std::string> tls_key;
  std::string log_level = "info";
  std::string log_format = "auto";  ///< auto, journald, text
  std::vector<InboxConfig> inboxes;  ///< empty: DATA_DIR/inbox
  std::uint32_t import_batch_size = 1000;
  std::uint32_t pending_expiry_days = 10;
  std::optional<std::string> rules_file;
  std::string profiles_dir = "/etc/bankrec/profiles";  ///< bank profiles (*.yaml); a missing folder = none
  bool reconcile_after_import = true;                 ///< queue a reconcile job after each import with new lines
  std::optional<std::string> reconcile_schedule;      ///< also on this schedule (a jobs::Schedule text)
  std::uint32_t reconcile_batch_entries = 20000;      ///< entries per engine run and transaction
  std::uint32_t unmatched_alert_count = 0;            ///< alert when a run leaves >= this many unmatched; 0 off
  std::uint32_t unmatched_alert_percent = 25;         ///< ... or >= this share (%) of its lines; 0 off
  std::string maintenance_schedule = "daily 03:00";   ///< pending expiry and WAL checkpoint
  bool maintenance_wal_checkpoint = true;
  RetryConfig retry;
  std::uint32_t audit_checkpoint_every = 1000;
  std::optional<std::string> metrics_plain_listen;
  std::string health_schedule = "every 1m";  ///< when the health checks run (a jobs::Schedule text)
  std::uint32_t health_max_dead_letters = 0;  ///< more open dead letters than this: the check warns
  std::uint32_t workers = 2;                  ///< jobs that run at the same time
  std::uint32_t stop_timeout_seconds = 60;    ///< SIGTERM: how long running jobs may take to finish
  std::optional<EmailAlertConfig> email;
  std::optional<WebhookAlertConfig> webhook;
  AlertSettings alerts;
  ConsoleSettings console;
  std::vector<connectors::ConnectorSettings> connectors;  ///< connectors: (connectors_config.cpp)
};

/// Reads and validates `path`. `required` false: a missing file gives the built-in defaults.
/// The error message lists every problem, one per line: "FILE:LINE:COL: KEY.PATH: message".
Result<AppConfig> load_config(const std::string& path, bool required);
/// Same, from text (tests).
Result<AppConfig> parse_config(const std::string& text, const std::string& file_name);

/// The configuration as YAML with secrets (file references and passwords) replaced by "<redacted>".
std::string redacted_dump(const AppConfig& config);

}  // namespace bankrec::app
