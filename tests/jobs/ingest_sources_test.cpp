// Two sources for the same account and day (issue 4): an intraday camt.052 followed by the day's
// camt.053, and an API pull (statement JSON) beside an uploaded camt.053. Real CAMT parsing, a
// real SQLCipher store: no line is stored twice in either order, and a divergence is a warning.
#include "bankrec/domain/json.h"
#include "bankrec/jobs/ingest.h"
#include "bankrec/testing/testing.h"
#include "store_test_util.h"

namespace bankrec::jobs {
namespace {

using store::testing_util::TestStore;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kIban = "DE89370400440532013000";

struct Line {
  std::string ref;     // AcctSvcrRef
  std::int64_t minor;  // signed
  bool pending = false;
  std::string text = "Zahlung";
};

std::string amount_text(std::int64_t minor) {
  const std::int64_t a = minor < 0 ? -minor : minor;
  return std::to_string(a / 100) + "." + (a % 100 < 10 ? "0" : "") + std::to_string(a % 100);
}

std::string balance_xml(const char* code, std::int64_t minor, const std::string& day) {
  return std::string("<Bal><Tp><CdOrPrtry><Cd>") + code + "</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">" +
         amount_text(minor) + "</Amt><CdtDbtInd>" + (minor < 0 ? "DBIT" : "CRDT") + "</CdtDbtInd><Dt><Dt>" +
         day + "</Dt></Dt></Bal>";
}

/// A camt.053 statement (or, with `intraday`, a camt.052 report) for one day.
std::string camt(bool intraday, const std::string& id, const std::string& day, const std::vector<Line>& lines,
                 std::int64_t opening, std::int64_t closing) {
  const std::string kind = intraday ? "052" : "053";
  const std::string root = intraday ? "BkToCstmrAcctRpt" : "BkToCstmrStmt";
  const std::string stmt = intraday ? "Rpt" : "Stmt";
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt." +
                  kind + ".001.08\"><" + root + "><GrpHdr><MsgId>" + id + "</MsgId><CreDtTm>" + day +
                  "T18:00:00+01:00</CreDtTm></GrpHdr><" + stmt + "><Id>" + id +
                  "</Id><Acct><Id><IBAN>" + kIban + "</IBAN></Id><Ccy>EUR</Ccy></Acct>";
  x += intraday ? balance_xml("ITBD", closing, day) : balance_xml("OPBD", opening, day) + balance_xml("CLBD", closing, day);
  for (const Line& l : lines) {
    x += "<Ntry><Amt Ccy=\"EUR\">" + amount_text(l.minor) + "</Amt><CdtDbtInd>" + (l.minor < 0 ? "DBIT" : "CRDT") +
         "</CdtDbtInd><Sts><Cd>" + (l.pending ? "PDNG" : "BOOK") + "</Cd></Sts><BookgDt><Dt>" + day +
         "</Dt></BookgDt><ValDt><Dt>" + day + "</Dt></ValDt><AcctSvcrRef>" + l.ref +
         "</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>" + l.text + "</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>";
  }
  return x + "</" + stmt + "></" + root + "></Document>\n";
}

/// The same day as an API connector delivers it: statement JSON (contracts/statement-json.md).
std::string api_json(const std::string& id, const std::string& day, const std::vector<Line>& lines,
                     std::int64_t opening, std::int64_t closing) {
  domain::Statement s;
  s.id = id;
  s.account.iban = kIban;
  s.account.currency = "EUR";
  const domain::Date date = *domain::parse_iso_date(day);
  s.from_date = s.to_date = date;
  s.opening_balance = domain::Balance{domain::Money(opening, domain::kEur), date, "OPBD"};
  s.closing_balance = domain::Balance{domain::Money(closing, domain::kEur), date, "CLBD"};
  for (const Line& l : lines) {
    domain::Entry e;
    e.booking_date = e.value_date = date;
    e.amount = domain::Money(l.minor, domain::kEur);
    e.status = l.pending ? domain::EntryStatus::pending : domain::EntryStatus::booked;
    e.bank_reference = l.ref;
    e.remittance = l.text;
    s.entries.push_back(e);
  }
  return domain::to_json(domain::StatementFile{"api", "api", {s}}) + "\n";
}

class IngestSources : public ::testing::Test {
 protected:
  IngestSources() {
    formats::register_builtin_formats(registry_);
    registry_.add(statement_json_format());
  }
  store::ImportResult ingest(const std::string& name, const std::string& bytes) {
    IngestRequest request;
    request.name = name;
    request.bytes = as_bytes(bytes);
    auto r = ingest_file(*t_.store, registry_, request);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().describe());
    return r ? *r : store::ImportResult{};
  }
  std::int64_t count(const std::string& sql) { return *t_.store->db().query_int(sql); }
  std::vector<std::string> texts(const std::string& sql) { return *t_.store->db().query_texts(sql); }
  std::vector<std::string> divergences() {
    return texts("SELECT message FROM account_warnings WHERE kind = 'source_divergence' ORDER BY id");
  }

