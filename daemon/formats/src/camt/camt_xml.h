#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/formats/format.h"
#include "camt/camt_tags.h"

// A pull cursor over an XML document for the CAMT parser, on our own strictly bounded tokenizer
// (camt_xml_lex.h): interned element names, the open-element path (for locators such as
// "Stmt[1]/Ntry[3]/Amt"), exact error positions, depth and size limits. Nothing here builds a
// tree: memory is bounded by the nesting depth. What it checks: tags nest and match, names,
// attribute syntax and duplicates, the five predefined entities and character references (any other
// entity is an error), CDATA, comments, processing instructions, UTF-8 (other encodings — declared,
// BOM-detected or forced — are converted to UTF-8 first), namespaces by prefix; a DOCTYPE is refused.
namespace bankrec::formats::camt {

/// Bytes accepted in one element's text; longer values are refused.
inline constexpr std::size_t kMaxTextBytes = 256 * 1024;
/// Attributes accepted on one element (CAMT uses one); more is refused, which keeps the
/// duplicate check cheap.
inline constexpr std::size_t kMaxAttributes = 64;

class XmlCursor {
 public:
  /// A cursor over `input`: no DTD, no network, no entity but the predefined ones.
  static Result<std::unique_ptr<XmlCursor>> open(std::string_view input, const ParseOptions& options);
  ~XmlCursor();
  XmlCursor(const XmlCursor&) = delete;
  XmlCursor& operator=(const XmlCursor&) = delete;

  /// Moves to the root element; refuses a DOCTYPE.
  Result<void> to_root();
  /// Moves to the next child element of the open element at `parent_depth`, skipping whatever
  /// is left of the current child's subtree. False at the end of the parent.
  /// (Inline: it runs for every element, and the Result is then checked where it is made.)
  Result<bool> next_child(int parent_depth) {
    if (node_ == Node::element && node_depth_ == parent_depth && empty_element_) return false;
    for (;;) {
      const int r = step(false);
      if (r < 0) return take_error();
      if (r == 0) return false;
      if (node_ == Node::element) {
        if (node_depth_ == parent_depth + 1) return true;
      } else if (node_ == Node::end_element && node_depth_ <= parent_depth) {
        return false;
      }
    }
  }
  /// Reads on to the end of the document so that trailing damage is reported.
  Result<void> finish();

  Tag tag() const { return stack_.empty() ? Tag::other : stack_.back().tag; }
  int depth() const { return static_cast<int>(stack_.size()) - 1; }
  /// The element's name without a declared prefix ("ns2:Stmt" when ns2 is undeclared).
  std::string_view local_name() const;
  std::string_view namespace_uri() const;

  /// The current element's text (all text and CDATA inside it, trimmed of blanks); leaves the
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
  /// True after the document was found malformed: nothing after it can be read.
  bool is_broken() const { return broken_; }
  const ParseOptions& options() const { return options_; }

 private:
  enum class Node : std::uint8_t { none, element, end_element, text, cdata };
  struct Open {
    std::uint32_t id;         //!< interned local name
    std::uint32_t start;      //!< byte of '<' in the document
    std::uint32_t qname_len;  //!< the name as written follows the '<'
    std::uint32_t index;      //!< among same-named siblings, 1-based (0 past kSlots names)
    std::uint32_t ns_mark;    //!< namespace declarations in scope before this element's own
    Tag tag;
  };
  struct Siblings {
    static constexpr std::size_t kSlots = 32;
    std::uint32_t ids[kSlots];
    std::uint32_t counts[kSlots];
    std::uint8_t size = 0;
  };
  struct Attribute {
    std::uint32_t name, name_len, value, value_len;
  };
  struct Namespace {
    std::string_view prefix;  //!< "" for the default namespace
    std::string uri;
  };
  struct Name {
    std::uint32_t hash, offset, length;
    Tag tag;
  };

