#include "mt940/statement_parser.h"

#include <algorithm>

#include "bankrec/base/text.h"
#include "bankrec/domain/iban.h"
#include "mt940/fields.h"
#include "mt940/purpose.h"
#include "mt940/scanner.h"

namespace bankrec::formats::mt940 {
namespace {

/// Warnings kept per statement; more are counted, not stored (a 100,000-entry file full of 30 Februaries
/// must not grow without bound).
constexpr std::size_t kMaxWarnings = 100;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_balance_tag(std::string_view tag, std::string_view number) { return tag.starts_with(number); }

/// locate() for increasing offsets, resuming where the previous call stopped: lenient mode may report
/// every record of a large file, and rescanning from the start each time would be quadratic.
class IncrementalLocator {
 public:
  explicit IncrementalLocator(std::string_view input) : input_(input) {}

  SourcePos at(std::uint64_t byte, std::string locator) {
    if (byte < byte_) return locate(input_, byte, std::move(locator));
    const std::uint64_t end = std::min<std::uint64_t>(byte, input_.size());
    for (; byte_ < end; ++byte_) {
      const char c = input_[byte_];
      if (c == '\n' || (c == '\r' && (byte_ + 1 >= input_.size() || input_[byte_ + 1] != '\n'))) {
        ++line_;
        line_start_ = byte_ + 1;
      }
    }
    SourcePos pos;
    pos.byte = end;
    pos.line = line_;
    pos.column = static_cast<std::uint32_t>(end - line_start_ + 1);
    pos.locator = std::move(locator);
    return pos;
  }

 private:
  std::string_view input_;
  std::uint64_t byte_ = 0;
  std::uint64_t line_start_ = 0;
  std::uint32_t line_ = 1;
};

class Parser {
 public:
  Parser(const Context& ctx, const ParseOptions& options, StatementSink& sink, MessageType type)
      : ctx_(ctx), options_(options), sink_(sink), type_(type), locator_(ctx.input) {}

  Result<void> run(std::string_view text) {
    BANKREC_TRY(sink_.set_format(type_ == MessageType::mt942 ? "mt942" : "mt940"));
    FieldScanner scanner(text);
    Field field;
    while (scanner.next(field)) BANKREC_TRY(on_field(field));
    if (in_statement_) BANKREC_TRY(end_statement());
    return ok();
  }

 private:
  Result<void> on_field(const Field& field) {
    const std::string_view tag = field.tag_view();
    const std::string_view value = field.lines.front().text;
    if (field.dropped_lines > 0 && in_statement_)
      warn(":" + std::string(tag) + ": has " + std::to_string(field.lines.size() + field.dropped_lines) +
           " lines; only the first " + std::to_string(kMaxFieldLines) + " were read");
    if (tag == "86") return on_purpose(field);
    if (tag == "20") {
      if (in_statement_) BANKREC_TRY(end_statement());
      start_statement();
      if (const std::string_view id = trim(value); !id.empty()) header_.id = ctx_.to_text(id);
      return ok();
    }
    if (tag == "61") return on_statement_line(field);
    if (tag == "25" || tag == "28" || tag == "28C" || tag == "13D" || tag == "34F" || tag.starts_with("60")) {
      if (!in_statement_) start_statement();
    }
    if (tag == "21") return ok();  // related reference: nothing in the model needs it
    if (tag == "25") {
      parse_account(value, ctx_, header_.account);
      if (header_.account.iban && !domain::is_valid_iban(*header_.account.iban))
        warn("account IBAN '" + *header_.account.iban + "' has wrong check digits");
      return ok();
    }
    if (tag == "28" || tag == "28C") {
      if (const std::string_view seq = trim(value); !seq.empty()) header_.sequence = ctx_.to_text(seq);
      return ok();
    }
    if (tag == "60F" || tag == "60M") return on_opening(field, tag);
    if (tag == "62F" || tag == "62M") return on_closing(field, tag);
    if (is_balance_tag(tag, "64") || is_balance_tag(tag, "65")) return on_other_balance(field, tag);
    if (tag == "13D") return on_created(field);
    if (tag == "34F") return on_floor_limit(field);
    if (tag == "90D" || tag == "90C") return on_totals(field, tag == "90D");
    return ok();  // non-SWIFT tags (":NS:" of Sberbank, ":940:" of old Rabobank files) are skipped
  }

