// The entries list's text search plans (entry_search.h): reading the hits by id, walking the list
// and testing each row in C++, and the fallbacks of a walk that runs out of budget must give the
// same pages, in the same order and with the same cursors, for every filter, sort and page size.
#include <algorithm>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bankrec/store/console_data_repo.h"
#include "bankrec/store/import_writer.h"
#include "entry_search.h"
#include "schema.h"
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
                        "e2e", "DE12 5001", "zzzz", "mie", "gross koehler", "köln miete", "re 2024 4711",
                        "hans miete november", "sonderzahlung 1", "re-2025-0001 müller", "stadtwerke zzzz",
                        "de89370400440532013000", "a-b 17", "e2e-4 weiss"}) {
    filters.push_back({.q = q});
    filters.push_back({.q = q, .sort = EntrySort::booking_date_asc});
    filters.push_back({.q = q, .sort = EntrySort::amount_asc});
    filters.push_back({.q = q, .sort = EntrySort::amount_desc});
  }
  for (const char* q : {"miete", "sonderzahlung", "hans", "mueller miete", "re 2024"}) {
    filters.push_back({.account_iban = kIbans[1], .q = q});
    filters.push_back(
        {.from = "2026-10-05", .to = "2026-10-20", .q = q, .sort = EntrySort::booking_date_asc});
    filters.push_back({.status = "review", .q = q, .sort = EntrySort::amount_desc});
    filters.push_back({.min_minor = -1000, .max_minor = 500, .q = q, .sort = EntrySort::amount_asc});
    filters.push_back({.account_iban = kIbans[2], .from = "2026-11-01", .status = "unmatched", .q = q});
    filters.push_back({.min_minor = -2000, .q = q});
    filters.push_back({.from = "2026-10-03", .q = q, .sort = EntrySort::amount_desc});
    filters.push_back({.account_iban = kIbans[0], .status = "reconciled", .q = q, .sort = EntrySort::booking_date_asc});
  }
  // The reference: every search reads its hits by id from the index (FTS4 decides what matches).
  const search::Tuning by_hits{.force = search::Force::by_hits};
  const search::Tuning by_rarest{.force = search::Force::by_rarest};
  const search::Tuning walk{.walk_budget = 1'000'000'000, .force = search::Force::walk};
  const search::Tuning walk_then_materialise{.walk_budget = 40, .force = search::Force::walk};
  const search::Tuning walk_then_materialise_rarest{
      .walk_budget = 40, .collect_cost = 0, .force = search::Force::walk};
  const search::Tuning materialise{.force = search::Force::materialise};
  const search::Tuning materialise_rarest{.force = search::Force::materialise_rarest};
  // Chosen from the statistics, with bounds that make this small data take every branch.
  const search::Tuning chosen_small{.few_lines = 20, .dense_tests = 30, .walk_min = 5, .walk_budget = 40};
  const search::Tuning chosen_rarest{.few_lines = 20, .dense_tests = 0, .collect_cost = 0};
  // Filters on more lines than this are wide: a range does not drive the walk, nor the account.
  const search::Tuning chosen_wide{.few_lines = 20, .dense_tests = 30, .walk_min = 5, .walk_budget = 40,
                                   .filter_lines = 10};
  const search::Tuning materialise_wide{.filter_lines = 10, .force = search::Force::materialise_rarest};
  // No filter walked for its few lines: the plans of the terms alone, with the filters' drives.
  const search::Tuning chosen_unwalked{.few_lines = 20, .dense_tests = 30, .walk_min = 5, .walk_budget = 40,
                                       .filter_lines = 10, .filter_walk = -1};
  const search::Tuning chosen_collected{.few_lines = 20, .dense_tests = 0, .filter_walk = -1};
  int searches_with_hits = 0;
  for (const auto& filter : filters) {
    for (int limit : {7, 50}) {
      search::tuning() = by_hits;
      const auto expected = pages(filter, limit);
      if (expected.size() > 1) ++searches_with_hits;
      for (const auto& tuning : {by_rarest, walk, walk_then_materialise, walk_then_materialise_rarest,
                                 materialise, materialise_rarest, chosen_small, chosen_rarest, chosen_wide,
                                 materialise_wide, chosen_unwalked, chosen_collected, search::Tuning{}}) {
        search::tuning() = tuning;
        EXPECT_EQ(pages(filter, limit), expected)
            << "q=" << *filter.q << " sort=" << static_cast<int>(filter.sort) << " limit=" << limit
            << " force=" << static_cast<int>(tuning.force) << " few=" << tuning.few_lines
            << " dense=" << tuning.dense_tests << " budget=" << tuning.walk_budget
            << " collect=" << tuning.collect_cost;
      }
    }
  }
  EXPECT_GT(searches_with_hits, 80);  // the data gives most searches hits to compare
  // Page size 1 on a few searches: every row is a page boundary.
  for (const char* q : {"sonderzahlung", "kd", "gross koehler", "hans mueller"}) {
    search::tuning() = by_hits;
    const auto expected = pages({.q = q, .sort = EntrySort::amount_desc}, 1);
    for (const auto& tuning : {walk, materialise_rarest, by_rarest}) {
      search::tuning() = tuning;
      EXPECT_EQ(pages({.q = q, .sort = EntrySort::amount_desc}, 1), expected) << q;
    }
  }
}

