// The MT940/MT942 formats as the registry sees them: sniffing, documents, statements, streaming, encodings.
#include "mt940_test_util.h"

namespace bankrec::formats {
namespace {

using mt940_test::first_entry;
using mt940_test::parse;
using mt940_test::spec;
using mt940_test::statement;

int sniff(std::string_view id, std::string_view text) { return spec(id).sniff(as_bytes(text)); }

TEST(Mt940Format, sniff_tells_mt940_from_mt942_and_from_other_text) {
  const std::string mt940 =
      statement(":61:2401310131C1,00NTRFNONREF\r\n:86:x\r\n", ":60F:C240130EUR1,00", ":62F:C240131EUR2,00");
  const std::string mt942 =
      ":20:X\r\n:25:DE89370400440532013000\r\n:28C:1/1\r\n:34F:EURD0,\r\n:13D:2403201015+0100\r\n"
      ":61:2403200320D25,00NDDTNONREF\r\n:90D:1EUR25,00\r\n:90C:0EUR0,00\r\n";
  EXPECT_GE(sniff("mt940", mt940), 90);
  EXPECT_EQ(sniff("mt942", mt940), 0);
  EXPECT_GT(sniff("mt942", mt942), sniff("mt940", mt942));
  EXPECT_EQ(sniff("mt940", "{1:F01X}{2:I940XN}{4:\r\n:20:X\r\n"), 95);
  EXPECT_EQ(sniff("mt942", "{1:F01X}{2:O942XN}{4:\r\n:20:X\r\n"), 95);
  EXPECT_EQ(sniff("mt940", ":60F:C100318EUR380115,12\n"), 40);
  const char* const kOthers[] = {
      "<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"/>",
      "Buchungstag;Valuta;Betrag\n31.01.2024;31.01.2024;12,50\n",
      "Meeting notes\n:20: minutes past ten we started\n:61: was the room number\n",
      "",
      "OFXHEADER:100\nDATA:OFXSGML\n",
  };
  for (const char* other : kOthers) {
    EXPECT_EQ(sniff("mt940", other), 0) << other;
    EXPECT_EQ(sniff("mt942", other), 0) << other;
  }
}

TEST(Mt940Format, registry_detects_both_formats) {
  FormatRegistry registry;
  register_builtin_formats(registry);
  const std::string mt942 =
      ":20:X\r\n:25:PL29114010810000267002001002\r\n:28C:1/1\r\n:34F:PLN0\r\n:13D:1701191815+0100\r\n";
  const FormatSpec* found = registry.detect(as_bytes(mt942));
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->id, "mt942");
  const std::string mt940 = statement("", ":60F:C240130EUR1,00", ":62F:C240131EUR1,00");
  found = registry.detect(as_bytes(mt940));
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->id, "mt940");
}

TEST(Mt940Format, statement_header_fields) {
  const std::string text =
      ":20:STARTUMSE\r\n:25:70050000/0123456789\r\n:28C:172/1\r\n:60F:D240130EUR10,00\r\n"
      ":62M:C240131EUR5,00\r\n:64:C240131EUR4,00\r\n:65:C240201EUR3,00\r\n";
  const auto out = parse(text);
  ASSERT_OK(out);
  ASSERT_EQ(out->statements.size(), 1u);
  const auto& s = out->statements[0];
  EXPECT_EQ(out->format, "mt940");
  EXPECT_EQ(s.id.value_or(""), "STARTUMSE");
  EXPECT_EQ(s.sequence.value_or(""), "172/1");
  EXPECT_EQ(s.account.bank_code.value_or(""), "70050000");
  EXPECT_EQ(s.account.number.value_or(""), "0123456789");
  EXPECT_EQ(s.account.currency.value_or(""), "EUR");
  ASSERT_TRUE(s.opening_balance && s.closing_balance);
  EXPECT_EQ(s.opening_balance->amount.to_string(), "-10.00");
  EXPECT_EQ(s.opening_balance->type.value_or(""), "60F");
  EXPECT_EQ(s.closing_balance->type.value_or(""), "62M");
  ASSERT_EQ(s.other_balances.size(), 2u);
  EXPECT_EQ(s.other_balances[0].type.value_or(""), "64");
  EXPECT_EQ(s.other_balances[1].type.value_or(""), "65");
  EXPECT_EQ(s.other_balances[1].date->iso(), "2024-02-01");
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_EQ(s.warnings[0], "opening balance + entries = -10.00, closing balance = 5.00");
}

