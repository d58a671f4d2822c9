#include "bankrec/jobs/alerts.h"

#include <sys/stat.h>

#include <array>
#include <fstream>
#include <map>
#include <sstream>

#include "alerts_template.h"
#include "bankrec/base/text.h"
#include "bankrec/net/redact.h"

namespace bankrec::jobs {

using alerts_detail::Escape;
using alerts_detail::json_quote;

namespace {

constexpr std::array<AlertKind, 8> kKinds = {
    AlertKind::parser_failure,    AlertKind::unmatched_above_threshold, AlertKind::dead_letter,
    AlertKind::connector_failure, AlertKind::consent_expiring,          AlertKind::health_check_failed,
    AlertKind::audit_verification_failed, AlertKind::login_lockout};
constexpr int kDeliveryBatch = 50;
constexpr std::chrono::minutes kRateWindow{60};

/// Reads a secret from a file: a regular file, not readable by others, at most 4 KiB; one trailing
/// line break removed. Error messages name the file, never the content.
Result<std::string> read_secret_file(const std::string& path, std::string_view what) {
  struct stat st{};
  if (path.empty()) return fail(Errc::invalid_input, std::string(what) + " file is not configured");
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return fail(Errc::invalid_input, std::string(what) + " file is missing", path);
  if ((st.st_mode & S_IROTH) != 0)
    return fail(Errc::permission_denied, std::string(what) + " file is readable by everyone (chmod o-r)", path);
  if (st.st_size > 4096) return fail(Errc::invalid_input, std::string(what) + " file is larger than 4 KiB", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::invalid_input, "cannot read the " + std::string(what) + " file", path);
  std::ostringstream out;
  out << in.rdbuf();
  std::string secret = out.str();
  if (secret.ends_with("\r\n")) secret.resize(secret.size() - 2);
  else if (secret.ends_with('\n')) secret.pop_back();
  if (secret.empty()) return fail(Errc::invalid_input, std::string(what) + " file is empty", path);
  return secret;
}

/// Stored text must be valid UTF-8 for mail and JSON; anything else is read as Windows-1252.
std::string as_utf8(std::string_view s) {
  if (text::is_valid_utf8(s)) return std::string(s);
  auto converted = text::to_utf8(s, text::Charset::windows1252);
  return converted ? *converted : std::string("(unreadable text)");
}

std::string kind_title(std::string_view kind) {
  std::string t(kind);
  for (char& c : t)
    if (c == '_') c = ' ';
  return t;
}

std::chrono::seconds backoff(const AlertsConfig& c, std::int64_t attempts) {
  auto delay = c.retry_base;
  for (std::int64_t i = 1; i < attempts && delay < c.retry_cap; ++i) delay *= 2;
  return std::min(delay, c.retry_cap);
}

Result<net::MailAddress> parse_address(const std::string& a) {
  BANKREC_TRY(net::validate_mail_address(a));
  return net::MailAddress{a, {}};
}

}  // namespace

const char* alert_kind_name(AlertKind kind) noexcept {
  switch (kind) {
    case AlertKind::parser_failure: return "parser_failure";
    case AlertKind::unmatched_above_threshold: return "unmatched_above_threshold";
    case AlertKind::dead_letter: return "dead_letter";
    case AlertKind::connector_failure: return "connector_failure";
    case AlertKind::consent_expiring: return "consent_expiring";
    case AlertKind::health_check_failed: return "health_check_failed";
    case AlertKind::audit_verification_failed: return "audit_verification_failed";
    case AlertKind::login_lockout: return "login_lockout";
  }
  return "unknown";
}

const char* alert_severity_name(AlertSeverity severity) noexcept {
  switch (severity) {
    case AlertSeverity::info: return "info";
    case AlertSeverity::warning: return "warning";
    case AlertSeverity::error: return "error";
    case AlertSeverity::critical: return "critical";
  }
  return "error";
}

int journal_priority(AlertSeverity severity) noexcept {
  switch (severity) {
    case AlertSeverity::critical: return 2;
    case AlertSeverity::error: return 3;
    case AlertSeverity::warning: return 4;
    case AlertSeverity::info: return 6;
  }
  return 3;
}

Result<AlertKind> parse_alert_kind(std::string_view name) {
  for (const AlertKind k : kKinds)
    if (name == alert_kind_name(k)) return k;
  return fail(Errc::invalid_input, "unknown alert kind '" + std::string(name.substr(0, 64)) + "'");
}

struct AlertManager::Templates {
  std::map<std::string, alerts_detail::EmailTemplate, std::less<>> by_kind;
};

AlertManager::AlertManager(const AlertsConfig& config, store::Store& store, const Clock& clock,
                           AlertJournalSink journal)
    : config_(config), store_(store), clock_(clock), journal_(std::move(journal)), repo_(store),
      templates_(std::make_unique<Templates>()) {}

AlertManager::~AlertManager() = default;

Result<std::unique_ptr<AlertManager>> AlertManager::create(const AlertsConfig& config, store::Store& store,
                                                           const Clock& clock, AlertJournalSink journal) {
  if (config.max_per_hour_per_channel == 0) return fail(Errc::invalid_input, "alerts: max_per_hour must be at least 1");
  if (config.retry_base.count() <= 0 || config.retry_cap < config.retry_base)
    return fail(Errc::invalid_input, "alerts: retry_base must be positive and at most retry_cap");
  if (config.instance.empty() || config.instance.size() > 64) return fail(Errc::invalid_input, "alerts: instance must have 1 to 64 bytes");
  std::unique_ptr<AlertManager> m(new AlertManager(config, store, clock, std::move(journal)));
  for (const AlertKind k : kKinds) {
    auto t = alerts_detail::load_email_template(config.templates_dir, alert_kind_name(k));
    if (!t) return Unexpected{std::move(t).error()};
    m->templates_->by_kind.emplace(alert_kind_name(k), std::move(*t));
  }
  if (config.email) {
    const EmailAlertChannel& e = *config.email;
    BANKREC_TRY(parse_address(e.from));
    if (e.to.empty()) return fail(Errc::invalid_input, "alerts.email.to needs at least one address");
    for (const auto& to : e.to) BANKREC_TRY(parse_address(to));
    net::SmtpConfig smtp;
    smtp.url = e.smtp_url;
    smtp.username = e.username;
    if (!e.username.empty()) smtp.password = BANKREC_TRY(read_secret_file(e.password_file, "smtp password"));
    smtp.tls.ca_file = e.ca_file;
    smtp.total_timeout = config.send_timeout;
    m->smtp_ = BANKREC_TRY(net::make_smtp_client(smtp, clock));
  }
  if (config.webhook) {
    const WebhookAlertChannel& w = *config.webhook;
    net::HttpClientConfig http;
    http.tls.ca_file = w.ca_file;
    http.proxy = w.proxy;
    http.total_timeout = config.send_timeout;
    http.max_response_bytes = 64 * 1024;
    m->http_ = BANKREC_TRY(net::make_http_client(http, clock));
    // Not inside the braced initialiser: g++ does not destroy the members already built when the
    // statement expression in BANKREC_TRY returns early (a leak LeakSanitizer reports).
    std::string secret = BANKREC_TRY(read_secret_file(w.secret_file, "webhook secret"));
    net::WebhookConfig hook{w.url, std::move(secret)};
    m->webhook_ = BANKREC_TRY(net::WebhookSender::create(std::move(hook), *m->http_, clock));
  }
  return m;
}

std::vector<std::string> AlertManager::channels() const {
  std::vector<std::string> out;
  if (smtp_) out.emplace_back("email");
  if (webhook_) out.emplace_back("webhook");
  return out;
}

Result<store::RaiseOutcome> AlertManager::raise(AlertKind kind, std::string_view key, AlertSeverity severity,
                                                std::string_view message, std::optional<AlertObject> object) {
  store::NewAlert alert;
  alert.kind = alert_kind_name(kind);
  alert.alert_key = as_utf8(key.substr(0, 512));
  alert.severity = alert_severity_name(severity);
  alert.message = as_utf8(message.substr(0, 4096));
  if (alert.message.empty()) alert.message = kind_title(alert.kind);
  if (object) {
    alert.object_type = as_utf8(std::string_view(object->type).substr(0, 64));
    alert.object_id = as_utf8(std::string_view(object->id).substr(0, 512));
  }
  const auto chans = channels();
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < chans.size(); ++i) ids.push_back(net::make_request_id());
  store::RaiseOutcome out;
  {
    std::lock_guard lock(db_mutex_);
    out = BANKREC_TRY(repo_.raise(alert, chans, ids));
  }
  if (out.created && journal_)
    journal_(AlertNotice{out.alert_id, kind, alert.alert_key, severity, alert.message, object, /*resolved=*/false});
  return out;
}

