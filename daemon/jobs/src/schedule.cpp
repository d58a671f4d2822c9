// Schedule parsing and next-run computation in a named time zone (date/tz on the system tzdata:
// g++ 12's libstdc++ has no std::chrono::tzdb).
#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <vector>

#include "bankrec/jobs/scheduler.h"

namespace bankrec::jobs {

struct Schedule::Spec {
  enum class Kind { every, daily, cron } kind = Kind::every;
  std::chrono::seconds period{0};
  int hour = 0, minute = 0;
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;    // 1..31
  std::bitset<13> months;  // 1..12
  std::bitset<7> weekdays;  // 0 = Sunday
  bool days_any = true, weekdays_any = true;
  const date::time_zone* zone = nullptr;
};

namespace {

using date::local_days;
using date::local_seconds;

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::optional<int> to_int(std::string_view s) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

Unexpected bad(std::string_view text, const std::string& why) {
  return fail(Errc::invalid_input, "invalid schedule '" + std::string(text) + "': " + why +
                                       " (expected 'every 15m', 'daily 06:00 Europe/Berlin' or a 5-field cron "
                                       "expression such as '0 6 * * 1-5 Europe/Berlin')");
}

/// One cron field into `bits` over [lo, hi]; `any` tells whether it was '*'.
template <std::size_t N>
Result<void> cron_field(std::string_view text, std::string_view field, int lo, int hi, std::bitset<N>& bits,
                        bool* any) {
  if (any != nullptr) *any = field == "*";
  std::size_t start = 0;
  while (start <= field.size()) {
    const std::size_t comma = std::min(field.find(',', start), field.size());
    std::string_view part = field.substr(start, comma - start);
    start = comma + 1;
    int step = 1;
    if (const auto slash = part.find('/'); slash != std::string_view::npos) {
      const auto s = to_int(part.substr(slash + 1));
      if (!s || *s < 1 || *s > hi) return bad(text, "invalid step in '" + std::string(field) + "'");
      step = *s;
      part = part.substr(0, slash);
    }
    int from = lo, to = hi;
    if (part != "*") {
      const auto dash = part.find('-');
      const auto a = to_int(part.substr(0, dash));
      const auto b = dash == std::string_view::npos ? a : to_int(part.substr(dash + 1));
      if (!a || !b || *a < lo || *b > hi || *a > *b)
        return bad(text, "'" + std::string(field) + "' is outside " + std::to_string(lo) + "-" + std::to_string(hi));
      from = *a;
      to = (dash == std::string_view::npos && step > 1) ? hi : *b;  // "5/15" means 5-max/15
    }
    for (int v = from; v <= to; v += step) bits.set(static_cast<std::size_t>(v));
    if (comma == field.size()) break;
  }
  return ok();
}

Result<const date::time_zone*> find_zone(std::string_view text, const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return bad(text, "unknown time zone '" + name + "' (an IANA name such as Europe/Berlin)");
  }
}

/// The instant a local time means in `zone`: the jump instant for a time in a gap, the first of two.
date::sys_seconds to_instant(const date::time_zone* zone, local_seconds local) {
  const auto info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent) return info.first.end;
  return zone->to_sys(local, date::choose::earliest);
}

bool day_matches(const Schedule::Spec& s, local_days day) {
  const date::year_month_day ymd{day};
  const date::weekday wd{day};
  if (!s.months.test(static_cast<unsigned>(ymd.month()))) return false;
  const bool dom = s.days.test(static_cast<unsigned>(ymd.day()));
  const bool dow = s.weekdays.test(wd.c_encoding());
  if (s.days_any && s.weekdays_any) return true;
  if (s.days_any) return dow;
  if (s.weekdays_any) return dom;
  return dom || dow;  // both restricted: either (Vixie cron)
}

}  // namespace

