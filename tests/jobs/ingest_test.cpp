#include "bankrec/jobs/ingest.h"

#include "bankrec/domain/json.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/store/entry_row.h"
#include "bankrec/testing/testing.h"
#include "store_test_util.h"
#include "toy_format.h"

namespace bankrec::jobs {
namespace {

using store::testing_util::TestStore;
using ::testing::ElementsAre;
using ::testing::AllOf;
using ::testing::HasSubstr;

class Ingest : public ::testing::Test {
 protected:
  Ingest() {
    registry_.add(testing_toy::toy_format());
    registry_.add(statement_json_format());
  }
  Result<store::ImportResult> ingest(const std::string& name, const std::string& bytes) {
    IngestRequest request;
    request.name = name;
    request.bytes = as_bytes(bytes);
    return ingest_file(*t_.store, registry_, request,
                       [&](const IngestProgress& p) { progress_.push_back(p.entries_seen); });
  }
  std::int64_t count(const std::string& sql) { return *t_.store->db().query_int(sql); }
  std::vector<std::string> texts(const std::string& sql) { return *t_.store->db().query_texts(sql); }

  TestStore t_;
  formats::FormatRegistry registry_;
  std::vector<std::int64_t> progress_;
};

constexpr const char* kDay1 =
    "S ST1 1 DE89370400440532013000 2026-11-19 10000 9000\n"
    "E 2026-11-19 -500 b R1 Miete\n"
    "E 2026-11-19 -300 b R2 Strom\n"
    "E 2026-11-19 -200 b R3 Wasser\n";

TEST_F(Ingest, stores_a_file_and_records_it) {
  auto r = ingest("day1.toy", kDay1);
  ASSERT_OK(r);
  EXPECT_FALSE(r->duplicate_file);
  EXPECT_EQ(r->format, "toy");
  EXPECT_EQ(r->counts.statements, 1);
  EXPECT_EQ(r->counts.entries_new, 3);
  EXPECT_EQ(count("SELECT count(*) FROM entries WHERE status = 'processed' AND booking = 'booked'"), 3);
  EXPECT_THAT(texts("SELECT status || ' ' || name || ' ' || source || ' ' || entries_new FROM source_files"),
              ElementsAre("processed day1.toy cli 3"));
  EXPECT_THAT(texts("SELECT action FROM audit_log ORDER BY seq"),
              ElementsAre("schema.migrate", "import.file"));
  EXPECT_THAT(texts("SELECT details FROM audit_log WHERE action = 'import.file'")[0],
              HasSubstr(R"("name":"day1.toy","sha256":")" + store::sha256_hex(as_bytes(std::string(kDay1)))));
  auto report = t_.store->audit().verify();
  ASSERT_OK(report);
  EXPECT_TRUE(report->intact) << report->problem;
}

TEST_F(Ingest, the_same_file_again_adds_nothing) {
  ASSERT_OK(ingest("day1.toy", kDay1));
  auto again = ingest("copy-of-day1.toy", kDay1);
  ASSERT_OK(again);
  EXPECT_TRUE(again->duplicate_file);
  EXPECT_EQ(count("SELECT count(*) FROM entries"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM source_files"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'import.duplicate_file'"), 1);
}

TEST_F(Ingest, an_overlapping_file_adds_only_new_lines_and_says_why) {
  ASSERT_OK(ingest("day1.toy", kDay1));
  auto r = ingest("api-pull.toy",
                  "S API-7 - DE89370400440532013000 2026-11-19 10000 8800\n"
                  "E 2026-11-19 -300 b R2 Strom\n"
                  "E 2026-11-19 -200 b R3 Wasser\n"
                  "E 2026-11-19 -200 b R4 Wasser\n");
  ASSERT_OK(r);
  EXPECT_EQ(r->counts.entries_new, 1);
  EXPECT_EQ(r->counts.entries_skipped, 2);
  EXPECT_EQ(count("SELECT count(*) FROM entries"), 4);
  EXPECT_THAT(texts("SELECT s.entry_index || ' ' || s.tier || ' ' || s.key || ' -> ' || e.bank_reference "
                    "FROM entry_skips s JOIN entries e ON e.id = s.existing_entry_id ORDER BY s.id"),
              ElementsAre("0 bank b:ref:R2 -> R2", "1 bank b:ref:R3 -> R3"));
}

// Two equal card payments on one day are two payments; a later overlapping file repeats both.
TEST_F(Ingest, identical_genuine_lines_survive_and_are_still_deduplicated) {
  const std::string lines =
      "E 2026-11-19 -450 b - Kartenzahlung Baeckerei\nE 2026-11-19 -450 b - Kartenzahlung Baeckerei\n";
  auto first = ingest("a.toy", "S - - DE89370400440532013000 2026-11-19 0 -900\n" + lines);
  ASSERT_OK(first);
  EXPECT_EQ(first->counts.entries_new, 2);
  auto overlap = ingest("b.toy", "S - - DE89370400440532013000 2026-11-19 0 -1000\n" + lines +
                                     "E 2026-11-19 -100 b - Kartenzahlung Kiosk\n");
  ASSERT_OK(overlap);
  EXPECT_EQ(overlap->counts.entries_new, 1);
  EXPECT_EQ(overlap->counts.entries_skipped, 2);
  EXPECT_EQ(count("SELECT count(*) FROM entries"), 3);
  EXPECT_EQ(count("SELECT count(DISTINCT existing_entry_id) FROM entry_skips WHERE tier = 'content'"), 2);
}

// The same statement delivered again (an edited copy): lines without bank ids match by position.
TEST_F(Ingest, a_statement_delivered_again_matches_by_position) {
  ASSERT_OK(
      ingest("a.toy", "S ST9 - DE89370400440532013000 2026-11-19 0 -900\nE 2026-11-19 -900 b - Miete\n"));
  auto again = ingest("a-edited.toy",
                      "S ST9 - DE89370400440532013000 2026-11-19 0 -900\nE 2026-11-19 -900 b - Miete Nov\n");
  ASSERT_OK(again);
  EXPECT_EQ(again->counts.entries_new, 0);
  EXPECT_EQ(again->counts.statements, 0);
  EXPECT_THAT(texts("SELECT tier || ' ' || key FROM entry_skips"),
              ElementsAre("position b:st:ST9||2026-11-19#0"));
}

TEST_F(Ingest, a_file_failing_halfway_leaves_only_its_error_record) {
  std::string file = "S ST1 1 DE89370400440532013000 2026-11-19 0 0\n";
  for (int i = 0; i < 2500; ++i) file += "E 2026-11-19 -1 b REF" + std::to_string(i) + " x\n";
  file += "X broken\n";
  auto r = ingest("bad.toy", file);
  EXPECT_ERR(r, Errc::invalid_input, HasSubstr("bad line 'X'"));
  EXPECT_EQ(r.error().line, 2502u);
  EXPECT_EQ(count("SELECT count(*) FROM entries"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM statements"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM accounts"), 0);
  EXPECT_THAT(texts("SELECT status || ': ' || error FROM source_files"),
              ElementsAre("error: bad.toy:2502:1 (byte " + std::to_string(file.size() - 9) +
                          ", line): bad line 'X'"));
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'import.failed'"), 1);
  // Progress was reported while it ran; a fixed file then imports completely.
  EXPECT_FALSE(progress_.empty());
  auto fixed = ingest("bad.toy", file.substr(0, file.size() - 9));
  ASSERT_OK(fixed);
  EXPECT_EQ(fixed->counts.entries_new, 2500);
}

TEST_F(Ingest, unknown_content_is_recorded_as_an_error) {
  EXPECT_ERR(ingest("notes.txt", "hello\n"), Errc::invalid_input,
             HasSubstr("unsupported or unrecognised format"));
  EXPECT_THAT(texts("SELECT status FROM source_files"), ElementsAre("error"));
}

TEST_F(Ingest, a_pending_line_is_replaced_by_its_booked_twin) {
  ASSERT_OK(ingest(
      "intraday.toy",
      "S I1 - DE89370400440532013000 2026-11-19 0 0\nE 2026-11-19 -700 p - Lastschrift Versicherung\n"));
  auto booked = ingest("day.toy",
                       "S D1 - DE89370400440532013000 2026-11-20 0 -700\nE 2026-11-20 -700 b B77 LASTSCHRIFT "
                       "VERSICHERUNG 2026\n");
  ASSERT_OK(booked);
  EXPECT_EQ(booked->counts.entries_new, 1);
  EXPECT_EQ(booked->counts.pending_replaced, 1);
  EXPECT_THAT(texts("SELECT booking || ' ' || COALESCE(provisional, '-') || ' ' || COALESCE(replaced_by, "
                    "'-') FROM entries ORDER BY id"),
              ElementsAre("pending replaced 2", "booked - -"));
}

TEST_F(Ingest, a_pending_line_without_twin_expires) {
  ASSERT_OK(ingest("intraday.toy",
                   "S I1 - DE89370400440532013000 2026-11-01 0 0\nE 2026-11-01 -700 p - Reservierung\n"));
  EXPECT_THAT(texts("SELECT provisional || ' ' || expires_on FROM entries"), ElementsAre("open 2026-11-15"));
  ASSERT_OK(ingest("next.toy", kDay1));  // the clock says 2026-11-22
  EXPECT_THAT(texts("SELECT provisional FROM entries WHERE booking = 'pending'"), ElementsAre("expired"));
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'entries.expire_pending'"), 1);
}

// A provider link (the same bank reference) wins over purpose text; a line outside the date window
// or already replaced is not taken again.
TEST_F(Ingest, a_booked_line_replaces_the_pending_line_with_its_reference_first) {
  ASSERT_OK(ingest("intraday.toy",
                   "S I1 - DE89370400440532013000 2026-11-19 0 0\n"
                   "E 2026-11-19 -700 p P1 Lastschrift Versicherung\n"
                   "E 2026-11-19 -700 p P2 Lastschrift Versicherung\n"
                   "E 2026-11-01 -700 p P3 Lastschrift Versicherung\n"));
  auto booked = ingest("day.toy",
                       "S D1 - DE89370400440532013000 2026-11-20 0 -1400\n"
                       "E 2026-11-20 -700 b P2 Lastschrift Versicherung\n"
                       "E 2026-11-20 -700 b B9 Lastschrift Versicherung Nov\n"
                       "E 2026-11-20 -700 b B10 Lastschrift Versicherung Nov\n");
  ASSERT_OK(booked);
  EXPECT_EQ(booked->counts.pending_replaced, 2);
  EXPECT_THAT(texts("SELECT p.bank_reference || ' -> ' || COALESCE(b.bank_reference, '-') || ' ' || "
                    "p.provisional FROM entries p LEFT JOIN entries b ON b.id = p.replaced_by "
                    "WHERE p.booking = 'pending' ORDER BY p.id"),
              ElementsAre("P1 -> B9 replaced", "P2 -> P2 replaced", "P3 -> - expired"));
}

TEST_F(Ingest, pending_lines_older_than_the_configured_days_expire_with_an_audit_entry) {
  IngestOptions options;
  options.import.pending_expiry_days = 30;  // expires_on alone would keep it until 2026-12-15
  IngestRequest request;
  request.name = "intraday.toy";
  const std::string file = "S I1 - DE89370400440532013000 2026-11-15 0 0\nE 2026-11-15 -700 p P1 Reservierung\n";
  request.bytes = as_bytes(file);
  ASSERT_OK(ingest_file(*t_.store, registry_, request, {}, options));
  EXPECT_THAT(texts("SELECT provisional || ' ' || expires_on FROM entries"), ElementsAre("open 2026-12-15"));
  // The clock says 2026-11-22: seven days old.
  auto kept = store::expire_pending_older_than(*t_.store, 10, "system");
  ASSERT_OK(kept);
  EXPECT_EQ(*kept, 0);
  EXPECT_EQ(count("SELECT count(*) FROM audit_log WHERE action = 'entries.expire_pending'"), 0);
  auto expired = store::expire_pending_older_than(*t_.store, 5, "system");
  ASSERT_OK(expired);
  EXPECT_EQ(*expired, 1);
  EXPECT_THAT(texts("SELECT provisional FROM entries"), ElementsAre("expired"));
  EXPECT_THAT(texts("SELECT actor || ' ' || details FROM audit_log WHERE action = 'entries.expire_pending'"),
              ElementsAre(R"(system {"expired":1,"before":"2026-11-22","dated_before":"2026-11-17","ids":[1]})"));
  EXPECT_ERR(store::expire_pending_older_than(*t_.store, 0, "system"), Errc::invalid_input,
             HasSubstr("outside 1..3650"));
  auto report = t_.store->audit().verify();
  ASSERT_OK(report);
  EXPECT_TRUE(report->intact) << report->problem;
}

TEST_F(Ingest, gaps_between_statements_warn_on_the_account) {
  ASSERT_OK(ingest("d1.toy", kDay1));
  auto r = ingest("d4.toy", "S ST4 4 DE89370400440532013000 2026-11-22 8500 8500\n");
  ASSERT_OK(r);
  EXPECT_THAT(
      r->counts.warnings,
      ElementsAre(
          "DE89370400440532013000: opening balance 85.00 EUR on 2026-11-22 differs from the previous "
          "closing balance 90.00 on 2026-11-19; statements for 2026-11-20..2026-11-21 may be missing",
          "DE89370400440532013000: statement sequence jumps from 1 to 4: statements 2..3 are missing"));
  EXPECT_THAT(
      texts("SELECT kind || ' ' || missing_from || ' ' || missing_to FROM account_warnings ORDER BY id"),
      ElementsAre("balance_gap 2026-11-20 2026-11-21", "sequence_gap 2 3"));
}

TEST_F(Ingest, continuous_statements_raise_no_warning) {
  ASSERT_OK(ingest("d1.toy", kDay1));
  auto r = ingest("d2.toy", "S ST2 2 DE89370400440532013000 2026-11-20 9000 9000\n");
  ASSERT_OK(r);
  EXPECT_TRUE(r->counts.warnings.empty());
}

TEST_F(Ingest, statement_json_imports_and_round_trips_the_entry) {
  domain::Statement s;
  s.id = "CAMT-1";
  s.account.iban = "DE89370400440532013000";
  s.account.currency = "EUR";
  domain::Entry e;
  e.booking_date = domain::Date{2026, 11, 20};
  e.amount = domain::Money(11900, domain::kEur);
  e.bank_reference = "ACSR-1";
  e.counterparty.name = "Müller GmbH";
  e.remittance = "RE-2026-0815";
  s.entries.push_back(e);
  const std::string json = domain::to_json(domain::StatementFile{"camt.xml", "camt.053.001.08", {s}}) + "\n";
  auto r = ingest("parsed.jsonl", json);
  ASSERT_OK(r);
  EXPECT_EQ(r->format, "bankrec.json");
  const auto stored = store::load_entry(t_.store->db(), count("SELECT id FROM entries"));
  ASSERT_OK(stored);
  EXPECT_EQ(*stored, e);
}

TEST_F(Ingest, lenient_import_keeps_each_rejected_record_with_its_position_and_reason) {
  formats::FormatRegistry builtin;
  formats::register_builtin_formats(builtin);
  const std::string camt =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt>"
      "<GrpHdr><MsgId>M</MsgId><CreDtTm>2026-11-20T06:00:00</CreDtTm></GrpHdr>\n"
      "<Stmt><Id>S1</Id><CreDtTm>2026-11-20T06:00:00</CreDtTm>"
      "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
      "<Ntry><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
      "<BookgDt><Dt>2026-11-20</Dt></BookgDt><AcctSvcrRef>A1</AcctSvcrRef></Ntry>\n"
      "<Ntry><Amt Ccy=\"EUR\">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
      "<BookgDt><Dt>2026-13-45</Dt></BookgDt><AcctSvcrRef>A2</AcctSvcrRef></Ntry>\n"
      "</Stmt></BkToCstmrStmt></Document>\n";
  IngestRequest request;
  request.name = "lenient.xml";
  request.bytes = as_bytes(camt);
  request.lenient = true;
  const auto r = ingest_file(*t_.store, builtin, request);
  ASSERT_OK(r);
  EXPECT_EQ(r->counts.entries_new, 1);
  EXPECT_EQ(r->counts.rejected, 1);
  EXPECT_THAT(texts("SELECT line || ' ' || locator || ' ' || reason FROM parse_rejects"),
              ElementsAre(AllOf(HasSubstr("5 Stmt[1]/Ntry[2]"), HasSubstr("2026-13-45"))));
  EXPECT_EQ(count("SELECT rejected FROM source_files WHERE status = 'processed'"), 1);
  // Strict mode refuses the same file and keeps nothing of it.
  const std::string strict = camt + "\n";  // other bytes: not the file imported above
  request.name = "strict.xml";
  request.bytes = as_bytes(strict);
  request.lenient = false;
  EXPECT_FALSE(ingest_file(*t_.store, builtin, request));
  EXPECT_EQ(count("SELECT count(*) FROM parse_rejects"), 1);
}

TEST_F(Ingest, progress_is_reported_per_thousand_entries) {
  std::string file = "S ST1 1 DE89370400440532013000 2026-11-19 0 0\n";
  for (int i = 0; i < 2100; ++i) file += "E 2026-11-19 -1 b REF" + std::to_string(i) + " x\n";
  ASSERT_OK(ingest("big.toy", file));
  EXPECT_THAT(progress_, ElementsAre(512, 1536, 2100));
}

}  // namespace
}  // namespace bankrec::jobs

namespace bankrec::jobs {
namespace {

TEST_F(Ingest, pretty_printed_statement_json_imports_too) {
  domain::Statement s;
  s.id = "CAMT-2";
  s.account.iban = "DE89370400440532013000";
  domain::Entry e;
  e.amount = domain::Money(-500, domain::kEur);
  e.remittance = "Porto";
  s.entries.assign(3, e);
  const std::string json =
      domain::to_json(domain::StatementFile{"x.xml", "camt.053", {s}}, domain::JsonStyle::pretty);
  auto r = ingest("pretty.json", json);
  ASSERT_OK(r);
  EXPECT_EQ(r->counts.entries_new, 3);  // three equal lines, three entries
}

}  // namespace
}  // namespace bankrec::jobs
