// The connector runner with a fake bank on a real SQLCipher store: windows from the cursor, the
// same ingestion as files, the cursor only after commit, the daily access budget, consent expiry
// alerts, a lapsed consent that stops the connector and opens gap tasks, and the error convention.
#include "bankrec/jobs/connector_run.h"

#include <map>

#include "bankrec/testing/testing.h"
#include "store_test_util.h"

namespace bankrec::jobs {
namespace {

using namespace std::chrono_literals;
using connectors::ConsentStatus;
using store::testing_util::TestStore;
using ::testing::HasSubstr;

constexpr const char* kIban = "DE02120300000000202051";

domain::Date day(int y, unsigned m, unsigned d) { return *domain::Date::make(y, m, d); }
const domain::Date kToday = day(2026, 11, 22);  // TestStore's clock

class OkHttp final : public net::HttpClient {
 public:
  net::HttpResult send(const net::HttpRequest& request) override {
    net::HttpResponse r;
    r.status = 200;
    r.request_id = "req-" + std::to_string(++sent);
    r.elapsed = 12ms;
    (void)request;
    return r;
  }
  int sent = 0;
};

/// A bank with one account, a booked line every day, and switchable failures.
class FakeBank final : public connectors::Connector {
 public:
  std::string_view type() const override { return "fake"; }
  int daily_access_limit() const override { return limit; }
  Result<ConsentStatus> consent(connectors::ConnectorContext& ctx) override {
    (void)ctx.send({}, "consent");
    return consent_status;
  }
  Result<connectors::AuthorisationStart> begin_authorisation(connectors::ConnectorContext&, std::string_view) override {
    return connectors::AuthorisationStart{"https://bank/auth", "st"};
  }
  Result<ConsentStatus> finish_authorisation(connectors::ConnectorContext&,
                                             const std::map<std::string, std::string>&) override {
    return consent_status;
  }
  Result<std::vector<connectors::BankAccount>> accounts(connectors::ConnectorContext&) override {
    return std::vector<connectors::BankAccount>{{kIban, "acc-1", "EUR", "Giro", "checking"}};
  }
  Result<connectors::TransactionsBatch> transactions(connectors::ConnectorContext& ctx,
                                                     const connectors::TransactionsRequest& r) override {
    requests.push_back({r.from, r.to});
    (void)ctx.send({}, "transactions", r.account.iban);
    if (next_error) {
      auto e = *next_error;
      next_error.reset();
      if (retry_hint) ctx.note_retry_after(*retry_hint);
      return Unexpected{e};
    }
    connectors::TransactionsBatch batch;
    if (garbage) {
      batch.documents.push_back({"broken.json", "bankrec.json", "{not json"});
      batch.covered_to = r.to.add_days(-1);
      return batch;
    }
    domain::Statement s;
    s.account.iban = kIban;
    s.account.currency = "EUR";
    s.from_date = r.from;
    s.to_date = r.to;
    for (auto d = r.from; d <= r.to; d = d.add_days(1)) {
      domain::Entry e;
      e.booking_date = e.value_date = d;
      e.amount = domain::Money(1000 + d.day, domain::kEur);
      e.bank_reference = "REF-" + d.iso();
      e.remittance = "Rechnung " + d.iso();
      s.entries.push_back(e);
    }
    batch.statements.push_back(s);
    batch.covered_to = r.to.add_days(-1);
    return batch;
  }

  ConsentStatus consent_status{ConsentStatus::State::valid, "consent-1", day(2027, 2, 20), ""};
  int limit = 0;
  std::optional<Error> next_error;
  std::optional<std::chrono::seconds> retry_hint;
  bool garbage = false;
  std::vector<std::pair<domain::Date, domain::Date>> requests;
};

struct Fixture {
  TestStore t;
  std::mutex mutex;
  store::SecretKey key = store::SecretKey::generate();
  formats::FormatRegistry formats;
  OkHttp http;
  metrics::Registry registry;
  ConnectorMetrics metrics{registry};
  std::vector<ConnectorAlert> alerts;
  ConnectorEnv env{*t.store, mutex, key, formats, t.clock, http, [this](const ConnectorAlert& a) { alerts.push_back(a); },
                   &metrics, {}};
  connectors::ConnectorSettings settings;
  FakeBank bank;

