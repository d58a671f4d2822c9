#include "bankrec/store/alerts_repo.h"

#include "bankrec/testing/testing.h"
#include "store_test_util.h"

namespace bankrec::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::TestStore;
using namespace std::chrono;

NewAlert parser_failure(std::string message = "cannot read day1.sta") {
  return {"parser_failure", "file:day1.sta", "error", std::move(message), "source_file", "7"};
}

const std::vector<std::string> kChannels = {"email", "webhook"};

TEST(AlertsRepo, raising_twice_counts_instead_of_notifying_again) {
  TestStore t;
  AlertsRepo repo(*t.store);
  auto first = repo.raise(parser_failure(), kChannels, {"d1", "d2"});
  ASSERT_OK(first);
  EXPECT_TRUE(first->created);
  t.clock.advance(minutes(5));
  auto second = repo.raise(parser_failure("still cannot read day1.sta"), kChannels, {"d3", "d4"});
  ASSERT_OK(second);
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->alert_id, first->alert_id);
  EXPECT_EQ(second->occurrences, 2);

  auto open = repo.find_open("parser_failure", "file:day1.sta");
  ASSERT_OK(open);
  ASSERT_TRUE(open->has_value());
  EXPECT_EQ((*open)->message, "still cannot read day1.sta");
  EXPECT_EQ((*open)->occurrences, 2);
  EXPECT_EQ((*open)->created_at, "2026-11-22T09:00:00.000Z");
  EXPECT_EQ((*open)->last_seen_at, "2026-11-22T09:05:00.000Z");
  EXPECT_EQ((*open)->object_id, "7");

  auto deliveries = repo.deliveries_of(first->alert_id);
  ASSERT_OK(deliveries);
  ASSERT_EQ(deliveries->size(), 2u);
  EXPECT_EQ((*deliveries)[0].channel, "email");
  EXPECT_EQ((*deliveries)[0].event, "raised");
  EXPECT_EQ((*deliveries)[0].delivery_id, "d1");
  EXPECT_EQ((*deliveries)[1].channel, "webhook");
}

TEST(AlertsRepo, resolve_queues_a_notice_and_a_new_raise_opens_a_new_alert) {
  TestStore t;
  AlertsRepo repo(*t.store);
  const auto first = repo.raise(parser_failure(), {"email"}, {"d1"});
  ASSERT_OK(first);
  auto resolved = repo.resolve("parser_failure", "file:day1.sta", {"email"}, {"d2"});
  ASSERT_OK(resolved);
  EXPECT_EQ(*resolved, first->alert_id);
  auto again = repo.resolve("parser_failure", "file:day1.sta", {"email"}, {"d3"});
  ASSERT_OK(again);
  EXPECT_FALSE(again->has_value());

  auto deliveries = repo.deliveries_of(first->alert_id);
  ASSERT_OK(deliveries);
  ASSERT_EQ(deliveries->size(), 2u);
  EXPECT_EQ((*deliveries)[1].event, "resolved");

  auto reopened = repo.raise(parser_failure(), {"email"}, {"d4"});
  ASSERT_OK(reopened);
  EXPECT_TRUE(reopened->created);
  EXPECT_NE(reopened->alert_id, first->alert_id);
  auto all = repo.list(/*open_only=*/false, 10);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  auto open = repo.list(/*open_only=*/true, 10);
  ASSERT_OK(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].id, reopened->alert_id);
  EXPECT_EQ(repo.get(first->alert_id)->state, "resolved");
}

TEST(AlertsRepo, delivery_outbox_records_attempts_errors_and_sends) {
  TestStore t;
  AlertsRepo repo(*t.store);
  ASSERT_OK(repo.raise(parser_failure(), kChannels, {"d1", "d2"}));
  auto due = repo.due_deliveries(t.clock.now(), 10);
  ASSERT_OK(due);
  ASSERT_EQ(due->size(), 2u);
  ASSERT_OK(repo.mark_failed((*due)[0].id, "smtp delivery failed: connection refused", t.clock.now() + minutes(1),
                             /*abandon=*/false));
  ASSERT_OK(repo.mark_sent((*due)[1].id));
  EXPECT_ERR(repo.mark_sent((*due)[1].id), Errc::conflict, HasSubstr("not pending"));

  auto now_due = repo.due_deliveries(t.clock.now(), 10);
  ASSERT_OK(now_due);
  EXPECT_TRUE(now_due->empty());
  t.clock.advance(minutes(1));
  auto later = repo.due_deliveries(t.clock.now(), 10);
  ASSERT_OK(later);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].attempts, 1);
  EXPECT_EQ((*later)[0].last_error, "smtp delivery failed: connection refused");
  EXPECT_EQ(*repo.count_sent_since("webhook", t.clock.now() - hours(1)), 1);
  EXPECT_EQ(*repo.count_sent_since("email", t.clock.now() - hours(1)), 0);

  ASSERT_OK(repo.mark_failed((*later)[0].id, "smtp server refused the message", t.clock.now(), /*abandon=*/true));
  auto none = repo.due_deliveries(t.clock.now() + hours(24), 10);
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TEST(AlertsRepo, acknowledge_and_validation) {
  TestStore t;
  AlertsRepo repo(*t.store);
  const auto a = repo.raise(parser_failure(), {}, {});
  ASSERT_OK(a);
  ASSERT_OK(repo.acknowledge(a->alert_id, "alice"));
  EXPECT_EQ(repo.get(a->alert_id)->acknowledged_by, "alice");
  EXPECT_ERR(repo.acknowledge(999, "alice"), Errc::not_found, HasSubstr("no alert"));
  NewAlert bad = parser_failure();
  bad.kind = "Parser Failure";
  EXPECT_ERR(repo.raise(bad, {}, {}), Errc::invalid_input, HasSubstr("kind"));
  bad = parser_failure();
  bad.severity = "fatal";
  EXPECT_ERR(repo.raise(bad, {}, {}), Errc::invalid_input, HasSubstr("severity"));
  EXPECT_ERR(repo.raise(parser_failure(), {"sms"}, {"x"}), Errc::invalid_input, HasSubstr("channel"));
  EXPECT_ERR(repo.list(false, 0), Errc::invalid_input, HasSubstr("limit"));
}

}  // namespace
}  // namespace bankrec::store
