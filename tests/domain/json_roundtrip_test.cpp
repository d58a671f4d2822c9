#include <string>
#include <string_view>

#include "bankrec/domain/json.h"
#include "bankrec/testing/testing.h"

namespace bankrec::domain {
namespace {

using ::testing::HasSubstr;

const Currency kUsd = *Currency::find("USD");
const Currency kJpy = *Currency::find("JPY");
const Currency kKwd = *Currency::find("KWD");

/// An entry with every field set, details and return info included.
Entry full_entry() {
  Entry e;
  e.booking_date = Date{2024, 1, 31};
  e.value_date = Date{2024, 2, 1};
  e.amount = Money(-119000, kEur);
  e.status = EntryStatus::pending;
  e.reversal = true;
  e.bank_reference = "2024013100123";
  e.customer_reference = "NOTPROVIDED";
  e.end_to_end_id = "E2E-77-INV-2024-0815";
  e.mandate_id = "M-42";
  e.creditor_id = "DE98ZZZ09999999999";
  e.transaction_code = {"PMNT-RCDT-ESCT", "NTRF+166+931", "NTRF", "166"};
  e.posting_text = "SEPA-GUTSCHRIFT";
  e.counterparty = {"Hans \"Hansi\" Beispiel \xC3\x9C",
                    "DE02120300000000202051",
                    "BYLADEM1001",
                    "0202051",
                    "12030000",
                    "ORG-1"};
  e.remittance = "Rechnung INV-2024-0815\nKd 4711\t\\";
  e.structured_reference = "RF18539007547034";
  e.original_amount = Money(130000, kUsd);
  e.charges = Money(-250, kEur);
  e.return_info = ReturnInfo{"AM04", "E2E-ORIG", "insufficient funds"};
  EntryDetail d1;
  d1.amount = Money(-100000, kEur);
  d1.end_to_end_id = "E2E-1";
  d1.instruction_id = "INSTR-1";
  d1.transaction_id = "TX-1";
  d1.mandate_id = "M-1";
  d1.bank_reference = "BR-1";
  d1.counterparty.name = "Erika Muster";
  d1.counterparty.account = "123456";
  d1.remittance = "Teil 1";
  d1.structured_reference = "RF741";
  d1.return_info = ReturnInfo{"MD06", std::nullopt, std::nullopt};
  EntryDetail d2;  // everything absent
  e.details = {d1, d2};
  return e;
}

Statement full_statement() {
  Statement s;
  s.id = "STMT-2024-02-01-001";
  s.sequence = "32";
  s.created_at = "2024-02-01T06:01:12+01:00";
  s.account = {"DE89370400440532013000", "COBADEFFXXX", "0532013000", "37040044", "EUR",
               "Muster Wohnen GmbH",     "Girokonto",   "Commerzbank"};
  s.from_date = Date{2024, 1, 31};
  s.to_date = Date{2024, 1, 31};
  s.opening_balance = Balance{Money(1050000, kEur), Date{2024, 1, 30}, "OPBD"};
  s.closing_balance = Balance{Money(-1169000, kEur), Date{2024, 1, 31}, std::nullopt};
  s.other_balances = {Balance{Money(5, kEur), std::nullopt, "CLAV"},
                      Balance{Money(0, kEur), Date{2024, 2, 2}, "FWAV"}};
  s.warnings = {"opening balance + entries = 11689.99, closing balance = 11690.00", "\xC3\xBC"};
  s.entries = {full_entry(), Entry{.amount = Money(1200, kJpy)}, Entry{.amount = Money(-1, kKwd)}};
  return s;
}

/// A statement with only the required values.
Statement sparse_statement() {
  Statement s;
  Entry e;
  e.amount = Money(5, kEur);
  s.entries.push_back(e);
  return s;
}

OpenItem full_open_item() {
  OpenItem item;
  item.id = "INV-1";
  item.kind = OpenItemKind::credit_note;
  item.partner_id = "C-4711";
  item.partner_name = "Muster Wohnen GmbH";
  item.partner_ibans = {"DE89370400440532013000", "DE02120300000000202051"};
  item.document_number = "RE 24/1234";
  item.amount = Money(119000, kEur);
  item.issue_date = Date{2024, 1, 2};
  item.due_date = Date{2024, 2, 1};
  item.reference = "RF18539007547034";
  item.discount_until = Date{2024, 1, 12};
  item.discount_basis_points = 150;
  return item;
}

TEST(JsonRoundtrip, statement_files_in_both_styles) {
  const StatementFile files[] = {
      {"a.xml", "camt.053.001.02", {full_statement(), sparse_statement(), Statement{}}},
      {"archive.zip/inner.xml", "mt940", {}},
      {"\xC3\xBC"
       "ber \"quoted\".sta",
       "csv:sparkasse",
       {sparse_statement()}},
  };
  for (const StatementFile& f : files) {
    for (JsonStyle style : {JsonStyle::compact, JsonStyle::pretty}) {
      const std::string json = to_json(f, style);
      const auto back = statement_file_from_json(json);
      ASSERT_TRUE(back.has_value()) << f.file << ": " << back.error().describe() << "\n" << json;
      EXPECT_EQ(*back, f) << f.file << "\n" << json;
      EXPECT_EQ(to_json(*back, style), json) << f.file;
    }
  }
}

TEST(JsonRoundtrip, single_statements) {
  for (const Statement& s : {full_statement(), sparse_statement(), Statement{}}) {
    for (JsonStyle style : {JsonStyle::compact, JsonStyle::pretty}) {
      const std::string json = to_json(s, style);
      const auto back = statement_from_json(json);
      ASSERT_TRUE(back.has_value()) << back.error().describe() << "\n" << json;
      EXPECT_EQ(*back, s) << json;
    }
  }
}

TEST(JsonRoundtrip, open_items) {
  OpenItem sparse;
  sparse.id = "X";
  sparse.partner_id = "P";
  sparse.partner_name = "N";
  sparse.document_number = "D";
  sparse.amount = Money(1, kEur);
  OpenItem one_iban = full_open_item();
  one_iban.partner_ibans = {"DE89370400440532013000"};
  one_iban.discount_basis_points = 200;
  for (const OpenItem& item : {full_open_item(), sparse, one_iban}) {
    for (JsonStyle style : {JsonStyle::compact, JsonStyle::pretty}) {
      const std::string json = to_json(item, style);
      const auto back = open_item_from_json(json);
      ASSERT_TRUE(back.has_value()) << back.error().describe() << "\n" << json;
      EXPECT_EQ(*back, item) << json;
    }
  }
}

// Hand-written JSON may omit keys, use null, an array of IBANs and a whole-number percentage.
TEST(JsonRoundtrip, reads_hand_written_open_items) {
  const auto item = open_item_from_json(R"({"id": "INV-9", "kind": "invoice", "partner_id": "C1",
      "partner_name": "Muster", "partner_ibans": ["DE89370400440532013000"], "document_number": "INV-9",
      "amount": "100", "currency": "EUR", "due_date": null, "discount_percent": 2, "extra": {"ignored": true}})");
  ASSERT_OK(item);
  EXPECT_EQ(item->amount, Money(10000, kEur));
  EXPECT_EQ(item->partner_ibans, std::vector<std::string>{"DE89370400440532013000"});
  EXPECT_EQ(item->discount_basis_points, 200);
  EXPECT_EQ(item->due_date, std::nullopt);
  const auto split =
      open_item_from_json(R"({"id": "1", "kind": "bill", "partner_id": "C", "partner_name": "N",
      "partner_ibans": "DE89370400440532013000; DE02120300000000202051;", "document_number": "D",
      "amount": "8.850", "currency": "EUR", "discount_percent": "1.5"})");
  ASSERT_OK(split);
  EXPECT_EQ(split->partner_ibans.size(), 2u);
  EXPECT_EQ(split->amount.minor(), 885);
  EXPECT_EQ(split->discount_basis_points, 150);
}