Result<bool> AlertManager::resolve(AlertKind kind, std::string_view key) {
  const auto chans = channels();
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < chans.size(); ++i) ids.push_back(net::make_request_id());
  std::optional<std::int64_t> id;
  std::optional<store::AlertRecord> record;
  {
    std::lock_guard lock(db_mutex_);
    id = BANKREC_TRY(repo_.resolve(alert_kind_name(kind), key, chans, ids));
    if (id) record = BANKREC_TRY(repo_.get(*id));
  }
  if (!id) return false;
  if (journal_) {
    const AlertSeverity severity = AlertSeverity::info;
    std::optional<AlertObject> object;
    if (record->object_type) object = AlertObject{*record->object_type, record->object_id.value_or("")};
    journal_(AlertNotice{*id, kind, record->alert_key, severity, "resolved: " + record->message, object, true});
  }
  return true;
}

Result<RenderedEmail> AlertManager::render_email(const store::AlertRecord& a, std::string_view event) const {
  const auto it = templates_->by_kind.find(a.kind);
  if (it == templates_->by_kind.end()) return fail(Errc::internal, "no template for alert kind '" + a.kind + "'");
  const std::map<std::string, std::string, std::less<>> values = {
      {"event", event == "resolved" ? "Resolved" : "Alert"},
      {"title", kind_title(a.kind)},
      {"kind", a.kind},
      {"key", a.alert_key},
      {"severity", a.severity},
      {"state", a.state},
      {"message", a.message},
      {"object_type", a.object_type.value_or("")},
      {"object_id", a.object_id.value_or("")},
      {"first_seen", a.created_at},
      {"last_seen", a.last_seen_at},
      {"resolved_at", a.resolved_at.value_or("")},
      {"occurrences", std::to_string(a.occurrences)},
      {"alert_id", std::to_string(a.id)},
      {"instance", config_.instance},
      {"console_url", config_.console_url},
      {"channel", "email"},
  };
  RenderedEmail out;
  out.subject = alerts_detail::header_safe(it->second.subject.render(values, Escape::header), 300);
  out.text = it->second.text.render(values, Escape::none);
  out.html = it->second.html.render(values, Escape::html);
  return out;
}

