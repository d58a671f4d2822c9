#include "bankrec/base/text.h"
#include "bankrec/domain/json.h"
#include "bankrec/jobs/ingest.h"

namespace bankrec::jobs {
namespace {

int sniff_statement_json(Bytes head) {
  const std::string_view text = as_text(head);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != '{') return 0;
  return text.find("\"statements\"") != std::string_view::npos &&
                 text.find("\"file\"") != std::string_view::npos
             ? 90
             : 0;
}

Result<void> emit(domain::StatementFile& file, formats::StatementSink& sink) {
  for (auto& statement : file.statements) {
    std::vector<domain::Entry> entries = std::move(statement.entries);
    statement.entries.clear();
    BANKREC_TRY(sink.begin_statement(statement));
    for (std::size_t i = 0; i < entries.size(); i += formats::kEntryBatch) {
      const auto last = std::min(entries.size(), i + formats::kEntryBatch);
      std::vector<domain::Entry> batch(
          std::make_move_iterator(entries.begin() + static_cast<std::ptrdiff_t>(i)),
          std::make_move_iterator(entries.begin() + static_cast<std::ptrdiff_t>(last)));
      BANKREC_TRY(sink.add_entries(batch));
    }
    BANKREC_TRY(sink.end_statement(statement));
  }
  return ok();
}

/// One document per non-empty line (JSON Lines, as `bankrec parse` prints), each {"file", "format",
/// "statements"}; or a single pretty-printed document (`bankrec parse --pretty`).
Result<void> parse_statement_json(Bytes input, const formats::ParseOptions& options,
                                  formats::StatementSink& sink) {
  const std::string_view text = as_text(input);
  if (input.size() > options.max_input_bytes)
    return fail(Errc::invalid_input,
                "input larger than " + std::to_string(options.max_input_bytes) + " bytes",
                std::string(options.file_name));
  BANKREC_TRY(sink.set_format("bankrec.json"));
  const auto first_newline = text.find('\n');
  if (first_newline != std::string_view::npos && text::trim(text.substr(0, first_newline)) == "{") {
    // A first line of just "{": pretty-printed, one document.
    auto file = domain::statement_file_from_json(text);
    if (!file)
      return formats::parse_error(options, formats::locate(text, 0, "statement json"), file.error().message);
    return emit(*file, sink);
  }
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    const std::size_t line_start = start;
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto file = domain::statement_file_from_json(line);
    if (!file)
      return formats::parse_error(options, formats::locate(text, line_start, "statement json"),
                                  file.error().message);
    BANKREC_TRY(emit(*file, sink));
  }
  return ok();
}

}  // namespace

formats::FormatSpec statement_json_format() {
  return {"bankrec.json", "bankrec statement JSON (contracts/statement-json.md), one document per line",
          sniff_statement_json, parse_statement_json};
}

}  // namespace bankrec::jobs
