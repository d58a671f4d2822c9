#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bankrec/formats/format.h"

struct zip;  // libzip's archive, kept out of this header
struct _xmlTextReader;

// The OPC package under an XLSX workbook: a ZIP archive read from memory with zip-bomb limits, and a
// streaming libxml2 reader over one part. Nothing here holds a whole part unless asked to.
namespace bankrec::formats::xlsx {

/// Bounds for hostile workbooks. Sizes count the bytes actually inflated, not what headers claim.
struct Limits {
  std::uint32_t max_parts = 10'000;                     ///< ZIP entries
  std::uint64_t max_part_bytes = 256ULL * 1024 * 1024;  ///< one part, uncompressed
  std::uint64_t max_total_bytes = 1ULL << 30;           ///< all parts read, uncompressed
  std::uint32_t max_ratio = 200;                        ///< expansion of a part larger than 1 MiB
  std::uint64_t max_cells = 10'000'000;                 ///< cells of all tables, gaps included
  std::uint32_t max_sheets = 1000;
};

/// The archive; parts are looked up by name without regard to case (OPC part names are not
/// case-sensitive).
class Package {
 public:
  static Result<std::unique_ptr<Package>> open(Bytes input, const ParseOptions& options,
                                               const Limits& limits);
  ~Package();
  Package(const Package&) = delete;
  Package& operator=(const Package&) = delete;

  bool has(std::string_view part) const;
  const ParseOptions& options() const { return options_; }
  const Limits& limits() const { return limits_; }

 private:
  friend class PartReader;
  Package(const ParseOptions& options, const Limits& limits) : options_(options), limits_(limits) {}
  Result<std::int64_t> index_of(std::string_view part) const;

  const ParseOptions& options_;
  const Limits& limits_;
  ::zip* archive_ = nullptr;
  std::uint64_t total_read_ = 0;  ///< inflated bytes over all parts, against max_total_bytes
};

/// A pull reader over one part's XML: element names are local (namespaces ignored, so strict and
/// transitional OOXML read alike). No DTDs, no entities, no network.
class PartReader {
 public:
  /// Node types, as libxml2's xmlReaderTypes numbers them.
  enum Type : int {
    element = 1,
    text = 3,
    cdata = 4,
    whitespace = 13,
    significant_whitespace = 14,
    end = 15
  };

  static Result<std::unique_ptr<PartReader>> open(Package& package, std::string part);
  ~PartReader();
  PartReader(const PartReader&) = delete;
  PartReader& operator=(const PartReader&) = delete;

  /// Moves to the next node; false at the end of the part.
  Result<bool> next();
  int type() const { return type_; }
  int depth() const { return depth_; }
  bool is_empty_element() const { return empty_; }
  std::string_view name() const;   ///< local name of an element or end tag
  std::string_view value() const;  ///< text of a text node
  /// An attribute by local name; `prefixed` asks for one with a namespace prefix (r:id).
  std::optional<std::string> attribute(std::string_view local, bool prefixed = false) const;
  const std::string& part() const { return part_; }
  /// "xl/worksheets/sheet1.xml:12:7", the position of the current node.
  std::string position() const;

 private:
  struct Source;
  struct ErrorCapture;
  PartReader() = default;
  Unexpected xml_error() const;

  std::string part_;
  const ParseOptions* options_ = nullptr;
  std::unique_ptr<Source> source_;
  std::unique_ptr<ErrorCapture> errors_;
  ::_xmlTextReader* reader_ = nullptr;
  int type_ = 0;
  int depth_ = 0;
  bool empty_ = false;
};

/// Resolves a relationship target against the folder of the part that names it
/// ("worksheets/sheet1.xml" from "xl/workbook.xml" → "xl/worksheets/sheet1.xml"; "/xl/x.xml" is
/// absolute; ".." steps up). nullopt when it escapes the package root.
std::optional<std::string> resolve_target(std::string_view source_part, std::string_view target);

}  // namespace bankrec::formats::xlsx