std::string AlertManager::webhook_body(const store::AlertRecord& a, std::string_view event) const {
  auto opt = [](const std::optional<std::string>& s) { return s ? json_quote(*s) : std::string("null"); };
  std::string object = "null";
  if (a.object_type) object = "{\"type\":" + json_quote(*a.object_type) + ",\"id\":" + opt(a.object_id) + "}";
  return "{\"event\":" + json_quote(event) + ",\"instance\":" + json_quote(config_.instance) +
         ",\"alert\":{\"id\":" + std::to_string(a.id) + ",\"kind\":" + json_quote(a.kind) +
         ",\"key\":" + json_quote(a.alert_key) + ",\"severity\":" + json_quote(a.severity) +
         ",\"state\":" + json_quote(a.state) + ",\"message\":" + json_quote(a.message) + ",\"object\":" + object +
         ",\"occurrences\":" + std::to_string(a.occurrences) + ",\"created_at\":" + json_quote(a.created_at) +
         ",\"last_seen_at\":" + json_quote(a.last_seen_at) + ",\"resolved_at\":" + opt(a.resolved_at) + "}}";
}

Result<void> AlertManager::send(const store::AlertDelivery& d, const store::AlertRecord& alert,
                                std::optional<std::chrono::seconds>& retry_after) {
  if (d.channel == "email") {
    if (!smtp_) return fail(Errc::unavailable, "e-mail is no longer configured");
    const RenderedEmail mail = BANKREC_TRY(render_email(alert, d.event));
    net::MailMessage m;
    m.from = {config_.email->from, config_.instance};
    for (const auto& to : config_.email->to) m.to.push_back({to, {}});
    m.subject = mail.subject;
    m.text_body = mail.text;
    m.html_body = mail.html;
    m.extra_headers = {{"X-Bankrec-Alert", alert.kind}, {"X-Bankrec-Alert-Id", std::to_string(alert.id)},
                       {"X-Bankrec-Event", d.event}};
    BANKREC_TRY(smtp_->send(m));
    return ok();
  }
  if (d.channel == "webhook") {
    if (!webhook_) return fail(Errc::unavailable, "the webhook is no longer configured");
    auto r = webhook_->post(webhook_body(alert, d.event), d.delivery_id);
    if (r) return ok();
    retry_after = r.error().retry_after();
    return Unexpected{r.error().to_error()};
  }
  return fail(Errc::internal, "unknown channel '" + d.channel + "'");
}