  XmlCursor(std::string_view input, const ParseOptions& options);
  Result<void> prepare();
  // The tokenizer's steps return plain flags and leave an error in pending_ (see fail()), so the
  // hot path builds no Result per node; next_child() and advance() wrap them.
  Result<bool> advance(bool want_text);
  /// One node: 1 when one was read (node_ says which), 0 at the end of the document, -1 on error.
  int step(bool want_text);
  bool start_tag();
  bool attributes(std::size_t name_end);
  bool end_tag();
  bool end_tag_mismatch(std::size_t start);
  /// At "<!" or "<?": 1 for a CDATA node, 0 when a comment or PI was skipped, -1 on error.
  int special_markup();
  /// Text other than indentation before a tag: 1 for a text node, 0 when skipped, -1 on error.
  int char_data(bool want_text);
  /// Opens the element whose name is doc_[start + 1, name_end); `id` is its interned name when the
  /// caller knows it (kNoId: resolved here from the prefix, `colon` and `hash`).
  bool push(std::size_t start, std::size_t name_end, std::size_t colon, std::uint32_t hash, std::uint32_t id);
  /// The interned id of an unprefixed name of 1 to 16 bytes at `name` (8 bytes readable from it),
  /// through the short-name cache.
  std::uint32_t intern_short(const char* name, std::size_t length);
  [[gnu::cold]] bool fail_at(std::size_t at, const char* message);
  [[gnu::cold]] bool too_deep();
  [[gnu::cold]] bool too_many_names();
  static constexpr std::size_t kMaxElementNames = 10000;
  /// Keeps `u` for the caller of step() and returns false.
  bool fail(Unexpected u);
  /// The same for step() and markup(): returns -1.
  int fail_node(Unexpected u);
  Unexpected take_error() { return Unexpected{std::move(pending_)}; }
  Result<std::string_view> slow_text(int depth);
  void declare_namespaces();
  std::uint32_t intern(std::string_view name, std::uint32_t hash);
  std::string_view name_of(std::uint32_t id) const;
  const Namespace* find_namespace(std::string_view prefix) const;
  SourcePos position_of(std::size_t doc_byte) const;
  Unexpected fault(std::size_t at, std::string message);

  std::string_view input_;  //!< as given, for positions
  std::string converted_;   //!< the UTF-8 form when the input was in another encoding
  std::string_view doc_;    //!< what is tokenized: input_ or converted_
  bool is_converted_ = false;
  const ParseOptions& options_;
  std::size_t pos_ = 0;
  std::vector<Open> stack_;
  std::vector<Siblings> siblings_;
  std::vector<Namespace> namespaces_;
  std::vector<Attribute> attributes_;
  std::uint32_t max_depth_ = 0;
  bool root_seen_ = false;
  bool pop_pending_ = false;
  bool empty_element_ = false;
  bool broken_ = false;
  bool has_namespaces_ = false;  //!< the current start tag declares namespaces
  Node node_ = Node::none;
  int node_depth_ = -1;
  std::size_t text_begin_ = 0, text_end_ = 0;  //!< the last text or CDATA node, raw
  bool text_plain_ = false;                    //!< it holds no reference and no CR
  std::string text_;
  std::string attribute_;
  mutable SourcePos last_error_pos_;
  std::vector<Name> names_;           //!< interned names by id
  std::vector<std::uint32_t> slots_;  //!< open addressing over names_: id + 1, 0 = free
  static constexpr std::uint32_t kNoId = 0xFFFFFFFFu;
  /// A direct-mapped cache in front of intern() for names of up to 16 bytes, keyed by their
  /// bytes themselves (two words and the length), so a hit needs neither hash nor compare.
  struct ShortName {
    std::uint64_t head = 0, tail = 0;
    std::uint32_t length = 0, id = 0;  //!< length 0: free
  };
  static constexpr unsigned kShortNameBits = 10;
  std::vector<ShortName> short_names_;
  std::uint32_t intern_short_miss(ShortName& slot, std::uint64_t head, std::uint64_t tail, const char* name,
                                  std::size_t length);
  Error pending_;  //!< the error of the last failed step()
};

}  // namespace bankrec::formats::camt
