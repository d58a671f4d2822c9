// XLS and XLSX recognition, and the XLS reader on damaged or foreign files.
#include "xls/xls_reader.h"

#include <gmock/gmock.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "../xlsx/sheet_test_util.h"
#include "bankrec/formats/format_registry.h"
#include "bankrec/testing/testing.h"

namespace bankrec::formats {
namespace {

using ::testing::HasSubstr;

std::string fixture(const std::string& name) {
  return testing::read_file(testing::source_dir() / "tests" / "fixtures" / "sheets" / name);
}

const FormatSpec& spec(std::string_view id) {
  static FormatRegistry registry = [] {
    FormatRegistry r;
    register_builtin_formats(r);
    return r;
  }();
  return *registry.find(id);
}

int sniff(std::string_view id, const std::string& bytes) {
  return spec(id).sniff(as_bytes(std::string_view(bytes).substr(0, kSniffBytes)));
}

TEST(SheetSniff, workbooks_are_recognised_and_nothing_else) {
  const std::string xls = fixture("xls/xlwt-statement.xls");
  const std::string real_xls = fixture("xls/bankreader/Extras_de_cont_12345678_20012018_31012018.xls");
  const std::string xlsx = fixture("xlsx/openpyxl-statement.xlsx");
  const std::string docx =
      sheet_test::make_zip({{"[Content_Types].xml", "<Types/>"}, {"word/document.xml", "<w/>"}});
  const std::string plain_zip = sheet_test::make_zip({{"a.xml", "<Document/>"}});
  EXPECT_EQ(sniff("xls", xls), 60);  // the directory sector is past the first 4 KiB
  EXPECT_EQ(sniff("xls", real_xls), 60);
  std::string directory_early =
      xls.substr(0, 8) + std::string(600, '\0') + std::string("W\0o\0r\0k\0b\0o\0o\0k\0", 16);
  EXPECT_EQ(sniff("xls", directory_early), 95);
  EXPECT_EQ(sniff("xlsx", xlsx), 95);
  EXPECT_EQ(sniff("xls", xlsx), 0);
  EXPECT_EQ(sniff("xlsx", xls), 0);
  EXPECT_EQ(sniff("xlsx", docx), 0);
  EXPECT_EQ(sniff("xlsx", plain_zip), 0);
  EXPECT_EQ(sniff("xls", "Buchungstag;Betrag\n"), 0);
  FormatRegistry registry;
  register_builtin_formats(registry);
  EXPECT_EQ(registry.detect(as_bytes(xls))->id, "xls");
  EXPECT_EQ(registry.detect(as_bytes(xlsx))->id, "xlsx");
}

std::string error_of(const std::string& bytes) {
  const auto tables = xls::read_workbook(as_bytes(bytes), {.file_name = "t.xls"});
  return tables ? "no error" : tables.error().describe();
}

TEST(XlsReader, damaged_and_foreign_files) {
  const std::string xls = fixture("xls/bankreader/Extras_de_cont_12345678_20012018_31012018.xls");
  EXPECT_EQ(error_of("Buchungstag;Betrag\n02.01.2024;12,50\n"),
            "t.xls: not an xls workbook (no ole2 compound file header)");
  EXPECT_THAT(error_of(xls.substr(0, 4096)), HasSubstr("t.xls: damaged xls workbook"));
  EXPECT_THAT(error_of(xls.substr(0, 600)), ::testing::StartsWith("t.xls: "));
  std::string garbage = xls.substr(0, 512) + std::string(4096, '\xff');
  EXPECT_THAT(error_of(garbage), ::testing::StartsWith("t.xls: "));
  EXPECT_EQ(error_of(fixture("xlsx/openpyxl-statement.xlsx")),
            "t.xls: not an xls workbook (no ole2 compound file header)");
}

TEST(XlsReader, the_temporary_copy_is_gone_after_reading) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("bankrec-xls-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("TMPDIR", dir.c_str(), 1);
  const auto ok = xls::read_workbook(as_bytes(fixture("xls/xlwt-statement.xls")), {.file_name = "t.xls"});
  const auto bad = xls::read_workbook(as_bytes(std::string("not an xls")), {.file_name = "t.xls"});
  if (old != nullptr)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  EXPECT_TRUE(ok);
  EXPECT_FALSE(bad);
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

TEST(XlsReader, limits) {
  const std::string xls = fixture("xls/xlwt-statement.xls");
  xls::Limits limits;
  limits.max_cells = 6;
  const auto tables = xls::read_workbook(as_bytes(xls), {.file_name = "t.xls"}, limits);
  ASSERT_FALSE(tables);
  EXPECT_EQ(tables.error().describe(), "t.xls (Kontoauszug!B2): the workbook has more than 6 cells");
  const auto small = xls::read_workbook(as_bytes(xls), {.file_name = "t.xls", .max_input_bytes = 100});
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().describe(), "t.xls: file is 5632 bytes, more than the limit of 100");
}

TEST(XlsReader, statements_need_a_profile) {
  const std::string xls = fixture("xls/xlwt-statement.xls");
  const auto out = parse_collect(spec("xls"), as_bytes(xls), {.file_name = "t.xls"});
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().describe(), HasSubstr("profile"));
}

}  // namespace
}  // namespace bankrec::formats
