// The console's text search over entries (ConsoleDataRepo::entries with q; schema step 15): case and
// German spelling insensitive, over counterparty, purpose, IBAN and references, paged by keyset, and
// an index lookup rather than a scan of the entries.
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bankrec/store/console_data_repo.h"
#include "bankrec/store/import_writer.h"
#include "store_test_util.h"

namespace bankrec::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

struct Line {
  std::string name, purpose;
  std::string iban = "DE02120300000000202051";
  std::string e2e;
  int day = 1;
};

class ConsoleSearchTest : public ::testing::Test {
 protected:
  testing_util::TestStore t;

  void import(const std::vector<Line>& lines, const std::string& file = "a.xml") {
    auto w = ImportWriter::begin(*t.store, {file, std::string(64, file[0]), 100, FileSource::cli, "test"});
    ASSERT_TRUE(w) << w.error().describe();
    domain::Statement header;
    header.id = "S-" + file;
    header.account.iban = "DE89370400440532013000";
    header.account.currency = "EUR";
    ASSERT_TRUE((*w)->begin_statement(header));
    std::vector<domain::Entry> batch;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      domain::Entry e;
      e.booking_date = domain::Date{2026, 11, static_cast<std::uint8_t>(lines[i].day)};
      e.amount = domain::Money(1000 + static_cast<std::int64_t>(i), domain::kEur);
      e.bank_reference = file + "-" + std::to_string(i);
      if (!lines[i].e2e.empty()) e.end_to_end_id = lines[i].e2e;
      e.counterparty.name = lines[i].name;
      e.counterparty.iban = lines[i].iban;
      e.remittance = lines[i].purpose;
      batch.push_back(std::move(e));
    }
    ASSERT_TRUE((*w)->add_entries(batch));
    ASSERT_TRUE((*w)->end_statement(header));
    auto done = (*w)->commit();
    ASSERT_TRUE(done) << done.error().describe();
  }

  /// Every page of a search, in list order: the counterparty names.
  std::vector<std::string> search(const std::string& q, int limit = 2, EntrySort sort = EntrySort::booking_date_desc) {
    ConsoleDataRepo repo(*t.store);
    std::vector<std::string> names;
    std::string after;
    for (int guard = 0; guard < 10000; ++guard) {
      EntryFilter filter;
      filter.q = q;
      filter.sort = sort;
      auto page = repo.entries(filter, {.limit = limit, .after = after});
      EXPECT_TRUE(page) << page.error().describe();
      if (!page) break;
      for (const auto& row : page->items) names.push_back(row.entry.counterparty.name.value_or(""));
      if (!page->next) break;
      after = *page->next;
    }
    return names;
  }
};

TEST_F(ConsoleSearchTest, finds_names_whatever_the_case_and_german_spelling) {
  import({{"MÜLLER HANS", "Miete"}, {"Mueller GmbH", "Rechnung 1"}, {"Hans Müller", "Gehalt"},
          {"Miller Ltd", "Invoice"}, {"Weiß & Söhne KG", "Straßenbau"}});
  EXPECT_THAT(search("müller"), UnorderedElementsAre("MÜLLER HANS", "Mueller GmbH", "Hans Müller"));
  EXPECT_THAT(search("MUELLER"), UnorderedElementsAre("MÜLLER HANS", "Mueller GmbH", "Hans Müller"));
  EXPECT_THAT(search("Müller hans"), UnorderedElementsAre("MÜLLER HANS", "Hans Müller"));  // every word, any order
  EXPECT_THAT(search("WEISS"), UnorderedElementsAre("Weiß & Söhne KG"));
  EXPECT_THAT(search("söhne"), UnorderedElementsAre("Weiß & Söhne KG"));
  EXPECT_THAT(search("STRASSENBAU"), UnorderedElementsAre("Weiß & Söhne KG"));  // in the purpose
  EXPECT_TRUE(search("mu").empty());  // words match from their start; below three letters only whole words
  EXPECT_THAT(search("muel"), UnorderedElementsAre("MÜLLER HANS", "Mueller GmbH", "Hans Müller"));
  EXPECT_TRUE(search("schmidt").empty());
}

TEST_F(ConsoleSearchTest, finds_purpose_words_ibans_and_references) {
  import({{"A", "Rechnung RE-2026-0815 Kd 4711", "DE44500105175407324931", "E2E-INV-77"},
          {"B", "Miete November Whg 12", "DE12500105170648489890"},
          {"C", "Rechnung RE-2025-0001", "DE12500105170648489890", "NOTPROVIDED"}});
  EXPECT_THAT(search("re-2026-0815"), UnorderedElementsAre("A"));
  EXPECT_THAT(search("RE 2026"), UnorderedElementsAre("A"));
  EXPECT_THAT(search("rechnung"), UnorderedElementsAre("A", "C"));
  EXPECT_THAT(search("rech"), UnorderedElementsAre("A", "C"));
  EXPECT_THAT(search("DE12 5001 0517"), UnorderedElementsAre("B", "C"));  // an IBAN typed in groups
  EXPECT_THAT(search("de445001"), UnorderedElementsAre("A"));
  EXPECT_THAT(search("e2e-inv-77"), UnorderedElementsAre("A"));
  EXPECT_THAT(search("file"), ::testing::IsEmpty());
  EXPECT_THAT(search("a.xml-1"), UnorderedElementsAre("B"));  // the bank reference
  EXPECT_EQ(search("%").size(), 3u);                          // no word: no text filter
  EXPECT_TRUE(search("\"miete\" OR rechnung").empty());       // no FTS syntax gets through: "or" is a word
}