Result<DeliveryStats> AlertManager::deliver_due() {
  std::unique_lock busy(delivery_mutex_, std::try_to_lock);
  if (!busy.owns_lock()) return DeliveryStats{};
  DeliveryStats stats;
  std::vector<store::AlertDelivery> due;
  const auto now = clock_.now();
  {
    std::lock_guard lock(db_mutex_);
    due = BANKREC_TRY(repo_.due_deliveries(now, kDeliveryBatch));
  }
  std::map<std::string, std::int64_t> budget;  // sends left per channel in this window
  for (const auto& d : due) {
    std::unique_lock lock(db_mutex_);
    if (!budget.contains(d.channel)) {
      const std::int64_t sent = BANKREC_TRY(repo_.count_sent_since(d.channel, now - kRateWindow));
      budget[d.channel] = static_cast<std::int64_t>(config_.max_per_hour_per_channel) - sent;
    }
    if (budget[d.channel] <= 0) {
      BANKREC_TRY(repo_.postpone(d.id, now + std::chrono::minutes(5)));
      ++stats.postponed;
      continue;
    }
    const store::AlertRecord alert = BANKREC_TRY(repo_.get(d.alert_id));
    lock.unlock();  // no database lock while talking to the network

    std::optional<std::chrono::seconds> retry_after;
    const Result<void> sent = send(d, alert, retry_after);
    lock.lock();
    if (sent) {
      BANKREC_TRY(repo_.mark_sent(d.id));
      --budget[d.channel];
      ++stats.sent;
      continue;
    }
    const std::int64_t attempts = d.attempts + 1;
    const auto delay = std::max(backoff(config_, attempts), retry_after.value_or(std::chrono::seconds{0}));
    const bool abandon = config_.max_attempts > 0 && attempts >= static_cast<std::int64_t>(config_.max_attempts);
    // Messages from net are already redacted; redact again in case a server echoed a secret.
    BANKREC_TRY(repo_.mark_failed(d.id, net::redact(sent.error().describe()), now + std::min(delay, config_.retry_cap * 24),
                                  abandon));
    ++stats.failed;
  }
  return stats;
}

Result<std::vector<store::AlertRecord>> AlertManager::list(bool open_only, int limit) {
  std::lock_guard lock(db_mutex_);
  return repo_.list(open_only, limit);
}

Result<void> AlertManager::acknowledge(std::int64_t alert_id, std::string_view actor) {
  std::lock_guard lock(db_mutex_);
  return repo_.acknowledge(alert_id, actor);
}

}  // namespace bankrec::jobs
