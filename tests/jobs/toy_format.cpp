#include "toy_format.h"

#include <sstream>

namespace bankrec::jobs::testing_toy {
namespace {

int sniff(Bytes head) { return as_text(head).starts_with("S ") ? 100 : 0; }

std::optional<std::string> opt(const std::string& s) {
  return s == "-" ? std::nullopt : std::optional<std::string>(s);
}

Result<void> parse(Bytes input, const formats::ParseOptions& options, formats::StatementSink& sink) {
  const std::string_view text = as_text(input);
  BANKREC_TRY(sink.set_format("toy"));
  std::optional<domain::Statement> header;
  std::vector<domain::Entry> batch;
  auto flush = [&]() -> Result<void> {
    if (batch.empty()) return ok();
    BANKREC_TRY(sink.add_entries(batch));
    batch.clear();
    return ok();
  };
  auto finish = [&]() -> Result<void> {
    if (!header) return ok();
    BANKREC_TRY(flush());
    return sink.end_statement(*header);
  };
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::istringstream line{std::string(text.substr(start, end - start))};
    const std::size_t offset = start;
    start = end + 1;
    std::string tag;
    line >> tag;
    if (tag == "S") {
      BANKREC_TRY(finish());
      std::string id, seq, iban, from;
      std::int64_t opening = 0, closing = 0;
      line >> id >> seq >> iban >> from >> opening >> closing;
      domain::Statement s;
      s.id = opt(id);
      s.sequence = opt(seq);
      s.account.iban = iban;
      s.account.currency = "EUR";
      s.from_date = s.to_date = *domain::parse_iso_date(from);
      s.opening_balance = domain::Balance{domain::Money(opening, domain::kEur), s.from_date, "OPBD"};
      header = s;
      BANKREC_TRY(sink.begin_statement(*header));
      header->closing_balance = domain::Balance{domain::Money(closing, domain::kEur), s.to_date, "CLBD"};
    } else if (tag == "E" && header) {
      std::string date, status, ref, remittance;
      std::int64_t minor = 0;
      line >> date >> minor >> status >> ref;
      std::getline(line >> std::ws, remittance);
      domain::Entry e;
      e.booking_date = e.value_date = *domain::parse_iso_date(date);
      e.amount = domain::Money(minor, domain::kEur);
      e.status = status == "p" ? domain::EntryStatus::pending : domain::EntryStatus::booked;
      e.bank_reference = opt(ref);
      e.remittance = remittance;
      batch.push_back(std::move(e));
      if (batch.size() == formats::kEntryBatch) BANKREC_TRY(flush());
    } else if (!tag.empty()) {
      return formats::parse_error(options, formats::locate(text, offset, "line"), "bad line '" + tag + "'");
    }
  }
  return finish();
}

}  // namespace

formats::FormatSpec toy_format() { return {"toy", "toy test format", sniff, parse}; }

}  // namespace bankrec::jobs::testing_toy
