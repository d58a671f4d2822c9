// QIF (Quicken Interchange Format): "!Type:Bank" / "CCard" / "Cash" / "Oth A" / "Oth L" sections
// of records (one field per line, a code letter then the value, "^" ends a record), "!Account"
// blocks naming the account the following section belongs to, and splits (S/E/$).
// QIF has no version, no currency and no date format: the day/month order and the decimal
// separator are decided from the whole file, so one file is read one way.
#include "builtin_formats.h"

#include <algorithm>
#include <optional>

#include "bankrec/base/text.h"
#include "bankrec/domain/date.h"
#include "bankrec/domain/money.h"

namespace bankrec::formats {
namespace {

/// QIF names no currency: amounts carry ISO 4217 "XXX" (no currency) with two decimals.
constexpr domain::Currency kNoCurrency{{'X', 'X', 'X'}, 2};

struct Field {
  char code = 0;
  std::string_view value;    ///< raw bytes of the file
  std::uint64_t offset = 0;  ///< byte of the value
};

struct Record {
  std::vector<Field> fields;
  std::uint64_t offset = 0;
};

enum class SectionKind { transactions, account, other };

/// One "!Type:" or "!Account" section with its records.
struct Section {
  SectionKind kind = SectionKind::other;
  std::string type;  ///< "Bank", "CCard", ...
  std::uint64_t offset = 0;
  std::vector<Record> records;
};

bool starts_with_ci(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && text::iequals_ascii(s.substr(0, p.size()), p);
}

SectionKind kind_of(std::string_view type) {
  for (std::string_view t : {"Bank", "CCard", "Cash", "Oth A", "Oth L"})
    if (text::iequals_ascii(type, t)) return SectionKind::transactions;
  return SectionKind::other;
}

class QifReader {
 public:
  QifReader(std::string_view input, const ParseOptions& options) : in_(input), options_(options) {}

  Unexpected error_at(std::uint64_t byte, std::string locator, std::string message) const {
    return parse_error(options_, locate(in_, byte, std::move(locator)), std::move(message));
  }

  SourcePos at(std::uint64_t byte, std::string locator) const {
    return locate(in_, byte, std::move(locator));
  }

  Result<std::vector<Section>> split() const;
  Result<domain::DateOrder> date_order(const std::vector<Section>& sections) const;
  Result<char> decimal_separator(const std::vector<Section>& sections) const;

