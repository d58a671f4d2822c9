// The admin API's routes one by one: review queue decisions and their audit entries, write-offs
// (approver + step-up), open items, rules (validate, dry run, atomic save + reload), connectors
// (status, log, run now, consent and its callback), preferences and settings.
#include "api_admin_fixture.h"

namespace bankrec::http::admin_test {
namespace {

using ::testing::HasSubstr;

TEST_F(AdminApiTest, review_list_shows_the_line_with_ranked_suggestions) {
  add_all_users();
  const Session viewer = login(Role::viewer);
  const Response r = call("GET", "/api/v1/review", {}, &viewer);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto v = body(r);
  const auto& items = v.at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  const auto& entry = items[0].at("entry");
  EXPECT_EQ(entry.at("id").as_int64(), entry_);
  EXPECT_EQ(entry.at("amount").as_string(), "50.00");
  EXPECT_EQ(entry.at("currency").as_string(), "EUR");
  EXPECT_EQ(entry.at("purpose").as_string(), "Zahlung");
  EXPECT_EQ(entry.at("account_iban").as_string(), "DE89370400440532013000");
  const auto& suggestions = items[0].at("suggestions").as_array();
  ASSERT_EQ(suggestions.size(), 2u);
  EXPECT_EQ(suggestions[0].at("index").as_int64(), 1);
  EXPECT_EQ(suggestions[1].at("index").as_int64(), 2);
  EXPECT_EQ(suggestions[0].at("matches").at(0).at("amount").as_string(), "50.00");
  EXPECT_EQ(suggestions[0].at("matches").at(0).at("partner").as_string(), "4711");
  EXPECT_TRUE(suggestions[0].at("writeoff").is_null());
  EXPECT_TRUE(v.at("next").is_null());

  // Keyset paging: limit 1 gives a cursor, the page after it is empty.
  const Response first = call("GET", "/api/v1/review?limit=1", {}, &viewer);
  ASSERT_EQ(first.status, 200);
  const std::string next(body(first).at("next").as_string());
  const Response second = call("GET", "/api/v1/review?limit=1&after=" + next, {}, &viewer);
  EXPECT_EQ(body(second).at("items").as_array().size(), 0u);
  EXPECT_EQ(call("GET", "/api/v1/review?limit=0", {}, &viewer).status, 400);

  const Response one = call("GET", "/api/v1/review/" + std::to_string(entry_), {}, &viewer);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(body(one).at("history").as_array().size(), 2u);
  EXPECT_EQ(call("GET", "/api/v1/review/999999", {}, &viewer).status, 404);
}

TEST_F(AdminApiTest, accept_reconciles_the_line_and_writes_the_audit_log) {
  add_all_users();
  const Session viewer = login(Role::viewer);
  const Session accountant = login(Role::accountant);
  const std::string path = "/api/v1/review/" + std::to_string(entry_) + "/accept";
  EXPECT_EQ(error_code(call("POST", path, R"({"suggestion":1})", &viewer)), "forbidden");
  EXPECT_EQ(error_code(call("POST", path, R"({"suggestion":1})", &accountant, /*with_csrf=*/false)), "csrf");
  EXPECT_EQ(call("POST", path, R"({"suggestion":4})", &accountant).status, 400);
  EXPECT_EQ(entry_status(), "review");

  const Response r = call("POST", path, R"({"suggestion":2})", &accountant);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r).at("status").as_string(), "reconciled");
  EXPECT_EQ(entry_status(), "reconciled");
  EXPECT_TRUE(audited("accountant-user reconcile.accept")) << ::testing::PrintToString(audit_lines());
  // Accepted once: a second accept conflicts.
  EXPECT_EQ(call("POST", path, R"({"suggestion":1})", &accountant).status, 409);
}

