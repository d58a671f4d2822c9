// CSV/TSV bank exports: the reader (csv_reader.cpp) turns bytes into a table, a bank profile
// (profiles/) says what the columns mean. The profile is chosen by scoring every table profile
// against the first rows, each read with the profile's own delimiter.
#include <map>

#include "builtin_formats.h"
#include "csv/csv_reader.h"
#include "profiles/profile_set_impl.h"
#include "profiles/table_mapper.h"

namespace bankrec::formats {

namespace {

/// Rows read and mapped at a time.
constexpr std::size_t kChunkRows = 4096;

int sniff(Bytes head) { return csv::sniff_table(as_text(head)); }

Result<std::optional<text::Charset>> forced_charset(std::string_view text, const ParseOptions& options) {
  if (options.encoding.empty()) return std::optional<text::Charset>();
  auto cs = text::parse_charset(options.encoding);
  if (!cs) return fail(Errc::invalid_input, cs.error().message, std::string(options.file_name));
  if (*cs == text::Charset::utf8) {
    const std::size_t bad = text::find_invalid_utf8(text);
    if (bad != std::string_view::npos)
      return parse_error(options, locate(text, bad), "invalid UTF-8 (is the file in windows-1252 or iso-8859-1?)");
  }
  return std::optional<text::Charset>(*cs);
}

Result<void> parse(Bytes input, const ParseOptions& options, StatementSink& sink) {
  const std::string_view text = as_text(input);
  if (text.size() > options.max_input_bytes)
    return fail(Errc::invalid_input,
                "file is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                    std::to_string(options.max_input_bytes),
                std::string(options.file_name));
  const auto forced = BANKREC_TRY(forced_charset(text, options));
  const csv::Dialect detected = csv::detect_dialect(text, forced, std::nullopt, 0);
  const std::string name(options.file_name);

  // Score every table profile on the first rows, read with the delimiter that profile declares.
  std::map<char, csv::CsvTable> heads;
  std::map<char, TableHead> head_keys;
  std::vector<ProfileFit> fits;
  std::vector<std::string> names;
  if (options.profiles != nullptr) {
    for (const auto& p : options.profiles->impl().tables) {
      names.push_back(p.name);
      csv::Dialect d = detected;
      if (p.delimiter != 0) d.delimiter = p.delimiter;
      auto it = heads.find(d.delimiter);
      if (it == heads.end()) {
        it = heads.emplace(d.delimiter, csv::read_csv(text, d, name, kHeadRows)).first;
        head_keys.emplace(d.delimiter, TableHead(it->second.table));
      }
      fits.push_back(fit_profile(p, it->second.table, head_keys.at(d.delimiter), options.file_name));
    }
  }
  const ProfileFit chosen = BANKREC_TRY(choose_fit(fits, options, names));
  const TableProfile& profile = *chosen.profile;

  csv::Dialect dialect = csv::detect_dialect(text, forced, profile.charset, profile.delimiter);
  if (profile.delimiter == 0) dialect.delimiter = detected.delimiter;
  // Read and map in chunks, so memory stays bounded whatever the file size.
  csv::CsvTable chunk = csv::read_csv(text, dialect, name, kChunkRows);
  // The first rows may read differently in the profile's own charset: score again on them.
  const ProfileFit fit = fit_profile(profile, chunk.table, TableHead(chunk.table), options.file_name);
  if (!fit.fits)
    return fail(Errc::invalid_input, "bank profile '" + profile.name + "' does not fit: " + fit.why_not, name);

  BANKREC_TRY(sink.set_format("csv:" + profile.name));
  TableMapper mapper(fit, options, sink);
  BANKREC_TRY(mapper.start(chunk.table));
  std::size_t first = fit.first_data_row;
  std::vector<RowWarning> warnings;
  for (;;) {
    warnings.clear();
    for (auto& w : chunk.warnings) warnings.push_back({w.row, std::move(w.message)});
    const CellLocator locator = [&](std::size_t row, std::size_t cell, std::string label) {
      return locate(text, csv::cell_offset(text, dialect, chunk.row_offsets[row], cell), std::move(label));
    };
    BANKREC_TRY(mapper.add_rows(chunk.table, first, locator, &warnings));
    if (chunk.complete) break;
    chunk = csv::read_csv_from(text, dialect, name, kChunkRows, chunk.end_offset, chunk.end_line);
    first = 0;
  }
  return mapper.finish();
}

}  // namespace

FormatSpec csv_format() { return {"csv", "CSV/TSV bank export, mapped by a bank profile", &sniff, &parse}; }

}  // namespace bankrec::formats
