// Connector state on a real SQLCipher file: secrets encrypted under the connectors key, atomic
// writes, config sync, connection log retention, cursors, access counts, consents and gap tasks.
#include "bankrec/store/connectors_repo.h"

#include <sys/stat.h>

#include "bankrec/testing/testing.h"
#include "store_test_util.h"

namespace bankrec::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::TestStore;
using namespace std::chrono;

domain::Date day(int y, unsigned m, unsigned d) { return *domain::Date::make(y, m, d); }

struct Fixture {
  TestStore t;
  SecretKey key = SecretKey::generate();
  ConnectorsRepo repo{*t.store, key};
  Fixture() {
    EXPECT_TRUE(repo.sync({{"spk", "xs2a", R"({"base_url":"https://x"})", "daily 06:00", true},
                           {"bridge", "bridge", "{}", "every 4h", true}},
                          "test")
                    .has_value());
  }
};

TEST(ConnectorsRepo, sync_adds_updates_and_disables_connectors_with_audit) {
  Fixture f;
  auto rows = f.repo.list();
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].name, "spk");
  EXPECT_EQ((*rows)[1].schedule, "daily 06:00");
  EXPECT_EQ((*rows)[1].state, "active");
  ASSERT_OK(f.repo.sync({{"spk", "xs2a", "{}", "every 1h", true}}, "test"));
  auto spk = f.repo.get("spk");
  ASSERT_OK(spk);
  EXPECT_EQ(spk->schedule, "every 1h");
  auto bridge = f.repo.get("bridge");
  ASSERT_OK(bridge);
  EXPECT_FALSE(bridge->enabled);  // kept for its history, but off
  auto configured = f.t.store->db().query_int("SELECT count(*) FROM audit_log WHERE action = 'connector.configure'");
  ASSERT_OK(configured);
  EXPECT_EQ(*configured, 4);  // two new, one changed, one disabled
  EXPECT_EQ(f.repo.get("nope").error().code, Errc::not_found);
}

TEST(ConnectorsRepo, secrets_are_encrypted_inside_the_database_and_bound_to_connector_and_kind) {
  Fixture f;
  const std::string secret = "s3cr3t-client-secret-value";
  ASSERT_OK(f.repo.store_secret("spk", "client_secret", secret, "cli:alice"));
  auto back = f.repo.read("spk", "client_secret", /*secret=*/true);
  ASSERT_OK(back);
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->value, secret);
  // The stored bytes do not contain the value.
  auto raw = f.t.store->db().query_texts("SELECT ciphertext FROM connector_tokens");
  ASSERT_OK(raw);
  ASSERT_EQ(raw->size(), 1u);
  EXPECT_EQ((*raw)[0].find(secret), std::string::npos);
  // Audited without the value.
  auto details = f.t.store->db().query_texts("SELECT details FROM audit_log WHERE action = 'connector.secret'");
  ASSERT_OK(details);
  ASSERT_EQ(details->size(), 1u);
  EXPECT_EQ((*details)[0], R"({"kind":"client_secret"})");
  // Another key cannot read it.
  SecretKey other = SecretKey::generate();
  ConnectorsRepo wrong(*f.t.store, other);
  auto refused = wrong.read("spk", "client_secret", true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::permission_denied);
  EXPECT_THAT(refused.error().message, HasSubstr("connectors.key"));
  // A row moved to another kind does not decrypt.
  ASSERT_OK(f.t.store->db().exec("UPDATE connector_tokens SET kind = 'refresh_token'"));
  auto moved = f.repo.read("spk", "refresh_token", true);
  ASSERT_FALSE(moved);
  EXPECT_THAT(moved.error().message, HasSubstr("another connector or kind"));
  EXPECT_EQ(f.repo.store_secret("spk", "client_secret", "", "x").error().code, Errc::invalid_input);
}