TEST(JsonRoundtrip, unknown_currency_keeps_its_written_exponent) {
  Statement s;
  Entry e;
  e.amount = Money(1250, Currency{{'X', 'Y', 'Z'}, 2});
  s.entries.push_back(e);
  const auto back = statement_from_json(to_json(s));
  ASSERT_OK(back);
  EXPECT_EQ(*back, s);
}

struct BadJson {
  const char* description;
  std::string_view json;
  std::string_view message;
};

TEST(JsonRoundtrip, errors_name_the_json_path) {
  const std::string valid = to_json(StatementFile{"a", "mt940", {full_statement()}});
  // The third entry (KWD -0.001) gets a decimal comma.
  std::string bad_amount = valid;
  const std::string kwd_amount = R"("amount":"-0.001")";
  ASSERT_NE(bad_amount.find(kwd_amount), std::string::npos);
  bad_amount.replace(bad_amount.find(kwd_amount), kwd_amount.size(), R"("amount":"-0,001")");

  const BadJson cases[] = {
      {"bad entry amount", bad_amount, "statements[0].entries[2].amount: invalid amount '-0,001'"},
      {"syntax error", R"({"file": "a", )", "invalid json at byte"},
      {"not an object", "[]", "top level: expected an object"},
      {"missing file", R"({"format": "x"})", "file: missing"},
      {"file is a number", R"({"file": 1, "format": "x"})", "file: expected a string or null"},
      {"statements not an array", R"({"file": "a", "format": "x", "statements": {}})",
       "statements: expected an array"},
      {"statement not an object", R"({"file": "a", "format": "x", "statements": [1]})",
       "statements[0]: expected an object"},
      {"bad date", R"({"file": "a", "format": "x", "statements": [{"from_date": "01.02.2024"}]})",
       "statements[0].from_date: invalid date '01.02.2024'"},
      {"impossible date", R"({"file": "a", "format": "x", "statements": [{"to_date": "2024-02-30"}]})",
       "statements[0].to_date: invalid date '2024-02-30'"},
      {"entry without amount", R"({"file": "a", "format": "x", "statements": [{"entries": [{}]}]})",
       "statements[0].entries[0].amount: missing"},
      {"entry without currency",
       R"({"file": "a", "format": "x", "statements": [{"entries": [{"amount": "1.00"}]}]})",
       "statements[0].entries[0].currency: missing"},
      {"bad currency",
       R"({"file": "a", "format": "x", "statements": [{"entries": [{"amount": "1.00", "currency": "euro"}]}]})",
       "statements[0].entries[0].currency: invalid currency 'euro'"},
      {"floating amount",
       R"({"file": "a", "format": "x", "statements": [{"entries": [{"amount": 1.5, "currency": "EUR"}]}]})",
       "statements[0].entries[0].amount: expected a decimal string"},
      {"bad status",
       R"({"file": "a", "format": "x", "statements": [{"entries": [{"amount": "1", "currency": "EUR", "status": "done"}]}]})",
       "statements[0].entries[0].status: unknown status 'done'"},
      {"reversal not bool",
       R"({"file": "a", "format": "x", "statements": [{"entries": [{"amount": "1", "currency": "EUR", "reversal": "no"}]}]})",
       "statements[0].entries[0].reversal: expected true or false"},
      {"bad detail amount",
       R"({"file": "a", "format": "x", "statements": [{"entries": [{"amount": "1", "currency": "EUR",
           "details": [{}, {"amount": "x", "currency": "EUR"}]}]}]})",
       "statements[0].entries[0].details[1].amount: invalid amount 'x'"},
      {"bad counterparty",
       R"({"file": "a", "format": "x", "statements": [{"entries": [{"amount": "1", "currency": "EUR", "counterparty": {"iban": 5}}]}]})",
       "statements[0].entries[0].counterparty.iban: expected a string or null"},
      {"bad return",
       R"({"file": "a", "format": "x", "statements": [{"entries": [{"amount": "1", "currency": "EUR", "return": []}]}]})",
       "statements[0].entries[0].return: expected an object"},
      {"bad original amount",
       R"({"file": "a", "format": "x", "statements": [{"entries": [{"amount": "1", "currency": "EUR", "original_amount": {"amount": "1"}}]}]})",
       "statements[0].entries[0].original_amount.currency: missing"},
      {"bad balance",
       R"({"file": "a", "format": "x", "statements": [{"other_balances": [{"amount": "1", "currency": "EUR"}, 3]}]})",
       "statements[0].other_balances[1]: expected an object"},
      {"bad warning", R"({"file": "a", "format": "x", "statements": [{"warnings": ["ok", null]}]})",
       "statements[0].warnings[1]: expected a string"},
      {"bad account", R"({"file": "a", "format": "x", "statements": [{"account": {"owner": true}}]})",
       "statements[0].account.owner: expected a string or null"},
  };
  for (const BadJson& c : cases) {
    const auto r = statement_file_from_json(c.json);
    ASSERT_FALSE(r.has_value()) << c.description;
    EXPECT_EQ(r.error().code, Errc::invalid_input) << c.description;
    EXPECT_THAT(r.error().message, HasSubstr(std::string(c.message))) << c.description;
  }
}

