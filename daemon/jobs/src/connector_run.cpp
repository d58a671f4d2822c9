// One fetch run of a bank connector (issue 7): consent, accounts, rate budget, transactions into the
// same ingestion as files, cursor after commit, connection log, gap tasks, alerts and metrics.
#include <algorithm>

#include "bankrec/base/bytes.h"
#include "bankrec/domain/json.h"
#include "bankrec/jobs/connector_run.h"

namespace bankrec::jobs {
namespace {

using connectors::ConsentStatus;
using State = ConsentStatus::State;

domain::Date utc_today(std::chrono::system_clock::time_point now) {
  return domain::Date::from_days(std::chrono::floor<std::chrono::days>(now).time_since_epoch().count());
}

std::string account_key(const connectors::BankAccount& a) { return a.iban.empty() ? a.provider_id : a.iban; }

/// Consent expiry warnings at these many days before validUntil (each threshold alerts once).
constexpr int kExpiryThresholds[] = {14, 7, 1};
constexpr std::chrono::hours kLogRetention{24 * 180};

class Run {
 public:
  Run(connectors::Connector& connector, const connectors::ConnectorSettings& settings, ConnectorEnv& env)
      : connector_(connector),
        settings_(settings),
        env_(env),
        repo_(env.store, env.secrets_key),
        state_(env.store, env.store_mutex, env.secrets_key, settings.name),
        log_(env),
        ctx_(settings.name, env.http, env.clock, state_, [this](const connectors::ConnectionEvent& e) { log_.add(e); }),
        today_(utc_today(env.clock.now())) {}

  ConnectorRunReport run() {
    report_.outcome = execute();
    if (auto r = log_.flush(); !r && report_.outcome.kind == JobOutcome::Kind::succeeded)
      report_.outcome = JobOutcome::retry(r.error());
    finish();
    return std::move(report_);
  }

 private:
  template <class Fn>
  auto locked(Fn fn) {
    std::lock_guard lock(env_.store_mutex);
    return fn(repo_);
  }

  void alert(AlertKind kind, std::string key, AlertSeverity severity, std::string message, bool resolve = false) {
    if (env_.alert) env_.alert({kind, std::move(key), severity, std::move(message), resolve});
  }

  JobOutcome execute() {
    auto row = locked([&](auto& r) { return r.get(settings_.name); });
    if (!row) return JobOutcome::permanent(row.error());
    if (!row->enabled || row->state == "disabled") {
      report_.skipped = true;
      return JobOutcome::success();
    }
    if (row->state == "needs_consent") {
      // Stopped until `bankrec connector consent NAME`; a scheduled run must not dead-letter daily.
      report_.skipped = true;
      report_.stopped = true;
      return JobOutcome::success();
    }
    auto consent = connector_.consent(ctx_);
    if (!consent) return on_error(consent.error(), "");
    report_.consent = *consent;
    if (auto r = locked([&](auto& rp) {
          return rp.record_consent(settings_.name, consent->id, connectors::consent_state_name(consent->state),
                                   consent->valid_until, settings_.name);
        });
        !r)
      return JobOutcome::retry(r.error());
    if (consent->state != State::valid) {
      const std::string why = std::string("consent ") + connectors::consent_state_name(consent->state) +
                              (consent->detail.empty() ? "" : ": " + consent->detail);
      return stop(why);
    }
    check_expiry(*consent);
    auto accounts = connector_.accounts(ctx_);
    if (!accounts) return on_error(accounts.error(), "");
    auto selected = select_accounts(*accounts);
    if (!selected) return JobOutcome::permanent(selected.error());
    std::optional<JobOutcome> failure;
    for (const auto& account : *selected) {
      auto outcome = fetch_account(account);
      (void)log_.flush();
      if (outcome.kind == JobOutcome::Kind::succeeded) continue;
      if (outcome.kind == JobOutcome::Kind::permanent) return outcome;
      if (!failure) failure = outcome;  // transient: the other accounts still go on
    }
    if (failure) return *failure;
    return JobOutcome::success();
  }

  Result<std::vector<connectors::BankAccount>> select_accounts(const std::vector<connectors::BankAccount>& all) {
    if (settings_.accounts.empty()) return all;
    std::vector<connectors::BankAccount> out;
    for (const auto& wanted : settings_.accounts) {
      const auto it = std::find_if(all.begin(), all.end(),
                                   [&](const auto& a) { return a.iban == wanted || a.provider_id == wanted; });
      if (it == all.end())
        return fail(Errc::not_found, "connector '" + settings_.name + "': account " + wanted +
                                         " is not among the accounts the bank grants (" + std::to_string(all.size()) + ")");
      out.push_back(*it);
    }
    return out;
  }

