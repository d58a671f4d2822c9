// libFuzzer target for the XLSX reader: every input is read as a workbook (zip → relationships →
// workbook → styles → shared strings → sheets) with small limits, and through the xlsx spec's
// sniff() and parse() (without profiles, so parse stops after the reader). Crashes, leaks, hangs
// and UB in the zip handling, the streaming XML code and the cell rendering are what it finds.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "bankrec/formats/format.h"
// The spec and the reader directly (private headers of the formats module).
#include "../../daemon/formats/src/builtin_formats.h"
#include "../../daemon/formats/src/xlsx/xlsx_reader.h"

namespace {

class NullSink final : public bankrec::formats::StatementSink {
 public:
  bankrec::Result<void> set_format(std::string_view) override { return bankrec::ok(); }
  bankrec::Result<void> begin_statement(const bankrec::domain::Statement&) override { return bankrec::ok(); }
  bankrec::Result<void> add_entries(std::vector<bankrec::domain::Entry>&) override { return bankrec::ok(); }
  bankrec::Result<void> end_statement(const bankrec::domain::Statement&) override { return bankrec::ok(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bankrec::Bytes input(reinterpret_cast<const std::byte*>(data), size);
  const bankrec::formats::ParseOptions options{
      .file_name = "fuzz.xlsx", .max_input_bytes = 1 << 20, .max_depth = 32};
  bankrec::formats::xlsx::Limits limits;
  limits.max_part_bytes = 8 << 20;
  limits.max_total_bytes = 16 << 20;
  limits.max_cells = 200'000;
  const auto tables = bankrec::formats::xlsx::read_workbook(input, options, limits);
  if (!tables && tables.error().message.empty()) __builtin_trap();  // every error must say something
  if (tables)
    for (const auto& t : *tables)
      if (t.rows.size() != t.row_numbers.size()) __builtin_trap();
  const auto spec = bankrec::formats::xlsx_format();
  (void)spec.sniff(input.first(std::min(input.size(), bankrec::formats::kSniffBytes)));
  return 0;
}
