#include "bankrec/store/import_writer.h"

#include <algorithm>
#include <map>

#include "bankrec/store/entry_row.h"
#include "bankrec/store/identity.h"
#include "bankrec/testing/testing.h"
#include "store_test_util.h"

namespace bankrec::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::TestStore;

domain::Entry full_entry() {
  domain::Entry e;
  e.booking_date = domain::Date{2026, 11, 20};
  e.value_date = domain::Date{2026, 11, 21};
  e.amount = domain::Money(-123456, domain::kEur);
  e.status = domain::EntryStatus::pending;
  e.reversal = true;
  e.bank_reference = "ACSR \"1\"";
  e.customer_reference = "NONREF";
  e.end_to_end_id = "E2E\\x";
  e.mandate_id = "M-1";
  e.creditor_id = "DE98ZZZ09999999999";
  e.transaction_code = {"PMNT-RCDT-ESCT", "NTRF+166+931", "NTRF", "166"};
  e.posting_text = "SEPA\nGUTSCHRIFT\t\x01\x1f";
  e.counterparty = {
      "Müller & Söhne GmbH", "DE02120300000000202051", "BYLADEM1001", "123", "12030000", "ORG-1"};
  e.remittance = "RE 4711 / Kd. 0815 €";
  e.structured_reference = "RF18539007547034";
  e.original_amount = domain::Money(100000, *domain::Currency::find("USD"));
  e.charges = domain::Money(250, domain::kEur);
  e.return_info = domain::ReturnInfo{"AM04", "E2E-ORIG", "insufficient funds"};
  domain::EntryDetail d;
  d.amount = domain::Money(-61728, domain::kEur);
  d.end_to_end_id = "E2E-A";
  d.transaction_id = "TX-A";
  d.counterparty.name = "A";
  d.return_info = domain::ReturnInfo{"MD06", std::nullopt, std::nullopt};
  e.details.push_back(d);
  e.details.push_back(domain::EntryDetail{});
  return e;
}

domain::Statement header(std::optional<std::string> id = "ST-1") {
  domain::Statement s;
  if (id) s.sequence = "1";
  s.id = std::move(id);
  s.from_date = domain::Date{2026, 11, 20};
  s.account.iban = "DE89370400440532013000";
  s.account.currency = "EUR";
  return s;
}

domain::Entry line(std::optional<std::string> ref, std::string remittance, std::int64_t minor = 1000) {
  domain::Entry e;
  e.booking_date = e.value_date = domain::Date{2026, 11, 20};
  e.amount = domain::Money(minor, domain::kEur);
  e.bank_reference = std::move(ref);
  e.remittance = std::move(remittance);
  return e;
}

/// Imports the entries as one statement through the ImportWriter; returns the counts.
Result<ImportCounts> import(Store& store, const std::string& sha, const domain::Statement& h,
                            std::vector<domain::Entry> entries) {
  auto w = BANKREC_TRY(ImportWriter::begin(store, {sha + ".xml", sha, 1, FileSource::cli, "test"}));
  BANKREC_TRY(w->set_format("test"));
  BANKREC_TRY(w->begin_statement(h));
  BANKREC_TRY(w->add_entries(entries));
  BANKREC_TRY(w->end_statement(h));
  return BANKREC_TRY(w->commit()).counts;
}

std::int64_t count(Store& s, const std::string& sql) { return *s.db().query_int(sql); }
std::vector<std::string> texts(Store& s, const std::string& sql) { return *s.db().query_texts(sql); }

TEST(ImportWriter, stored_entries_read_back_exactly) {
  TestStore t;
  domain::Entry partial;
  partial.amount = domain::Money(5, *domain::Currency::find("JPY"));
  partial.counterparty.iban = "DE02120300000000202051";
  partial.remittance = "";  // present but empty stays present
  domain::Entry odd = line("R-ODD", "x");
  odd.amount = domain::Money(12345, domain::Currency{{'X', 'Y', 'Z'}, 3});  // not in ISO 4217
  domain::Entry bare;
  bare.amount = domain::Money(1, domain::kEur);
  const std::vector<domain::Entry> entries{full_entry(), partial, odd, bare, domain::Entry{}};
  const auto counts = import(*t.store, "a", header(), entries);
  ASSERT_OK(counts);
  EXPECT_EQ(counts->entries_new, 5);
  const auto ids = texts(*t.store, "SELECT id FROM entries ORDER BY id");
  ASSERT_EQ(ids.size(), entries.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto back = load_entry(t.store->db(), std::stoll(ids[i]));
    ASSERT_OK(back);
    EXPECT_EQ(*back, entries[i]) << "entry " << i;
  }
  // Nothing is stored twice: the columns hold what lists show, the blob only the rest.
  EXPECT_EQ(count(*t.store, "SELECT length(rest) FROM entries WHERE id = " + ids[3]), 1);
  EXPECT_EQ(
      count(*t.store,
            "SELECT instr(rest, CAST('DE02120300000000202051' AS BLOB)) FROM entries WHERE id = " + ids[1]),
      0);
}