TEST_F(ConsoleSearchPlansTest, common_words_walk_the_list_and_a_walk_out_of_budget_reads_the_hits) {
  import_generated(1500);  // "miete" on about a third of 4,500 lines
  search::tuning().few_lines = 500;
  ConsoleDataRepo repo(*t.store);
  std::vector<std::string> plan;
  auto page = repo.entries({.q = "miete"}, {.limit = 50, .after = {}}, &plan);
  ASSERT_TRUE(page) << page.error().describe();
  EXPECT_EQ(page->items.size(), 50u);
  std::string text;
  for (const auto& line : plan) text += line + "\n";
  EXPECT_THAT(text, Not(HasSubstr("VIRTUAL TABLE")));                // tested row by row, no hit is read
  EXPECT_THAT(text, HasSubstr("USING INDEX entries_booking_date"));  // in list order

  // A walk that tests 10 rows at most gives up and the hits are collected instead.
  search::tuning().walk_min = 1;
  search::tuning().walk_budget = 10;
  plan.clear();
  auto exact = repo.entries({.q = "miete"}, {.limit = 50, .after = {}}, &plan);
  ASSERT_TRUE(exact) << exact.error().describe();
  ASSERT_EQ(exact->items.size(), 50u);
  for (std::size_t i = 0; i < 50; ++i) EXPECT_EQ(exact->items[i].id, page->items[i].id);
  text.clear();
  for (const auto& line : plan) text += line + "\n";
  EXPECT_THAT(text, HasSubstr("USING INDEX entries_booking_date"));  // still in list order
  EXPECT_THAT(text, Not(HasSubstr("TEMP B-TREE")));                  // no hit sorted
}

TEST_F(ConsoleSearchPlansTest, the_statistics_choose_no_hits_the_rarest_word_or_a_walk) {
  import_generated(1500);
  const auto chosen = [&](const char* q) {
    auto p = search::plan(t.store->db(), search::match_expression(q), 51);
    EXPECT_TRUE(p) << p.error().describe();
    return p ? *p : search::Plan{};
  };
  // A word on no line: no hits, whatever the other words.
  for (const char* q : {"zzzznotthere", "miete zzzznotthere", "qq", "re-2031", "sonderzahlung 99999999"})
    EXPECT_EQ(chosen(q).kind, search::PlanKind::no_hits) << q;
  // A rare word beside common ones: its lines read by id, each tested for the others.
  const search::Plan rare = chosen("miete sonderzahlung");
  EXPECT_EQ(rare.kind, search::PlanKind::by_hits);
  EXPECT_EQ(rare.source, "sonderzahlung*");
  EXPECT_TRUE(rare.test);
  const search::Plan alone = chosen("sonderzahlung");
  EXPECT_EQ(alone.kind, search::PlanKind::by_hits);
  EXPECT_FALSE(alone.test);
  // A common word: the list walked.
  search::tuning().few_lines = 500;
  EXPECT_EQ(chosen("miete").kind, search::PlanKind::walk);
  // Common words rare together: their hits collected (no walk expected to fill the page soon).
  search::tuning().few_lines = 100;
  search::tuning().dense_tests = 60;
  const search::Plan together = chosen("mueller gas");
  EXPECT_EQ(together.kind, search::PlanKind::materialise) << together.estimate;
  EXPECT_EQ(together.source, "mueller* gas*");
  EXPECT_FALSE(together.test);
  search::tuning().collect_cost = 0;
  const search::Plan tested = chosen("mueller gas");
  EXPECT_EQ(tested.kind, search::PlanKind::materialise);
  EXPECT_EQ(tested.source, "gas*");  // fewer lines than mueller*
  EXPECT_TRUE(tested.test);
}

