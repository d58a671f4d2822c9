#include "bankrec/formats/format.h"

#include <algorithm>

namespace bankrec::formats {
namespace {

/// Collects everything a parser delivers.
class CollectingSink final : public StatementSink {
 public:
  explicit CollectingSink(ParseOutput& out) : out_(out) {}
  Result<void> set_format(std::string_view format) override {
    out_.format = format;
    return ok();
  }
  Result<void> begin_statement(const domain::Statement& header) override {
    out_.statements.push_back(header);
    return ok();
  }
  Result<void> add_entries(std::vector<domain::Entry>& batch) override {
    if (out_.statements.empty()) return fail(Errc::internal, "entries before a statement");
    auto& entries = out_.statements.back().entries;
    std::move(batch.begin(), batch.end(), std::back_inserter(entries));
    return ok();
  }
  Result<void> end_statement(const domain::Statement& header) override {
    if (out_.statements.empty()) return fail(Errc::internal, "end of a statement never begun");
    auto entries = std::move(out_.statements.back().entries);
    out_.statements.back() = header;
    out_.statements.back().entries = std::move(entries);
    return ok();
  }
  void reject(ParseIssue issue) override { out_.rejected.push_back(std::move(issue)); }

 private:
  ParseOutput& out_;
};

}  // namespace

Result<ParseOutput> parse_collect(const FormatSpec& spec, Bytes input, const ParseOptions& options) {
  ParseOutput out;
  CollectingSink sink(out);
  BANKREC_TRY(spec.parse(input, options, sink));
  return out;
}

SourcePos locate(std::string_view input, std::uint64_t byte, std::string locator) {
  SourcePos pos;
  pos.byte = std::min<std::uint64_t>(byte, input.size());
  pos.line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < pos.byte; ++i) {
    const char c = input[i];
    if (c == '\n' || (c == '\r' && (i + 1 >= input.size() || input[i + 1] != '\n'))) {
      ++pos.line;
      line_start = i + 1;
    }
  }
  pos.column = static_cast<std::uint32_t>(pos.byte - line_start + 1);
  pos.locator = std::move(locator);
  return pos;
}

Unexpected parse_error(const ParseOptions& options, const SourcePos& pos, std::string message) {
  std::string where(options.file_name.empty() ? "<input>" : options.file_name);
  if (pos.line > 0) where += ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
  where += " (byte " + std::to_string(pos.byte);
  if (!pos.locator.empty()) where += ", " + pos.locator;
  where += ")";
  Error error{Errc::invalid_input, std::move(message), std::move(where)};
  error.line = pos.line;
  error.column = pos.column;
  return Unexpected{std::move(error)};
}

}  // namespace bankrec::formats
