// The entries list's text search plans (entry_search.h): reading the hits by id, walking the list
// and testing each row in C++, and the fallbacks of a walk that runs out of budget must give the
// same pages, in the same order and with the same cursors, for every filter, sort and page size.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bankrec/store/console_data_repo.h"
#include "bankrec/store/import_writer.h"
#include "entry_search.h"
#include "store_test_util.h"

namespace bankrec::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* const kNames[] = {"Müller GmbH", "MUELLER HANS", "Hans Mueller",      "Weiß & Söhne KG",
                              "Anna Groß",   "Jörg Köhler",  "Bäckerei Schröder", "Stadtwerke Köln",
                              "A B Handel",  "Zoë Ærø"};
const char* const kPurposes[] = {"Miete November Whg 12", "Rechnung RE-2024-4711 Kd 17",
                                 "Gehalt Oktober",        "Kartenzahlung Filiale 7",
                                 "Abschlag Strom Gas",    "Mietkaution",
                                 "SVWZ+Miete Dezember",   "Rechnung RE-2025-0001",
                                 "Straßenbau Ausgleich",  "Miete"};
const char* const kIbans[] = {"DE89370400440532013000", "DE02120300000000202051", "DE12500105170648489890"};

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class ConsoleSearchPlansTest : public ::testing::Test {
 protected:
  testing_util::TestStore t;

  void TearDown() override { search::tuning() = search::Tuning{}; }

  /// `n` lines per account in three statements (accounts): words of different frequency, equal
  /// amounts and dates (keyset ties), some lines without a booking date.
  void import_generated(int n) {
    for (int a = 0; a < 3; ++a) {
      const std::string file = std::string(1, static_cast<char>('a' + a)) + ".xml";
      auto w = ImportWriter::begin(*t.store, {file, std::string(64, file[0]), 100, FileSource::cli, "test"});
      ASSERT_TRUE(w) << w.error().describe();
      domain::Statement header;
      header.id = "S-" + file;
      header.account.iban = kIbans[a];
      header.account.currency = "EUR";
      ASSERT_TRUE((*w)->begin_statement(header));
      std::vector<domain::Entry> batch;
      for (int i = 0; i < n; ++i) {
        const std::uint64_t r = mix(static_cast<std::uint64_t>(a * 100000 + i));
        domain::Entry e;
        if (r % 23 != 0)
          e.booking_date = domain::Date{2026, static_cast<std::uint8_t>(10 + (r >> 8) % 2),
                                        static_cast<std::uint8_t>(1 + (r >> 12) % 28)};
        e.amount = domain::Money(static_cast<std::int64_t>((r >> 20) % 40) * 250 - 3000, domain::kEur);
        e.bank_reference = file + "-" + std::to_string(i);
        if ((r >> 30) % 4 == 0) e.end_to_end_id = "E2E-" + std::to_string((r >> 32) % 50);
        e.counterparty.name = kNames[(r >> 36) % std::size(kNames)];
        e.counterparty.iban = kIbans[(r >> 40) % std::size(kIbans)];
        // Most purposes from the list; a few rare words.
        e.remittance = (r >> 44) % 97 == 0 ? "Sonderzahlung " + std::to_string(i)
                                           : kPurposes[(r >> 48) % std::size(kPurposes)];
        batch.push_back(std::move(e));
      }
      ASSERT_TRUE((*w)->add_entries(batch));
      ASSERT_TRUE((*w)->end_statement(header));
      auto done = (*w)->commit();
      ASSERT_TRUE(done) << done.error().describe();
    }
    ASSERT_TRUE(
        t.store->db().exec("UPDATE entries SET status = CASE id % 7 WHEN 0 THEN 'review' WHEN 1 THEN "
                           "'reconciled' WHEN 2 THEN 'unmatched' "
                           "ELSE status END"));
  }

  /// Every page of the list: each row's id and the page's cursor, in order.
  std::vector<std::string> pages(EntryFilter filter, int limit) {
    ConsoleDataRepo repo(*t.store);
    std::vector<std::string> out;
    std::string after;
    for (int guard = 0; guard < 100000; ++guard) {
      auto page = repo.entries(filter, {.limit = limit, .after = after});
      EXPECT_TRUE(page) << page.error().describe();
      if (!page) break;
      for (const auto& row : page->items) out.push_back(std::to_string(row.id));
      out.push_back("| " + page->next.value_or("end"));
      if (!page->next) break;
      after = *page->next;
    }
    return out;
  }
};