TEST_F(ConsoleSearchTest, pages_through_many_hits_in_list_order_with_other_filters) {
  // More hits than are read by id and sorted (2,000): the list index is walked instead.
  std::vector<Line> lines;
  for (int i = 0; i < 4500; ++i)
    lines.push_back({"Kunde " + std::to_string(i), i % 3 == 0 ? "Abschlag Strom" : "Miete", "DE02120300000000202051", "",
                     1 + i % 20});
  import(lines);
  for (auto sort : {EntrySort::booking_date_desc, EntrySort::booking_date_asc, EntrySort::amount_desc}) {
    const auto strom = search("strom", 300, sort);  // 1,500 hits: read by id
    EXPECT_EQ(strom.size(), 1500u);
    EXPECT_EQ(std::set<std::string>(strom.begin(), strom.end()).size(), 1500u);  // none twice
    const auto miete = search("MIETE", 500, sort);  // 3,000 hits: the list index walked
    EXPECT_EQ(miete.size(), 3000u);
    EXPECT_EQ(std::set<std::string>(miete.begin(), miete.end()).size(), 3000u);
  }

  ConsoleDataRepo repo(*t.store);
  EntryFilter filter;
  filter.q = "miete";
  filter.from = "2026-11-05";
  filter.to = "2026-11-05";
  std::vector<std::string> plan;
  auto page = repo.entries(filter, {.limit = 500, .after = {}}, &plan);
  ASSERT_TRUE(page) << page.error().describe();
  // Day 5 holds lines 4, 24, 44, ...: 225 in all, 75 of them "Strom".
  EXPECT_EQ(page->items.size(), 150u);
  for (const auto& row : page->items) EXPECT_EQ(row.entry.booking_date->iso(), "2026-11-05");
  std::string text;
  for (const auto& line : plan) text += line + "\n";
  EXPECT_THAT(text, HasSubstr("USING INDEX entries_booking_date"));
  EXPECT_THAT(text, Not(HasSubstr("SCAN TABLE entries")));
}

TEST_F(ConsoleSearchTest, few_hits_are_read_by_id_from_the_index_not_by_scanning_entries) {
  std::vector<Line> lines;
  for (int i = 0; i < 300; ++i) lines.push_back({"Kunde " + std::to_string(i), i == 7 ? "Sonderzahlung" : "Miete"});
  import(lines);
  ConsoleDataRepo repo(*t.store);
  EntryFilter filter;
  filter.q = "sonderzahlung";
  std::vector<std::string> plan;
  auto page = repo.entries(filter, {.limit = 50, .after = {}}, &plan);
  ASSERT_TRUE(page) << page.error().describe();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].entry.counterparty.name, "Kunde 7");
  std::string text;
  for (const auto& line : plan) text += line + "\n";
  EXPECT_THAT(text, HasSubstr("VIRTUAL TABLE"));
  EXPECT_THAT(text, Not(HasSubstr("SCAN TABLE entries")));
}

TEST_F(ConsoleSearchTest, the_index_follows_the_imports_and_catches_up_after_an_upgrade) {
  import({{"Jörg Köhler", "Miete"}, {"Anna Groß", "Gehalt"}, {"Uwe Kühn", "Miete"}});
  ConsoleDataRepo repo(*t.store);
  // The import leaves indexing to index_for_search(), in bounded steps.
  auto n = repo.index_for_search(2);
  ASSERT_TRUE(n) << n.error().describe();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(repo.index_for_search().value_or(-1), 1);
  EXPECT_EQ(repo.index_for_search().value_or(-1), 0);
  // As after migrating a database from step 14: the index is empty and every stored line waits.
  ASSERT_TRUE(t.store->db().exec(
      "DROP TABLE entry_search; CREATE VIRTUAL TABLE entry_search USING fts4(body, content=\"\", tokenize=simple); "
      "UPDATE entry_search_state SET indexed_upto = 0"));
  import({{"Jörg Neu", "Miete"}}, "b.xml");
  EXPECT_THAT(search("joerg"), UnorderedElementsAre("Jörg Köhler", "Jörg Neu"));  // a search catches up first
  EXPECT_THAT(search("GROSS"), UnorderedElementsAre("Anna Groß"));
  EXPECT_EQ(t.store->db().query_int("SELECT indexed_upto FROM entry_search_state").value_or(-1),
            t.store->db().query_int("SELECT max(id) FROM entries").value_or(-2));
  EXPECT_EQ(repo.index_for_search().value_or(-1), 0);
}

}  // namespace
}  // namespace bankrec::store
