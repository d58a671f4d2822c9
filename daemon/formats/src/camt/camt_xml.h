#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/formats/format.h"
#include "camt/camt_tags.h"

struct _xmlTextReader;  // libxml2's reader and error types, kept out of this header
struct _xmlError;

// A thin pull cursor over libxml2's xmlTextReader for the CAMT parser: interned element names,
// the open-element path (for locators such as "Stmt[1]/Ntry[3]/Amt"), captured libxml2 errors,
// depth and size limits. Nothing here builds a tree: memory is bounded by the nesting depth.
namespace bankrec::formats::camt {

/// One step of an element path from the document root: name and 1-based index among the
/// element's same-named siblings (0 when unknown).
struct PathStep {
  std::string_view name;
  std::uint32_t index = 1;
};

/// Byte offset of the start tag ('<') of the element `path` names, found by a light scan of the
/// raw input (comments, CDATA, processing instructions and quoted attributes are skipped).
/// nullopt when the input does not contain it (e.g. a non-ASCII-compatible encoding).
std::optional<std::uint64_t> find_element(std::string_view input, std::span<const PathStep> path);

/// Byte offset of a 1-based line and byte column, clamped to the input.
std::uint64_t offset_of(std::string_view input, std::uint32_t line, std::uint32_t column);

/// Bytes accepted in one element's text; longer values are refused.
inline constexpr std::size_t kMaxTextBytes = 256 * 1024;

class XmlCursor {
 public:
  /// A reader over `input`: no DTD loading, no network, no entity substitution.
  static Result<std::unique_ptr<XmlCursor>> open(std::string_view input, const ParseOptions& options);
  ~XmlCursor();
  XmlCursor(const XmlCursor&) = delete;
  XmlCursor& operator=(const XmlCursor&) = delete;

  /// Moves to the root element; refuses a DOCTYPE.
  Result<void> to_root();
  /// Moves to the next child element of the open element at `parent_depth`, skipping whatever
  /// is left of the current child's subtree. False at the end of the parent.
  Result<bool> next_child(int parent_depth);
  /// Reads on to the end of the document so that trailing damage is reported.
  Result<void> finish();

  Tag tag() const { return stack_.empty() ? Tag::other : stack_.back().tag; }
  int depth() const { return static_cast<int>(stack_.size()) - 1; }
  std::string_view local_name() const;
  std::string_view namespace_uri() const;

  /// The current element's text (all text and CDATA children, trimmed of blanks); leaves the
  /// cursor on the element's end. Valid until the next move.
  Result<std::string_view> text();
  /// An attribute of the current element (before text() is called); valid until the next move.
  std::optional<std::string_view> attribute(const char* name);

  /// An error located at the current element: line, column, byte of its start tag and its path.
  Unexpected error(std::string message) const;
  /// The path below the message element: "Stmt[1]/Ntry[3]/Amt".
  std::string locator() const;
  /// Where the last error() or XML error was; for rejected records in lenient mode.
  const SourcePos& last_error_pos() const { return last_error_pos_; }
  /// True after libxml2 reported the document malformed: nothing after it can be read.
  bool is_broken() const { return captured_.set; }
  const ParseOptions& options() const { return options_; }

 private:
  struct Open {
    const unsigned char* name;
    Tag tag;
    std::uint32_t index;
  };
  struct Siblings {
    static constexpr std::size_t kSlots = 32;
    const unsigned char* names[kSlots];
    std::uint32_t counts[kSlots];
    std::uint8_t size = 0;
  };
  struct CapturedError {
    bool set = false;
    std::string message;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
  };

  XmlCursor(std::string_view input, const ParseOptions& options);
  Result<bool> advance();
  Result<void> push();
  Tag lookup(const unsigned char* name) const;
  Unexpected xml_error() const;
  static void on_error(void* self, ::_xmlError* error);

  struct ThreadHandlers;  // libxml2's per-thread error handlers, routed here while the cursor lives

  std::string_view input_;
  const ParseOptions& options_;
  std::unique_ptr<ThreadHandlers> thread_handlers_;
  ::_xmlTextReader* reader_ = nullptr;
  std::vector<Open> stack_;
  std::vector<Siblings> siblings_;
  std::uint32_t max_depth_ = 0;
  bool pop_pending_ = false;
  bool empty_element_ = false;
  int node_type_ = 0;
  int node_depth_ = -1;
  std::string text_;
  std::string attribute_;
  CapturedError captured_;
  mutable SourcePos last_error_pos_;
  /// Interned tag names, open addressing keyed by the dictionary pointer.
  static constexpr std::size_t kTableSize = 512;
  const unsigned char* table_keys_[kTableSize] = {};
  Tag table_tags_[kTableSize] = {};
};

}  // namespace bankrec::formats::camt
