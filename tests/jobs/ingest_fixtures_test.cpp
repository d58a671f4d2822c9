// Ingestion of real bank files through the built-in CAMT and MT940 parsers.
#include "bankrec/domain/json.h"
#include "bankrec/jobs/ingest.h"
#include "bankrec/testing/testing.h"
#include "store_test_util.h"

namespace bankrec::jobs {
namespace {

using store::testing_util::TestStore;

class IngestFixtures : public ::testing::Test {
 protected:
  IngestFixtures() {
    formats::register_builtin_formats(registry_);
    registry_.add(statement_json_format());
  }
  Result<store::ImportResult> ingest(const std::string& name, const std::string& bytes) {
    IngestRequest request;
    request.name = name;
    request.bytes = as_bytes(bytes);
    return ingest_file(*t_.store, registry_, request);
  }
  static std::string fixture(const std::string& relative) {
    return bankrec::testing::read_file(bankrec::testing::source_dir() / "tests/fixtures/formats" / relative);
  }
  std::int64_t count(const std::string& sql) { return *t_.store->db().query_int(sql); }

  TestStore t_;
  formats::FormatRegistry registry_;
};

TEST_F(IngestFixtures, camt053_imports_once) {
  const std::string camt = fixture("camt053/genkgo-camt/camt053.v4.xml");
  auto parsed = formats::parse_collect(*registry_.detect(as_bytes(camt)), as_bytes(camt), {});
  ASSERT_OK(parsed);
  std::int64_t expected = 0;
  for (const auto& s : parsed->statements) expected += static_cast<std::int64_t>(s.entries.size());
  auto r = ingest("camt053.v4.xml", camt);
  ASSERT_OK(r);
  EXPECT_EQ(r->counts.entries_new, expected);
  EXPECT_EQ(r->format.rfind("camt.053", 0), 0u) << r->format;
  auto again = ingest("camt053.v4.xml", camt);
  ASSERT_OK(again);
  EXPECT_TRUE(again->duplicate_file);
  // The same statement through another channel (parsed JSON, as an API would deliver it).
  const std::string json =
      domain::to_json(domain::StatementFile{"api", parsed->format, parsed->statements}) + "\n";
  auto overlap = ingest("api.jsonl", json);
  ASSERT_OK(overlap);
  EXPECT_EQ(overlap->counts.entries_new, 0);
  EXPECT_EQ(overlap->counts.entries_skipped, expected);
  EXPECT_EQ(count("SELECT count(*) FROM entries"), expected);
}

// ABN AMRO repeats ":20:ABN AMRO BANK NV" in every statement and writes NONREF for every line:
// only sequence, date and content tell the lines apart, and none may be lost.
TEST_F(IngestFixtures, mt940_with_repeated_statement_ids_keeps_every_line) {
  const std::string mt940 = fixture("mt940/jejik-mt940/abnamro.txt");
  auto r = ingest("abnamro.sta", mt940);
  ASSERT_OK(r);
  EXPECT_EQ(r->counts.statements, 2);
  EXPECT_EQ(r->counts.entries_new, 10);
  EXPECT_EQ(r->counts.entries_skipped, 0);
  // The sample really has a hole: the second statement does not open with the first one's close.
  EXPECT_THAT(
      r->counts.warnings,
      ::testing::ElementsAre("517852257: opening balance 2876.84 EUR on 2011-05-23 differs from the previous "
                             "closing balance 876.84 on 2011-05-23; statements for 2011-05-23..2011-05-23 "
                             "may be missing"));
  auto changed = ingest("abnamro-copy.sta", mt940 + "\n");
  ASSERT_OK(changed);
  EXPECT_EQ(changed->counts.entries_new, 0);
  EXPECT_EQ(changed->counts.entries_skipped, 10);
}

}  // namespace
}  // namespace bankrec::jobs
