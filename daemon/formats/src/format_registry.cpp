#include "bankrec/formats/format_registry.h"

#include "bankrec/base/check.h"

namespace bankrec::formats {

void FormatRegistry::add(const FormatSpec& spec) {
  BANKREC_CHECK(find(spec.id) == nullptr, "duplicate format id");  // a bug, not bad input
  BANKREC_CHECK(spec.sniff != nullptr && spec.parse != nullptr, "format without functions");
  specs_.push_back(spec);
}

const FormatSpec* FormatRegistry::find(std::string_view id) const {
  for (const auto& spec : specs_)
    if (spec.id == id) return &spec;
  return nullptr;
}

const FormatSpec* FormatRegistry::detect(Bytes input) const {
  const Bytes head = input.first(std::min(input.size(), kSniffBytes));
  const FormatSpec* best = nullptr;
  int best_score = 0;
  for (const auto& spec : specs_) {
    const int score = spec.sniff(head);
    if (score > best_score) {
      best = &spec;
      best_score = score;
    }
  }
  return best;
}

Result<void> parse_document(const FormatRegistry& registry, std::string_view format_id, Bytes input,
                            const ParseOptions& options, StatementSink& sink) {
  const std::string file(options.file_name.empty() ? "<input>" : options.file_name);
  if (input.size() > options.max_input_bytes)
    return fail(Errc::invalid_input,
                "file is " + std::to_string(input.size()) + " bytes, more than the limit of " +
                    std::to_string(options.max_input_bytes),
                file);
  const FormatSpec* spec = nullptr;
  if (!format_id.empty()) {
    spec = registry.find(format_id);
    if (spec == nullptr) return fail(Errc::invalid_input, "unknown format '" + std::string(format_id) + "'", file);
  } else {
    spec = registry.detect(input);
    if (spec == nullptr) {
      Error error{Errc::invalid_input, "unsupported or unrecognised format", file};
      return Unexpected{std::move(error)};
    }
  }
  return spec->parse(input, options, sink);
}

}  // namespace bankrec::formats