  TestStore t_;
  formats::FormatRegistry registry_;
};

const std::string kDay = "2026-11-19";

TEST_F(IngestSources, intraday_report_then_statement_stores_every_line_once) {
  auto report = ingest("noon.052.xml", camt(true, "R1", kDay, {{"A1", 30000}, {"P1", -4510, true, "Tankstelle"}}, 0, 30000));
  EXPECT_EQ(report.format, "camt.052.001.08");
  EXPECT_EQ(report.counts.entries_new, 2);
  auto day = ingest("day.053.xml", camt(false, "S1", kDay,
                                        {{"A1", 30000}, {"A2", -1000}, {"B7", -4510, false, "Tankstelle Nord"}},
                                        0, 24490));
  EXPECT_EQ(day.counts.entries_new, 2);  // A2 and the booked twin of P1
  EXPECT_EQ(day.counts.entries_skipped, 1);
  EXPECT_EQ(day.counts.pending_replaced, 1);
  EXPECT_EQ(count("SELECT count(*) FROM entries WHERE booking = 'booked'"), 3);
  EXPECT_THAT(texts("SELECT bank_reference || ' ' || COALESCE(provisional, '-') FROM entries ORDER BY id"),
              ElementsAre("A1 -", "P1 replaced", "A2 -", "B7 -"));
  EXPECT_THAT(divergences(), IsEmpty());
  EXPECT_THAT(texts("SELECT covers_from || ' ' || covers_to || ' ' || intraday FROM statements ORDER BY id"),
              ElementsAre(kDay + " " + kDay + " 1", kDay + " " + kDay + " 0"));
}

TEST_F(IngestSources, statement_then_intraday_report_adds_nothing) {
  ingest("day.053.xml", camt(false, "S1", kDay, {{"A1", 30000}, {"A2", -1000}}, 0, 29000));
  auto report = ingest("noon.052.xml", camt(true, "R1", kDay, {{"A1", 30000}}, 0, 30000));
  EXPECT_EQ(report.counts.entries_new, 0);
  EXPECT_EQ(report.counts.entries_skipped, 1);
  EXPECT_EQ(count("SELECT count(*) FROM entries"), 2);
  EXPECT_THAT(divergences(), IsEmpty());
}

TEST_F(IngestSources, an_intraday_line_missing_from_the_statement_is_reported_in_either_order) {
  ingest("noon.052.xml", camt(true, "R1", kDay, {{"A1", 30000}, {"A9", -1250}}, 0, 28750));
  auto day = ingest("day.053.xml", camt(false, "S1", kDay, {{"A1", 30000}, {"A2", -1000}}, 0, 29000));
  const std::string expected = "1 booked line summing -12.50 EUR of the intraday report 'noon.052.xml' for " + kDay +
                               " missing from the statement 'day.053.xml'";
  EXPECT_THAT(day.counts.warnings, ElementsAre(std::string(kIban) + ": " + expected));
  EXPECT_THAT(texts("SELECT kind || ' ' || missing_from || ' ' || missing_to FROM account_warnings"),
              ElementsAre("source_divergence " + kDay + " " + kDay));

  TestStore other;  // the statement first, then the late report
  t_.store.swap(other.store);
  ingest("day.053.xml", camt(false, "S1", kDay, {{"A1", 30000}, {"A2", -1000}}, 0, 29000));
  auto late = ingest("noon.052.xml", camt(true, "R1", kDay, {{"A1", 30000}, {"A9", -1250}}, 0, 28750));
  EXPECT_EQ(late.counts.entries_new, 1);
  EXPECT_THAT(divergences(), ElementsAre(expected));
  t_.store.swap(other.store);
}

TEST_F(IngestSources, api_pull_and_uploaded_statement_that_agree_store_each_line_once) {
  const std::vector<Line> lines{{"A1", 30000}, {"A2", -1000}};
  auto api = ingest("api-pull.json", api_json("S1", kDay, lines, 0, 29000));
  EXPECT_EQ(api.format, "bankrec.json");
  auto upload = ingest("day.053.xml", camt(false, "S1-UPLOAD", kDay, lines, 0, 29000));
  EXPECT_EQ(upload.counts.entries_new, 0);
  EXPECT_EQ(upload.counts.entries_skipped, 2);
  // and the other way round: the API pull after the upload
  auto again = ingest("api-pull-2.json", api_json("S1-API", kDay, lines, 0, 29000));
  EXPECT_EQ(again.counts.entries_new, 0);
  EXPECT_EQ(count("SELECT count(*) FROM entries"), 2);
  EXPECT_THAT(divergences(), IsEmpty());
}

TEST_F(IngestSources, api_pull_and_uploaded_statement_that_disagree_raise_a_warning) {
  ingest("api-pull.json", api_json("S1", kDay, {{"A1", 30000}, {"A2", -1000}}, 0, 29000));
  auto upload = ingest("day.053.xml", camt(false, "S1-UPLOAD", kDay, {{"A1", 30000}, {"A2", -1000}, {"A3", -500}}, 0, 28500));
  EXPECT_EQ(upload.counts.entries_new, 1);  // only A3: no duplicates of A1, A2
  EXPECT_EQ(count("SELECT count(*) FROM entries"), 3);
  EXPECT_THAT(divergences(),
              ElementsAre("'day.053.xml' and 'api-pull.json' disagree for " + kDay +
                          ": 3 booked lines summing 285.00 EUR here, 2 booked lines summing 290.00 EUR there "
                          "(1 only here, 0 only there); closing balance on " + kDay + " 285.00 here, 290.00 there"));
}

TEST_F(IngestSources, statements_of_other_days_are_not_compared) {
  ingest("api-pull.json", api_json("S1", "2026-11-18", {{"A1", 30000}}, 0, 30000));
  ingest("day.053.xml", camt(false, "S2", kDay, {{"A2", -1000}}, 30000, 29000));
  EXPECT_THAT(divergences(), IsEmpty());
}

}  // namespace
}  // namespace bankrec::jobs
