#include "mt940/scanner.h"

#include <algorithm>
#include <cstring>

namespace bankrec::formats::mt940 {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20; }

std::string_view trim_controls(std::string_view s) {
  while (!s.empty() && is_control(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_control(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view trim_right_spaces(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Length of a tag body "NN:", "NNa:", "NNN:", "AA:" at the start of `s` (including the closing
/// colon), or 0 when `s` does not start with one.
std::size_t tag_body_length(std::string_view s) {
  if (s.size() >= 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] == ':') return 3;
  if (s.size() < 3 || !is_digit(s[0]) || !is_digit(s[1])) return 0;
  if (s[2] == ':') return 3;
  if (s.size() >= 4 && (is_alpha(s[2]) || is_digit(s[2])) && s[3] == ':') return 4;
  return 0;
}

bool is_block_header(std::string_view s) {
  return s.size() >= 3 && s[0] == '{' && is_digit(s[1]) && s[2] == ':';
}

bool is_separator(std::string_view s) {
  s = trim_right_spaces(s);
  if (s.empty()) return false;
  for (char c : s)
    if (c != '-') return false;
  return true;
}

void set_tag(Field& field, std::string_view body, std::uint64_t byte) {
  std::size_t n = 0;
  for (; n + 1 < body.size() && n < 4; ++n) {
    const char c = body[n];
    field.tag[n] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  field.tag[n] = '\0';
  field.tag_byte = byte;
}

}  // namespace

bool has_at_least_chars(std::string_view text, std::size_t count, bool utf8) {
  if (text.size() < count) return false;
  if (!utf8 || text.size() >= 4 * count) return true;
  // Characters are the bytes that are not UTF-8 continuation bytes (10xxxxxx), counted eight at a
  // time: a byte is one when its bit 7 is set and bit 6, shifted into bit 7, is not.
  const char* data = text.data();
  const std::size_t n = text.size();
  std::size_t continuation = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, data + i, 8);
    const std::uint64_t high = word & 0x8080808080808080ULL;
    if (high != 0) continuation += static_cast<std::size_t>(__builtin_popcountll(high & ~(word << 1)));
  }
  for (; i < n; ++i) continuation += (static_cast<unsigned char>(data[i]) & 0xC0) == 0x80 ? 1 : 0;
  return n - continuation >= count;
}

std::size_t count_chars(std::string_view text, bool utf8) {
  if (!utf8) return text.size();
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool FieldScanner::next_line(std::string_view& line) {
  if (has_peeked_) {
    has_peeked_ = false;
    line = peeked_;
    return true;
  }
  if (has_pending_) {
    has_pending_ = false;
    line = pending_;
    return true;
  }
  const std::size_t n = input_.size();
  if (pos_ >= n) return false;
  const char* data = input_.data();
  // The line ends at the first '\n', '\r' or "@@"; memchr over short windows keeps this fast without
  // rescanning a whole CR-only file for a '\n' that never comes.
  std::size_t i = pos_;
  for (;;) {
    const std::size_t window_end = std::min(n, i + 512);
    const char* window = data + i;
    std::size_t len = window_end - i;
    if (const void* nl = std::memchr(window, '\n', len))
      len = static_cast<std::size_t>(static_cast<const char*>(nl) - window);
    if (const void* cr = std::memchr(window, '\r', len))
      len = static_cast<std::size_t>(static_cast<const char*>(cr) - window);
    for (const char* at = static_cast<const char*>(std::memchr(window, '@', len)); at != nullptr;
         at = static_cast<const char*>(
             std::memchr(at + 1, '@', static_cast<std::size_t>(window + len - at - 1)))) {
      if (at + 1 < data + n && at[1] == '@') {
        len = static_cast<std::size_t>(at - window);
        break;
      }
    }
    i += len;
    if (i < window_end || i >= n) break;
  }
  line = trim_controls(std::string_view(data + pos_, i - pos_));
  if (i < n) {
    if (data[i] == '@' || (data[i] == '\r' && i + 1 < n && data[i + 1] == '\n'))
      i += 2;
    else
      ++i;
  }
  pos_ = i;
  return true;
}

bool FieldScanner::peek_line(std::string_view& line) {
  if (!has_peeked_) {
    std::string_view next;
    if (!next_line(next)) return false;
    peeked_ = next;
    has_peeked_ = true;
  }
  line = peeked_;
  return true;
}

bool FieldScanner::start_field(std::string_view line, Field& field) {
  if (line.empty() || line[0] != ':') return false;
  const std::uint64_t byte = static_cast<std::uint64_t>(line.data() - input_.data());
  std::string_view rest = line.substr(1);
  if (const std::size_t len = tag_body_length(rest); len != 0) {
    set_tag(field, rest.substr(0, len), byte);
    field.lines.push_back({rest.substr(len)});
    return true;
  }
  // A tag broken after its first colon (":" / "86:..."), seen in Sparkasse exports.
  std::string_view next;
  if (!trim_right_spaces(rest).empty() || !peek_line(next)) return false;
  const std::size_t len = tag_body_length(next);
  if (len == 0) return false;
  has_peeked_ = false;
  set_tag(field, next.substr(0, len), byte);
  field.lines.push_back({next.substr(len)});
  return true;
}

bool FieldScanner::next(Field& field) {
  field.lines.clear();
  field.dropped_lines = 0;
  std::string_view line;
  if (have_next_field_) {
    std::memcpy(field.tag, next_field_.tag, sizeof field.tag);
    field.tag_byte = next_field_.tag_byte;
    field.lines.push_back(next_field_.lines.front());
    have_next_field_ = false;
  } else {
    for (;;) {
      if (!next_line(line)) return false;
      if (is_block_header(line) || line.starts_with("-}")) {
        const std::size_t body = line.find("{4:");
        if (body != std::string_view::npos || line.starts_with("-}")) {
          pending_ = trim_controls(body != std::string_view::npos ? line.substr(body + 3) : line.substr(2));
          has_pending_ = !pending_.empty();
        }
        continue;
      }
      if (start_field(line, field)) break;
    }
  }
  for (;;) {
    if (!next_line(line)) return true;
    if (is_block_header(line) || line.starts_with("-}") || is_separator(line)) {
      if (!is_separator(line)) {  // a header or trailer: the next call's search loop handles it
        has_pending_ = true;
        pending_ = line;
      }
      return true;
    }
    next_field_.lines.clear();
    if (start_field(line, next_field_)) {
      have_next_field_ = true;
      return true;
    }
    if (trim_right_spaces(line).empty()) continue;
    if (field.lines.size() < kMaxFieldLines)
      field.lines.push_back({line});
    else
      ++field.dropped_lines;
  }
}

text::Charset detect_charset(std::string_view bytes) {
  const std::size_t n = bytes.size();
  const char* data = bytes.data();
  std::size_t i = 0;
  while (i < n) {
    std::uint64_t word = 0;
    if (i + 8 <= n) {
      std::memcpy(&word, data + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const auto lead = static_cast<unsigned char>(data[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = lead >= 0xC2 && lead <= 0xDF   ? 2
                            : lead >= 0xE0 && lead <= 0xEF ? 3
                            : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                           : 0;
    if (len == 0 || i + len > n || !text::is_valid_utf8(bytes.substr(i, len)))
      return text::Charset::windows1252;
    i += len;
  }
  return text::Charset::utf8;
}

}  // namespace bankrec::formats::mt940