TEST(ConnectorsRepo, writes_are_atomic_and_plain_values_stay_plain) {
  Fixture f;
  const auto expires = sys_days{year{2026} / 11 / 22} + hours(10);
  ASSERT_OK(f.repo.write("spk", {{"access_token", "at-1", true, expires},
                                 {"refresh_token", "rt-1", true, {}},
                                 {"consent_id", "c-1", false, {}}}));
  auto at = f.repo.read("spk", "access_token", true);
  ASSERT_OK(at);
  ASSERT_TRUE(at->has_value());
  EXPECT_EQ((*at)->value, "at-1");
  ASSERT_TRUE((*at)->expires.has_value());
  EXPECT_EQ(*(*at)->expires, expires);
  auto consent = f.repo.read("spk", "consent_id", false);
  ASSERT_OK(consent);
  EXPECT_EQ((*consent)->value, "c-1");
  EXPECT_FALSE(f.repo.read("spk", "consent_id", true)->has_value());  // plain and secret are apart

  // A batch with a bad key changes nothing: the rotated pair lands together or not at all.
  auto bad = f.repo.write("spk", {{"refresh_token", "rt-2", true, {}}, {"bad key!", "x", false, {}}});
  ASSERT_FALSE(bad);
  EXPECT_EQ((*f.repo.read("spk", "refresh_token", true))->value, "rt-1");
  auto unknown = f.repo.write("ghost", {{"refresh_token", "rt-2", true, {}}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::not_found);

  ASSERT_OK(f.repo.write("spk", {{"refresh_token", "rt-2", true, {}}, {"access_token", std::nullopt, true, {}}}));
  EXPECT_EQ((*f.repo.read("spk", "refresh_token", true))->value, "rt-2");
  EXPECT_FALSE(f.repo.read("spk", "access_token", true)->has_value());
  auto kinds = f.repo.secret_kinds("spk");
  ASSERT_OK(kinds);
  EXPECT_THAT(*kinds, ElementsAre("refresh_token"));
}

TEST(ConnectorsRepo, connection_log_is_listed_newest_first_and_pruned) {
  Fixture f;
  std::vector<ConnectionLogRow> rows;
  for (int i = 0; i < 3; ++i)
    rows.push_back({0, "2026-0" + std::to_string(i + 1) + "-01T00:00:00.000Z", "spk", "DE02", "transactions",
                    i == 2 ? "http_503" : "ok", i == 2 ? 503 : 200, "req-" + std::to_string(i), 10 * i});
  ASSERT_OK(f.repo.append_log(rows));
  auto listed = f.repo.log("spk", 2);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].request_id, "req-2");
  EXPECT_EQ((*listed)[0].http_status, 503);
  EXPECT_EQ((*listed)[0].elapsed_ms, 20);
  auto removed = f.repo.prune_log(sys_days{year{2026} / 2 / 15});
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 2);
  EXPECT_EQ(f.repo.log("spk", 10)->size(), 1u);
}

TEST(ConnectorsRepo, cursor_moves_only_forward_and_access_counts_per_day) {
  Fixture f;
  EXPECT_FALSE(f.repo.cursor("spk", "DE02")->has_value());
  ASSERT_OK(f.repo.set_cursor("spk", "DE02", day(2026, 11, 20)));
  ASSERT_OK(f.repo.set_cursor("spk", "DE02", day(2026, 11, 18)));
  auto c = f.repo.cursor("spk", "DE02");
  ASSERT_OK(c);
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->booked_through, day(2026, 11, 20));
  EXPECT_EQ((*c)->last_success_at, "2026-11-22T09:00:00.000Z");

  EXPECT_EQ(*f.repo.accesses("spk", "DE02", day(2026, 11, 22)), 0);
  EXPECT_EQ(*f.repo.count_access("spk", "DE02", day(2026, 11, 22)), 1);
  EXPECT_EQ(*f.repo.count_access("spk", "DE02", day(2026, 11, 22)), 2);
  EXPECT_EQ(*f.repo.count_access("spk", "DE03", day(2026, 11, 22)), 1);
  EXPECT_EQ(*f.repo.count_access("spk", "DE02", day(2026, 11, 23)), 1);
  EXPECT_EQ(*f.repo.accesses("spk", "DE02", day(2026, 11, 22)), 2);
}

TEST(ConnectorsRepo, consent_records_keep_history_and_are_audited) {
  Fixture f;
  EXPECT_FALSE(f.repo.consent("spk")->has_value());
  ASSERT_OK(f.repo.record_consent("spk", "c-1", "valid", day(2027, 2, 20), "cli:alice"));
  ASSERT_OK(f.repo.record_consent("spk", "c-1", "valid", day(2027, 2, 20), "spk"));  // unchanged: no audit
  ASSERT_OK(f.repo.record_consent("spk", "c-1", "expired", day(2027, 2, 20), "spk"));
  ASSERT_OK(f.repo.record_consent("spk", "c-2", "valid", day(2027, 5, 1), "cli:alice"));
  auto now = f.repo.consent("spk");
  ASSERT_OK(now);
  EXPECT_EQ((*now)->consent_id, "c-2");
  EXPECT_EQ((*now)->valid_until, day(2027, 5, 1));
  EXPECT_EQ(*f.t.store->db().query_int("SELECT count(*) FROM connector_consents"), 2);
  EXPECT_EQ(*f.t.store->db().query_int("SELECT count(*) FROM audit_log WHERE action = 'connector.consent'"), 3);
  EXPECT_FALSE(f.repo.record_consent("spk", "c-3", "bogus", {}, "x"));
}