TEST(JsonRoundtrip, open_item_errors_name_the_field) {
  const BadJson cases[] = {
      {"missing id", R"({"kind": "invoice"})", "id: missing"},
      {"bad kind", R"({"id": "1", "kind": "order"})", "kind: unknown kind 'order'"},
      {"bad ibans",
       R"({"id": "1", "kind": "bill", "partner_id": "C", "partner_name": "N", "partner_ibans": 5})",
       "partner_ibans: expected a string or null"},
      {"bad iban element",
       R"({"id": "1", "kind": "bill", "partner_id": "C", "partner_name": "N", "partner_ibans": ["A", 5]})",
       "partner_ibans[1]: expected a string"},
      {"too many decimals",
       R"({"id": "1", "kind": "bill", "partner_id": "C", "partner_name": "N", "document_number": "D",
           "amount": "1.001", "currency": "EUR"})",
       "amount: invalid amount '1.001' (more than 2 decimals)"},
      {"bad discount",
       R"({"id": "1", "kind": "bill", "partner_id": "C", "partner_name": "N", "document_number": "D",
           "amount": "1", "currency": "EUR", "discount_percent": "2%"})",
       "discount_percent: invalid percentage '2%'"},
      {"discount out of range",
       R"({"id": "1", "kind": "bill", "partner_id": "C", "partner_name": "N", "document_number": "D",
           "amount": "1", "currency": "EUR", "discount_percent": "101"})",
       "discount_percent: percentage '101' out of range"},
  };
  for (const BadJson& c : cases) {
    const auto r = open_item_from_json(c.json);
    ASSERT_FALSE(r.has_value()) << c.description;
    EXPECT_THAT(r.error().message, HasSubstr(std::string(c.message))) << c.description;
  }
}

}  // namespace
}  // namespace bankrec::domain