  void start_statement() {
    header_ = domain::Statement{};
    in_statement_ = true;
    begun_ = false;
    interim_ = false;
    skipping_ = false;
    has_entry_ = false;
    currency_.reset();
    sum_ = 0;
    sum_overflow_ = false;
    debit_ = credit_ = Tally{};
    debit_totals_.reset();
    credit_totals_.reset();
    dropped_warnings_ = 0;
    other_balances_dropped_ = 0;
    first_date_.reset();
    last_date_.reset();
  }

  /// :64:, :65:, :34F:, :90D:/:90C: values; a statement has a handful, so more than kMaxWarnings is hostile
  /// input.
  void add_other_balance(domain::Balance balance) {
    if (header_.other_balances.size() < kMaxWarnings) {
      header_.other_balances.push_back(std::move(balance));
      return;
    }
    if (other_balances_dropped_++ == 0)
      warn("more than " + std::to_string(kMaxWarnings) + " other balances; the rest was ignored");
  }

  void warn(std::string message) {
    if (header_.warnings.size() < kMaxWarnings)
      header_.warnings.push_back(std::move(message));
    else
      ++dropped_warnings_;
  }

  Unexpected error_at(std::uint64_t byte, std::string_view tag, std::string message) const {
    return parse_error(options_, locate(ctx_.input, byte, ":" + std::string(tag) + ":"), std::move(message));
  }

  /// A bad record: fails the parse, or in lenient mode goes to the sink's rejects.
  Result<void> reject(const Problem& problem, std::string_view tag) {
    if (!options_.lenient) return error_at(problem.byte, tag, problem.message);
    sink_.reject(ParseIssue{locator_.at(problem.byte, ":" + std::string(tag) + ":"), problem.message});
    return ok();
  }

  const domain::Currency& currency() {
    if (currency_) return *currency_;
    if (header_.account.currency) currency_ = domain::Currency::find(*header_.account.currency);
    if (!currency_) {
      currency_ = domain::kEur;
      warn("currency unknown (no :60F: before the first :61:); amounts read as EUR");
    }
    return *currency_;
  }

  Result<void> on_opening(const Field& field, std::string_view tag) {
    if (header_.closing_balance || has_entry_ || debit_.count + credit_.count > 0) {
      // A new opening balance after the statement's end without :20: (files split or concatenated).
      domain::Account account = header_.account;
      BANKREC_TRY(end_statement());
      start_statement();
      header_.account = std::move(account);
    }
    Problem problem;
    auto balance = parse_balance(field.lines.front().text, tag, ctx_, problem);
    if (!balance) return reject(problem, tag);
    if (header_.opening_balance) {
      warn("another opening balance " + balance->amount.to_string() + " (:" + std::string(tag) +
           ":) ignored");
      return ok();
    }
    if (!currency_) currency_ = balance->amount.currency();
    header_.opening_balance = std::move(*balance);
    return ok();
  }

  Result<void> on_closing(const Field& field, std::string_view tag) {
    if (!in_statement_) start_statement();
    BANKREC_TRY(close_entry());
    Problem problem;
    auto balance = parse_balance(field.lines.front().text, tag, ctx_, problem);
    if (!balance) return reject(problem, tag);
    if (header_.closing_balance)
      warn("closing balance " + header_.closing_balance->amount.to_string() + " replaced");
    header_.closing_balance = std::move(*balance);
    return ok();
  }

  Result<void> on_other_balance(const Field& field, std::string_view tag) {
    if (!in_statement_) start_statement();
    BANKREC_TRY(close_entry());
    Problem problem;
    const std::string_view type = tag.substr(0, 2);  // ":65F:" of some exports is a :65:
    auto balance = parse_balance(field.lines.front().text, type, ctx_, problem);
    if (!balance) {
      warn("ignored :" + std::string(tag) + ": balance '" + ctx_.to_text(trim(field.lines.front().text)) +
           "': " + problem.message);
      return ok();
    }
    add_other_balance(std::move(*balance));
    return ok();
  }

