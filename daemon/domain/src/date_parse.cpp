// Dates as people and spreadsheets write them: parse_date(), detect_date_order(), Excel serials.
#include "bankrec/domain/date.h"

#include <array>

namespace bankrec::domain {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_date_sep(char c) { return c == '.' || c == '/' || c == '-' || c == '\''; }

Unexpected bad_date(std::string_view text, std::string_view why) {
  return fail(Errc::invalid_input, "invalid date '" + std::string(text) + "' (" + std::string(why) + ")");
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

struct Field {
  int value = 0;
  std::size_t digits = 0;
};

/// The three numeric fields of a date and the two separators between them.
struct Fields {
  std::array<Field, 3> field;
  std::array<char, 2> sep{};
};

/// Reads digits at `pos`, after optional padding spaces (QIF writes "1/ 2/24").
bool read_field(std::string_view s, std::size_t& pos, Field& out) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
  const std::size_t start = pos;
  int v = 0;
  while (pos < s.size() && is_digit(s[pos]) && pos - start < 4) v = v * 10 + (s[pos++] - '0');
  out = {v, pos - start};
  return out.digits > 0 && (pos == s.size() || !is_digit(s[pos]));
}

/// A time of day after the date ("01.02.2024 00:00", "2024-02-01T06:01:12+01:00") is ignored.
bool is_time_suffix(std::string_view rest) {
  if (rest.empty()) return true;
  if (rest[0] != 'T' && !is_space(rest[0])) return false;
  rest = trim(rest.substr(1));
  return rest.size() >= 4 && is_digit(rest[0]) && (rest[1] == ':' || (is_digit(rest[1]) && rest[2] == ':'));
}

bool split_fields(std::string_view s, Fields& out) {
  std::size_t pos = 0;
  for (int k = 0; k < 3; ++k) {
    if (!read_field(s, pos, out.field[k])) return false;
    if (k == 2) break;
    if (pos >= s.size() || !is_date_sep(s[pos])) return false;
    out.sep[k] = s[pos++];
  }
  return is_time_suffix(s.substr(pos));
}

int expand_year(const Field& year) {
  if (year.digits == 4) return year.value;
  return year.value < 80 ? 2000 + year.value : 1900 + year.value;
}

}  // namespace

Result<Date> parse_date(std::string_view text, DateOrder order) {
  const std::string_view s = trim(text);
  Fields f;
  if (!split_fields(s, f))
    return bad_date(text, "expected day, month and year separated by '.', '/', '-' or \"'\"");
  // The same separator twice, except QIF's apostrophe before the year ("01/02'24").
  if (f.sep[0] != f.sep[1] && f.sep[1] != '\'') return bad_date(text, "mixed separators");
  if (f.sep[0] == '\'') return bad_date(text, "apostrophe only before the year");

  if (f.field[0].digits == 4) order = DateOrder::ymd;  // "2024-02-01" whatever the column's order
  const std::size_t y = order == DateOrder::ymd ? 0 : 2;
  const std::size_t m = order == DateOrder::mdy ? 0 : 1;
  const std::size_t d = order == DateOrder::dmy ? 0 : order == DateOrder::mdy ? 1 : 2;
  const Field& year = f.field[y];
  // QIF pads one-digit years after the apostrophe ("1/ 2' 4" is 2004).
  const bool short_year_ok =
      year.digits == 2 || year.digits == 4 || (year.digits == 1 && f.sep[1] == '\'' && y == 2);
  if (!short_year_ok) return bad_date(text, "year must have 2 or 4 digits");
  for (std::size_t k : {m, d})
    if (f.field[k].digits > 2) return bad_date(text, "day and month have at most 2 digits");
  auto made = Date::make(expand_year(year), static_cast<unsigned>(f.field[m].value),
                         static_cast<unsigned>(f.field[d].value));
  if (!made) return bad_date(text, made.error().message);
  return *made;
}

std::optional<DateOrder> detect_date_order(std::span<const std::string_view> values) {
  for (DateOrder order : {DateOrder::dmy, DateOrder::mdy, DateOrder::ymd}) {
    bool fits = true;
    for (std::string_view v : values) {
      if (trim(v).empty()) continue;  // blank cells say nothing about the order
      if (!parse_date(v, order)) {
        fits = false;
        break;
      }
    }
    if (fits) return order;
  }
  return std::nullopt;
}

Result<Date> from_excel_serial(std::int64_t serial) {
  // Excel's 1900 system copies Lotus 1-2-3, which treats 1900 as a leap year: serial 60 is the
  // non-existent 1900-02-29 and every later serial is one day ahead of a plain day count.
  constexpr std::int64_t kPhantomLeapDay = 60;
  constexpr std::int64_t kMaxSerial = 2958465;  // 9999-12-31, Excel's last date
  if (serial == kPhantomLeapDay)
    return fail(Errc::invalid_input,
                "excel serial 60 is 1900-02-29, a day that does not exist (lotus 1-2-3 leap year bug)");
  if (serial < 1 || serial > kMaxSerial)
    return fail(Errc::invalid_input, "excel serial " + std::to_string(serial) + " out of range (1 to " +
                                         std::to_string(kMaxSerial) + ")");
  const Date base = serial < kPhantomLeapDay ? Date{1899, 12, 31} : Date{1899, 12, 30};
  return base.add_days(serial);
}

}  // namespace bankrec::domain
