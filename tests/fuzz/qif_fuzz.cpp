// libFuzzer target for the QIF parser: sections, records, splits, the
// file-wide date order and decimal separator. Every input is sniffed and parsed
// strict and lenient through a sink that checks the call order. Crashes, sanitizer reports and hangs
// are bugs; parse errors are expected. Seeded with tests/fixtures/formats/qif*.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bankrec/formats/format_registry.h"

namespace {

using bankrec::Result;

/// Aborts on a sink protocol violation (begin/add/end out of order), which would be a parser bug.
class CheckingSink final : public bankrec::formats::StatementSink {
 public:
  Result<void> set_format(std::string_view format) override {
    if (formats_++ != 0 || open_ || format.empty()) std::abort();
    return bankrec::ok();
  }
  Result<void> begin_statement(const bankrec::domain::Statement& header) override {
    if (formats_ != 1 || open_ || !header.entries.empty()) std::abort();
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
  const auto* spec = registry().find("qif");
  if (spec == nullptr) std::abort();
  (void)spec->sniff(bytes.first(std::min(size, bankrec::formats::kSniffBytes)));
  for (bool lenient : {false, true}) {
    CheckingSink sink;
    bankrec::formats::ParseOptions options;
    options.file_name = "fuzz.qif";
    options.lenient = lenient;
    options.max_depth = 32;
    const auto result = spec->parse(bytes, options, sink);
    if (!result && (result.error().message.empty() || result.error().where.empty())) std::abort();
  }
  return 0;
}
