// libFuzzer target for the MT940/MT942 parsers: sniffs and parses every input with both formats, strict
// and lenient, through a sink that checks the call order. Crashes, sanitizer reports and hangs are bugs;
// parse errors are expected. Seeded with tests/fixtures/formats/mt94*.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bankrec/formats/format_registry.h"

namespace {

using bankrec::Result;

/// Aborts on a sink protocol violation (begin/add/end out of order), which would be a parser bug.
class CheckingSink final : public bankrec::formats::StatementSink {
 public:
  Result<void> set_format(std::string_view) override {
    if (formats_++ != 0 || open_) std::abort();
    return bankrec::ok();
  }
  Result<void> begin_statement(const bankrec::domain::Statement& header) override {
    if (open_ || !header.entries.empty()) std::abort();
    open_ = true;
    return bankrec::ok();
  }
  Result<void> add_entries(std::vector<bankrec::domain::Entry>& batch) override {
    if (!open_ || batch.empty() || batch.size() > bankrec::formats::kEntryBatch) std::abort();
    for (const auto& e : batch) (void)e.amount.to_string();
    return bankrec::ok();
  }
  Result<void> end_statement(const bankrec::domain::Statement& header) override {
    if (!open_ || !header.entries.empty()) std::abort();
    open_ = false;
    return bankrec::ok();
  }
  void reject(bankrec::formats::ParseIssue issue) override {
    if (issue.message.empty() || issue.pos.line == 0) std::abort();
  }

 private:
  int formats_ = 0;
  bool open_ = false;
};

const bankrec::formats::FormatRegistry& registry() {
  static const bankrec::formats::FormatRegistry r = [] {
    bankrec::formats::FormatRegistry reg;
    bankrec::formats::register_builtin_formats(reg);
    return reg;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span(reinterpret_cast<const char*>(data), size));
  for (const char* id : {"mt940", "mt942"}) {
    const auto* spec = registry().find(id);
    if (spec == nullptr) std::abort();
    (void)spec->sniff(bytes.first(std::min(size, bankrec::formats::kSniffBytes)));
    for (bool lenient : {false, true}) {
      CheckingSink sink;
      bankrec::formats::ParseOptions options;
      options.file_name = "fuzz.sta";
      options.lenient = lenient;
      const auto result = spec->parse(bytes, options, sink);
      if (!result && result.error().message.empty()) std::abort();
    }
  }
  return 0;
}