TEST_F(AdminApiTest, match_splits_across_items_and_undo_restores_them) {
  add_all_users();
  const Session accountant = login(Role::accountant);
  const std::string base = "/api/v1/review/" + std::to_string(entry_);
  const Response m = call("POST", base + "/match",
                          R"({"matches":[{"item":"I1","amount":"30.00"},{"item":"I2","amount":"20.00"}],"writeoff":null})",
                          &accountant);
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_EQ(open_minor("I1"), 2000);
  EXPECT_EQ(open_minor("I2"), 3000);
  EXPECT_EQ(call("POST", base + "/match", R"({"matches":[]})", &accountant).status, 400);

  const Response u = call("POST", base + "/undo", "", &accountant);
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(body(u).at("status").as_string(), "review");
  EXPECT_EQ(open_minor("I1"), 5000);
  EXPECT_EQ(open_minor("I2"), 5000);
  EXPECT_EQ(entry_status(), "review");
  EXPECT_EQ(call("POST", base + "/undo", "", &accountant).status, 409);  // nothing standing any more
  EXPECT_TRUE(audited("accountant-user reconcile.undo"));

  const Response n = call("POST", base + "/no-match", R"({"reason":"private transfer"})", &accountant);
  ASSERT_EQ(n.status, 200) << n.body;
  EXPECT_EQ(entry_status(), "unmatched");
  EXPECT_TRUE(audited("private transfer"));
}

TEST_F(AdminApiTest, a_write_off_needs_an_approver_with_a_fresh_code) {
  add_all_users();
  const std::string path = "/api/v1/review/" + std::to_string(entry_) + "/match";
  const std::string body_text =
      R"({"matches":[{"item":"I3","amount":"50.00"}],"writeoff":{"amount":"30.00","reason":"customer insolvent"}})";
  const Session accountant = login(Role::accountant);
  const Response by_accountant = call("POST", path, body_text, &accountant);
  EXPECT_EQ(by_accountant.status, 403);
  EXPECT_EQ(error_code(by_accountant), "forbidden");

  const Session approver = login(Role::approver);
  t_.clock.advance(std::chrono::minutes(6));  // the step-up of the sign-in has lapsed
  EXPECT_EQ(error_code(call("POST", path, body_text, &approver)), "step_up_required");
  const Response step = call("POST", "/api/v1/auth/step-up",
                             json::serialize(json::object{{"code", next_code(secrets_by_role_[Role::approver])}}), &approver);
  ASSERT_EQ(step.status, 200) << step.body;
  // The write-off must be exactly the rest the item keeps open.
  EXPECT_EQ(call("POST", path,
                 R"({"matches":[{"item":"I3","amount":"50.00"}],"writeoff":{"amount":"10.00","reason":"x"}})", &approver)
                .status,
            400);
  const Response r = call("POST", path, body_text, &approver);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(open_minor("I3"), 0);
  EXPECT_EQ(entry_status(), "reconciled");
  EXPECT_TRUE(audited("approver-user reconcile.writeoff"));
  EXPECT_TRUE(audited("customer insolvent"));
}

TEST_F(AdminApiTest, open_items_filter_by_text_status_and_page) {
  add_all_users();
  const Session viewer = login(Role::viewer);
  const Response all = call("GET", "/api/v1/open-items", {}, &viewer);
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(body(all).at("items").as_array().size(), 3u);
  const json::value first = body(all).at("items").at(0);
  EXPECT_EQ(first.at("id").as_string(), "I1");
  EXPECT_EQ(first.at("open_amount").as_string(), "50.00");
  EXPECT_EQ(first.at("partner_name").as_string(), "Muster Wohnen GmbH");
  EXPECT_EQ(body(call("GET", "/api/v1/open-items?q=re-2026-000003", {}, &viewer)).at("items").as_array().size(), 1u);
  EXPECT_EQ(body(call("GET", "/api/v1/open-items?status=closed", {}, &viewer)).at("items").as_array().size(), 0u);
  EXPECT_EQ(body(call("GET", "/api/v1/open-items?partner=9999", {}, &viewer)).at("items").as_array().size(), 0u);
  const Response page1 = call("GET", "/api/v1/open-items?limit=2", {}, &viewer);
  const std::string next(body(page1).at("next").as_string());
  const Response page2 = call("GET", "/api/v1/open-items?limit=2&after=" + next, {}, &viewer);
  ASSERT_EQ(body(page2).at("items").as_array().size(), 1u);
  EXPECT_EQ(body(page2).at("items").at(0).at("id").as_string(), "I3");
  EXPECT_EQ(call("GET", "/api/v1/open-items?status=gone", {}, &viewer).status, 400);
}

