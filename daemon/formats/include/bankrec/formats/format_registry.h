#pragma once

#include <string_view>
#include <vector>

#include "bankrec/formats/format.h"

namespace bankrec::formats {

/// Filled once by register_builtin_formats() in app/; read-only afterwards, so no locks.
class FormatRegistry {
 public:
  void add(const FormatSpec& spec);
  /// By id ("camt.053") or by an alias accepted on the command line; nullptr when unknown.
  const FormatSpec* find(std::string_view id) const;
  /// Highest sniff() score > 0 over the first kSniffBytes, else nullptr. Ties go to the earlier one.
  const FormatSpec* detect(Bytes input) const;
  const std::vector<FormatSpec>& all() const { return specs_; }

 private:
  std::vector<FormatSpec> specs_;
};

/// Explicit registration: no static self-registration (it vanishes from static libraries).
void register_builtin_formats(FormatRegistry& registry);

/// One input unit: a plain file, or one member of a ZIP archive.
struct InputDocument {
  std::string name;   ///< "x.xml", or "daily.zip/x.xml" for a member
  std::string bytes;  ///< owned copy for members; for plain files the caller's bytes are copied too
};

/// Limits for archives (zip bombs): members, bytes per member, total, and the expansion ratio.
struct ArchiveLimits {
  std::uint32_t max_members = 10'000;
  std::uint64_t max_member_bytes = 512ULL * 1024 * 1024;
  std::uint64_t max_total_bytes = 2ULL * 1024 * 1024 * 1024;
  std::uint32_t max_ratio = 200;
};

/// True when the bytes are a ZIP archive of statement files: they start like a ZIP ("PK\3\4") and
/// are not an Excel workbook (an .xlsx is a ZIP too, but the xlsx format reads it whole).
bool is_zip(Bytes input);
/// Unpacks a ZIP archive's regular members in archive order (directories and members whose names
/// are unsafe — absolute, "..", NUL — are skipped with an error). Fails on a damaged archive or when
/// a limit is exceeded, naming the member.
Result<std::vector<InputDocument>> unpack_zip(std::string_view archive_name, Bytes input,
                                              const ArchiveLimits& limits = {});

/// Parses one document: `format_id` forces a format (empty = sniff). Fails with
/// "unsupported or unrecognised format" naming the file when nothing recognises the content.
Result<void> parse_document(const FormatRegistry& registry, std::string_view format_id, Bytes input,
                            const ParseOptions& options, StatementSink& sink);

}  // namespace bankrec::formats
