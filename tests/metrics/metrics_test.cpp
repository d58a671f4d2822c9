#include "bankrec/metrics/metrics.h"

#include <thread>

#include "bankrec/testing/testing.h"

namespace bankrec::metrics {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, renders_counters_with_labels_in_prometheus_text) {
  Registry registry;
  auto& imported = registry.counter("bankrec_jobs_entries_imported_total", "entries stored", {"source", "format"});
  imported.with({"inbox", "camt.053"}).inc(3);
  imported.with({"api", "xs2a"}).inc();
  const std::string text = registry.render();
  EXPECT_THAT(text, HasSubstr("# HELP bankrec_jobs_entries_imported_total entries stored\n"
                              "# TYPE bankrec_jobs_entries_imported_total counter\n"));
  EXPECT_THAT(text, HasSubstr("bankrec_jobs_entries_imported_total{source=\"api\",format=\"xs2a\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("bankrec_jobs_entries_imported_total{source=\"inbox\",format=\"camt.053\"} 3\n"));
}

TEST(Metrics, gauges_and_unlabelled_series) {
  Registry registry;
  auto& depth = registry.gauge("bankrec_jobs_dead_letters", "dead letters waiting").unlabelled();
  depth.set(5);
  depth.add(-2);
  EXPECT_THAT(registry.render(), HasSubstr("bankrec_jobs_dead_letters 3\n"));
}

TEST(Metrics, histograms_are_cumulative_with_sum_and_count) {
  Registry registry;
  auto& h = registry.histogram("bankrec_formats_parse_seconds", "parse time", {0.1, 1}, {"format"}).with({"mt940"});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(2);
  const std::string text = registry.render();
  EXPECT_THAT(text, HasSubstr("bankrec_formats_parse_seconds_bucket{format=\"mt940\",le=\"0.1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("bankrec_formats_parse_seconds_bucket{format=\"mt940\",le=\"1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("bankrec_formats_parse_seconds_bucket{format=\"mt940\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("bankrec_formats_parse_seconds_sum{format=\"mt940\"} 2.55\n"));
  EXPECT_THAT(text, HasSubstr("bankrec_formats_parse_seconds_count{format=\"mt940\"} 3\n"));
}

TEST(Metrics, escapes_label_values) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Metrics, concurrent_increments_are_not_lost) {
  Registry registry;
  auto& c = registry.counter("bankrec_test_total", "t").unlabelled();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.inc();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
}

}  // namespace
}  // namespace bankrec::metrics