TEST_F(ConsoleSearchPlansTest, term_statistics_bound_what_the_index_finds) {
  import_generated(400);
  ConsoleDataRepo repo(*t.store);
  ASSERT_TRUE(repo.index_for_search());
  auto& db = t.store->db();
  // Upper bounds of what FTS4 finds for each term, and 0 exactly when it finds nothing; with
  // small bounds a long term's bucket is not taken as its count.
  for (const std::int64_t few : {2000, 5, 0}) {
    search::tuning().few_lines = few;
    for (const char* term : {"miete*", "mie*", "m*", "mueller*", "re", "2024*", "4711*", "2025*", "0001*", "de*",
                             "de89*", "de8937*", "de89370400440532013000*", "de8937040044*", "de12500*", "a",
                             "kd", "e2e*", "17", "zzzz*", "sonderzahlung*", "1*", "12*", "123*", "b*", "xml*",
                             "ae*", "zoe*", "a1234*", "99999*"}) {
      auto q = db.prepare("SELECT count(*) FROM entry_search WHERE entry_search MATCH ?1");
      ASSERT_TRUE(q);
      q->bind(1, std::string(term));
      ASSERT_TRUE(q->step());
      const std::int64_t found = q->column_int(0);
      q->reset();
      std::string word(term);
      const bool prefix = word.back() == '*';
      if (prefix) word.pop_back();
      auto bound = search::term_lines(db, word, prefix);
      ASSERT_TRUE(bound) << bound.error().describe();
      EXPECT_GE(*bound, found) << term << " few=" << few;
      EXPECT_EQ(*bound == 0, found == 0) << term << " few=" << few;
    }
  }
}

TEST_F(ConsoleSearchPlansTest, statistics_kept_by_indexing_equal_those_counted_from_the_index) {
  import_generated(300);
  ConsoleDataRepo repo(*t.store);
  ASSERT_TRUE(repo.index_for_search(100));  // in several transactions
  ASSERT_TRUE(repo.index_for_search());
  auto& db = t.store->db();
  const auto table = [&] {
    auto rows = db.query_texts("SELECT term || '=' || docs FROM entry_search_terms ORDER BY term");
    EXPECT_TRUE(rows) << rows.error().describe();
    return rows ? *rows : std::vector<std::string>{};
  };
  const auto kept = table();
  EXPECT_GT(kept.size(), 30u);
  EXPECT_THAT(kept, ::testing::Contains("miete=" + std::to_string(*db.query_int(
                                                         "SELECT count(*) FROM entry_search WHERE entry_search "
                                                         "MATCH 'miete'"))));
  // Schema step 17 counts the lines indexed before it from the index itself: the same table.
  const auto& steps = migrations();
  const auto v17 = std::find_if(steps.begin(), steps.end(), [](const Migration& m) { return m.version == 17; });
  ASSERT_NE(v17, steps.end());
  ASSERT_TRUE(db.exec("DROP TABLE entry_search_terms"));
  auto again = db.exec(v17->sql);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(table(), kept);
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