TEST(Mt940Format, account_forms) {
  struct Case {
    const char* value;
    const char* iban;
    const char* bank_code;
    const char* number;
    const char* currency;
  };
  const Case cases[] = {
      {"DE89370400440532013000", "DE89370400440532013000", "", "", "EUR"},
      {"NL10BUNQ2290325473 EUR", "NL10BUNQ2290325473", "", "", "EUR"},
      {"DE89370400440532013000USD", "DE89370400440532013000", "", "", "USD"},
      {"28020050/1426292700", "", "28020050", "1426292700", "EUR"},
      {"DABADKKK/1234567890", "", "", "DABADKKK/1234567890", "EUR"},
      {"1291.99.348EUR", "", "", "1291.99.348", "EUR"},
      {"3462.483.153 USD", "", "", "3462.483.153", "USD"},
  };
  for (const Case& c : cases) {
    const std::string text =
        std::string(":20:X\r\n:25:") + c.value + "\r\n:60F:C240130EUR1,00\r\n:62F:C240131EUR1,00\r\n";
    const auto out = parse(text);
    ASSERT_OK(out);
    const auto& a = out->statements[0].account;
    EXPECT_EQ(a.iban.value_or(""), c.iban) << c.value;
    EXPECT_EQ(a.bank_code.value_or(""), c.bank_code) << c.value;
    EXPECT_EQ(a.number.value_or(""), c.number) << c.value;
    EXPECT_EQ(a.currency.value_or(""), c.currency) << c.value;
  }
}

/// Records the order of sink calls and the batch sizes.
class RecordingSink final : public StatementSink {
 public:
  Result<void> set_format(std::string_view format) override {
    calls.push_back("format " + std::string(format));
    return ok();
  }
  Result<void> begin_statement(const domain::Statement& header) override {
    calls.push_back("begin " + header.id.value_or("") + " opening=" +
                    (header.opening_balance ? header.opening_balance->amount.to_string() : "none") +
                    " closing=" + (header.closing_balance ? "set" : "none"));
    if (!header.entries.empty()) calls.push_back("entries in header");
    return ok();
  }
  Result<void> add_entries(std::vector<domain::Entry>& batch) override {
    calls.push_back("entries " + std::to_string(batch.size()));
    return ok();
  }
  Result<void> end_statement(const domain::Statement& header) override {
    calls.push_back("end closing=" +
                    (header.closing_balance ? header.closing_balance->amount.to_string() : "none"));
    return ok();
  }
  std::vector<std::string> calls;
};

TEST(Mt940Format, streams_statements_and_batches_of_entries) {
  std::string body;
  for (std::size_t i = 0; i < kEntryBatch + 10; ++i)
    body += ":61:2401310131C1,00NTRFNONREF\r\n:86:166?20x\r\n";
  std::string text = statement(body, ":60F:C240130EUR0,00", ":62F:C240131EUR522,00");
  text += ":20:SECOND\r\n:60F:C240131EUR522,00\r\n:62F:C240201EUR522,00\r\n";
  RecordingSink sink;
  ASSERT_OK(spec().parse(as_bytes(text), {.file_name = "t.sta"}, sink));
  const std::vector<std::string> expected = {
      "format mt940",
      "begin STARTUMSE opening=0.00 closing=none",
      "entries " + std::to_string(kEntryBatch),
      "entries 10",
      "end closing=522.00",
      "begin SECOND opening=522.00 closing=set",
      "end closing=522.00",
  };
  EXPECT_EQ(sink.calls, expected);
}

TEST(Mt940Format, sink_errors_abort_the_parse) {
  class FailingSink final : public StatementSink {
    Result<void> set_format(std::string_view) override { return ok(); }
    Result<void> begin_statement(const domain::Statement&) override { return ok(); }
    Result<void> add_entries(std::vector<domain::Entry>&) override {
      return fail(Errc::unavailable, "disk full");
    }
    Result<void> end_statement(const domain::Statement&) override { return ok(); }
  } sink;
  const auto r = spec().parse(as_bytes(statement(":61:2401310131C1,00NTRFNONREF\r\n")), {}, sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "disk full");
}

TEST(Mt940Format, encodings_are_detected_or_forced) {
  const std::string latin1 = statement(":61:2401310131C1,00NTRFNONREF\r\n:86:166?32M\xFCller\r\n");
  auto out = parse(latin1);
  ASSERT_OK(out);
  EXPECT_EQ(first_entry(*out).counterparty.name.value_or(""), "M\xC3\xBCller");

  const std::string utf8 = statement(":61:2401310131C1,00NTRFNONREF\r\n:86:166?32M\xC3\xBCller\r\n");
  out = parse(utf8, {.encoding = "iso-8859-1"});  // forced: each byte is a character
  ASSERT_OK(out);
  EXPECT_EQ(first_entry(*out).counterparty.name.value_or(""), "M\xC3\x83\xC2\xBCller");

  const auto bad = parse(latin1, {.encoding = "utf-8"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().where, "t.sta:6:12 (byte 118)");

  const auto unknown = parse(latin1, {.encoding = "ebcdic"});
  EXPECT_FALSE(unknown);
}

TEST(Mt940Format, input_limit_is_enforced_before_parsing) {
  const auto out = parse(statement(""), {.max_input_bytes = 10});
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("file too large"));
}

TEST(Mt940Format, bad_balances) {
  auto out = parse(":20:X\r\n:60F:C240130EURabc\r\n");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().where, "t.sta:2:16 (byte 22, :60F:)");
  EXPECT_EQ(out.error().message, "invalid amount 'abc'");
  out = parse(":20:X\r\n:62F:C240130XYZ1,00\r\n");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message, "unknown currency 'XYZ' in balance");
  // A broken :64:/:65: is not worth failing the statement for (jejik's ":65F:Dnullnull7414,3").
  out = parse(":20:X\r\n:60F:C240130EUR1,00\r\n:62F:C240130EUR1,00\r\n:65F:Dnullnull7414,3\r\n");
  ASSERT_OK(out);
  ASSERT_EQ(out->statements[0].warnings.size(), 1u);
  EXPECT_EQ(out->statements[0].warnings[0],
            "ignored :65F: balance 'Dnullnull7414,3': invalid date 'nullnu' in balance");
}