/// A statement row of `iban` over [from, to] with balances.
void add_statement(Store& s, const std::string& iban, const std::string& from, const std::string& to,
                   std::optional<std::int64_t> opening, std::optional<std::int64_t> closing) {
  auto& db = s.db();
  ASSERT_OK(db.exec("INSERT OR IGNORE INTO accounts(account_key, iban, currency, created_at) VALUES ('" + iban +
                    "|EUR', '" + iban + "', 'EUR', 'x')"));
  ASSERT_OK(db.exec("INSERT INTO source_files(sha256, name, size, source, actor, received_at, status) VALUES "
                    "(hex(randomblob(32)), 'f.xml', 1, 'upload', 'a', 'x', 'processed')"));
  const std::string file_id = std::to_string(db.last_insert_rowid());
  auto q = db.prepare("INSERT INTO statements(account_id, source_file_id, statement_key, from_date, to_date, "
                      "opening_minor, closing_minor, header_json) VALUES ((SELECT id FROM accounts WHERE iban = ?1), ?2, "
                      "?3, ?4, ?5, ?6, ?7, '{}')");
  ASSERT_OK(q);
  q->bind(1, iban).bind(2, std::stoll(file_id)).bind(3, from + to).bind(4, from).bind(5, to);
  if (opening) q->bind(6, *opening); else q->bind_null(6);
  if (closing) q->bind(7, *closing); else q->bind_null(7);
  ASSERT_OK(q->run());
}

TEST(ConnectorsRepo, gap_opens_once_widens_and_closes_when_statements_cover_it) {
  Fixture f;
  auto id = f.repo.open_gap("spk", "DE02", day(2026, 11, 10), day(2026, 11, 16), "consent expired");
  ASSERT_OK(id);
  auto again = f.repo.open_gap("spk", "DE02", day(2026, 11, 12), day(2026, 11, 18), "consent expired");
  ASSERT_OK(again);
  EXPECT_EQ(*again, *id);
  auto open = f.repo.gaps("spk", true);
  ASSERT_OK(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].missing_from, day(2026, 11, 10));
  EXPECT_EQ((*open)[0].missing_to, day(2026, 11, 18));

  // 10..13 and 16..18 with a weekend between whose balances chain; 14..15 missing only on paper.
  add_statement(*f.t.store, "DE02", "2026-11-09", "2026-11-13", 0, 500);
  EXPECT_EQ(*f.repo.close_covered_gaps(), 0);  // 14..18 not covered yet
  add_statement(*f.t.store, "DE02", "2026-11-16", "2026-11-18", 700, 900);
  EXPECT_EQ(*f.repo.close_covered_gaps(), 0);  // 500 != 700: lines are missing in between
  add_statement(*f.t.store, "DE02", "2026-11-14", "2026-11-15", 500, 700);
  EXPECT_EQ(*f.repo.close_covered_gaps(), 1);
  auto all = f.repo.gaps("", false);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_TRUE((*all)[0].closed_at.has_value());
  EXPECT_THAT(*(*all)[0].closed_reason, HasSubstr("covered by 3"));
  EXPECT_TRUE(f.repo.gaps("spk", true)->empty());
}

TEST(ConnectorsRepo, gap_with_a_balance_break_between_adjacent_statements_stays_open) {
  Fixture f;
  ASSERT_OK(f.repo.open_gap("spk", "DE09", day(2026, 11, 1), day(2026, 11, 4), "consent revoked"));
  add_statement(*f.t.store, "DE09", "2026-11-01", "2026-11-02", 0, 100);
  add_statement(*f.t.store, "DE09", "2026-11-03", "2026-11-04", 150, 200);
  EXPECT_EQ(*f.repo.close_covered_gaps(), 0);
  add_statement(*f.t.store, "DE08", "2026-11-01", "2026-11-04", std::nullopt, std::nullopt);  // another account
  EXPECT_EQ(*f.repo.close_covered_gaps(), 0);
}

TEST(ConnectorsRepo, connectors_key_file_is_created_once_with_mode_0600) {
  bankrec::testing::TempDir dir;
  KeyLocations where{"", "", dir.path()};
  EXPECT_EQ(open_connectors_key(where, false).error().code, Errc::not_found);
  auto made = open_connectors_key(where, true);
  ASSERT_OK(made);
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "connectors.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = open_connectors_key(where, true);
  ASSERT_OK(again);
  EXPECT_TRUE(std::equal(made->bytes().begin(), made->bytes().end(), again->bytes().begin()));
  ASSERT_EQ(::chmod((dir.path() / "connectors.key").c_str(), 0644), 0);
  EXPECT_EQ(open_connectors_key(where, false).error().code, Errc::permission_denied);
}

}  // namespace
}  // namespace bankrec::store
