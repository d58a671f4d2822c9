#pragma once

// What the libFuzzer targets share: a sink that aborts on a protocol violation (which would be a parser
// bug), and the built-in format registry.
#include <cstdlib>
#include <string_view>
#include <vector>

#include "bankrec/formats/format_registry.h"

namespace bankrec::fuzz {

/// Checks the call order set_format → (begin_statement → add_entries* → end_statement)*, batch bounds,
/// that every amount renders, and that rejects name a message and a line.
class CheckingSink final : public formats::StatementSink {
 public:
  /// `format_prefix`: what set_format's value must start with ("" = anything but empty).
  explicit CheckingSink(std::string_view format_prefix = {}) : prefix_(format_prefix) {}

  Result<void> set_format(std::string_view format) override {
    if (formats_++ != 0 || open_ || format.empty() || !format.starts_with(prefix_)) std::abort();
    return ok();
  }
  Result<void> begin_statement(const domain::Statement& header) override {
    if (formats_ != 1 || open_ || !header.entries.empty()) std::abort();
    open_ = true;
    return ok();
  }
  Result<void> add_entries(std::vector<domain::Entry>& batch) override {
    if (!open_ || batch.empty() || batch.size() > formats::kEntryBatch) std::abort();
    for (const auto& e : batch) (void)e.amount.to_string();
    return ok();
  }
  Result<void> end_statement(const domain::Statement& header) override {
    if (!open_ || !header.entries.empty()) std::abort();
    open_ = false;
    return ok();
  }
  void reject(formats::ParseIssue issue) override {
    if (issue.message.empty() || issue.pos.line == 0) std::abort();
  }

 private:
  std::string_view prefix_;
  int formats_ = 0;
  bool open_ = false;
};

/// Every built-in format, registered once.
inline const formats::FormatRegistry& builtin_registry() {
  static const formats::FormatRegistry registry = [] {
    formats::FormatRegistry r;
    formats::register_builtin_formats(r);
    return r;
  }();
  return registry;
}

}  // namespace bankrec::fuzz