 private:
  std::string_view in_;
  const ParseOptions& options_;
};

Result<std::vector<Section>> QifReader::split() const {
  std::vector<Section> sections;
  Record current;
  std::size_t pos = in_.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  auto finish_record = [&]() {
    if (!current.fields.empty() && !sections.empty()) sections.back().records.push_back(std::move(current));
    current = Record{};
  };
  while (pos < in_.size()) {
    std::size_t end = pos;
    while (end < in_.size() && in_[end] != '\n' && in_[end] != '\r') ++end;
    const std::string_view raw = in_.substr(pos, end - pos);
    const std::string_view line = text::trim(raw);
    const std::uint64_t at = pos;
    pos = end < in_.size() && in_[end] == '\r' && end + 1 < in_.size() && in_[end + 1] == '\n' ? end + 2
                                                                                               : end + 1;
    if (line.empty()) continue;
    if (line[0] == '!') {
      finish_record();
      if (starts_with_ci(line, "!Type:")) {
        const std::string_view type = text::trim(line.substr(6));
        sections.push_back({kind_of(type), std::string(type), at, {}});
      } else if (starts_with_ci(line, "!Account")) {
        sections.push_back({SectionKind::account, "Account", at, {}});
      } else if (starts_with_ci(line, "!Option:") || starts_with_ci(line, "!Clear:")) {
        continue;  // AutoSwitch and the like only steer Quicken's import dialog
      } else {
        return error_at(at, "", "unknown QIF header '" + std::string(line.substr(0, 40)) + "'");
      }
      continue;
    }
    if (line[0] == '^') {
      finish_record();
      continue;
    }
    if (sections.empty())
      return error_at(at, "", "record line before any !Type: header (is this a QIF file?)");
    if (current.fields.empty()) current.offset = at;
    const std::size_t lead = static_cast<std::size_t>(line.data() - raw.data());
    current.fields.push_back({line[0], text::trim(line.substr(1)), at + lead + 1});
  }
  finish_record();
  return sections;
}

/// The order every date of the file parses under. Dates written with '/' or "'" are tried
/// month-first first (Quicken's US default), dates with '.' day-first first.
Result<domain::DateOrder> QifReader::date_order(const std::vector<Section>& sections) const {
  std::vector<const Field*> dates;
  bool dotted = false;
  for (const auto& s : sections)
    if (s.kind == SectionKind::transactions)
      for (const auto& r : s.records)
        for (const auto& f : r.fields)
          if (f.code == 'D') {
            dates.push_back(&f);
            dotted = dotted || f.value.find('.') != std::string_view::npos;
          }
  using domain::DateOrder;
  const std::vector<DateOrder> tries = dotted ? std::vector{DateOrder::dmy, DateOrder::mdy, DateOrder::ymd}
                                              : std::vector{DateOrder::mdy, DateOrder::dmy, DateOrder::ymd};
  std::vector<const Field*> failures;
  for (DateOrder order : tries) {
    const auto bad = std::find_if(dates.begin(), dates.end(),
                                  [&](const Field* f) { return !domain::parse_date(f->value, order); });
    if (bad == dates.end()) return order;
    failures.push_back(*bad);
  }
  const Field* a = failures[0];
  const Field* b = failures[1];
  // A value no order reads is not a date; two values that need different orders conflict.
  for (const Field* f : {a, b})
    if (!domain::parse_date(f->value, DateOrder::dmy) && !domain::parse_date(f->value, DateOrder::mdy) &&
        !domain::parse_date(f->value, DateOrder::ymd))
      return error_at(f->offset, "D", "invalid date '" + std::string(f->value) + "'");
  return error_at(b->offset, "D",
                  "date '" + std::string(b->value) + "' needs another day/month order than '" +
                      std::string(a->value) + "' (line " + std::to_string(locate(in_, a->offset).line) +
                      "); one file uses one order");
}

/// ',' when the file's amounts use a decimal comma ("1.234,56", "-12,50"), else '.'.
Result<char> QifReader::decimal_separator(const std::vector<Section>& sections) const {
  const Field* comma = nullptr;
  const Field* dot = nullptr;
  for (const auto& s : sections)
    for (const auto& r : s.records)
      for (const auto& f : r.fields) {
        if (f.code != 'T' && f.code != 'U' && f.code != '$') continue;
        const std::size_t last = f.value.find_last_of(".,");
        if (last == std::string_view::npos) continue;
        std::size_t digits = 0;
        while (last + 1 + digits < f.value.size() && f.value[last + 1 + digits] >= '0' &&
               f.value[last + 1 + digits] <= '9')
          ++digits;
        const bool both = f.value.find(f.value[last] == ',' ? '.' : ',') != std::string_view::npos;
        if (!both && digits == 3) continue;  // "1,234" or "1.234": a thousands group or 3 decimals
        (f.value[last] == ',' ? comma : dot) = &f;
      }
  if (comma != nullptr && dot != nullptr)
    return error_at(comma->offset, std::string(1, comma->code),
                    "amount '" + std::string(comma->value) + "' has a decimal comma but '" +
                        std::string(dot->value) + "' a decimal point");
  return comma != nullptr ? ',' : '.';
}

/// Maps records onto entries and delivers them. Statements start at a "!Account" block or when the
/// section type changes; consecutive sections of the same type and account form one statement.
class QifMapper {
 public:
  QifMapper(const QifReader& reader, const ParseOptions& options, StatementSink& sink,
            domain::DateOrder order, char sep)
      : reader_(reader), options_(options), sink_(sink), order_(order), sep_(sep) {}

  Result<void> run(const std::vector<Section>& sections);

 private:
  Result<domain::Entry> entry(const Record& r, std::vector<std::string>& warnings) const;
  Result<domain::Money> amount(const Field& f) const {
    auto m = domain::parse_amount(f.value, kNoCurrency, sep_);
    if (!m)
      return reader_.error_at(f.offset, std::string(1, f.code),
                              "invalid amount '" + std::string(f.value) + "'");
    return *m;
  }
  Result<void> flush();