  Fixture() {
    formats.add(statement_json_format());
    settings.name = "spk";
    settings.type = "fake";
    settings.history_days = 5;
    settings.overlap_days = 2;
    EXPECT_TRUE(repo().sync({{"spk", "fake", settings_json(settings), settings.schedule, true}}, "test").has_value());
  }
  store::ConnectorsRepo repo() { return store::ConnectorsRepo(*t.store, key); }
  ConnectorRunReport run() { return run_connector(bank, settings, env); }
  std::int64_t entries() { return *t.store->db().query_int("SELECT count(*) FROM entries"); }
  const ConnectorAlert* find_alert(AlertKind kind, const std::string& key, bool resolve) {
    for (const auto& a : alerts)
      if (a.kind == kind && a.key == key && a.resolve == resolve) return &a;
    return nullptr;
  }
};

TEST(ConnectorRun, first_run_fetches_the_history_then_windows_from_the_cursor_with_overlap) {
  Fixture f;
  auto first = f.run();
  ASSERT_EQ(first.outcome.kind, JobOutcome::Kind::succeeded) << first.outcome.error.message;
  ASSERT_EQ(f.bank.requests.size(), 1u);
  EXPECT_EQ(f.bank.requests[0].first, kToday.add_days(-5));
  EXPECT_EQ(f.bank.requests[0].second, kToday);
  EXPECT_EQ(first.entries_new, 6);
  EXPECT_EQ(f.entries(), 6);
  ASSERT_EQ(first.accounts.size(), 1u);
  EXPECT_EQ(first.accounts[0].status, "fetched");
  EXPECT_EQ(first.accounts[0].cursor, kToday.add_days(-1));
  auto cursor = f.repo().cursor("spk", kIban);
  ASSERT_OK(cursor);
  EXPECT_EQ((*cursor)->booked_through, kToday.add_days(-1));
  // Source file: api, actor = connector, stable name.
  auto src = f.t.store->db().query_texts("SELECT source || ' ' || actor || ' ' || name FROM source_files");
  ASSERT_OK(src);
  EXPECT_EQ((*src)[0], std::string("api spk spk-") + kIban + "-2026-11-17-2026-11-22.json");
  // Connection log persisted, metrics counted.
  auto log = f.repo().log("spk", 10);
  ASSERT_OK(log);
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].operation, "transactions");
  EXPECT_EQ((*log)[0].account, kIban);
  EXPECT_EQ((*log)[0].request_id, "req-2");
  EXPECT_EQ((*log)[0].elapsed_ms, 12);
  const std::string text = f.registry.render();
  EXPECT_THAT(text, HasSubstr("bankrec_connector_requests_total{connector=\"spk\",outcome=\"ok\"} 2"));
  EXPECT_THAT(text, HasSubstr("bankrec_connector_entries_imported_total{connector=\"spk\"} 6"));
  EXPECT_THAT(text, HasSubstr("bankrec_connector_last_success_timestamp_seconds{connector=\"spk\",account=\"" +
                              std::string(kIban) + "\"}"));
  EXPECT_NE(f.find_alert(AlertKind::connector_failure, "spk", /*resolve=*/true), nullptr);

  // The next day: from cursor - overlap; the overlap is stored once.
  f.t.clock.advance(24h);
  auto second = f.run();
  ASSERT_EQ(second.outcome.kind, JobOutcome::Kind::succeeded);
  ASSERT_EQ(f.bank.requests.size(), 2u);
  EXPECT_EQ(f.bank.requests[1].first, kToday.add_days(-3));
  EXPECT_EQ(second.entries_new, 1);  // only the new day
  EXPECT_EQ(f.entries(), 7);
  auto runs = f.repo().get("spk");
  ASSERT_OK(runs);
  EXPECT_EQ(runs->last_status, "ok");
  EXPECT_TRUE(runs->last_success_at.has_value());
}