TEST(ImportWriter, damaged_entry_data_is_reported_not_guessed) {
  TestStore t;
  ASSERT_OK(import(*t.store, "a", header(), {full_entry()}));
  const auto id = count(*t.store, "SELECT id FROM entries");
  ASSERT_OK(t.store->db().exec("UPDATE entries SET rest = substr(rest, 1, length(rest) - 3)"));
  auto back = load_entry(t.store->db(), id);
  ASSERT_FALSE(back);
  EXPECT_THAT(back.error().message, HasSubstr("stored entry data is damaged at byte"));
  ASSERT_OK(t.store->db().exec("UPDATE entries SET rest = X'02'"));
  back = load_entry(t.store->db(), id);
  ASSERT_FALSE(back);
  EXPECT_THAT(back.error().message, HasSubstr("unknown version"));
  EXPECT_EQ(load_entry(t.store->db(), id + 1).error().code, Errc::not_found);
}

TEST(ImportWriter, a_hash_collision_never_drops_an_entry) {
  TestStore t;
  ASSERT_OK(import(*t.store, "a", header("A"), {line("R1", "first"), line(std::nullopt, "plain one")}));
  // Make the stored rows' hashes equal to those of different lines (a 64-bit collision).
  const domain::Entry keyed = line("R2", "second");
  const domain::Entry unkeyed = line(std::nullopt, "plain two", 2000);
  const std::int64_t bank = key_hash(*bank_key_of(keyed));
  const std::int64_t content =
      key_hash(content_key(content_base_of(unkeyed, remittance_norm_of(unkeyed)), 1));
  ASSERT_OK(t.store->db().exec("UPDATE entries SET bank_hash = " + std::to_string(bank) +
                               " WHERE bank_reference = 'R1'"));
  ASSERT_OK(t.store->db().exec("UPDATE entries SET content_hash = " + std::to_string(content) +
                               " WHERE bank_reference IS NULL"));
  const auto counts = import(*t.store, "b", header(std::nullopt), {keyed, unkeyed});
  ASSERT_OK(counts);
  EXPECT_EQ(counts->entries_new, 2);
  EXPECT_EQ(counts->entries_skipped, 0);
  // The same lines again are found (hash and recomputed key agree), each on its own tier.
  const auto again = import(*t.store, "c", header(std::nullopt), {keyed, unkeyed});
  ASSERT_OK(again);
  EXPECT_EQ(again->entries_new, 0);
  EXPECT_THAT(texts(*t.store, "SELECT tier FROM entry_skips ORDER BY id"), ElementsAre("bank", "content"));
}

TEST(ImportWriter, a_statement_delivered_again_matches_by_position_and_identical_lines_survive) {
  TestStore t;
  ASSERT_OK(
      import(*t.store, "a", header(), {line(std::nullopt, "card 12.00"), line(std::nullopt, "card 12.00")}));
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM entries"), 2);  // two genuine identical lines
  // The bank corrected the purpose text of line 0: the position still names it.
  const auto counts = import(*t.store, "b", header(),
                             {line(std::nullopt, "card 12.00 shop"), line(std::nullopt, "card 12.00")});
  ASSERT_OK(counts);
  EXPECT_EQ(counts->entries_new, 0);
  EXPECT_THAT(texts(*t.store, "SELECT tier || ' ' || key FROM entry_skips ORDER BY id"),
              ElementsAre("position b:st:ST-1|1|2026-11-20#0", "position b:st:ST-1|1|2026-11-20#1"));
  // Another file with a third identical line adds exactly one (occurrence 3 is new).
  const auto third = import(
      *t.store, "c", header(std::nullopt),
      {line(std::nullopt, "card 12.00"), line(std::nullopt, "card 12.00"), line(std::nullopt, "card 12.00")});
  ASSERT_OK(third);
  EXPECT_EQ(third->entries_new, 1);
  EXPECT_EQ(third->entries_skipped, 2);
  EXPECT_THAT(texts(*t.store, "SELECT occurrence FROM entries ORDER BY id"), ElementsAre("1", "2", "3"));
}