TEST_F(AdminApiTest, rules_validate_reports_line_and_key_and_save_needs_step_up) {
  add_all_users();
  const Session admin = login(Role::admin);
  const Response read = call("GET", "/api/v1/rules", {}, &admin);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(body(read).at("yaml").as_string(), "threshold: 85\n");
  EXPECT_EQ(body(read).at("path").as_string(), rules_path_);

  const Response good = call("POST", "/api/v1/rules/validate", R"({"yaml":"threshold: 90"})", &admin);
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_TRUE(body(good).at("ok").as_bool());
  const Response bad = call("POST", "/api/v1/rules/validate", R"({"yaml":"whenn: 1"})", &admin);
  ASSERT_EQ(bad.status, 200) << bad.body;
  EXPECT_FALSE(body(bad).at("ok").as_bool());
  const json::array problems = body(bad).at("problems").as_array();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].at("line").as_int64(), 1);
  EXPECT_EQ(problems[0].at("key").as_string(), "rules[0].when");
  EXPECT_EQ(problems[0].at("message").as_string(), "unknown key 'whenn'");
  EXPECT_EQ(problems[1].at("line").as_int64(), 3);

  // Saving: a bad draft is refused with its problems and leaves the file alone.
  EXPECT_EQ(call("PUT", "/api/v1/rules", R"({"yaml":"whenn: 1"})", &admin).status, 400);
  EXPECT_EQ(testing::read_file(rules_path_), "threshold: 85\n");
  t_.clock.advance(std::chrono::minutes(6));
  EXPECT_EQ(error_code(call("PUT", "/api/v1/rules", R"({"yaml":"threshold: 95"})", &admin)), "step_up_required");
  ASSERT_EQ(call("POST", "/api/v1/auth/step-up",
                 json::serialize(json::object{{"code", next_code(secrets_by_role_[Role::admin])}}), &admin)
                .status,
            200);
  const Response saved = call("PUT", "/api/v1/rules", R"({"yaml":"threshold: 95"})", &admin);
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(testing::read_file(rules_path_), "threshold: 95");
  EXPECT_EQ(reloads_, 1);
  EXPECT_TRUE(audited("admin-user rules.update"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / ".rules.yaml.tmp"));
}

TEST_F(AdminApiTest, dry_run_compares_the_draft_with_the_rules_in_force) {
  add_all_users();
  const Session admin = login(Role::admin);
  // The line is dated 2026-03-16 and the clock stands at 2026-11-22: outside 30 days, inside 366.
  const Response none = call("POST", "/api/v1/rules/dry-run", R"({"yaml":"threshold: 85","days":30})", &admin);
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(body(none).at("entries").as_int64(), 0);
  const Response same = call("POST", "/api/v1/rules/dry-run", R"({"yaml":"threshold: 85","days":366})", &admin);
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(body(same).at("entries").as_int64(), 1);
  EXPECT_EQ(body(same).at("changed").as_array().size(), 0u);
  EXPECT_EQ(body(same).at("summary").at("suggest_before").as_int64(), 1);
  EXPECT_EQ(body(same).at("summary").at("suggest_after").as_int64(), 1);
  EXPECT_EQ(call("POST", "/api/v1/rules/dry-run", R"({"yaml":"whenn: 1","days":30})", &admin).status, 400);
  EXPECT_EQ(call("POST", "/api/v1/rules/dry-run", R"({"yaml":"threshold: 85","days":0})", &admin).status, 400);
}

TEST_F(AdminApiTest, connectors_show_status_and_log_and_run_now_queues_a_job) {
  add_all_users();
  const Session viewer = login(Role::viewer);
  const Response list = call("GET", "/api/v1/connectors", {}, &viewer);
  ASSERT_EQ(list.status, 200) << list.body;
  const json::value item = body(list).at("items").at(0);
  EXPECT_EQ(item.at("name").as_string(), "spk");
  EXPECT_EQ(item.at("type").as_string(), "xs2a");
  EXPECT_TRUE(item.at("enabled").as_bool());
  EXPECT_FALSE(item.at("next_run").is_null());

  const Response log = call("GET", "/api/v1/connectors/spk/log?limit=2", {}, &viewer);
  ASSERT_EQ(log.status, 200) << log.body;
  const json::array rows = body(log).at("items").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("request_id").as_string(), "req-3");  // newest first
  EXPECT_EQ(rows[0].at("status").as_int64(), 200);
  const std::string next(body(log).at("next").as_string());
  const Response older = call("GET", "/api/v1/connectors/spk/log?limit=2&after=" + next, {}, &viewer);
  ASSERT_EQ(body(older).at("items").as_array().size(), 1u);
  EXPECT_EQ(body(older).at("items").at(0).at("request_id").as_string(), "req-1");
  EXPECT_EQ(call("GET", "/api/v1/connectors/nope/log", {}, &viewer).status, 404);

  const Session admin = login(Role::admin);
  EXPECT_EQ(error_code(call("POST", "/api/v1/connectors/spk/run", "", &viewer)), "forbidden");
  const Response run = call("POST", "/api/v1/connectors/spk/run", "", &admin);
  ASSERT_EQ(run.status, 202) << run.body;
  EXPECT_EQ(body(run).at("job_id").as_int64(), 42);
  ASSERT_EQ(runs_.size(), 1u);
  EXPECT_EQ(runs_[0], "spk by admin-user");
  EXPECT_EQ(call("POST", "/api/v1/connectors/nope/run", "", &admin).status, 404);
}