  const QifReader& reader_;
  const ParseOptions& options_;
  StatementSink& sink_;
  domain::DateOrder order_;
  char sep_;
  bool open_ = false;
  domain::Statement header_;
  std::vector<domain::Entry> batch_;
};

Result<domain::Entry> QifMapper::entry(const Record& r, std::vector<std::string>& warnings) const {
  domain::Entry e;
  e.amount = domain::Money(0, kNoCurrency);
  bool has_amount = false;
  std::optional<domain::EntryDetail> split;
  std::optional<std::string> split_category;
  auto close_split = [&]() {
    if (!split) return;
    if (split_category)
      split->remittance = split->remittance ? *split_category + ": " + *split->remittance : *split_category;
    e.details.push_back(std::move(*split));
    split.reset();
    split_category.reset();
  };
  for (const Field& f : r.fields) {
    const std::optional<std::string> value =
        f.value.empty() ? std::nullopt : std::optional<std::string>(std::string(f.value));
    switch (f.code) {
      case 'D': {
        const auto d = domain::parse_date(f.value, order_);
        if (!d) return reader_.error_at(f.offset, "D", d.error().message);
        e.booking_date = *d;
        break;
      }
      case 'T':
      case 'U':
        if (!has_amount) e.amount = BANKREC_TRY(amount(f));
        has_amount = true;
        break;
      case 'P':
        e.counterparty.name = value;
        break;
      case 'M':
        e.remittance = value;
        break;
      case 'N':
        e.customer_reference = value;
        break;
      case 'L':
        e.posting_text = value;
        break;  // the category (or [transfer account])
      case 'S':
        close_split();
        split.emplace();
        split_category = value;
        break;
      case 'E':
        if (!split || split->remittance) close_split(), split.emplace();
        split->remittance = value;
        break;
      case '$':
        if (!split || split->amount) close_split(), split.emplace();
        split->amount = BANKREC_TRY(amount(f));
        break;
      default:
        break;  // C (cleared), A (address), F, % and investment fields carry nothing for us
    }
  }
  close_split();
  if (!has_amount) return reader_.error_at(r.offset, "record", "record without an amount (no T line)");
  if (!e.booking_date) return reader_.error_at(r.offset, "record", "record without a date (no D line)");
  if (!e.details.empty()) {
    std::int64_t sum = 0;
    for (const auto& d : e.details) sum += d.amount ? d.amount->minor() : 0;
    if (sum != e.amount.minor())
      warnings.push_back("splits of the record at line " + std::to_string(reader_.at(r.offset, {}).line) +
                         " add up to " + domain::format_minor(sum, 2) + ", the record to " +
                         e.amount.to_string());
  }
  return e;
}

Result<void> QifMapper::flush() {
  if (!batch_.empty()) BANKREC_TRY(sink_.add_entries(batch_));
  batch_.clear();
  return ok();
}

Result<void> QifMapper::run(const std::vector<Section>& sections) {
  BANKREC_TRY(sink_.set_format("qif"));
  domain::Account account;
  std::string open_type;
  bool account_changed = false;
  std::size_t skipped_investment = 0;
  for (const Section& s : sections) {
    if (s.kind == SectionKind::account) {
      for (const auto& r : s.records) {  // the last block before a !Type: section is its account
        account = {};
        for (const auto& f : r.fields)
          if (f.code == 'N' && !f.value.empty()) account.name = std::string(f.value);
        account_changed = true;
      }
      continue;
    }
    if (s.kind == SectionKind::other) {
      if (text::iequals_ascii(s.type, "Invst")) skipped_investment += s.records.size();
      continue;  // category, class, memorized and price lists are no statement data
    }
    if (!open_ || account_changed || !text::iequals_ascii(open_type, s.type)) {
      if (open_) {
        BANKREC_TRY(flush());
        BANKREC_TRY(sink_.end_statement(header_));
      }
      header_ = domain::Statement{};
      header_.account = account;
      header_.warnings.push_back("a QIF file names no currency; amounts are given as XXX");
      BANKREC_TRY(sink_.begin_statement(header_));
      open_ = true;
      open_type = s.type;
      account_changed = false;
    }
    for (const Record& r : s.records) {
      auto e = entry(r, header_.warnings);
      if (!e) {
        if (!options_.lenient) return Unexpected{e.error()};
        sink_.reject(ParseIssue{reader_.at(r.offset, "record"), e.error().message});
        continue;
      }
      batch_.push_back(std::move(*e));
      if (batch_.size() >= kEntryBatch) BANKREC_TRY(flush());
    }
  }
  if (!open_) return ok();
  if (skipped_investment > 0)
    header_.warnings.push_back(std::to_string(skipped_investment) +
                               " investment records (!Type:Invst) were skipped");
  BANKREC_TRY(flush());
  return sink_.end_statement(header_);
}

int sniff(Bytes head) {
  std::string_view s = text::strip_bom(as_text(head.first(std::min(head.size(), kSniffBytes))));
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  for (std::string_view h : {"!Type:", "!Account", "!Option:", "!Clear:"})
    if (starts_with_ci(s, h)) return 95;
  return 0;
}

Result<void> parse(Bytes input, const ParseOptions& options, StatementSink& sink) {
  std::string_view raw = as_text(input);
  if (raw.size() > options.max_input_bytes)
    return parse_error(options, {},
                       "file is " + std::to_string(raw.size()) + " bytes, more than the limit of " +
                           std::to_string(options.max_input_bytes));
  // Values are converted to UTF-8 as a whole first; the structure is ASCII, so positions of lines stay.
  const text::Charset charset = options.encoding.empty() ? text::detect_charset(raw)
                                                         : BANKREC_TRY(text::parse_charset(options.encoding));
  std::string converted;
  if (charset != text::Charset::utf8) {
    converted = BANKREC_TRY(text::to_utf8(raw, charset));
    raw = converted;
  } else if (const std::size_t bad = text::find_invalid_utf8(raw); bad != std::string_view::npos) {
    return parse_error(options, locate(raw, bad), "invalid utf-8 (the file was read as utf-8)");
  }
  const QifReader reader(raw, options);
  const std::vector<Section> sections = BANKREC_TRY(reader.split());
  const domain::DateOrder order = BANKREC_TRY(reader.date_order(sections));
  const char sep = BANKREC_TRY(reader.decimal_separator(sections));
  QifMapper mapper(reader, options, sink, order, sep);
  return mapper.run(sections);
}

}  // namespace

FormatSpec qif_format() { return {"qif", "Quicken Interchange Format (QIF)", &sniff, &parse}; }

}  // namespace bankrec::formats