TEST(EntrySearchRowTest, matches_terms_as_fts4_does) {
  EXPECT_TRUE(search::body_matches("muel*", "mueller gmbh miete"));
  EXPECT_TRUE(search::body_matches("mueller* miete*", "hans mueller miete november"));
  EXPECT_FALSE(search::body_matches("mueller* kaution*", "hans mueller miete november"));
  EXPECT_FALSE(search::body_matches("ller*", "mueller"));  // a prefix of a word, not a part
  EXPECT_TRUE(search::body_matches("kd", "re 2024 kd 17"));
  EXPECT_FALSE(search::body_matches("kd", "re 2024 kdx 17"));  // short words match whole words only
  EXPECT_TRUE(search::body_matches("de1250*", "x de12500105170648489890"));
  EXPECT_TRUE(search::body_matches("zoe*", "zoe aeroe"));
  EXPECT_TRUE(search::body_matches("a", "a b handel"));
  EXPECT_FALSE(search::body_matches("", "a b handel"));
  EXPECT_FALSE(search::body_matches("miete*", ""));
  EXPECT_TRUE(
      search::body_matches("MIETE*", "Miete-Kaution"));  // the tokenizer folds ASCII and splits on '-'
}

TEST_F(ConsoleSearchPlansTest, every_plan_gives_the_same_pages_for_every_filter_sort_and_page_size) {
  import_generated(700);
  std::vector<EntryFilter> filters;
  for (const char* q : {"miete", "MÜLLER", "mueller hans", "re-2024", "weiss", "sonderzahlung", "kd", "a",
                        "e2e", "DE12 5001", "zzzz", "mie", "gross koehler", "köln miete"}) {
    filters.push_back({.q = q});
    filters.push_back({.q = q, .sort = EntrySort::booking_date_asc});
    filters.push_back({.q = q, .sort = EntrySort::amount_asc});
    filters.push_back({.q = q, .sort = EntrySort::amount_desc});
  }
  for (const char* q : {"miete", "sonderzahlung", "hans"}) {
    filters.push_back({.account_iban = kIbans[1], .q = q});
    filters.push_back(
        {.from = "2026-10-05", .to = "2026-10-20", .q = q, .sort = EntrySort::booking_date_asc});
    filters.push_back({.status = "review", .q = q, .sort = EntrySort::amount_desc});
    filters.push_back({.min_minor = -1000, .max_minor = 500, .q = q, .sort = EntrySort::amount_asc});
    filters.push_back({.account_iban = kIbans[2], .from = "2026-11-01", .status = "unmatched", .q = q});
  }
  // The reference: every search reads its hits by id (the plan of few hits).
  const search::Tuning by_hits{.few_hits = 1'000'000'000, .walk_budget = 0, .mid_hits = 0, .probe_rows = 0};
  const search::Tuning walk{.few_hits = 0, .walk_budget = 1'000'000'000, .mid_hits = 0, .probe_rows = 0};
  const search::Tuning walk_then_by_hits{
      .few_hits = 0, .walk_budget = 40, .mid_hits = 1'000'000'000, .probe_rows = 0};
  const search::Tuning walk_then_materialise{
      .few_hits = 0, .walk_budget = 40, .mid_hits = 0, .probe_rows = 0};
  // A probe that fills the page or gives up after 30 rows, then each plan.
  const search::Tuning probe_then_choose{.probe_rows = 30, .probe_min_lines = 0};
  const search::Tuning probe_then_walk{
      .few_hits = 0, .walk_budget = 1'000'000'000, .mid_hits = 0, .probe_rows = 30, .probe_min_lines = 0};
  int searches_with_hits = 0;
  for (const auto& filter : filters) {
    for (int limit : {7, 50}) {
      search::tuning() = by_hits;
      const auto expected = pages(filter, limit);
      if (expected.size() > 1) ++searches_with_hits;
      for (const auto& tuning : {walk, walk_then_by_hits, walk_then_materialise, probe_then_choose,
                                 probe_then_walk, search::Tuning{}}) {
        search::tuning() = tuning;
        EXPECT_EQ(pages(filter, limit), expected)
            << "q=" << *filter.q << " sort=" << static_cast<int>(filter.sort) << " limit=" << limit
            << " few=" << tuning.few_hits << " budget=" << tuning.walk_budget << " mid=" << tuning.mid_hits
            << " probe=" << tuning.probe_rows;
      }
    }
  }
  EXPECT_GT(searches_with_hits, 80);  // the data gives most searches hits to compare
  // Page size 1 on a few searches: every row is a page boundary.
  for (const char* q : {"sonderzahlung", "kd", "gross koehler"}) {
    search::tuning() = by_hits;
    const auto expected = pages({.q = q, .sort = EntrySort::amount_desc}, 1);
    search::tuning() = walk;
    EXPECT_EQ(pages({.q = q, .sort = EntrySort::amount_desc}, 1), expected) << q;
  }
}

TEST_F(ConsoleSearchPlansTest, common_words_walk_the_list_and_a_walk_out_of_budget_reads_the_hits) {
  import_generated(1500);  // "miete" on about a third of 4,500 lines
  search::tuning().few_hits = 500;
  search::tuning().probe_rows = 0;
  ConsoleDataRepo repo(*t.store);
  std::vector<std::string> plan;
  auto page = repo.entries({.q = "miete"}, {.limit = 50, .after = {}}, &plan);
  ASSERT_TRUE(page) << page.error().describe();
  EXPECT_EQ(page->items.size(), 50u);
  std::string text;
  for (const auto& line : plan) text += line + "\n";
  EXPECT_THAT(text, Not(HasSubstr("VIRTUAL TABLE")));                // tested row by row, no hit is read
  EXPECT_THAT(text, HasSubstr("USING INDEX entries_booking_date"));  // in list order

  // With the probe (a walk of up to 1,000 rows) first: the page is the same.
  search::tuning().probe_rows = 1000;
  search::tuning().probe_min_lines = 0;
  plan.clear();
  auto probed = repo.entries({.q = "miete"}, {.limit = 50, .after = {}}, &plan);
  ASSERT_TRUE(probed) << probed.error().describe();
  ASSERT_EQ(probed->items.size(), 50u);
  for (std::size_t i = 0; i < 50; ++i) EXPECT_EQ(probed->items[i].id, page->items[i].id);
  text.clear();
  for (const auto& line : plan) text += line + "\n";
  EXPECT_THAT(text, Not(HasSubstr("VIRTUAL TABLE")));

  // A walk that tests 10 rows at most gives up and the hits are collected instead.
  search::tuning().probe_rows = 0;
  search::tuning().walk_budget = 10;
  search::tuning().mid_hits = 0;
  plan.clear();
  auto exact = repo.entries({.q = "miete"}, {.limit = 50, .after = {}}, &plan);
  ASSERT_TRUE(exact) << exact.error().describe();
  ASSERT_EQ(exact->items.size(), 50u);
  for (std::size_t i = 0; i < 50; ++i) EXPECT_EQ(exact->items[i].id, page->items[i].id);
  text.clear();
  for (const auto& line : plan) text += line + "\n";
  EXPECT_THAT(text, HasSubstr("VIRTUAL TABLE"));
}

TEST_F(ConsoleSearchPlansTest, no_hits_read_no_rows_but_still_check_the_cursor) {
  import_generated(50);
  ConsoleDataRepo repo(*t.store);
  auto page = repo.entries({.q = "zzzznotthere"}, {.limit = 50, .after = {}});
  ASSERT_TRUE(page) << page.error().describe();
  EXPECT_TRUE(page->items.empty());
  EXPECT_FALSE(page->next);
  EXPECT_FALSE(repo.entries({.q = "zzzznotthere"}, {.limit = 50, .after = "garbage"}));
}

}  // namespace
}  // namespace bankrec::store
