// SWIFT MT940 (customer statement) and MT942 (interim transaction report), including the German
// DK variant with structured :86: (DFÜ-Abkommen Anlage 3). The parser lives in statement_parser.cpp;
// this file holds what the registry sees: the two FormatSpecs and their sniffers.
#include "builtin_formats.h"
#include "mt940/statement_parser.h"

#include <algorithm>

#include "bankrec/base/text.h"

namespace bankrec::formats {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

/// What the first 4 KiB show.
struct Evidence {
  bool header940 = false, header942 = false;
  bool tag20 = false, tag25 = false, tag28 = false, tag60 = false, tag61 = false, tag62 = false,
       tag86 = false;
  bool interim = false;  ///< :34F:, :13D:, :90D:, :90C:

  int statement_tags() const { return tag20 + tag25 + tag28 + tag60 + tag61 + tag62 + tag86; }
};

bool upper_equals(std::string_view s, std::string_view upper) {
  if (s.size() != upper.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((s[i] >= 'a' && s[i] <= 'z' ? static_cast<char>(s[i] - 32) : s[i]) != upper[i]) return false;
  return true;
}

/// "C240131EUR" at the start of a balance value.
bool is_balance_value(std::string_view v) {
  if (v.size() < 11 || (v[0] != 'C' && v[0] != 'D')) return false;
  for (std::size_t i = 1; i < 7; ++i)
    if (!is_digit(v[i])) return false;
  return is_upper(v[7]) && is_upper(v[8]) && is_upper(v[9]);
}

bool is_statement_line_value(std::string_view v) {
  if (v.size() < 8) return false;
  for (std::size_t i = 0; i < 6; ++i)
    if (!is_digit(v[i])) return false;
  return true;
}

void note_line(std::string_view line, Evidence& ev) {
  while (!line.empty() && static_cast<unsigned char>(line.front()) < 0x20) line.remove_prefix(1);
  if (line.starts_with("{1:") || line.starts_with("{2:")) {
    ev.header940 |=
        line.find("{2:I940") != std::string_view::npos || line.find("{2:O940") != std::string_view::npos;
    ev.header942 |=
        line.find("{2:I942") != std::string_view::npos || line.find("{2:O942") != std::string_view::npos;
    if (const std::size_t body = line.find("{4:"); body != std::string_view::npos)
      note_line(line.substr(body + 3), ev);
    return;
  }
  if (line.size() < 4 || line[0] != ':') return;
  const std::size_t close = line.find(':', 1);
  if (close == std::string_view::npos || close > 4) return;
  const std::string_view tag = line.substr(1, close - 1);
  const std::string_view value = line.substr(close + 1);
  if (tag == "20")
    ev.tag20 = true;
  else if (tag == "25")
    ev.tag25 = true;
  else if (upper_equals(tag, "28C") || tag == "28")
    ev.tag28 = true;
  else if ((upper_equals(tag, "60F") || upper_equals(tag, "60M")) && is_balance_value(value))
    ev.tag60 = true;
  else if ((upper_equals(tag, "62F") || upper_equals(tag, "62M")) && is_balance_value(value))
    ev.tag62 = true;
  else if (tag == "61" && is_statement_line_value(value))
    ev.tag61 = true;
  else if (tag == "86")
    ev.tag86 = true;
  else if (upper_equals(tag, "34F") || upper_equals(tag, "13D") || upper_equals(tag, "90D") ||
           upper_equals(tag, "90C"))
    ev.interim = true;
}

Evidence gather(Bytes head) {
  std::string_view text = text::strip_bom(as_text(head.first(std::min(head.size(), kSniffBytes))));
  Evidence ev;
  while (!text.empty()) {
    std::size_t end = 0;
    while (end < text.size() && text[end] != '\n' && text[end] != '\r' &&
           !(text[end] == '@' && end + 1 < text.size() && text[end + 1] == '@'))
      ++end;
    note_line(text.substr(0, end), ev);
    text.remove_prefix(std::min(text.size(), end + 1));
  }
  return ev;
}

int sniff_mt940(Bytes head) {
  const Evidence ev = gather(head);
  if (ev.header940) return 95;
  const int tags = ev.statement_tags();
  int score = 0;
  if ((ev.tag60 || ev.tag62) && tags >= 2)
    score = 90;
  else if (tags >= 3 || (ev.tag61 && ev.tag86))
    score = 70;
  else if (ev.tag61 || ev.tag60 || ev.tag62)
    score = 40;
  if ((ev.interim && !ev.tag60) || ev.header942) score = std::min(score, 50);
  return score;
}

int sniff_mt942(Bytes head) {
  const Evidence ev = gather(head);
  if (ev.header942) return 95;
  if (!ev.interim || ev.header940) return 0;
  if (ev.tag60) return 60;  // an MT940 that carries a :34F: or :13D: stays an MT940
  return ev.statement_tags() >= 1 ? 92 : 40;
}

Result<void> parse_mt940(Bytes input, const ParseOptions& options, StatementSink& sink) {
  return mt940::parse_document(input, options, sink, mt940::MessageType::mt940);
}

Result<void> parse_mt942(Bytes input, const ParseOptions& options, StatementSink& sink) {
  return mt940::parse_document(input, options, sink, mt940::MessageType::mt942);
}

}  // namespace

FormatSpec mt940_format() {
  return {"mt940", "SWIFT MT940 customer statement (incl. German DK variant)", sniff_mt940, parse_mt940};
}

FormatSpec mt942_format() {
  return {"mt942", "SWIFT MT942 interim transaction report", sniff_mt942, parse_mt942};
}

}  // namespace bankrec::formats