  void check_expiry(const ConsentStatus& consent) {
    if (!consent.valid_until) return;
    const auto days_left = consent.valid_until->to_days() - today_.to_days();
    for (const int threshold : kExpiryThresholds) {
      const std::string key = settings_.name + ":" + std::to_string(threshold);
      if (days_left > threshold) {
        alert(AlertKind::consent_expiring, key, AlertSeverity::warning, "", /*resolve=*/true);
        continue;
      }
      alert(AlertKind::consent_expiring, key, threshold == 1 ? AlertSeverity::error : AlertSeverity::warning,
            "connector " + settings_.name + ": the bank consent expires on " + consent.valid_until->iso() + " (in " +
                std::to_string(days_left) + " days); renew it with `bankrec connector consent " + settings_.name + "`");
    }
  }

  /// The consent is gone: stop, alert with the action, and name the missing days per account.
  JobOutcome stop(const std::string& why) {
    report_.stopped = true;
    const std::string action = "bankrec connector consent " + settings_.name;
    const std::string message = "connector " + settings_.name + " stopped: " + why + "; renew it with `" + action + "`";
    auto done = locked([&](auto& r) -> Result<void> {
      BANKREC_TRY(r.set_state(settings_.name, "needs_consent", why));
      std::vector<std::string> accounts = settings_.accounts;
      for (const auto& a : seen_accounts_)
        if (std::find(accounts.begin(), accounts.end(), a) == accounts.end()) accounts.push_back(a);
      for (const auto& c : BANKREC_TRY(r.cursors(settings_.name)))
        if (std::find(accounts.begin(), accounts.end(), c.account) == accounts.end()) accounts.push_back(c.account);
      for (const auto& account : accounts) {
        auto cursor = BANKREC_TRY(r.cursor(settings_.name, account));
        const domain::Date from = cursor && cursor->booked_through ? cursor->booked_through->add_days(1)
                                                                    : today_.add_days(-settings_.history_days);
        if (from <= today_) BANKREC_TRY(r.open_gap(settings_.name, account, from, today_, why));
      }
      return ok();
    });
    alert(AlertKind::connector_failure, settings_.name, AlertSeverity::error, message);
    if (!done) return JobOutcome::retry(done.error());
    return JobOutcome::permanent({Errc::permission_denied, message, settings_.name});
  }

  JobOutcome on_error(const Error& error, const std::string& account) {
    switch (error.code) {
      case Errc::unavailable: {
        auto delay = ctx_.retry_after();
        if (!account.empty() && budget_spent(account)) {
          // Never spend the budget on retries of the same day: the retry waits for the next day.
          const auto next_day = until_next_utc_day(env_.clock.now());
          delay = std::max(delay.value_or(std::chrono::seconds(0)), next_day);
        }
        return JobOutcome::retry(error, delay);
      }
      case Errc::permission_denied: return stop(error.message);
      default:
        alert(AlertKind::connector_failure, settings_.name, AlertSeverity::error,
              "connector " + settings_.name + " failed and will not retry: " + error.message);
        return JobOutcome::permanent(error);
    }
  }

  bool budget_spent(const std::string& account) {
    const int limit = connector_.daily_access_limit();
    if (limit <= 0) return false;
    auto used = locked([&](auto& r) { return r.accesses(settings_.name, account, today_); });
    return used && *used >= limit;
  }

  JobOutcome fetch_account(const connectors::BankAccount& account) {
    AccountRun run;
    run.account = account_key(account);
    seen_accounts_.push_back(run.account);
    auto cursor = locked([&](auto& r) { return r.cursor(settings_.name, run.account); });
    if (!cursor) return JobOutcome::retry(cursor.error());
    const bool has_cursor = *cursor && (*cursor)->booked_through;
    run.from = has_cursor ? (*cursor)->booked_through->add_days(-settings_.overlap_days)
                          : today_.add_days(-settings_.history_days);
    run.to = today_;
    if (has_cursor) run.cursor = (*cursor)->booked_through;
    const int limit = connector_.daily_access_limit();
    if (limit > 0) {
      auto used = locked([&](auto& r) { return r.accesses(settings_.name, run.account, today_); });
      if (!used) return JobOutcome::retry(used.error());
      if (*used >= limit) {
        run.status = "skipped: daily access budget spent (" + std::to_string(*used) + "/" + std::to_string(limit) + ")";
        report_.accounts.push_back(std::move(run));
        return JobOutcome::success();
      }
      if (auto c = locked([&](auto& r) { return r.count_access(settings_.name, run.account, today_); }); !c)
        return JobOutcome::retry(c.error());
    }
    auto batch = connector_.transactions(ctx_, {account, run.from, run.to});
    if (!batch) {
      run.status = "failed: " + batch.error().message;
      report_.accounts.push_back(run);
      return on_error(batch.error(), run.account);
    }
    if (auto r = ingest(*batch, run); !r) {
      run.status = "failed: " + r.error().message;
      report_.accounts.push_back(run);
      return r.error().code == Errc::invalid_input ? JobOutcome::permanent(r.error()) : JobOutcome::retry(r.error());
    }
    run.status = "fetched";
    report_.accounts.push_back(std::move(run));
    return JobOutcome::success();
  }