TEST(ConnectorRun, the_daily_access_budget_is_never_exceeded_and_a_retry_waits_for_the_next_day) {
  Fixture f;
  f.bank.limit = 2;
  EXPECT_EQ(f.run().outcome.kind, JobOutcome::Kind::succeeded);
  f.bank.next_error = Error{Errc::unavailable, "bank answered 503", ""};
  f.bank.retry_hint = 30s;
  auto failed = f.run();  // the second access of the day fails: the budget is now spent
  ASSERT_EQ(failed.outcome.kind, JobOutcome::Kind::retry);
  ASSERT_TRUE(failed.outcome.retry_after.has_value());
  EXPECT_EQ(*failed.outcome.retry_after, until_next_utc_day(f.t.clock.now()));
  EXPECT_EQ(*failed.outcome.retry_after, 15h);  // 09:00 UTC → midnight
  auto skipped = f.run();
  EXPECT_EQ(skipped.outcome.kind, JobOutcome::Kind::succeeded);
  ASSERT_EQ(skipped.accounts.size(), 1u);
  EXPECT_EQ(skipped.accounts[0].status, "skipped: daily access budget spent (2/2)");
  EXPECT_EQ(f.bank.requests.size(), 2u);  // no third access
  f.t.clock.advance(15h);
  EXPECT_EQ(f.run().accounts[0].status, "fetched");
}

TEST(ConnectorRun, a_transient_error_retries_with_the_server_hint_and_keeps_the_cursor) {
  Fixture f;
  ASSERT_EQ(f.run().outcome.kind, JobOutcome::Kind::succeeded);
  f.t.clock.advance(24h);
  f.bank.next_error = Error{Errc::unavailable, "429 too many requests", ""};
  f.bank.retry_hint = 120s;
  auto r = f.run();
  ASSERT_EQ(r.outcome.kind, JobOutcome::Kind::retry);
  EXPECT_EQ(r.outcome.retry_after, 120s);
  EXPECT_EQ((*f.repo().cursor("spk", kIban))->booked_through, kToday.add_days(-1));
  EXPECT_EQ(f.find_alert(AlertKind::connector_failure, "spk", false), nullptr);
}

TEST(ConnectorRun, the_cursor_stays_when_the_ingest_fails) {
  Fixture f;
  f.bank.garbage = true;
  auto r = f.run();
  EXPECT_EQ(r.outcome.kind, JobOutcome::Kind::permanent);
  EXPECT_FALSE(f.repo().cursor("spk", kIban)->has_value());
  EXPECT_EQ(f.entries(), 0);
}

TEST(ConnectorRun, consent_expiry_alerts_at_14_7_and_1_days) {
  Fixture f;
  f.bank.consent_status.valid_until = kToday.add_days(10);
  ASSERT_EQ(f.run().outcome.kind, JobOutcome::Kind::succeeded);
  const auto* at14 = f.find_alert(AlertKind::consent_expiring, "spk:14", false);
  ASSERT_NE(at14, nullptr);
  EXPECT_THAT(at14->message, HasSubstr("bankrec connector consent spk"));
  EXPECT_THAT(at14->message, HasSubstr("2026-12-02"));
  EXPECT_EQ(f.find_alert(AlertKind::consent_expiring, "spk:7", false), nullptr);
  EXPECT_NE(f.find_alert(AlertKind::consent_expiring, "spk:7", true), nullptr);
  f.alerts.clear();
  f.bank.consent_status.valid_until = kToday.add_days(1);
  (void)f.run();
  ASSERT_NE(f.find_alert(AlertKind::consent_expiring, "spk:1", false), nullptr);
  EXPECT_EQ(f.find_alert(AlertKind::consent_expiring, "spk:1", false)->severity, AlertSeverity::error);
  EXPECT_NE(f.find_alert(AlertKind::consent_expiring, "spk:7", false), nullptr);
}

