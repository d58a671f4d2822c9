#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bankrec/base/text.h"
#include "bankrec/formats/format.h"

// OFX documents as a tree of elements: 1.x (SGML, unclosed leaf tags, "KEY:VALUE" header block)
// and 2.x (XML with an <?OFX ...?> processing instruction) are read by one tolerant reader, because
// real files mix the two (XML headers over SGML-style bodies, self-closing tags in SGML files).
namespace bankrec::formats::ofx {

inline constexpr std::uint32_t kNoNode = 0xFFFFFFFF;

/// One element. Leaves carry their text; aggregates carry children.
struct Node {
  std::string name;          ///< upper case
  std::string value;         ///< leaves: UTF-8, entities decoded, trimmed
  std::uint64_t offset = 0;  ///< byte of the start tag's '<'
  std::uint32_t parent = kNoNode;
  std::uint32_t first_child = kNoNode;
  std::uint32_t last_child = kNoNode;
  std::uint32_t next_sibling = kNoNode;
  bool leaf = false;
  bool closed = false;  ///< had an end tag (or was self-closing)
};

/// The header and the element tree; nodes[0] is a synthetic root holding <OFX>.
struct Document {
  bool xml = false;     ///< OFX 2.x header (<?xml ...?> / <?OFX ...?>)
  std::string version;  ///< "102", "203"; empty without a header
  text::Charset charset = text::Charset::utf8;
  std::vector<std::string> warnings;  ///< file-level findings, copied to every statement
  std::vector<Node> nodes;

  /// Children of `parent` named `name` (upper case), in order.
  std::vector<std::uint32_t> children(std::uint32_t parent, std::string_view name) const;
  /// First child of that name, or nullptr.
  const Node* child(std::uint32_t parent, std::string_view name) const;
  /// The trimmed text of a leaf child; empty when missing or empty.
  std::string_view value(std::uint32_t parent, std::string_view name) const;
  /// "OFX/BANKMSGSRSV1/STMTTRNRS/STMTRS/BANKTRANLIST/STMTTRN[3]/TRNAMT", for error locators.
  std::string path(std::uint32_t node) const;
};

/// Upper bounds that keep a hostile file from exhausting memory.
inline constexpr std::size_t kMaxValueBytes = 64 * 1024;
inline constexpr std::size_t kMaxNameBytes = 64;

/// Reads header and tree. Fails with line:column and the element on bad structure, an
/// unsupported header value, bytes invalid in the declared charset, or a limit exceeded.
Result<Document> read_document(std::string_view input, const ParseOptions& options);

}  // namespace bankrec::formats::ofx