TEST_F(AdminApiTest, consent_starts_with_step_up_and_the_callback_completes_it) {
  add_all_users();
  const Session admin = login(Role::admin);
  const Response start = call("POST", "/api/v1/connectors/spk/consent", "", &admin);
  ASSERT_EQ(start.status, 200) << start.body;
  EXPECT_EQ(body(start).at("url").as_string(), "https://bank.example/authorize?state=s1");
  EXPECT_EQ(body(start).at("approach").as_string(), "redirect");
  ASSERT_EQ(consent_starts_.size(), 1u);
  EXPECT_EQ(consent_starts_[0], "spk https://bankrec.example:8443/api/v1/connectors/callback admin-user");
  t_.clock.advance(std::chrono::minutes(6));
  EXPECT_EQ(error_code(call("POST", "/api/v1/connectors/spk/consent", "", &admin)), "step_up_required");

  // The bank's redirect carries no cookie; the state decides.
  const Response done = call("GET", "/api/v1/connectors/callback?state=s1&code=abc");
  EXPECT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(header(done, "Location"), "/#/connectors?consent=spk");
  const Response wrong = call("GET", "/api/v1/connectors/callback?state=%3Cscript%3E&code=abc");
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(wrong.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(wrong.body, HasSubstr("no authorisation is waiting"));
  EXPECT_THAT(wrong.body, ::testing::Not(HasSubstr("<script>")));
}

TEST_F(AdminApiTest, a_decoupled_consent_has_no_url_and_its_progress_is_polled) {
  add_all_users();
  const Session admin = login(Role::admin);
  const Session viewer = login(Role::viewer);
  EXPECT_EQ(body(call("GET", "/api/v1/connectors/spk/consent", {}, &admin)).at("state").as_string(), "none");
  EXPECT_EQ(call("GET", "/api/v1/connectors/nope/consent", {}, &admin).status, 404);
  EXPECT_EQ(error_code(call("GET", "/api/v1/connectors/spk/consent", {}, &viewer)), "forbidden");

  consent_url_.clear();
  consent_progress_ = ConsentProgress{"decoupled", "pending", "approve the access in the banking app of PSU muster",
                                      "2026-11-22T08:00:00.000Z", "", ""};
  const Response start = call("POST", "/api/v1/connectors/spk/consent", "", &admin);
  ASSERT_EQ(start.status, 200) << start.body;
  const auto started = body(start);
  EXPECT_TRUE(started.at("url").is_null());
  EXPECT_EQ(started.at("approach").as_string(), "decoupled");
  EXPECT_EQ(started.at("state").as_string(), "pending");
  EXPECT_EQ(started.at("message").as_string(), "approve the access in the banking app of PSU muster");
  ASSERT_EQ(consent_starts_.size(), 1u);

  const auto pending = body(call("GET", "/api/v1/connectors/spk/consent", {}, &admin));
  EXPECT_EQ(pending.at("state").as_string(), "pending");
  EXPECT_TRUE(pending.at("finished_at").is_null());
  EXPECT_TRUE(pending.at("valid_until").is_null());

  consent_progress_->state = "valid";
  consent_progress_->finished_at = "2026-11-22T08:00:09.000Z";
  consent_progress_->valid_until = "2027-02-19";
  const Response done = call("GET", "/api/v1/connectors/spk/consent", {}, &admin);
  ASSERT_EQ(done.status, 200) << done.body;
  const auto valid = body(done);
  EXPECT_EQ(valid.at("approach").as_string(), "decoupled");
  EXPECT_EQ(valid.at("state").as_string(), "valid");
  EXPECT_EQ(valid.at("valid_until").as_string(), "2027-02-19");
  EXPECT_EQ(valid.at("finished_at").as_string(), "2026-11-22T08:00:09.000Z");
  // Reading the progress needs no fresh code; starting again does.
  t_.clock.advance(std::chrono::minutes(6));
  EXPECT_EQ(call("GET", "/api/v1/connectors/spk/consent", {}, &admin).status, 200);
  EXPECT_EQ(error_code(call("POST", "/api/v1/connectors/spk/consent", "", &admin)), "step_up_required");
}

TEST_F(AdminApiTest, preferences_are_per_user_and_validated) {
  add_all_users();
  const Session viewer = login(Role::viewer);
  const Session admin = login(Role::admin);
  const Response initial = call("GET", "/api/v1/me/preferences", {}, &viewer);
  ASSERT_EQ(initial.status, 200) << initial.body;
  EXPECT_EQ(body(initial).at("language").as_string(), "en");
  const Response set = call("PUT", "/api/v1/me/preferences", R"({"language":"de","locale":"de-DE"})", &viewer);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(body(call("GET", "/api/v1/me/preferences", {}, &viewer)).at("locale").as_string(), "de-DE");
  EXPECT_EQ(body(call("GET", "/api/v1/me/preferences", {}, &admin)).at("language").as_string(), "en");
  EXPECT_EQ(call("PUT", "/api/v1/me/preferences", R"({"language":"fr"})", &viewer).status, 400);
  EXPECT_EQ(call("PUT", "/api/v1/me/preferences", R"({"locale":"de_DE;x"})", &viewer).status, 400);
  EXPECT_EQ(call("PUT", "/api/v1/me/preferences", R"({"theme":"dark"})", &viewer).status, 400);
  EXPECT_EQ(error_code(call("PUT", "/api/v1/me/preferences", R"({"language":"en"})", &viewer, false)), "csrf");
  EXPECT_TRUE(audited("viewer-user user.preferences"));
}

// "Never chosen" is not "chose English": the console then follows the browser's language.
TEST_F(AdminApiTest, preferences_tell_never_chosen_from_chosen_and_can_be_cleared) {
  add_all_users();
  const Session viewer = login(Role::viewer);
  const Session admin = login(Role::admin);
  EXPECT_FALSE(body(call("GET", "/api/v1/me/preferences", {}, &viewer)).at("chosen").as_bool());
  // Choosing exactly the defaults is a choice.
  const Response set = call("PUT", "/api/v1/me/preferences", R"({"language":"en","locale":"en-GB"})", &viewer);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_TRUE(body(set).at("chosen").as_bool());
  const auto chosen = body(call("GET", "/api/v1/me/preferences", {}, &viewer));
  EXPECT_TRUE(chosen.at("chosen").as_bool());
  EXPECT_EQ(chosen.at("language").as_string(), "en");
  EXPECT_FALSE(body(call("GET", "/api/v1/me/preferences", {}, &admin)).at("chosen").as_bool());
  EXPECT_EQ(error_code(call("DELETE", "/api/v1/me/preferences", {}, &viewer, false)), "csrf");
  const Response cleared = call("DELETE", "/api/v1/me/preferences", {}, &viewer);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_FALSE(body(cleared).at("chosen").as_bool());
  EXPECT_FALSE(body(call("GET", "/api/v1/me/preferences", {}, &viewer)).at("chosen").as_bool());
  // Clearing what was never chosen is no error.
  EXPECT_EQ(call("DELETE", "/api/v1/me/preferences", {}, &admin).status, 200);
  EXPECT_TRUE(audited("viewer-user user.preferences"));
}

TEST_F(AdminApiTest, settings_are_read_only_for_admins) {
  add_all_users();
  const Session admin = login(Role::admin);
  const Response r = call("GET", "/api/v1/settings", {}, &admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(body(r).at("read_only").as_bool());
  EXPECT_EQ(call("PUT", "/api/v1/settings", "{}", &admin).status, 405);
  const Session approver = login(Role::approver);
  EXPECT_EQ(error_code(call("GET", "/api/v1/settings", {}, &approver)), "forbidden");
}

TEST(RulesProblems, splits_the_apps_error_text) {
  const auto p = rules_problems("rules.yaml:12:3: rules[2].strategies[0]: unknown strategy 'fuzzy'\nsomething else\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].line, 12);
  EXPECT_EQ(p[0].key, "rules[2].strategies[0]");
  EXPECT_EQ(p[0].message, "unknown strategy 'fuzzy'");
  EXPECT_EQ(p[1].line, 0);
  EXPECT_EQ(p[1].message, "something else");
}

}  // namespace
}  // namespace bankrec::http::admin_test
