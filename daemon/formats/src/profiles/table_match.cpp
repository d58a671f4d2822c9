// Recognition: which table profile fits a table, how well, and why the others do not.
#include <algorithm>
#include <map>

#include "bankrec/domain/money.h"
#include "profiles/table_mapper.h"

namespace bankrec::formats {
namespace {

bool row_blank(const std::vector<std::string>& keys) {
  return std::all_of(keys.begin(), keys.end(), [](const std::string& k) { return k.empty(); });
}

/// The cell a column reference names in header row `keys`, or -1.
int resolve(const ColumnRef& ref, const std::vector<std::string>& keys, const TableProfile& p, bool positional) {
  if (ref.by_index()) return static_cast<int>(ref.index) - 1;
  int seen = 0, last = -1;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] != ref.key) continue;
    last = static_cast<int>(i);
    if (++seen == ref.occurrence) return last;
  }
  if (ref.occurrence == -1 && last >= 0) return last;
  if (!positional) return -1;
  // Atruvia exports sometimes carry account values where a column name belongs: when the row has
  // exactly the profile's columns, a name missing from it is taken from its place in `match.header`.
  int occ = 0;
  for (std::size_t k = 0; k < p.header.size(); ++k) {
    if (p.header[k].key != ref.key) continue;
    ++occ;
    if (occ == ref.occurrence || (ref.occurrence == -1 && k + 1 == p.header.size())) return static_cast<int>(k);
  }
  if (ref.occurrence == -1)
    for (std::size_t k = p.header.size(); k-- > 0;)
      if (p.header[k].key == ref.key) return static_cast<int>(k);
  return -1;
}

std::string quoted_list(const std::vector<std::string>& names, std::size_t max = 4) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < max; ++i) out += (i ? ", '" : "'") + names[i] + "'";
  if (names.size() > max) out += " and " + std::to_string(names.size() - max) + " more";
  return out;
}

/// Resolves every field's columns; fills `missing` with required columns not found.
void resolve_fields(const TableProfile& p, const std::vector<std::string>& keys, bool positional, ProfileFit& fit,
                    std::vector<std::string>& missing) {
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    const FieldSource& src = p.fields[f];
    ResolvedField& out = fit.fields[f];
    const std::pair<const std::vector<ColumnRef>*, std::vector<int>*> lists[] = {
        {&src.columns, &out.columns}, {&src.credit, &out.credit}, {&src.debit, &out.debit}};
    for (const auto& [refs, cells] : lists) {
      cells->clear();
      for (const auto& ref : *refs) {
        int cell = resolve(ref, keys, p, positional);
        if (cell >= 0 && !ref.by_index() && static_cast<std::size_t>(cell) >= keys.size() && !positional) cell = -1;
        if (cell < 0 && !ref.optional)
          missing.push_back(ref.by_index() ? "#" + std::to_string(ref.index) : ref.name);
        cells->push_back(cell);
      }
    }
  }
}

bool preamble_has(const TableHead& head, std::size_t before, const std::string& marker) {
  for (std::size_t r = 0; r < before && r < head.keys.size(); ++r)
    for (const auto& k : head.keys[r])
      if (k.find(marker) != std::string::npos) return true;
  return false;
}

int file_name_bonus(const TableProfile& p, std::string_view file_name) {
  if (!p.file_name || file_name.empty()) return 0;
  const std::string base(file_name.substr(file_name.find_last_of('/') == std::string_view::npos
                                              ? 0
                                              : file_name.find_last_of('/') + 1));
  return std::regex_search(base, *p.file_name) ? 5 : 0;
}

/// Most common cell count among the first non-blank rows.
std::size_t usual_width(const Table& t, const TableHead& head) {
  std::map<std::size_t, int> freq;
  for (std::size_t r = 0; r < head.keys.size(); ++r)
    if (!row_blank(head.keys[r])) ++freq[t.rows[r].size()];
  std::size_t best = 0;
  int n = 0;
  for (const auto& [w, c] : freq)
    if (c > n) best = w, n = c;
  return best;
}

ProfileFit fit_headerless(const TableProfile& p, const Table& t, const TableHead& head, std::string_view file_name) {
  ProfileFit fit;
  fit.profile = &p;
  const std::size_t width = usual_width(t, head);
  if (width != p.column_count) {
    fit.why_not = "rows have " + std::to_string(width) + " cells, the profile expects " + std::to_string(p.column_count);
    fit.closeness = width == 0 ? 0 : static_cast<int>(50 * std::min(width, std::size_t{p.column_count}) /
                                                      std::max(width, std::size_t{p.column_count}));
    return fit;
  }
  std::vector<std::string> missing;
  resolve_fields(p, std::vector<std::string>(width), /*positional=*/true, fit, missing);
  // The first rows must read as data: a date where the date is, an amount where the amount is.
  const Field date_field = p.field(Field::booking_date).empty() ? Field::value_date : Field::booking_date;
  const int date_cell = fit.fields[static_cast<std::size_t>(date_field)].columns.at(0);
  int checked = 0;
  for (std::size_t r = 0; r < head.keys.size() && checked < 5; ++r) {
    if (row_blank(head.keys[r])) continue;
    const auto& row = t.rows[r];
    if (date_cell < 0 || static_cast<std::size_t>(date_cell) >= row.size() ||
        !domain::parse_date(row[static_cast<std::size_t>(date_cell)], p.date_order)) {
      fit.why_not = "line " + std::to_string(t.row_numbers[r]) + ": column " + std::to_string(date_cell + 1) +
                    " is not a date";
      fit.closeness = 50;
      return fit;
    }
    ++checked;
  }
  fit.fits = checked > 0;
  if (!fit.fits) fit.why_not = "no data rows";
  fit.score = 500 + 5 * checked + file_name_bonus(p, file_name);
  fit.closeness = 100;
  return fit;
}

