#include "mt940/purpose.h"

#include "bankrec/domain/sepa.h"

namespace bankrec::formats::mt940 {
namespace {

/// Width of a ?2x/?3x/?6x subfield (DFÜ-Abkommen Anlage 3: 27x).
constexpr std::size_t kSubfieldWidth = 27;
/// Width of a :86: line (SWIFT 6*65x).
constexpr std::size_t kLineWidth = 65;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

void trim_right(std::string& s) {
  while (!s.empty() && is_space(s.back())) s.pop_back();
}

std::optional<std::string> non_empty(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  return std::string(s);
}

bool starts_with_keyword(std::string_view s) {
  // Every keyword ends in '+' after three or four letters: that rules out most text at once.
  if (s.size() < 4) return false;
  if (s[3] == '+') return s.starts_with("BIC+");
  if (s.size() < 5 || s[4] != '+') return false;
  static constexpr std::string_view kKeywords[] = {"EREF", "KREF", "MREF", "CRED", "DEBT", "SVWZ",
                                                   "ABWA", "ABWE", "IBAN", "COAM", "OAMT", "SQTP"};
  const std::string_view head = s.substr(0, 4);
  for (std::string_view k : kKeywords)
    if (head == k) return true;
  return false;
}

/// Appends a subfield by the width rule described in purpose.h.
void append_subfield(std::string& out, std::string_view part, bool& previous_full) {
  const bool full = has_at_least_chars(part, kSubfieldWidth, /*utf8=*/true);
  if (out.empty() || (previous_full && !starts_with_keyword(part))) {
    out.append(out.empty() ? trim(part) : part);
  } else {
    trim_right(out);
    const std::string_view rest = trim(part);
    if (!out.empty() && !rest.empty()) out.push_back(' ');
    out.append(rest);
  }
  previous_full = full;
}

/// Position of the next subfield marker (separator and two digits) at or after `from`.
std::size_t next_marker(std::string_view text, char separator, std::size_t from) {
  for (std::size_t i = text.find(separator, from); i != std::string_view::npos;
       i = text.find(separator, i + 1))
    if (i + 2 < text.size() && is_digit(text[i + 1]) && is_digit(text[i + 2])) return i;
  return std::string_view::npos;
}

void append_with_space(std::string& out, std::string_view prefix, std::string_view value) {
  value = trim(value);
  if (value.empty()) return;
  if (!out.empty()) out.push_back(' ');
  out.append(prefix);
  out.append(value);
}

void apply_sepa(std::string_view purpose, domain::Entry& entry, PurposeScratch& scratch) {
  domain::SepaPurpose sepa = domain::parse_sepa_purpose(purpose);
  std::string remittance;
  if (!sepa.has_keywords()) {
    append_with_space(remittance, "", purpose);
  } else {
    if (sepa.eref && *sepa.eref != "NOTPROVIDED") entry.end_to_end_id = std::move(sepa.eref);
    if (sepa.kref && (!entry.customer_reference || *entry.customer_reference == "NONREF"))
      entry.customer_reference = std::move(sepa.kref);
    if (sepa.mref) entry.mandate_id = std::move(sepa.mref);
    if (sepa.cred) entry.creditor_id = std::move(sepa.cred);
    if (sepa.debt) entry.counterparty.id = std::move(sepa.debt);
    if (sepa.iban && !entry.counterparty.iban) entry.counterparty.iban = std::move(sepa.iban);
    if (sepa.bic && !entry.counterparty.bic) entry.counterparty.bic = std::move(sepa.bic);
    if (sepa.oamt && !entry.original_amount) {
      const auto& currency = entry.amount.currency();
      if (const auto minor = parse_swift_amount(*sepa.oamt, currency.exponent))
        entry.original_amount = domain::Money(*minor, currency);
    }
    if (sepa.leading_text) append_with_space(remittance, "", *sepa.leading_text);
    if (sepa.svwz) append_with_space(remittance, "", *sepa.svwz);
    if (sepa.abwa) append_with_space(remittance, "ABWA+", *sepa.abwa);
    if (sepa.abwe) append_with_space(remittance, "ABWE+", *sepa.abwe);
    if (sepa.coam) append_with_space(remittance, "COAM+", *sepa.coam);
  }
  for (std::string_view extra : scratch.unknown) append_with_space(remittance, "", extra);
  if (!remittance.empty()) entry.remittance = std::move(remittance);
}

void apply_structured(std::string_view text, char separator, domain::Entry& entry, PurposeScratch& scratch) {
  scratch.purpose.clear();
  scratch.name.clear();
  scratch.unknown.clear();
  bool purpose_full = false, name_full = false;
  std::optional<std::string_view> tse;
  const std::string_view gvc = trim(text.substr(0, 3));
  std::size_t at = next_marker(text, separator, 3);
  while (at != std::string_view::npos) {
    const int code = (text[at + 1] - '0') * 10 + (text[at + 2] - '0');
    const std::size_t end = next_marker(text, separator, at + 3);
    const std::string_view value =
        text.substr(at + 3, end == std::string_view::npos ? std::string_view::npos : end - at - 3);
    at = end;
    if (code == 0) {
      if (auto posting = non_empty(value)) entry.posting_text = std::move(posting);
    } else if ((code >= 20 && code <= 29) || (code >= 60 && code <= 63)) {
      append_subfield(scratch.purpose, value, purpose_full);
    } else if (code == 30) {
      const std::string_view v = trim(value);
      if (v.empty()) continue;
      if (looks_like_bic(v))
        entry.counterparty.bic = std::string(v);
      else
        entry.counterparty.bank_code = std::string(v);
    } else if (code == 31) {
      const std::string_view v = trim(value);
      if (v.empty()) continue;
      if (looks_like_iban(v))
        entry.counterparty.iban = std::string(v);
      else
        entry.counterparty.account = std::string(v);
    } else if (code == 32 || code == 33) {
      append_subfield(scratch.name, value, name_full);
    } else if (code == 34) {
      if (!trim(value).empty()) tse = trim(value);
    } else if (code != 10 && !trim(value).empty()) {
      scratch.unknown.push_back(value);
    }
  }
  if (auto name = non_empty(scratch.name)) entry.counterparty.name = std::move(name);
  entry.transaction_code.gvc = std::string(gvc);
  std::string proprietary;
  if (entry.transaction_code.swift) {
    proprietary = trim(*entry.transaction_code.swift);  // "NIT " → "NIT+000"
    proprietary += '+';
  }
  proprietary += gvc;
  if (tse) {
    proprietary += '+';
    proprietary += *tse;
  }
  entry.transaction_code.proprietary = std::move(proprietary);
  apply_sepa(scratch.purpose, entry, scratch);
}

/// "/TRTP/...", "/EREF/...": the slash-coded form of Dutch banks (and Bunq, KBS, ...).
bool is_slash_coded(std::string_view text) {
  std::size_t n = 1;
  if (text.empty() || text[0] != '/') return false;
  while (n < text.size() && n <= 5 && text[n] >= 'A' && text[n] <= 'Z') ++n;
  return n >= 3 && n < text.size() && text[n] == '/';
}

/// Joins unstructured lines: a space between lines, none after a line of exactly the field width.
/// Slash-coded text is wrapped wherever the line is full (64 or 65 characters, depending on the bank):
/// its lines are joined without anything in between.
void join_free_text(const std::vector<std::string_view>& lines, bool utf8, std::string& out) {
  out.clear();
  if (is_slash_coded(trim(lines.front()))) {
    for (std::string_view line : lines) out.append(line);
    return;
  }
  bool previous_full = false;
  for (std::string_view raw : lines) {
    std::string_view line = raw;
    while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
    if (line.empty()) continue;
    if (!out.empty() && !previous_full) {
      trim_right(out);
      out.push_back(' ');
      line = trim(line);
    }
    out.append(line);
    previous_full = count_chars(line, utf8) == kLineWidth;
  }
}

}  // namespace

void apply_purpose(const std::vector<std::string_view>& lines, const Context& ctx, domain::Entry& entry,
                   PurposeScratch& scratch) {
  if (lines.empty()) return;
  scratch.joined.clear();
  for (std::string_view line : lines) scratch.joined.append(line);
  std::string_view text = scratch.joined;
  if (!ctx.is_utf8()) {
    scratch.converted = ctx.to_text(text);
    text = scratch.converted;
  }
  const std::string_view lead = trim(text);
  if (lead.size() >= 6 && is_digit(lead[0]) && is_digit(lead[1]) && is_digit(lead[2]) &&
      (lead[3] == '?' || lead[3] == '>') && is_digit(lead[4]) && is_digit(lead[5])) {
    apply_structured(lead, lead[3], entry, scratch);
    return;
  }
  join_free_text(lines, ctx.is_utf8(), scratch.joined);
  text = scratch.joined;
  if (!ctx.is_utf8()) {
    scratch.converted = ctx.to_text(text);
    text = scratch.converted;
  }
  text = trim(text);
  if (text.size() > 3 && text.starts_with("999") && !is_digit(text[3])) {
    entry.transaction_code.gvc = "999";
    text.remove_prefix(3);
  }
  scratch.unknown.clear();
  if (auto remittance = non_empty(text)) entry.remittance = std::move(remittance);
}

}  // namespace bankrec::formats::mt940
