#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bankrec/base/text.h"

// Splits MT940/MT942 text into tagged fields, one pass, without copying: every view points into
// the original input, so `view.data() - input.data()` is the byte offset for error messages.
namespace bankrec::formats::mt940 {

/// Lines kept per field: far beyond any bank's :86: (SWIFT allows 6), and a bound on memory for hostile
/// input made of millions of short lines.
inline constexpr std::size_t kMaxFieldLines = 1000;

/// One physical line of a field's value (the first one starts after the tag).
struct Line {
  std::string_view text;  ///< without line end; leading/trailing control characters removed
};

/// A tag and the lines of its value.
struct Field {
  char tag[5] = {};               ///< upper case, without colons: "61", "60F", "86", "NS"
  std::uint64_t tag_byte = 0;     ///< offset of the tag's first ':'
  std::vector<Line> lines;        ///< at least one (possibly empty) line, at most kMaxFieldLines
  std::size_t dropped_lines = 0;  ///< lines beyond kMaxFieldLines, skipped

  std::string_view tag_view() const { return tag; }
};

/// Recognises, in this order, per line:
///  * SWIFT block headers `{1:..}{2:..}{3:..}{4:` (what follows `{4:` is content) and trailers
///    `-}` / `-}{5:..}` (control characters SOH, ETX and SUB around them are ignored);
///  * `-` separator lines (one or more dashes only);
///  * tags `:NN:`, `:NNa:` (lower case accepted), `:NNN:` (old Rabobank `:940:`), `:AA:` (`:NS:`),
///    and a tag split over a line break as a lone `:` followed by `86:` on the next line;
///  * anything else continues the current field (or is ignored outside a field: preambles such
///    as "ABNANL2A" / "940" or a bank's explanatory text before the first tag).
/// Line ends are CRLF, LF, CR, or the `@@` marker that HBCI transports use instead of line breaks.
class FieldScanner {
 public:
  explicit FieldScanner(std::string_view input) : input_(input), pos_(0) {}

  /// Fills `field` with the next field; false at the end of the input.
  bool next(Field& field);

 private:
  /// The next physical line (control characters trimmed); false at the end.
  bool next_line(std::string_view& line);
  /// Classifies `line` (maybe the rest of a line after a block header); true when it starts a field.
  bool start_field(std::string_view line, Field& field);
  bool peek_line(std::string_view& line);

  std::string_view input_;
  std::size_t pos_;
  std::string_view pending_;  ///< content following `{4:` or `-}` on the same line
  bool has_pending_ = false;
  std::string_view peeked_;
  bool has_peeked_ = false;
  bool have_next_field_ = false;  ///< `next_field_` holds the start of the next field
  Field next_field_;
};

/// Code points in UTF-8 text (bytes that are not continuation bytes); bytes for 8-bit text.
std::size_t count_chars(std::string_view text, bool utf8);
/// count_chars(text, utf8) >= count, without counting more than needed.
bool has_at_least_chars(std::string_view text, std::size_t count, bool utf8);
/// detect_charset() of bankrec::text (UTF-8 when the bytes are valid UTF-8, else Windows-1252), fast on
/// ASCII-heavy input: ASCII runs are skipped eight bytes at a time and only the multi-byte sequences are
/// validated (by text::find_invalid_utf8).
text::Charset detect_charset(std::string_view bytes);

}  // namespace bankrec::formats::mt940