  Result<void> on_created(const Field& field) {
    interim_ = true;
    if (auto created = parse_date_time(field.lines.front().text)) {
      header_.created_at = std::move(created);
      return ok();
    }
    warn("ignored :13D: date-time '" + ctx_.to_text(trim(field.lines.front().text)) + "'");
    return ok();
  }

  Result<void> on_floor_limit(const Field& field) {
    interim_ = true;
    Problem problem;
    auto limit = parse_floor_limit(field.lines.front().text, ctx_, problem);
    if (!limit) return reject(problem, "34F");
    if (!currency_) currency_ = limit->amount.currency();
    add_other_balance(std::move(*limit));
    return ok();
  }

  Result<void> on_totals(const Field& field, bool debit) {
    if (!in_statement_) start_statement();
    interim_ = true;
    BANKREC_TRY(close_entry());
    Problem problem;
    auto totals = parse_totals(field.lines.front().text, ctx_, problem);
    if (!totals) return reject(problem, debit ? "90D" : "90C");
    if (debit) totals->sum = domain::Money(-totals->sum.minor(), totals->sum.currency());
    add_other_balance(domain::Balance{totals->sum, std::nullopt, debit ? "90D" : "90C"});
    (debit ? debit_totals_ : credit_totals_) = std::move(*totals);
    return ok();
  }

  Result<void> on_statement_line(const Field& field) {
    if (!in_statement_) start_statement();
    BANKREC_TRY(close_entry());
    skipping_ = false;
    entry_ = domain::Entry{};
    entry_.status = type_ == MessageType::mt942 ? domain::EntryStatus::pending : domain::EntryStatus::booked;
    Problem problem;
    scratch_warnings_.clear();
    if (!parse_statement_line(field, ctx_, currency(), entry_, scratch_warnings_, problem)) {
      skipping_ = true;  // its :86: belongs to the rejected record
      return reject(problem, "61");
    }
    for (auto& w : scratch_warnings_) warn(std::move(w));
    has_entry_ = true;
    purpose_lines_.clear();
    return ok();
  }

  Result<void> on_purpose(const Field& field) {
    // :86: before the first :61: or after the closing balance is information about the statement
    // (Danske Bank's account details, ING's totals); the model has no place for it.
    if (!has_entry_ || skipping_) return ok();
    for (const Line& line : field.lines) {
      if (purpose_lines_.size() >= kMaxFieldLines) break;  // the field's excess is warned about in on_field
      purpose_lines_.push_back(line.text);
    }
    return ok();
  }

  Result<void> close_entry() {
    if (!has_entry_) return ok();
    has_entry_ = false;
    apply_purpose(purpose_lines_, ctx_, entry_, purpose_scratch_);
    purpose_lines_.clear();
    tally(entry_);
    batch_.push_back(std::move(entry_));
    if (batch_.size() >= kEntryBatch) BANKREC_TRY(flush());
    return ok();
  }

  struct Tally {
    std::uint64_t count = 0;
    std::int64_t sum = 0;
  };

  void tally(const domain::Entry& entry) {
    const std::int64_t amount = entry.amount.minor();
    if (__builtin_add_overflow(sum_, amount, &sum_)) sum_overflow_ = true;
    Tally& t = amount < 0 ? debit_ : credit_;
    ++t.count;
    if (__builtin_add_overflow(t.sum, amount, &t.sum)) sum_overflow_ = true;
    const auto& date = entry.booking_date ? entry.booking_date : entry.value_date;
    if (date && (!first_date_ || *date < *first_date_)) first_date_ = date;
    if (date && (!last_date_ || *date > *last_date_)) last_date_ = date;
  }

  Result<void> begin() {
    if (begun_) return ok();
    begun_ = true;
    if (!header_.account.currency && currency_) header_.account.currency = std::string(currency_->str());
    return sink_.begin_statement(header_);
  }

  Result<void> flush() {
    BANKREC_TRY(begin());
    if (batch_.empty()) return ok();
    BANKREC_TRY(sink_.add_entries(batch_));
    batch_.clear();
    return ok();
  }