  Result<void> ingest_one(IngestRequest request, AccountRun& run) {
    request.source = store::FileSource::api;
    request.actor = settings_.name;
    request.keep_original = true;  // what the bank delivered (as statement JSON or its document), for auditors
    std::lock_guard lock(env_.store_mutex);
    const auto result = BANKREC_TRY(ingest_file(env_.store, env_.formats, request, {}, env_.ingest));
    ++run.files;
    run.entries_new += result.counts.entries_new;
    run.entries_skipped += result.counts.entries_skipped;
    return ok();
  }

  /// Everything the bank delivered, then the cursor: only after every ingest committed.
  Result<void> ingest(connectors::TransactionsBatch& batch, AccountRun& run) {
    if (!batch.statements.empty()) {
      domain::StatementFile file;
      file.file = settings_.name + "-" + run.account + "-" + run.from.iso() + "-" + run.to.iso() + ".json";
      file.format = "bankrec.json";
      for (auto& s : batch.statements) {
        if (!s.from_date) s.from_date = run.from;
        if (!s.to_date) s.to_date = run.to;
      }
      file.statements = std::move(batch.statements);
      const std::string json = domain::to_json(file) + "\n";
      IngestRequest request;
      request.name = file.file;
      request.bytes = as_bytes(json);
      request.format_id = "bankrec.json";
      BANKREC_TRY(ingest_one(std::move(request), run));
    }
    for (const auto& doc : batch.documents) {
      IngestRequest request;
      request.name = doc.name;
      request.bytes = doc.bytes();
      request.format_id = doc.format_id;
      BANKREC_TRY(ingest_one(std::move(request), run));
    }
    report_.entries_new += run.entries_new;
    if (env_.metrics) env_.metrics->entries.with({settings_.name}).inc(static_cast<std::uint64_t>(run.entries_new));
    const domain::Date through = batch.covered_to > domain::Date{} ? std::min(batch.covered_to, run.to) : run.to.add_days(-1);
    BANKREC_TRY(locked([&](auto& r) { return r.set_cursor(settings_.name, run.account, through); }));
    run.cursor = std::max(run.cursor.value_or(through), through);
    if (env_.metrics) {
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(env_.clock.now().time_since_epoch());
      env_.metrics->last_success.with({settings_.name, run.account}).set(seconds.count());
    }
    return ok();
  }

  void finish() {
    const auto kind = report_.outcome.kind;
    const char* status = report_.skipped ? "skipped"
                         : kind == JobOutcome::Kind::succeeded ? "succeeded"
                         : kind == JobOutcome::Kind::retry     ? "retry"
                                                               : "permanent";
    if (env_.metrics) env_.metrics->runs.with({settings_.name, status}).inc();
    if (report_.skipped) return;
    const bool success = kind == JobOutcome::Kind::succeeded;
    (void)locked([&](auto& r) -> Result<void> {
      BANKREC_TRY(r.record_run(settings_.name, success ? "ok" : report_.outcome.error.message, success));
      if (success) report_.gaps_closed = BANKREC_TRY(r.close_covered_gaps());
      BANKREC_TRY(r.prune_log(env_.clock.now() - kLogRetention));
      return ok();
    });
    if (success) alert(AlertKind::connector_failure, settings_.name, AlertSeverity::error, "", /*resolve=*/true);
  }

  connectors::Connector& connector_;
  const connectors::ConnectorSettings& settings_;
  ConnectorEnv& env_;
  store::ConnectorsRepo repo_;
  StoreConnectorState state_;
  ConnectionLogWriter log_;
  connectors::ConnectorContext ctx_;
  domain::Date today_;
  ConnectorRunReport report_;
  std::vector<std::string> seen_accounts_;  //!< accounts this run reached (gap tasks when it stops)
};

}  // namespace

ConnectorRunReport run_connector(connectors::Connector& connector, const connectors::ConnectorSettings& settings,
                                 ConnectorEnv& env) {
  return Run(connector, settings, env).run();
}

}  // namespace bankrec::jobs