TEST(ImportWriter, an_account_new_to_the_database_still_finds_duplicates_within_the_file) {
  // The first import into an account skips the lookups that cannot hit (bank hashes it has not
  // stored yet, content keys that the occurrence number keeps apart); what can hit still does.
  TestStore t;
  auto w = ImportWriter::begin(*t.store, {"a.xml", "a", 1, FileSource::cli, "test"});
  ASSERT_OK(w);
  ASSERT_OK((*w)->set_format("test"));
  const domain::Statement first = header("ST-1");
  std::vector<domain::Entry> lines{line("R1", "rent"), line("R1", "rent"), line(std::nullopt, "card 12.00"),
                                   line(std::nullopt, "card 12.00"), line("R2", "card 12.00", 1000)};
  ASSERT_OK((*w)->begin_statement(first));
  ASSERT_OK((*w)->add_entries(lines));
  ASSERT_OK((*w)->end_statement(first));
  // The same statement twice in one file: its unkeyed lines match by position, R1 and R2 by bank id.
  std::vector<domain::Entry> again{line("R1", "rent"), line("R1", "rent"), line(std::nullopt, "card 12.00"),
                                   line(std::nullopt, "card 12.00"), line("R2", "card 12.00", 1000)};
  ASSERT_OK((*w)->begin_statement(first));
  ASSERT_OK((*w)->add_entries(again));
  ASSERT_OK((*w)->end_statement(first));
  // Another statement of the same account: a bank id stored by this import is found across statements.
  const domain::Statement second = header("ST-2");
  std::vector<domain::Entry> more{line("R2", "card 12.00", 1000), line("R3", "new")};
  ASSERT_OK((*w)->begin_statement(second));
  ASSERT_OK((*w)->add_entries(more));
  ASSERT_OK((*w)->end_statement(second));
  const auto done = (*w)->commit();
  ASSERT_OK(done);
  EXPECT_EQ(done->counts.entries_new, 5);  // R1, two genuine card lines, R2, R3
  EXPECT_EQ(done->counts.entries_skipped, 7);
  EXPECT_THAT(
      texts(*t.store, "SELECT tier || ' ' || key || ' ' || existing_entry_id FROM entry_skips ORDER BY id"),
      ElementsAre("bank b:ref:R1 1", "bank b:ref:R1 1", "bank b:ref:R1 1",
                  "position b:st:ST-1|1|2026-11-20#2 2", "position b:st:ST-1|1|2026-11-20#3 3",
                  "bank b:ref:R2 4", "bank b:ref:R2 4"));
  EXPECT_THAT(texts(*t.store, "SELECT occurrence FROM entries WHERE bank_reference IS NULL ORDER BY id"),
              ElementsAre("1", "2"));
  // A second file into the now known account takes the stored-entry lookups as before: R3 by bank
  // id, two card lines by content among unkeyed lines, the third one by content among keyed lines
  // (R2 holds the same content as the third card line of a file).
  const auto later = import(*t.store, "b", header(std::nullopt),
                            {line("R3", "new"), line(std::nullopt, "card 12.00"),
                             line(std::nullopt, "card 12.00"), line(std::nullopt, "card 12.00")});
  ASSERT_OK(later);
  EXPECT_EQ(later->entries_new, 0);
  EXPECT_EQ(later->entries_skipped, 4);
  EXPECT_THAT(
      texts(*t.store, "SELECT tier || ' ' || existing_entry_id FROM entry_skips WHERE id > 7 ORDER BY id"),
      ElementsAre("bank 5", "content 2", "content 3", "content 4"));
}

