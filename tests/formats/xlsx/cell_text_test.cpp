// Cell rendering shared by the XLSX and XLS readers: number formats, date serials, numbers.
#include "xlsx/cell_text.h"

#include <gtest/gtest.h>

namespace bankrec::formats::xlsx {
namespace {

TEST(CellText, builtin_format_ids) {
  EXPECT_EQ(builtin_format_kind(0), ValueKind::number);
  EXPECT_EQ(builtin_format_kind(4), ValueKind::number);
  EXPECT_EQ(builtin_format_kind(14), ValueKind::date);
  EXPECT_EQ(builtin_format_kind(17), ValueKind::date);
  EXPECT_EQ(builtin_format_kind(18), ValueKind::time);
  EXPECT_EQ(builtin_format_kind(21), ValueKind::time);
  EXPECT_EQ(builtin_format_kind(22), ValueKind::date_time);
  EXPECT_EQ(builtin_format_kind(30), ValueKind::date);
  EXPECT_EQ(builtin_format_kind(44), ValueKind::number);
  EXPECT_EQ(builtin_format_kind(46), ValueKind::time);
  EXPECT_EQ(builtin_format_kind(49), ValueKind::number);
  EXPECT_EQ(builtin_format_kind(57), ValueKind::date);
  EXPECT_EQ(builtin_format_kind(164), ValueKind::number);
}

TEST(CellText, custom_format_codes) {
  struct Case {
    const char* code;
    ValueKind kind;
  };
  const Case cases[] = {
      {"General", ValueKind::number},
      {"#,##0.00", ValueKind::number},
      {"0.00E+00", ValueKind::number},
      {"#,##0.00 \"EUR\";[Red]-#,##0.00 \"EUR\"", ValueKind::number},
      {"#,##0.00 \"days\"", ValueKind::number},
      {"0.00\\ \\h", ValueKind::number},
      {"[Red]#,##0", ValueKind::number},
      {"@", ValueKind::number},
      {"dd.mm.yyyy", ValueKind::date},
      {"yyyy-mm-dd", ValueKind::date},
      {"mmm yy", ValueKind::date},
      {"[$-407]d. mmmm yyyy", ValueKind::date},
      {"DD/MM/YYYY", ValueKind::date},
      {"yyyy-mm-dd h:mm:ss", ValueKind::date_time},
      {"[$-407]dd. mmmm yyyy hh:mm", ValueKind::date_time},
      {"m/d/yy h:mm AM/PM", ValueKind::date_time},
      {"h:mm", ValueKind::time},
      {"mm:ss", ValueKind::time},
      {"[h]:mm:ss", ValueKind::time},
      {"[mm]", ValueKind::time},
      {"h AM/PM", ValueKind::time},
      {"\"Date:\" 0", ValueKind::number},
      {"dd.mm.yyyy;@", ValueKind::date},
      {"0;\"dd\"", ValueKind::number},
  };
  for (const auto& c : cases) EXPECT_EQ(format_code_kind(c.code), c.kind) << c.code;
}

TEST(CellText, numbers_are_plain_decimals_with_at_most_15_digits) {
  EXPECT_EQ(render_number(0), "0");
  EXPECT_EQ(render_number(-0.0), "0");
  EXPECT_EQ(render_number(1234.5), "1234.5");
  EXPECT_EQ(render_number(-84.5), "-84.5");
  EXPECT_EQ(render_number(0.1 + 0.2), "0.3");
  EXPECT_EQ(render_number(1e-7), "0.0000001");
  EXPECT_EQ(render_number(1e20), "100000000000000000000");
  EXPECT_EQ(render_number(1234567890123.0), "1234567890123");
  EXPECT_EQ(render_number(12.34), "12.34");
  EXPECT_EQ(render_number(1190), "1190");
  EXPECT_EQ(render_number(-1.5e-3), "-0.0015");
  EXPECT_EQ(render_number(123456789.123456789), "123456789.123457");
}

TEST(CellText, serials_of_the_1900_system_with_the_phantom_leap_day) {
  const auto d = [](double s) {
    return render_serial(s, ValueKind::date, DateSystem::d1900).value_or("none");
  };
  EXPECT_EQ(d(1), "1900-01-01");
  EXPECT_EQ(d(59), "1900-02-28");
  EXPECT_EQ(d(60), "1900-02-29");
  EXPECT_EQ(d(61), "1900-03-01");
  EXPECT_EQ(d(45292), "2024-01-01");
  EXPECT_EQ(d(45351), "2024-02-29");
  EXPECT_EQ(d(2958465), "9999-12-31");
  EXPECT_EQ(d(0), "none");
  EXPECT_EQ(d(-1), "none");
  EXPECT_EQ(d(2958466), "none");
  EXPECT_EQ(d(45292.75), "2024-01-01");
}

TEST(CellText, serials_of_the_1904_system) {
  const auto d = [](double s) {
    return render_serial(s, ValueKind::date, DateSystem::d1904).value_or("none");
  };
  EXPECT_EQ(d(0), "1904-01-01");
  EXPECT_EQ(d(1), "1904-01-02");
  EXPECT_EQ(d(45292 - 1462), "2024-01-01");
}

TEST(CellText, date_times_and_times_round_to_the_second) {
  EXPECT_EQ(render_serial(45292.5, ValueKind::date_time, DateSystem::d1900), "2024-01-01T12:00:00");
  EXPECT_EQ(render_serial(45292.604224537, ValueKind::date_time, DateSystem::d1900), "2024-01-01T14:30:05");
  EXPECT_EQ(render_serial(45292.999999999, ValueKind::date_time, DateSystem::d1900), "2024-01-02T00:00:00");
  EXPECT_EQ(render_serial(0.34375, ValueKind::time, DateSystem::d1900), "08:15:00");
  EXPECT_EQ(render_serial(1.5, ValueKind::time, DateSystem::d1900), "36:00:00");
}

TEST(CellText, column_names_and_sheet_prefixes) {
  EXPECT_EQ(column_name(0), "A");
  EXPECT_EQ(column_name(25), "Z");
  EXPECT_EQ(column_name(26), "AA");
  EXPECT_EQ(column_name(701), "ZZ");
  EXPECT_EQ(column_name(16383), "XFD");
  EXPECT_EQ(sheet_prefix("Sheet1"), "Sheet1!");
  EXPECT_EQ(sheet_prefix("Umsätze"), "Umsätze!");
  EXPECT_EQ(sheet_prefix("Konto 1"), "'Konto 1'!");
  EXPECT_EQ(sheet_prefix("Bob's"), "'Bob''s'!");
  EXPECT_EQ(sheet_prefix("2024"), "'2024'!");
}

TEST(CellText, ooxml_escapes) {
  EXPECT_EQ(decode_xstring("a_x000D_b"), "a\rb");
  EXPECT_EQ(decode_xstring("_x00E4_"), "ä");
  EXPECT_EQ(decode_xstring("_x20AC_"), "€");
  EXPECT_EQ(decode_xstring("_x005F_x0041_"), "_x0041_");
  EXPECT_EQ(decode_xstring("_xZZZZ_ and _x12_"), "_xZZZZ_ and _x12_");
}

}  // namespace
}  // namespace bankrec::formats::xlsx
