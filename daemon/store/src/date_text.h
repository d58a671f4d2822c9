#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "bankrec/domain/date.h"

namespace bankrec::store {

/// Appends "YYYY-MM-DD" (what Date::iso() gives for years 0..9999) without snprintf: an import
/// formats several dates per entry.
inline void append_iso_date(const domain::Date& d, std::string& out) {
  char text[10];
  auto year = static_cast<std::uint32_t>(d.year < 0 ? 0 : d.year % 10000);
  for (int i = 3; i >= 0; --i, year /= 10) text[i] = static_cast<char>('0' + year % 10);
  text[4] = '-';
  text[5] = static_cast<char>('0' + d.month / 10);
  text[6] = static_cast<char>('0' + d.month % 10);
  text[7] = '-';
  text[8] = static_cast<char>('0' + d.day / 10);
  text[9] = static_cast<char>('0' + d.day % 10);
  out.append(text, sizeof text);
}

/// The ISO text of recently used dates: a statement's entries share a handful of dates. A view
/// stays valid until a date that maps to the same slot is asked for.
class DateTextCache {
 public:
  std::string_view text(const domain::Date& d) {
    Slot& slot = slots_[static_cast<std::size_t>(d.day) % slots_.size()];
    if (!slot.used || !(slot.date == d)) {
      slot.text.clear();
      append_iso_date(d, slot.text);
      slot.date = d;
      slot.used = true;
    }
    return slot.text;
  }

 private:
  struct Slot {
    domain::Date date;
    std::string text;
    bool used = false;
  };
  std::array<Slot, 32> slots_{};
};

}  // namespace bankrec::store
