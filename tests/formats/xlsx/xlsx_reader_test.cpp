// The XLSX reader on workbooks built here part by part: shared and inline strings, rich text,
// styles, sheet order, the 1904 system, and damaged or hostile files with their exact errors.
#include "xlsx/xlsx_reader.h"

#include <gmock/gmock.h>

#include "sheet_test_util.h"

namespace bankrec::formats {
namespace {

using sheet_test::dump;
using sheet_test::make_zip;
using sheet_test::Member;
using ::testing::HasSubstr;

constexpr const char* kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr const char* kRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string rels_part() {
  return std::string(
             "<?xml version=\"1.0\"?><Relationships "
             "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
             "<Relationship Id=\"rId1\" Type=\"") +
         kRel + "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
}

std::string workbook_part(const std::vector<std::string>& sheets, bool date1904 = false) {
  std::string out = std::string("<workbook xmlns=\"") + kMain + "\" xmlns:r=\"" + kRel + "\">";
  if (date1904) out += "<workbookPr date1904=\"1\"/>";
  out += "<sheets>";
  for (std::size_t i = 0; i < sheets.size(); ++i)
    out += "<sheet name=\"" + sheets[i] + "\" sheetId=\"" + std::to_string(i + 1) + "\" r:id=\"rId" +
           std::to_string(i + 1) + "\"/>";
  return out + "</sheets></workbook>";
}

std::string workbook_rels(const std::vector<std::string>& targets) {
  std::string out = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  for (std::size_t i = 0; i < targets.size(); ++i)
    out += "<Relationship Id=\"rId" + std::to_string(i + 1) + "\" Type=\"" + kRel + "/worksheet\" Target=\"" +
           targets[i] + "\"/>";
  out += std::string("<Relationship Id=\"rS\" Type=\"") + kRel +
         "/sharedStrings\" Target=\"sharedStrings.xml\"/>";
  out += std::string("<Relationship Id=\"rT\" Type=\"") + kRel + "/styles\" Target=\"styles.xml\"/>";
  return out + "</Relationships>";
}

std::string sheet(std::string_view rows) {
  return std::string("<worksheet xmlns=\"") + kMain + "\"><sheetData>" + std::string(rows) +
         "</sheetData></worksheet>";
}

// Styles: 0 General, 1 builtin 14 (date), 2 custom 164 "dd.mm.yyyy hh:mm", 3 "#,##0.00".
std::string styles() {
  return std::string("<styleSheet xmlns=\"") + kMain +
         "\"><numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd.mm.yyyy hh:mm\"/>"
         "<numFmt numFmtId=\"165\" formatCode=\"#,##0.00\"/></numFmts>"
         "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
         "<cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/><xf "
         "numFmtId=\"165\"/></cellXfs>"
         "</styleSheet>";
}

std::string shared_strings() {
  return std::string("<sst xmlns=\"") + kMain +
         "\" count=\"4\" uniqueCount=\"4\">"
         "<si><t>Buchungstag</t></si>"
         "<si><r><rPr><b/></rPr><t>Miete </t></r><r><t xml:space=\"preserve\">März "
         "</t></r><r><t>2024</t></r></si>"
         "<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh></si>"
         "<si><t>line_x000D_</t></si>"
         "</sst>";
}

std::vector<Member> workbook(std::vector<Member> sheets, bool date1904 = false) {
  std::vector<std::string> names, targets;
  std::vector<Member> members = {{"[Content_Types].xml", "<Types/>"}, {"_rels/.rels", rels_part()}};
  for (auto& [name, content] : sheets) {
    names.push_back(name);
    targets.push_back("worksheets/" + name + ".xml");
  }
  members.push_back({"xl/workbook.xml", workbook_part(names, date1904)});
  members.push_back({"xl/_rels/workbook.xml.rels", workbook_rels(targets)});
  members.push_back({"xl/styles.xml", styles()});
  members.push_back({"xl/sharedStrings.xml", shared_strings()});
  for (auto& [name, content] : sheets) members.push_back({"xl/worksheets/" + name + ".xml", content});
  return members;
}

Result<std::vector<Table>> read(const std::string& bytes, const xlsx::Limits& limits = {}) {
  return xlsx::read_workbook(as_bytes(bytes), {.file_name = "t.xlsx"}, limits);
}

std::string read_dump(const std::vector<Member>& members) {
  const auto tables = read(make_zip(members));
  return tables ? dump(*tables) : "error: " + tables.error().describe();
}

std::string error_of(const std::string& bytes, const xlsx::Limits& limits = {}) {
  const auto tables = read(bytes, limits);
  return tables ? "no error" : tables.error().describe();
}

TEST(XlsxReader, shared_strings_rich_runs_and_phonetic_text) {
  const auto out =
      read_dump(workbook({{"Sheet1", sheet("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
                                           "<c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c>"
                                           "<c r=\"D1\" t=\"s\"><v> 3 </v></c></row>")}}));
  EXPECT_EQ(out, "== Sheet1 (Sheet1!)\n1: Buchungstag | Miete März 2024 | 東京 | line\\r |\n");
}

TEST(XlsxReader, inline_strings_formula_strings_booleans_and_errors) {
  const auto out = read_dump(workbook(
      {{"Sheet1",
        sheet("<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>inline</t></is></c>"
              "<c r=\"B2\" t=\"inlineStr\"><is><r><t>ri</t></r><r><rPr/><t>ch</t></r></is></c>"
              "<c r=\"C2\" t=\"str\"><f>A2&amp;\"x\"</f><v>inlinex</v></c>"
              "<c r=\"D2\" t=\"b\"><v>1</v></c><c r=\"E2\" t=\"b\"><v>0</v></c>"
              "<c r=\"F2\" t=\"e\"><v>#DIV/0!</v></c><c r=\"G2\" t=\"d\"><v>2024-01-31T00:00:00</v></c>"
              "<c r=\"H2\" t=\"d\"><v>2024-01-31T10:15:00.000</v></c></row>")}}));
  EXPECT_EQ(out,
            "== Sheet1 (Sheet1!)\n2: inline | rich | inlinex | TRUE | FALSE | #DIV/0! | 2024-01-31 | "
            "2024-01-31T10:15:00 |\n");
}

TEST(XlsxReader, number_formats_tell_dates_from_numbers) {
  const auto out = read_dump(workbook(
      {{"Sheet1",
        sheet("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>45322</v></c><c r=\"B1\" s=\"2\"><v>45322.4375</v></c>"
              "<c r=\"C1\" s=\"3\"><v>-1234.5</v></c><c r=\"D1\"><v>45322</v></c>"
              "<c r=\"E1\" s=\"0\"><v>1.2E-3</v></c><c r=\"F1\" s=\"99\"><v>7</v></c>"
              "<c r=\"G1\" s=\"1\"><v>-5</v></c></row>")}}));
  EXPECT_EQ(
      out,
      "== Sheet1 (Sheet1!)\n1: 2024-01-31 | 2024-01-31T10:30:00 | -1234.5 | 45322 | 0.0012 | 7 | -5 |\n");
}

TEST(XlsxReader, date1904_workbooks) {
  const auto out =
      read_dump(workbook({{"Sheet1", sheet("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>43830</v></c></row>")}},
                         /*date1904=*/true));
  EXPECT_EQ(out, "== Sheet1 (Sheet1!)\n1: 2024-01-01 |\n");
}

TEST(XlsxReader, gaps_empty_rows_and_cells_without_references) {
  const auto out = read_dump(workbook(
      {{"Sheet1",
        sheet("<row r=\"1\"><c><v>1</v></c><c><v>2</v></c><c r=\"E1\"><v>5</v></c><c><v>6</v></c>"
              "<c r=\"H1\" s=\"1\"/></row><row r=\"3\" spans=\"1:3\"/><row><c r=\"C4\" t=\"s\"/></row>"
              "<row r=\"7\"><c r=\"B7\" t=\"inlineStr\"><is><t/></is></c><c r=\"C7\"><v>0</v></c></row>")}}));
  EXPECT_EQ(out, "== Sheet1 (Sheet1!)\n1: 1 | 2 |  |  | 5 | 6 |\n7:  |  | 0 |\n");
}

TEST(XlsxReader, sheets_in_workbook_order_not_part_order) {
  auto members = workbook({{"Zweites", sheet("<row r=\"1\"><c r=\"A1\"><v>2</v></c></row>")},
                           {"Konto 1", sheet("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>")}});
  const auto out = read_dump(members);
  EXPECT_EQ(out, "== Zweites (Zweites!)\n1: 2 |\n== Konto 1 ('Konto 1'!)\n1: 1 |\n");
}

TEST(XlsxReader, chart_sheets_are_skipped_and_absolute_targets_resolve) {
  std::vector<Member> members = workbook({{"Data", sheet("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>")}});
  for (auto& [name, content] : members) {
    if (name == "xl/workbook.xml")
      content = std::string("<workbook xmlns:r=\"") + kRel +
                "\"><sheets><sheet name=\"Chart\" r:id=\"rC\"/><sheet name=\"Data\" "
                "r:id=\"rId1\"/></sheets></workbook>";
    if (name == "xl/_rels/workbook.xml.rels")
      content = std::string("<Relationships><Relationship Id=\"rC\" Type=\"") + kRel +
                "/chartsheet\" Target=\"chartsheets/sheet1.xml\"/><Relationship Id=\"rId1\" Type=\"" + kRel +
                "/worksheet\" Target=\"/xl/worksheets/Data.xml\"/></Relationships>";
  }
  EXPECT_EQ(read_dump(members), "== Data (Data!)\n1: 1 |\n");
}

TEST(XlsxReader, cell_errors_name_the_cell) {
  const auto bad = [](std::string_view cell) {
    return error_of(make_zip(
        workbook({{"Sheet1", sheet(std::string("<row r=\"14\">") + std::string(cell) + "</row>")}})));
  };
  EXPECT_EQ(bad("<c r=\"C14\" t=\"s\"><v>57</v></c>"),
            "t.xlsx (Sheet1!C14): shared string 57 does not exist (the workbook has 4)");
  EXPECT_EQ(bad("<c r=\"C14\" t=\"s\"><v>x</v></c>"), "t.xlsx (Sheet1!C14): invalid shared string index 'x'");
  EXPECT_EQ(bad("<c r=\"B14\"><v>12,50</v></c>"), "t.xlsx (Sheet1!B14): invalid number '12,50'");
  EXPECT_EQ(bad("<c r=\"B14\" t=\"b\"><v>yes</v></c>"), "t.xlsx (Sheet1!B14): invalid boolean 'yes'");
  EXPECT_EQ(bad("<c r=\"B14\" t=\"z\"><v>1</v></c>"), "t.xlsx (Sheet1!B14): unknown cell type 'z'");
  EXPECT_EQ(bad("<c r=\"B15\"><v>1</v></c>"), "t.xlsx (Sheet1!B15): cell B15 is inside row 14");
  EXPECT_THAT(bad("<c r=\"XFE14\"><v>1</v></c>"), HasSubstr("invalid cell reference 'XFE14'"));
}

TEST(XlsxReader, malformed_sheet_xml_names_part_line_and_column) {
  const auto e = error_of(
      make_zip(workbook({{"Sheet1", "<worksheet><sheetData>\n<row r=\"1\"><c r=\"A1\"><v>1</c></row>"}})));
  EXPECT_THAT(e, HasSubstr("t.xlsx (xl/worksheets/Sheet1.xml:2:"));
  EXPECT_THAT(e, HasSubstr("malformed xml: "));
}

TEST(XlsxReader, doctype_is_refused) {
  const auto e = error_of(
      make_zip(workbook({{"Sheet1",
                          "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><worksheet><sheetData><row r=\"1\"><c r=\"A1\" "
                          "t=\"inlineStr\"><is><t>&a;</t></is></c></row></sheetData></worksheet>"}})));
  EXPECT_THAT(e, HasSubstr("a DOCTYPE is not allowed in a workbook part"));
}

TEST(XlsxReader, missing_sheet_part) {
  auto members = workbook({{"Sheet1", sheet("")}, {"Sheet2", sheet("")}});
  std::erase_if(members, [](const Member& m) { return m.first == "xl/worksheets/Sheet2.xml"; });
  EXPECT_EQ(error_of(make_zip(members)),
            "t.xlsx (Sheet2): the sheet's part xl/worksheets/Sheet2.xml is missing from the workbook");
}

TEST(XlsxReader, sheet_without_relationship) {
  auto members = workbook({{"Sheet1", sheet("")}});
  for (auto& [name, content] : members)
    if (name == "xl/workbook.xml")
      content = std::string("<workbook xmlns:r=\"") + kRel +
                "\"><sheets><sheet name=\"S\" r:id=\"rId9\"/></sheets></workbook>";
  EXPECT_THAT(
      error_of(make_zip(members)),
      HasSubstr("sheet 'S' names relationship 'rId9', which xl/_rels/workbook.xml.rels does not have"));
}

TEST(XlsxReader, not_a_workbook) {
  EXPECT_EQ(error_of(make_zip({{"statement.xml", "<Document/>"}})),
            "t.xlsx: not an xlsx workbook: the zip archive has no xl/workbook.xml (a zip of other files?)");
  EXPECT_EQ(error_of("plain text, no zip at all"), "t.xlsx: not an xlsx workbook: not a zip archive");
}

TEST(XlsxReader, truncated_file) {
  const std::string bytes =
      make_zip(workbook({{"Sheet1", sheet("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>")}}));
  for (const std::size_t keep : {bytes.size() - 10, bytes.size() / 2, std::size_t{30}}) {
    EXPECT_THAT(error_of(bytes.substr(0, keep)), HasSubstr("t.xlsx: ")) << keep;
    EXPECT_THAT(error_of(bytes.substr(0, keep)),
                ::testing::AnyOf(HasSubstr("damaged xlsx workbook (truncated download?)"),
                                 HasSubstr("not a zip archive")))
        << keep;
  }
}

TEST(XlsxReader, zip_bomb_by_expansion_ratio) {
  std::string rows =
      "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>" + std::string(4 << 20, ' ') + "x</t></is></c></row>";
  const std::string bytes = make_zip(workbook({{"Sheet1", sheet(rows)}}));
  EXPECT_LT(bytes.size(), 20'000u);
  EXPECT_THAT(error_of(bytes),
              ::testing::MatchesRegex(
                  "t\\.xlsx \\(xl/worksheets/Sheet1\\.xml\\): part expands from [0-9]+ to [0-9]+ bytes, "
                  "more than 200 times \\(zip bomb\\?\\)"));
}

TEST(XlsxReader, part_and_total_size_limits) {
  const std::string bytes =
      make_zip(workbook({{"Sheet1", sheet("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>")}}));
  xlsx::Limits small;
  small.max_part_bytes = 100;
  EXPECT_THAT(error_of(bytes, small),
              HasSubstr("(_rels/.rels): part is 261 bytes uncompressed, more than the limit of 100"));
  xlsx::Limits total;
  total.max_total_bytes = 1000;
  EXPECT_THAT(error_of(bytes, total),
              ::testing::AnyOf(HasSubstr("expands beyond 1000 bytes"), HasSubstr("part expands beyond")));
  xlsx::Limits parts;
  parts.max_parts = 3;
  EXPECT_EQ(error_of(bytes, parts),
            "t.xlsx: the workbook's zip archive has 7 entries, more than the limit of 3");
}

TEST(XlsxReader, cell_budget_counts_gaps) {
  const std::string bytes =
      make_zip(workbook({{"Sheet1", sheet("<row r=\"1\"><c r=\"XFD1\"><v>1</v></c></row>"
                                          "<row r=\"2\"><c r=\"XFD2\"><v>1</v></c></row>")}}));
  xlsx::Limits limits;
  limits.max_cells = 20'000;
  EXPECT_EQ(error_of(bytes, limits), "t.xlsx (Sheet1!XFD2): the workbook has more than 20000 cells");
}

TEST(XlsxReader, deep_nesting_is_refused) {
  std::string deep;
  for (int i = 0; i < 80; ++i) deep += "<x>";
  for (int i = 0; i < 80; ++i) deep += "</x>";
  EXPECT_THAT(error_of(make_zip(workbook({{"Sheet1", sheet("<row r=\"1\">" + deep + "</row>")}}))),
              HasSubstr("elements nested deeper than 64 levels"));
}

}  // namespace
}  // namespace bankrec::formats