  void check_balances() {
    const auto& open = header_.opening_balance;
    const auto& close = header_.closing_balance;
    if (!interim_) {
      if (!open) warn("no opening balance (:60F:); the statement may have begun in another file");
      if (!close) warn("no closing balance (:62F:); the statement may continue in another file");
    }
    if (!open || !close || sum_overflow_) return;
    if (open->amount.currency() != close->amount.currency()) {
      warn("opening balance in " + std::string(open->amount.currency().str()) + ", closing balance in " +
           std::string(close->amount.currency().str()));
      return;
    }
    std::int64_t expected = 0;
    if (__builtin_add_overflow(open->amount.minor(), sum_, &expected)) return;
    if (expected == close->amount.minor()) return;
    const int exponent = close->amount.currency().exponent;
    warn("opening balance + entries = " + domain::format_minor(expected, exponent) +
         ", closing balance = " + close->amount.to_string());
  }

  void check_totals(const std::optional<Totals>& totals, const Tally& tally, const char* tag) {
    if (!totals || sum_overflow_) return;
    if (totals->count == tally.count && totals->sum.minor() == tally.sum) return;
    warn(std::string(tag) + " gives " + std::to_string(totals->count) + " entries totalling " +
         totals->sum.to_string() + ", the statement has " + std::to_string(tally.count) + " totalling " +
         domain::format_minor(tally.sum, totals->sum.currency().exponent));
  }

  Result<void> end_statement() {
    BANKREC_TRY(close_entry());
    BANKREC_TRY(flush());
    in_statement_ = false;
    check_balances();
    check_totals(debit_totals_, debit_, ":90D:");
    check_totals(credit_totals_, credit_, ":90C:");
    if (dropped_warnings_ > 0)
      header_.warnings.push_back(std::to_string(dropped_warnings_) + " more warnings");
    if (!header_.account.currency) {
      if (header_.closing_balance)
        header_.account.currency = std::string(header_.closing_balance->amount.currency().str());
      else if (currency_)
        header_.account.currency = std::string(currency_->str());
    }
    header_.from_date =
        first_date_ ? first_date_ : (header_.closing_balance ? header_.closing_balance->date : std::nullopt);
    header_.to_date = header_.closing_balance ? header_.closing_balance->date : last_date_;
    return sink_.end_statement(header_);
  }

  const Context& ctx_;
  const ParseOptions& options_;
  StatementSink& sink_;
  MessageType type_;
  IncrementalLocator locator_;

  domain::Statement header_;
  bool in_statement_ = false;
  bool begun_ = false;
  bool interim_ = false;   ///< MT942 fields seen (:34F:, :13D:, :90D:/:90C:)
  bool skipping_ = false;  ///< the last :61: was rejected; skip its :86:
  bool has_entry_ = false;
  std::optional<domain::Currency> currency_;
  std::int64_t sum_ = 0;
  bool sum_overflow_ = false;
  Tally debit_, credit_;
  std::optional<Totals> debit_totals_, credit_totals_;
  std::size_t dropped_warnings_ = 0;
  std::size_t other_balances_dropped_ = 0;
  std::optional<domain::Date> first_date_, last_date_;

  domain::Entry entry_;
  std::vector<std::string_view> purpose_lines_;
  std::vector<std::string> scratch_warnings_;
  PurposeScratch purpose_scratch_;
  std::vector<domain::Entry> batch_;
};

}  // namespace

Result<void> parse_document(Bytes input, const ParseOptions& options, StatementSink& sink, MessageType type) {
  const std::string_view raw = as_text(input);
  if (raw.size() > options.max_input_bytes)
    return fail(Errc::invalid_input,
                "file too large: " + std::to_string(raw.size()) + " bytes (limit " +
                    std::to_string(options.max_input_bytes) + ")",
                std::string(options.file_name));
  Context ctx{raw, text::Charset::utf8};
  if (!options.encoding.empty()) {
    auto forced = text::parse_charset(options.encoding);
    if (!forced) return fail(Errc::invalid_input, forced.error().message, std::string(options.file_name));
    ctx.charset = *forced;
    if (ctx.charset == text::Charset::utf8) {
      if (const std::size_t bad = text::find_invalid_utf8(raw); bad != std::string_view::npos)
        return parse_error(options, locate(raw, bad), "invalid utf-8 (is the file in an 8-bit encoding?)");
    }
  } else {
    ctx.charset = detect_charset(raw);
  }
  Parser parser(ctx, options, sink, type);
  return parser.run(text::strip_bom(raw));
}

}  // namespace bankrec::formats::mt940
