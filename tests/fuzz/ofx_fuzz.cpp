// libFuzzer target for the OFX reader (1.x SGML and 2.x XML): the tolerant tree builder, entity and
// charset decoding, date-times, amounts and currency conversion. Every input is sniffed and parsed
// strict and lenient through a sink that checks the call order. Crashes, sanitizer reports and hangs
// are bugs; parse errors are expected. Seeded with tests/fixtures/formats/ofx*.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bankrec/formats/format_registry.h"
#include "checking_sink.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(reinterpret_cast<const char*>(data), size));
  const auto* spec = bankrec::fuzz::builtin_registry().find("ofx");
  if (spec == nullptr) std::abort();
  (void)spec->sniff(bytes.first(std::min(size, bankrec::formats::kSniffBytes)));
  for (bool lenient : {false, true}) {
    bankrec::fuzz::CheckingSink sink;
    bankrec::formats::ParseOptions options;
    options.file_name = "fuzz.ofx";
    options.lenient = lenient;
    options.max_depth = 32;
    const auto result = spec->parse(bytes, options, sink);
    if (!result && (result.error().message.empty() || result.error().where.empty())) std::abort();
  }
  return 0;
}
