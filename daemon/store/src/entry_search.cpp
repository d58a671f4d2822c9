#include "entry_search.h"

#include <algorithm>
#include <cctype>

#include "bankrec/base/text.h"
#include "bankrec/store/entry_row.h"

namespace bankrec::store::search {
namespace {

constexpr std::size_t kMinPrefix = 3;  // shorter words match whole words only ("a*" would read every doclist)

void append_normalised(std::string& out, const std::optional<std::string>& value) {
  if (!value || value->empty()) return;
  const std::string norm = text::normalize_for_matching(*value);
  if (norm.empty()) return;
  if (!out.empty()) out += ' ';
  out += norm;
}

/// "DE89 3704 0044" -> "de8937040044" when the text is an IBAN (or its start) printed in groups of
/// four ("RE 2026" is not one).
std::optional<std::string> compact_iban(std::string_view query) {
  std::string compact;
  std::size_t group = 0;
  for (char c : query) {
    if (c == ' ') {
      if (group != 4) return std::nullopt;
      group = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
    compact += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ++group;
  }
  if (group == 0 || group > 4 || compact.size() < 5 || compact.size() > 34) return std::nullopt;
  if (!std::isalpha(static_cast<unsigned char>(compact[0])) || !std::isalpha(static_cast<unsigned char>(compact[1])) ||
      !std::isdigit(static_cast<unsigned char>(compact[2])) || !std::isdigit(static_cast<unsigned char>(compact[3])))
    return std::nullopt;
  return compact;
}

}  // namespace

std::string search_text(const domain::Entry& entry, std::string_view remittance_norm) {
  std::string out;
  append_normalised(out, entry.counterparty.name);
  if (!remittance_norm.empty()) {
    if (!out.empty()) out += ' ';
    out += remittance_norm;
  }
  append_normalised(out, entry.counterparty.iban);
  append_normalised(out, entry.bank_reference);
  append_normalised(out, entry.end_to_end_id);
  append_normalised(out, entry.customer_reference);
  append_normalised(out, entry.mandate_id);
  append_normalised(out, entry.structured_reference);
  return out;
}

std::string match_expression(std::string_view query) {
  if (auto iban = compact_iban(query); iban && query.find(' ') != std::string_view::npos) return *iban + "*";
  const std::string norm = text::normalize_for_matching(query);
  std::string out;
  std::size_t start = 0;
  while (start < norm.size()) {
    std::size_t end = norm.find(' ', start);
    if (end == std::string::npos) end = norm.size();
    const std::string_view word(norm.data() + start, end - start);
    if (!word.empty()) {
      if (!out.empty()) out += ' ';
      // Normalised words hold letters and digits only, so no FTS operator or quote can get in;
      // lower-case "or"/"near" are plain words in FTS4's standard syntax.
      out += word;
      if (word.size() >= kMinPrefix) out += '*';
    }
    start = end + 1;
  }
  return out;
}

Result<std::int64_t> catch_up(Database& db, std::int64_t max_rows) {
  constexpr std::int64_t kBatch = 10000;
  std::int64_t done = 0;
  while (done < max_rows) {
    auto transaction = BANKREC_TRY(Transaction::begin(db));
    const std::int64_t upto = BANKREC_TRY(db.query_int("SELECT max(indexed_upto) FROM entry_search_state"));
    auto rows = BANKREC_TRY(db.prepare("SELECT " + std::string(kEntryColumns) +
                                       ", e.id FROM entries e WHERE e.id > ?1 ORDER BY e.id LIMIT ?2"));
    rows.bind(1, upto).bind(2, std::min(kBatch, max_rows - done));
    auto insert = BANKREC_TRY(db.prepare("INSERT INTO entry_search(docid, body) VALUES (?1, ?2)"));
    std::int64_t last = upto, n = 0;
    std::string text;
    while (BANKREC_TRY(rows.step())) {
      const domain::Entry entry = BANKREC_TRY(read_entry(rows, 0));
      last = rows.column_int(kEntryColumnCount);
      ++n;
      text = search_text(entry, entry.remittance ? text::normalize_for_matching(*entry.remittance) : std::string());
      if (!text.empty()) BANKREC_TRY(insert.bind(1, last).bind_static(2, text).run());
    }
    rows.reset();
    if (n == 0) return done;  // nothing was written: the transaction rolls back
    auto mark = BANKREC_TRY(db.prepare("UPDATE entry_search_state SET indexed_upto = ?1"));
    BANKREC_TRY(mark.bind(1, last).run());
    BANKREC_TRY(transaction.commit());
    done += n;
  }
  return done;
}

}  // namespace bankrec::store::search