/// A problem of the whole file (no line to point at): "file.csv: message".
Unexpected file_error(const ParseOptions& options, std::string message) {
  return fail(Errc::invalid_input, std::move(message),
              options.file_name.empty() ? std::string("<input>") : std::string(options.file_name));
}

}  // namespace

TableHead::TableHead(const Table& table) {
  const std::size_t n = std::min(table.rows.size(), kHeadRows);
  keys.reserve(n);
  for (std::size_t r = 0; r < n; ++r) {
    std::vector<std::string> row;
    row.reserve(table.rows[r].size());
    for (const auto& cell : table.rows[r]) row.push_back(cell.size() > 200 ? std::string() : header_key(cell));
    keys.push_back(std::move(row));
  }
}

ProfileFit fit_profile(const TableProfile& p, const Table& t, const TableHead& head, std::string_view file_name) {
  if (!p.has_header) return fit_headerless(p, t, head, file_name);
  ProfileFit fit;
  fit.profile = &p;
  std::size_t best_row = kNoRow, best_found = 0;
  for (std::size_t r = 0; r < head.keys.size(); ++r) {
    std::size_t found = 0;
    for (const auto& ref : p.header)
      if (std::find(head.keys[r].begin(), head.keys[r].end(), ref.key) != head.keys[r].end()) ++found;
    if (found > best_found) best_row = r, best_found = found;
  }
  fit.closeness = p.header.empty() ? 0 : static_cast<int>(100 * best_found / p.header.size());
  if (best_row == kNoRow) {
    fit.why_not = "no header row with its column names ('" + p.header.front().name + "', ...)";
    return fit;
  }
  const auto& keys = head.keys[best_row];
  const std::string at = "header line " + std::to_string(t.row_numbers[best_row]);
  std::vector<std::string> absent;
  for (const auto& ref : p.header)
    if (std::find(keys.begin(), keys.end(), ref.key) == keys.end()) absent.push_back(ref.name);
  if (best_found * 100 < p.min_header_share * p.header.size()) {
    fit.why_not = at + " lacks " + quoted_list(absent);
    return fit;
  }
  if (p.column_count != 0 && keys.size() != p.column_count) {
    fit.why_not = at + " has " + std::to_string(keys.size()) + " columns, the profile expects " +
                  std::to_string(p.column_count);
    return fit;
  }
  const bool positional = keys.size() == p.header.size();
  std::vector<std::string> missing;
  resolve_fields(p, keys, positional, fit, missing);
  if (!missing.empty()) {
    fit.why_not = at + " lacks " + quoted_list(missing);
    return fit;
  }
  int markers = 0;
  for (std::size_t i = 0; i < p.preamble_markers.size(); ++i) {
    if (!preamble_has(head, best_row, p.preamble_markers[i])) {
      fit.why_not = "no line '" + p.preamble_marker_texts[i] + "' before the header";
      return fit;
    }
    ++markers;
  }
  fit.fits = true;
  fit.header_row = best_row;
  fit.first_data_row = best_row + 1;
  const int unexplained = static_cast<int>(keys.size() - std::min(keys.size(), best_found));
  fit.score = 1000 + 10 * static_cast<int>(best_found) + (p.column_count != 0 ? 50 : 0) + 20 * markers +
              file_name_bonus(p, file_name) - unexplained;
  return fit;
}

Result<ProfileFit> choose_fit(const std::vector<ProfileFit>& fits, const ParseOptions& options,
                              const std::vector<std::string>& all_profile_names) {
  if (!options.profile.empty()) {
    const ProfileFit* forced = nullptr;
    for (const auto& f : fits)
      if (f.profile->name == options.profile && (forced == nullptr || f.score > forced->score || f.fits)) forced = &f;
    if (forced == nullptr) {
      std::string known;
      for (const auto& n : all_profile_names) known += (known.empty() ? "" : ", ") + n;
      return file_error(options, "unknown bank profile '" + std::string(options.profile) + "' (known: " +
                                          (known.empty() ? "none loaded" : known) + ")");
    }
    if (!forced->fits)
      return file_error(options, "bank profile '" + forced->profile->name + "' does not fit: " + forced->why_not);
    return *forced;
  }
  const ProfileFit* best = nullptr;
  for (const auto& f : fits)
    if (f.fits && (best == nullptr || f.score > best->score)) best = &f;
  if (best != nullptr) return *best;
  if (all_profile_names.empty())
    return file_error(options, "no bank profiles are loaded, so no table can be read (set profiles_dir)");
  std::vector<const ProfileFit*> near;
  for (const auto& f : fits) near.push_back(&f);
  std::stable_sort(near.begin(), near.end(), [](auto* a, auto* b) { return a->closeness > b->closeness; });
  std::string list;
  for (std::size_t i = 0; i < near.size() && i < 3; ++i)
    list += (i ? "; " : "") + near[i]->profile->name + ": " + near[i]->why_not;
  return file_error(options, "no bank profile matches this file (closest: " + list +
                                      "); add one to the profiles directory (see etc/profiles/README.md)");
}

}  // namespace bankrec::formats
