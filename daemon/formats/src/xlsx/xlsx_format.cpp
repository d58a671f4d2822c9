#include "bankrec/formats/profile.h"
#include "builtin_formats.h"
#include "xlsx/xlsx_reader.h"

namespace bankrec::formats {

namespace {

// An OOXML package starts with a local file header; the first entries' names show what it holds.
// A workbook has xl/ parts; Word and PowerPoint files (word/, ppt/) and plain zips are not ours.
int sniff(Bytes head) {
  const std::string_view text = as_text(head);
  if (!text.starts_with(std::string_view("PK\x03\x04", 4))) return 0;
  if (text.find("word/") != std::string_view::npos || text.find("ppt/") != std::string_view::npos) return 0;
  if (text.find("xl/") != std::string_view::npos) return 95;
  if (text.find("[Content_Types].xml") != std::string_view::npos) return 40;
  return 0;
}

Result<void> parse(Bytes input, const ParseOptions& options, StatementSink& sink) {
  const auto tables = BANKREC_TRY(xlsx::read_workbook(input, options));
  return parse_tables("xlsx", tables, options, sink);
}

}  // namespace

FormatSpec xlsx_format() {
  return {"xlsx", "Excel workbook (XLSX), mapped by a bank profile", &sniff, &parse};
}

}  // namespace bankrec::formats
