#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/clock.h"
#include "bankrec/base/result.h"
#include "bankrec/net/http_client.h"
#include "bankrec/net/smtp_client.h"
#include "bankrec/net/webhook.h"
#include "bankrec/store/alerts_repo.h"
#include "bankrec/store/store.h"

/// Alerts: deduplicated by (kind, key), stored in the database (the console's notification list),
/// announced to journald at once and to e-mail and webhook through a persistent outbox that is
/// retried until delivered and rate-limited per channel; a resolved notice when the condition clears.
namespace bankrec::jobs {

enum class AlertKind {
  parser_failure,
  unmatched_above_threshold,
  dead_letter,
  connector_failure,
  consent_expiring,
  health_check_failed,
  audit_verification_failed,
  login_lockout,  //!< console sign-in locked for an account or address after repeated failures (issue 8)
};
enum class AlertSeverity { info, warning, error, critical };

/// Stable names, stored and used for template files ("parser_failure", "error").
const char* alert_kind_name(AlertKind kind) noexcept;
const char* alert_severity_name(AlertSeverity severity) noexcept;
Result<AlertKind> parse_alert_kind(std::string_view name);
/// syslog/journald PRIORITY for a severity: critical 2, error 3, warning 4, info 6.
int journal_priority(AlertSeverity severity) noexcept;

/// What an alert is about, for the console's link ("source_file", "42").
struct AlertObject {
  std::string type;
  std::string id;
};

/// Handed to the journal sink when an alert opens and when it resolves (not for repeats).
struct AlertNotice {
  std::int64_t alert_id = 0;
  AlertKind kind = AlertKind::parser_failure;
  std::string key;
  AlertSeverity severity = AlertSeverity::error;
  std::string message;
  std::optional<AlertObject> object;
  bool resolved = false;
};
/// The daemon logs it to journald at journal_priority(severity) with BANKREC_ALERT_* fields.
using AlertJournalSink = std::function<void(const AlertNotice&)>;

/// alerts.email in bankrec.yaml.
struct EmailAlertChannel {
  std::string smtp_url;  ///< smtps://HOST[:465] or smtp://HOST[:587] (STARTTLS required)
  std::string from;
  std::vector<std::string> to;
  std::string username;       ///< empty: no AUTH
  std::string password_file;  ///< the SMTP password, read at create(); never logged
  std::string ca_file;        ///< for a mail server with a private CA; empty: system store
};

/// alerts.webhook in bankrec.yaml.
struct WebhookAlertChannel {
  std::string url;
  std::string secret_file;  ///< the HMAC-SHA256 key (at least 16 bytes), read at create(); never logged
  std::string ca_file;      ///< for a receiver with a private CA; empty: system store
  std::string proxy;        ///< optional http(s) proxy
};

struct AlertsConfig {
  std::optional<EmailAlertChannel> email;
  std::optional<WebhookAlertChannel> webhook;
  /// Where <kind>.txt/.html and default.txt/.html live (/etc/bankrec/templates/alerts); missing
  /// files fall back to default.*, and those to built-in templates.
  std::filesystem::path templates_dir;
  std::string instance = "bankrec";   ///< names this appliance in subjects and payloads
  std::string console_url;            ///< optional link shown in messages
  std::uint32_t max_per_hour_per_channel = 30;  ///< beyond it, notifications wait (never dropped)
  std::chrono::seconds retry_base{60};          ///< failed delivery n waits min(cap, base * 2^(n-1))
  std::chrono::seconds retry_cap{3600};
  std::uint32_t max_attempts = 0;  ///< 0: retry until delivered; else give up (state 'abandoned') after n
  std::chrono::milliseconds send_timeout{30'000};
};

struct DeliveryStats {
  int sent = 0;
  int failed = 0;     ///< will be retried (or abandoned after max_attempts)
  int postponed = 0;  ///< held back by the rate limit
};

/// A rendered e-mail (exposed for tests and the console's preview).
struct RenderedEmail {
  std::string subject, text, html;
};

class AlertManager {
 public:
  /// Reads the secret files and the templates and checks them (unknown placeholders, a text
  /// template without a "Subject:" first line); builds the SMTP and webhook clients. `store` must
  /// outlive the manager and must not be used by other threads while the manager runs (give it its
  /// own connection: Store::open on the same file).
  static Result<std::unique_ptr<AlertManager>> create(const AlertsConfig& config, store::Store& store,
                                                      const Clock& clock, AlertJournalSink journal = {});
  ~AlertManager();

  /// Opens the alert (kind, key) or counts a repeat of the open one. A new alert goes to the
  /// journal sink now and to e-mail/webhook at the next deliver_due(). Thread-safe.
  Result<store::RaiseOutcome> raise(AlertKind kind, std::string_view key, AlertSeverity severity,
                                    std::string_view message, std::optional<AlertObject> object = {});
  /// Resolves the open alert (kind, key), if any, and queues a resolved notice. true when one was open.
  Result<bool> resolve(AlertKind kind, std::string_view key);

  /// Sends the due notifications (call every 30 s or so, and after raise()). Failures are recorded
  /// on the delivery (last_error, next attempt) and never lose the alert. Thread-safe; a call while
  /// another one is sending returns at once with empty stats.
  Result<DeliveryStats> deliver_due();

  /// The console's notification list.
  Result<std::vector<store::AlertRecord>> list(bool open_only, int limit);
  Result<void> acknowledge(std::int64_t alert_id, std::string_view actor);

  Result<RenderedEmail> render_email(const store::AlertRecord& alert, std::string_view event) const;
  /// The webhook body: {"event":"raised"|"resolved","instance":...,"alert":{...}}.
  std::string webhook_body(const store::AlertRecord& alert, std::string_view event) const;

 private:
  struct Templates;
  AlertManager(const AlertsConfig& config, store::Store& store, const Clock& clock, AlertJournalSink journal);
  Result<void> send(const store::AlertDelivery& delivery, const store::AlertRecord& alert,
                    std::optional<std::chrono::seconds>& retry_after);
  std::vector<std::string> channels() const;

  AlertsConfig config_;
  store::Store& store_;
  const Clock& clock_;
  AlertJournalSink journal_;
  store::AlertsRepo repo_;
  std::unique_ptr<Templates> templates_;
  std::unique_ptr<net::SmtpClient> smtp_;
  std::unique_ptr<net::HttpClient> http_;
  std::optional<net::WebhookSender> webhook_;
  std::mutex db_mutex_;        ///< serialises use of store_
  std::mutex delivery_mutex_;  ///< one deliver_due() at a time
};

}  // namespace bankrec::jobs
