#include "bankrec/formats/format_registry.h"

#include "bankrec/testing/testing.h"

namespace bankrec::formats {
namespace {

using ::testing::HasSubstr;

int sniff_toy(Bytes head) { return as_text(head).starts_with("TOY") ? 100 : 0; }
Result<void> parse_toy(Bytes input, const ParseOptions& options, StatementSink& sink) {
  BANKREC_TRY(sink.set_format("toy"));
  const std::string_view text = as_text(input);
  const auto bad = text.find('!');
  if (bad != std::string_view::npos) return parse_error(options, locate(text, bad, "amount"), "invalid amount '!'");
  domain::Statement s;
  BANKREC_TRY(sink.begin_statement(s));
  std::vector<domain::Entry> batch(2);
  BANKREC_TRY(sink.add_entries(batch));
  s.warnings.push_back("done");
  return sink.end_statement(s);
}
constexpr FormatSpec kToy{"toy", "toy format", sniff_toy, parse_toy};

TEST(FormatRegistry, finds_and_detects) {
  FormatRegistry registry;
  registry.add(kToy);
  EXPECT_EQ(registry.find("toy"), &registry.all()[0]);
  EXPECT_EQ(registry.find("mt940"), nullptr);
  EXPECT_NE(registry.detect(as_bytes("TOY 1")), nullptr);
  EXPECT_EQ(registry.detect(as_bytes("PDF")), nullptr);
}

TEST(FormatRegistry, collects_streamed_statements) {
  const auto out = parse_collect(kToy, as_bytes("TOY"), {});
  ASSERT_OK(out);
  EXPECT_EQ(out->format, "toy");
  ASSERT_EQ(out->statements.size(), 1u);
  EXPECT_EQ(out->statements[0].entries.size(), 2u);
  EXPECT_EQ(out->statements[0].warnings, std::vector<std::string>{"done"});
}

TEST(FormatRegistry, errors_carry_file_line_column_byte_and_locator) {
  const auto out = parse_collect(kToy, as_bytes("TOY\nab!"), {.file_name = "x.toy"});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().where, "x.toy:2:3 (byte 6, amount)");
  EXPECT_EQ(out.error().line, 2u);
  EXPECT_EQ(out.error().column, 3u);
}

TEST(FormatRegistry, unknown_content_is_reported) {
  FormatRegistry registry;
  registry.add(kToy);
  ParseOutput out;
  struct NullSink : StatementSink {
    Result<void> set_format(std::string_view) override { return ok(); }
    Result<void> begin_statement(const domain::Statement&) override { return ok(); }
    Result<void> add_entries(std::vector<domain::Entry>&) override { return ok(); }
    Result<void> end_statement(const domain::Statement&) override { return ok(); }
  } sink;
  EXPECT_ERR(parse_document(registry, "", as_bytes("hello"), {.file_name = "h.txt"}, sink), Errc::invalid_input,
             HasSubstr("unsupported or unrecognised format"));
}

TEST(Locate, counts_lf_crlf_and_cr_lines) {
  EXPECT_EQ(locate("a\nb\r\nc\rd", 7).line, 4u);
  EXPECT_EQ(locate("a\nb\r\nc\rd", 7).column, 1u);
  EXPECT_EQ(locate("abc", 2).column, 3u);
}

TEST(Zip, refuses_garbage) {
  EXPECT_FALSE(is_zip(as_bytes("hello")));
  EXPECT_TRUE(is_zip(as_bytes(std::string_view("PK\x03\x04junk", 8))));
  EXPECT_ERR(unpack_zip("x.zip", as_bytes(std::string_view("PK\x03\x04junk", 8))), Errc::invalid_input,
             HasSubstr("zip"));
}

TEST(Zip, an_excel_workbook_is_a_document_not_an_archive) {
  const auto workbook =
      testing::read_file(testing::source_dir() / "tests/fixtures/sheets/xlsx/openpyxl-generic-profile.xlsx");
  EXPECT_FALSE(is_zip(as_bytes(workbook)));
  FormatRegistry registry;
  register_builtin_formats(registry);
  const auto* spec = registry.detect(as_bytes(workbook));
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->id, "xlsx");
}

}  // namespace
}  // namespace bankrec::formats