TEST(ConnectorRun, an_expired_consent_stops_the_connector_with_an_alert_and_a_gap_that_a_new_consent_closes) {
  Fixture f;
  ASSERT_EQ(f.run().outcome.kind, JobOutcome::Kind::succeeded);  // cursor: yesterday
  f.t.clock.advance(24h * 3);
  f.bank.consent_status = {ConsentStatus::State::expired, "consent-1", day(2026, 11, 24), "expired at the bank"};
  auto stopped = f.run();
  EXPECT_EQ(stopped.outcome.kind, JobOutcome::Kind::permanent);
  EXPECT_EQ(stopped.outcome.error.code, Errc::permission_denied);
  EXPECT_TRUE(stopped.stopped);
  const auto* alert = f.find_alert(AlertKind::connector_failure, "spk", false);
  ASSERT_NE(alert, nullptr);
  EXPECT_THAT(alert->message, HasSubstr("`bankrec connector consent spk`"));
  EXPECT_EQ(f.repo().get("spk")->state, "needs_consent");
  auto gaps = f.repo().gaps("spk", true);
  ASSERT_OK(gaps);
  ASSERT_EQ(gaps->size(), 1u);
  EXPECT_EQ((*gaps)[0].account, kIban);
  EXPECT_EQ((*gaps)[0].missing_from, kToday);             // cursor + 1
  EXPECT_EQ((*gaps)[0].missing_to, kToday.add_days(3));   // today

  // While stopped, scheduled runs do nothing (and do not dead-letter).
  const auto before = f.bank.requests.size();
  auto idle = f.run();
  EXPECT_EQ(idle.outcome.kind, JobOutcome::Kind::succeeded);
  EXPECT_TRUE(idle.skipped);
  EXPECT_EQ(f.bank.requests.size(), before);

  // A new consent: active again, and the next run covers the gap, which closes.
  f.bank.consent_status = {ConsentStatus::State::valid, "consent-2", day(2027, 2, 28), ""};
  ASSERT_OK(record_authorisation(f.env, f.settings, f.bank.consent_status, "cli:alice"));
  EXPECT_EQ(f.repo().get("spk")->state, "active");
  auto again = f.run();
  ASSERT_EQ(again.outcome.kind, JobOutcome::Kind::succeeded) << again.outcome.error.message;
  EXPECT_EQ(again.gaps_closed, 1);
  EXPECT_TRUE(f.repo().gaps("spk", true)->empty());
  EXPECT_EQ((*f.repo().consent("spk"))->consent_id, "consent-2");
}

TEST(ConnectorRun, permission_denied_from_the_bank_stops_and_invalid_input_dead_letters) {
  Fixture f;
  f.bank.next_error = Error{Errc::permission_denied, "401 CONSENT_INVALID", ""};
  auto r = f.run();
  EXPECT_EQ(r.outcome.kind, JobOutcome::Kind::permanent);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(f.repo().get("spk")->state, "needs_consent");
  ASSERT_EQ(f.repo().gaps("spk", true)->size(), 1u);
  EXPECT_EQ((*f.repo().gaps("spk", true))[0].missing_from, kToday.add_days(-5));  // no cursor: the history

  Fixture g;
  g.bank.next_error = Error{Errc::invalid_input, "400 FORMAT_ERROR", ""};
  auto bad = g.run();
  EXPECT_EQ(bad.outcome.kind, JobOutcome::Kind::permanent);
  EXPECT_FALSE(bad.stopped);
  EXPECT_EQ(g.repo().get("spk")->state, "active");
  EXPECT_NE(g.find_alert(AlertKind::connector_failure, "spk", false), nullptr);
}

TEST(ConnectorRun, a_configured_account_the_bank_does_not_grant_is_permanent) {
  Fixture f;
  f.settings.accounts = {"DE99999999999999999999"};
  auto r = f.run();
  EXPECT_EQ(r.outcome.kind, JobOutcome::Kind::permanent);
  EXPECT_EQ(r.outcome.error.code, Errc::not_found);
  EXPECT_THAT(r.outcome.error.message, HasSubstr("DE99999999999999999999"));
}

TEST(StoreConnectorState, reads_and_writes_secrets_and_plain_values_atomically) {
  Fixture f;
  StoreConnectorState state(*f.t.store, f.mutex, f.key, "spk");
  connectors::ConnectorState& s = state;
  ASSERT_OK(s.write({{"refresh_token", "rt-1", true, {}}, {"consent_id", "c-9", false, {}}}));
  EXPECT_EQ((*s.read("refresh_token", true))->value, "rt-1");
  EXPECT_EQ((*s.read("consent_id", false))->value, "c-9");
  EXPECT_FALSE(s.read("consent_id", true)->has_value());
  EXPECT_FALSE(s.write({{"refresh_token", "rt-2", true, {}}, {"", "x", false, {}}}));
  EXPECT_EQ((*s.read("refresh_token", true))->value, "rt-1");
}

}  // namespace
}  // namespace bankrec::jobs