// Thousands of lines (the writer's in-memory tables of occurrences and stored bank ids grow many
// times over): every identical line gets the next occurrence number, a bank id repeated far apart in
// the file is still found, and a second file with the same lines adds nothing.
TEST(ImportWriter, occurrences_and_repeated_bank_ids_stay_exact_over_many_lines) {
  TestStore t;
  std::vector<domain::Entry> lines;
  std::map<int, int> per_content;  // unkeyed lines per content: the highest occurrence expected
  for (int i = 0; i < 5000; ++i) {
    if (i % 10 != 9) ++per_content[i % 700];
    if (i % 10 == 9)
      lines.push_back(line("REF-" + std::to_string(i % 1000), "repeat", 500));  // REF-9 .. REF-999, 5x each
    else
      lines.push_back(line(std::nullopt, "card " + std::to_string(i % 700), 1000 + i % 700));
  }
  const auto first = import(*t.store, "a", header(std::nullopt), lines);
  ASSERT_OK(first);
  EXPECT_EQ(first->entries_new, 4500 + 100);
  EXPECT_EQ(first->entries_skipped, 400);  // the 2nd..5th of each bank id, by bank tier
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM entry_skips WHERE tier = 'bank'"), 400);
  // 4500 unkeyed lines over 630 contents: occurrences 1..n per content, each (content, occurrence) once.
  int most = 0;
  for (const auto& [content, n] : per_content) most = std::max(most, n);
  EXPECT_EQ(count(*t.store, "SELECT max(occurrence) FROM entries WHERE bank_hash IS NULL"), most);
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM entries WHERE bank_hash IS NULL AND occurrence = 1"),
            static_cast<std::int64_t>(per_content.size()));
  EXPECT_EQ(count(*t.store, "SELECT count(DISTINCT content_hash) FROM entries WHERE bank_hash IS NULL"), 4500);
  const auto again = import(*t.store, "b", header(std::nullopt), lines);
  ASSERT_OK(again);
  EXPECT_EQ(again->entries_new, 0);
  EXPECT_EQ(again->entries_skipped, 5000);
}

TEST(ImportWriter, lenient_rejects_are_kept_with_the_file_and_go_with_a_rollback) {
  TestStore t;
  {
    auto w = ImportWriter::begin(*t.store, {"x.sta", "sha-x", 10, FileSource::cli, "test"});
    ASSERT_OK(w);
    ASSERT_OK((*w)->add_reject(14, 7, 512, ":61:", "invalid amount '12,3.4'"));
    ASSERT_OK((*w)->add_reject(0, 0, 900, "", "bad record"));
    ASSERT_OK((*w)->set_format("mt940"));
    const auto r = (*w)->commit();
    ASSERT_OK(r);
    EXPECT_EQ(r->counts.rejected, 2);
  }
  EXPECT_THAT(
      texts(*t.store,
            "SELECT source_file_id || ' ' || COALESCE(line, '-') || ':' || COALESCE(column_number, '-') || "
            "' ' || byte_offset || ' ' || COALESCE(locator, '-') || ' ' || reason FROM parse_rejects "
            "ORDER BY id"),
      ElementsAre("1 14:7 512 :61: invalid amount '12,3.4'", "1 -:- 900 - bad record"));
  EXPECT_EQ(count(*t.store, "SELECT rejected FROM source_files WHERE id = 1"), 2);
  EXPECT_THAT(texts(*t.store, "SELECT details FROM audit_log WHERE action = 'import.file'"),
              ElementsAre(HasSubstr("\"rejected\":2")));
  {
    auto w = ImportWriter::begin(*t.store, {"y.sta", "sha-y", 10, FileSource::cli, "test"});
    ASSERT_OK(w);
    ASSERT_OK((*w)->add_reject(1, 1, 0, ":20:", "x"));
    ASSERT_OK((*w)->abort(Error{Errc::invalid_input, "broken", {}, 0, 0}));
  }
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM parse_rejects"), 2);
}

TEST(ImportWriter, the_import_commit_leaves_the_wal_checkpoint_for_later) {
  TestStore t;
  std::vector<domain::Entry> many;
  // More than the 1000 pages (4 MB) after which a commit would checkpoint by itself.
  const std::string text(150, 'x');
  for (int i = 0; i < 20000; ++i) many.push_back(line("R" + std::to_string(i), text + std::to_string(i)));
  ASSERT_OK(import(*t.store, "a", header(), many));
  const auto wal = std::filesystem::path(t.path().string() + "-wal");
  const auto db_size = std::filesystem::file_size(t.path());
  EXPECT_GT(std::filesystem::file_size(wal), 4u << 20);
  EXPECT_LT(db_size, std::filesystem::file_size(wal) / 2);  // the pages are in the WAL, durable
  ASSERT_OK(t.store->db().checkpoint());
  EXPECT_GT(std::filesystem::file_size(t.path()), db_size);  // and copied later
  // The next commit runs automatic checkpoints again.
  ASSERT_OK(
      t.store->write([&]() -> Result<void> { return t.store->db().exec("UPDATE accounts SET name = 'x'"); }));
  EXPECT_EQ(count(*t.store, "SELECT count(*) FROM entries"), 20000);
}

}  // namespace
}  // namespace bankrec::store