Result<Schedule> Schedule::parse(std::string_view text) {
  if (text.size() > 200) return bad(text.substr(0, 40), "longer than 200 characters");
  auto spec = std::make_shared<Spec>();
  const auto words = split_words(text);
  if (words.empty()) return bad(text, "empty");
  std::string zone = "UTC";
  if (words[0] == "every") {
    if (words.size() != 2) return bad(text, "'every' takes one period such as 15m");
    const std::string& p = words[1];
    const auto n = to_int(std::string_view(p).substr(0, p.size() - 1));
    const char unit = p.back();
    const int mult = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 0;
    if (!n || *n < 1 || mult == 0 || static_cast<std::int64_t>(*n) * mult > 7 * 86400)
      return bad(text, "period must be a number with s, m, h or d, at most 7 days");
    spec->kind = Spec::Kind::every;
    spec->period = std::chrono::seconds(static_cast<std::int64_t>(*n) * mult);
  } else if (words[0] == "daily") {
    if (words.size() < 2 || words.size() > 3) return bad(text, "'daily' takes HH:MM and an optional zone");
    const std::string& hm = words[1];
    const auto colon = hm.find(':');
    const auto h = to_int(std::string_view(hm).substr(0, colon));
    const auto m = colon == std::string::npos ? std::nullopt : to_int(std::string_view(hm).substr(colon + 1));
    if (!h || !m || *h < 0 || *h > 23 || *m < 0 || *m > 59 || hm.size() != 5) return bad(text, "time must be HH:MM");
    spec->kind = Spec::Kind::daily;
    spec->hour = *h;
    spec->minute = *m;
    if (words.size() == 3) zone = words[2];
  } else {
    if (words.size() < 5 || words.size() > 6) return bad(text, "a cron expression has 5 fields (and an optional zone)");
    spec->kind = Spec::Kind::cron;
    std::bitset<8> weekdays;
    BANKREC_TRY(cron_field(text, words[0], 0, 59, spec->minutes, nullptr));
    BANKREC_TRY(cron_field(text, words[1], 0, 23, spec->hours, nullptr));
    BANKREC_TRY(cron_field(text, words[2], 1, 31, spec->days, &spec->days_any));
    BANKREC_TRY(cron_field(text, words[3], 1, 12, spec->months, nullptr));
    BANKREC_TRY(cron_field(text, words[4], 0, 7, weekdays, &spec->weekdays_any));
    for (std::size_t d = 0; d < 7; ++d) spec->weekdays[d] = weekdays[d];
    if (weekdays[7]) spec->weekdays.set(0);  // 7 is Sunday too
    if (words.size() == 6) zone = words[5];
  }
  spec->zone = BANKREC_TRY(find_zone(text, zone));
  Schedule s;
  s.text_ = std::string(text);
  s.spec_ = std::move(spec);
  return s;
}

std::optional<TimePoint> Schedule::next_after(TimePoint t) const {
  using namespace std::chrono;
  const Spec& s = *spec_;
  const auto t_sec = floor<seconds>(t);
  if (s.kind == Spec::Kind::every) {
    const auto since = t_sec.time_since_epoch();
    return TimePoint(since - since % s.period + s.period);
  }
  const local_seconds local = s.zone->to_local(t_sec);
  local_days day = floor<date::days>(local);
  if (s.kind == Spec::Kind::daily) {
    // Two days cover a wall-clock time that already passed today, and a gap or overlap around it.
    for (int i = 0; i < 3; ++i, day += date::days{1}) {
      const auto at = to_instant(s.zone, local_seconds(day) + hours{s.hour} + minutes{s.minute});
      if (at > t_sec) return TimePoint(at);
    }
    return std::nullopt;
  }
  // Cron: day by day, then the matching hours and minutes; a little over 8 years covers every
  // combination that can ever match (29 February on a given weekday).
  for (int i = 0; i < 366 * 9; ++i, day += date::days{1}) {
    if (!day_matches(s, day)) continue;
    for (int h = 0; h < 24; ++h) {
      if (!s.hours.test(static_cast<std::size_t>(h))) continue;
      for (int m = 0; m < 60; ++m) {
        if (!s.minutes.test(static_cast<std::size_t>(m))) continue;
        const auto at = to_instant(s.zone, local_seconds(day) + hours{h} + minutes{m});
        if (at > t_sec) return TimePoint(at);
      }
    }
  }
  return std::nullopt;
}

}  // namespace bankrec::jobs