TEST(Mt940Format, mt942_interim_report) {
  const std::string text =
      ":20:X\r\n:25:DE89370400440532013000\r\n:28C:1/1\r\n:34F:EURD100,00\r\n:13D:2403201015+0100\r\n"
      ":61:2403200320D25,00NDDTNONREF\r\n:61:2403200320C5,00NTRFNONREF\r\n:90D:1EUR25,00\r\n:90C:1EUR5,"
      "00\r\n";
  const auto out = parse(text, {}, "mt942");
  ASSERT_OK(out);
  EXPECT_EQ(out->format, "mt942");
  const auto& s = out->statements[0];
  EXPECT_EQ(s.created_at.value_or(""), "2024-03-20T10:15:00+01:00");
  EXPECT_THAT(s.warnings, ::testing::IsEmpty());
  ASSERT_EQ(s.other_balances.size(), 3u);
  EXPECT_EQ(s.other_balances[0].type.value_or(""), "34F");
  EXPECT_EQ(s.other_balances[0].amount.to_string(), "-100.00");
  EXPECT_EQ(s.other_balances[1].amount.to_string(), "-25.00");
  EXPECT_EQ(s.other_balances[2].amount.to_string(), "5.00");
  EXPECT_EQ(s.entries[0].status, domain::EntryStatus::pending);
}

TEST(Mt940Format, mt942_totals_that_disagree_are_a_warning) {
  const std::string text = ":20:X\r\n:34F:EUR0,\r\n:61:2403200320D25,00NDDTNONREF\r\n:90D:2EUR30,00\r\n";
  const auto out = parse(text, {}, "mt942");
  ASSERT_OK(out);
  ASSERT_EQ(out->statements[0].warnings.size(), 1u);
  EXPECT_EQ(out->statements[0].warnings[0],
            ":90D: gives 2 entries totalling -30.00, the statement has 1 totalling -25.00");
}

TEST(Mt940Format, statements_split_over_files_are_delivered_with_warnings) {
  auto out = parse(":61:2403170317D20,00NTRFNONREF\r\n:62F:C240317EUR70,00\r\n");
  ASSERT_OK(out);
  ASSERT_EQ(out->statements.size(), 1u);
  EXPECT_THAT(
      out->statements[0].warnings,
      ::testing::ElementsAre("currency unknown (no :60F: before the first :61:); amounts read as EUR",
                             "no opening balance (:60F:); the statement may have begun in another file"));
}

TEST(Mt940Format, opening_balance_after_a_closed_statement_starts_a_new_one) {
  const auto out = parse(
      ":20:A\r\n:60F:C240130EUR1,00\r\n:62F:C240131EUR1,00\r\n:60F:C240131EUR1,00\r\n:62F:C240201EUR1,"
      "00\r\n");
  ASSERT_OK(out);
  EXPECT_EQ(out->statements.size(), 2u);
}

TEST(Mt940Format, empty_and_tagless_input_gives_no_statements) {
  for (const char* text : {"", "\r\n\r\n", "hello\nworld\n", "-}\r\n{5:}\r\n", ":\r\n"}) {
    const auto out = parse(text);
    ASSERT_OK(out);
    EXPECT_TRUE(out->statements.empty()) << text;
  }
}

TEST(Mt940Format, fields_longer_than_the_line_limit_are_cut_with_a_warning) {
  std::string body = ":61:2401310131C1,00NTRFNONREF\r\n:86:first";
  for (int i = 0; i < 1500; ++i) body += "\r\nx";
  body += "\r\n";
  const auto out = parse(statement(body, ":60F:C240130EUR0,00", ":62F:C240131EUR1,00"));
  ASSERT_OK(out);
  EXPECT_THAT(out->statements[0].warnings,
              ::testing::ElementsAre(":86: has 1501 lines; only the first 1000 were read"));
  EXPECT_EQ(first_entry(*out).remittance->size(), std::string("first").size() + 2 * 999);
}

TEST(Mt940Format, hostile_repetitions_stay_bounded) {
  std::string text = ":20:X\r\n:60F:C240130EUR1,00\r\n";
  for (int i = 0; i < 500; ++i) text += ":64:C240130EUR1,00\r\n:60F:C240130EUR1,00\r\n";
  const auto out = parse(text);
  ASSERT_OK(out);
  ASSERT_EQ(out->statements.size(), 1u);
  const auto& s = out->statements[0];
  EXPECT_EQ(s.other_balances.size(), 100u);
  EXPECT_EQ(s.warnings.size(), 101u);  // 100 kept, then "N more warnings"
  EXPECT_EQ(s.warnings.back(), "402 more warnings");
}

}  // namespace
}  // namespace bankrec::formats
