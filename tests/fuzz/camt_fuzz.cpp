// libFuzzer target for the CAMT parser: every input goes through the three specs' sniff() and
// parse() with a sink that only counts, so crashes, leaks, hangs and UB in the streaming reader,
// the value parsers and the error-position code are what the fuzzer finds.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "bankrec/formats/format.h"
// The three specs directly, without a registry (the header is the formats module's private list).
#include "../../daemon/formats/src/builtin_formats.h"

namespace {

class NullSink final : public bankrec::formats::StatementSink {
 public:
  bankrec::Result<void> set_format(std::string_view) override { return bankrec::ok(); }
  bankrec::Result<void> begin_statement(const bankrec::domain::Statement&) override { return bankrec::ok(); }
  bankrec::Result<void> add_entries(std::vector<bankrec::domain::Entry>& batch) override {
    entries += batch.size();
    return bankrec::ok();
  }
  bankrec::Result<void> end_statement(const bankrec::domain::Statement&) override { return bankrec::ok(); }
  std::size_t entries = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bankrec::Bytes input(reinterpret_cast<const std::byte*>(data), size);
  const bankrec::formats::ParseOptions options{
      .file_name = "fuzz.xml", .max_input_bytes = 1 << 20, .max_depth = 32};
  for (const auto& spec : {bankrec::formats::camt052_format(), bankrec::formats::camt053_format(),
                           bankrec::formats::camt054_format()}) {
    (void)spec.sniff(input.first(std::min(input.size(), bankrec::formats::kSniffBytes)));
    NullSink sink;
    const auto result = spec.parse(input, options, sink);
    if (!result && result.error().message.empty()) __builtin_trap();  // every error must say something
  }
  // Lenient mode skips bad entries and reads on: the skipping path gets its own run.
  bankrec::formats::ParseOptions lenient = options;
  lenient.lenient = true;
  NullSink sink;
  (void)bankrec::formats::camt053_format().parse(input, lenient, sink);
  return 0;
}
