#include "camt/camt_parse.h"

#include "bankrec/domain/iban.h"

namespace bankrec::formats::camt {
namespace {

// Tp/CdOrPrtry/Cd from 001.02 on; Tp/Cd or Tp/Prtry in 001.01; SubTp is not the type.
Result<void> parse_balance_type(XmlCursor& x, std::optional<std::string>& out) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    if (x.tag() == Tag::CdOrPrtry) BANKREC_TRY(parse_balance_type(x, out));
    if (x.tag() != Tag::Cd && x.tag() != Tag::Prtry) continue;
    const std::string_view text = BANKREC_TRY(x.text());
    if (!text.empty()) out = std::string(text);
  }
  return ok();
}

Result<domain::Balance> parse_balance(StatementScope& scope) {
  XmlCursor& x = scope.x;
  domain::Balance b;
  std::optional<domain::Money> amount;
  int direction = 0;
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    switch (x.tag()) {
      case Tag::Tp:
        BANKREC_TRY(parse_balance_type(x, b.type));
        break;
      case Tag::Amt:
        amount = BANKREC_TRY(read_amount(scope));
        break;
      case Tag::CdtDbtInd:
        direction = BANKREC_TRY(read_direction(x));
        break;
      case Tag::Dt:
        b.date = BANKREC_TRY(read_date_choice(x));
        break;
      default:
        break;
    }
  }
  if (!amount) return x.error("balance without Amt");
  if (direction == 0) return x.error("balance without CdtDbtInd");
  b.amount = with_sign(*amount, direction);
  return b;
}

Result<void> parse_statement_account(StatementScope& scope, domain::Account& a) {
  XmlCursor& x = scope.x;
  AccountScratch id;
  const int depth = x.depth();
  std::string text;
  while (BANKREC_TRY(x.next_child(depth))) {
    switch (x.tag()) {
      case Tag::Id:
        BANKREC_TRY(parse_account_id(x, id));
        break;
      case Tag::Ccy:
        BANKREC_TRY(read_text(x, text));
        a.currency = opt(text);
        break;
      case Tag::Nm:
        BANKREC_TRY(read_text(x, text));
        a.name = opt(text);
        break;
      case Tag::Ownr: {
        PartyScratch owner;
        BANKREC_TRY(parse_party(x, owner));
        a.owner = opt(owner.name);
        break;
      }
      case Tag::Svcr: {
        AgentScratch servicer;
        BANKREC_TRY(parse_agent(x, servicer));
        a.bic = opt(servicer.bic);
        a.servicer = opt(servicer.name);
        a.bank_code = opt(servicer.bank_code);
        break;
      }
      default:
        break;
    }
  }
  a.iban = opt(id.iban);
  a.number = opt(id.number);
  scope.own_iban = id.iban;
  scope.own_number = id.number;
  if (a.iban && !domain::is_valid_iban(*a.iban))
    scope.warn("account IBAN '" + *a.iban + "' fails the check digits");
  return ok();
}

Result<void> parse_period(XmlCursor& x, domain::Statement& s) {
  const int depth = x.depth();
  while (BANKREC_TRY(x.next_child(depth))) {
    if (x.tag() == Tag::FrDtTm) s.from_date = BANKREC_TRY(read_date(x));
    if (x.tag() == Tag::ToDtTm) s.to_date = BANKREC_TRY(read_date(x));
  }
  return ok();
}

bool has_type(const domain::Balance& b, std::string_view type) { return b.type && *b.type == type; }

// Opening: OPBD, else PRCD (the previous closing); closing: CLBD. Every other balance, including
// PRCD next to an OPBD, goes to other_balances in file order.
void assign_balances(const std::vector<domain::Balance>& balances, domain::Statement& s) {
  std::size_t opening = balances.size();
  std::size_t closing = balances.size();
  for (std::size_t i = 0; i < balances.size(); ++i) {
    if (opening == balances.size() && has_type(balances[i], "OPBD")) opening = i;
    if (closing == balances.size() && has_type(balances[i], "CLBD")) closing = i;
  }
  for (std::size_t i = 0; opening == balances.size() && i < balances.size(); ++i)
    if (has_type(balances[i], "PRCD")) opening = i;
  s.opening_balance.reset();
  s.closing_balance.reset();
  s.other_balances.clear();
  for (std::size_t i = 0; i < balances.size(); ++i) {
    if (i == opening)
      s.opening_balance = balances[i];
    else if (i == closing)
      s.closing_balance = balances[i];
    else
      s.other_balances.push_back(balances[i]);
  }
}

/// The running sum of booked entries for the balance check.
struct BookedSum {
  std::int64_t minor = 0;
  std::optional<domain::Currency> currency;
  bool mixed = false;
  bool overflow = false;

  void add(const domain::Entry& e) {
    if (e.status != domain::EntryStatus::booked) return;
    if (!currency) currency = e.amount.currency();
    if (*currency != e.amount.currency()) mixed = true;
    if (__builtin_add_overflow(minor, e.amount.minor(), &minor)) overflow = true;
  }
};

void check_balances(const domain::Statement& s, const BookedSum& sum, StatementScope& scope) {
  if (!s.opening_balance || !s.closing_balance) return;
  const domain::Money& open = s.opening_balance->amount;
  const domain::Money& close = s.closing_balance->amount;
  if (open.currency() != close.currency()) {
    scope.warn("balances not checked: opening balance in " + std::string(open.currency().str()) +
               ", closing balance in " + std::string(close.currency().str()));
    return;
  }
  if (sum.mixed) return scope.warn("balances not checked: entries in several currencies");
  if (sum.currency && *sum.currency != open.currency()) {
    scope.warn("balances not checked: entries in " + std::string(sum.currency->str()) + ", balances in " +
               std::string(open.currency().str()));
    return;
  }
  std::int64_t expected = 0;
  if (sum.overflow || __builtin_add_overflow(open.minor(), sum.minor, &expected))
    return scope.warn("balances not checked: the sum of the entries overflows");
  if (expected == close.minor()) return;
  scope.warn("opening balance + entries = " + domain::Money(expected, open.currency()).to_string() +
             ", closing balance = " + close.to_string());
}

/// Builds one statement and streams it to the sink.
class StatementReader {
 public:
  StatementReader(XmlCursor& x, StatementSink& sink) : scope_(x), sink_(sink) { batch_.reserve(kEntryBatch); }

  Result<void> run() {
    XmlCursor& x = scope_.x;
    const int depth = x.depth();
    while (BANKREC_TRY(x.next_child(depth))) BANKREC_TRY(child());
    assign_balances(balances_, header_);
    header_.sequence = opt(!electronic_sequence_.empty() ? electronic_sequence_ : legal_sequence_);
    BANKREC_TRY(begin());
    if (!batch_.empty()) BANKREC_TRY(sink_.add_entries(batch_));
    check_balances(header_, sum_, scope_);
    header_.warnings = scope_.collected_warnings();
    return sink_.end_statement(header_);
  }

 private:
  Result<void> child() {
    XmlCursor& x = scope_.x;
    std::string text;
    switch (x.tag()) {
      case Tag::Id:
        BANKREC_TRY(read_text(x, text));
        header_.id = opt(text);
        break;
      case Tag::ElctrncSeqNb:
        BANKREC_TRY(read_text(x, electronic_sequence_));
        break;
      case Tag::LglSeqNb:
        BANKREC_TRY(read_text(x, legal_sequence_));
        break;
      case Tag::CreDtTm:
        BANKREC_TRY(read_text(x, text));
        header_.created_at = opt(text);
        break;
      case Tag::FrToDt:
        BANKREC_TRY(parse_period(x, header_));
        break;
      case Tag::Acct:
        BANKREC_TRY(parse_statement_account(scope_, header_.account));
        break;
      case Tag::Bal:
        balances_.push_back(BANKREC_TRY(parse_balance(scope_)));
        break;
      case Tag::Ntry:
        BANKREC_TRY(entry());
        break;
      default:
        break;
    }
    return ok();
  }

  Result<void> begin() {
    if (begun_) return ok();
    begun_ = true;
    header_.sequence = opt(!electronic_sequence_.empty() ? electronic_sequence_ : legal_sequence_);
    assign_balances(balances_, header_);
    header_.warnings = scope_.collected_warnings();
    return sink_.begin_statement(header_);
  }

  Result<void> entry() {
    BANKREC_TRY(begin());
    auto parsed = parse_entry(scope_, scratch_, batch_.emplace_back());  // filled in place
    if (!parsed) {
      batch_.pop_back();
      // Lenient: the entry is reported and skipped; the caller's next_child() passes over the
      // rest of its subtree. A malformed document cannot be read on, so that stays fatal.
      if (!scope_.x.options().lenient || scope_.x.is_broken()) return Unexpected{std::move(parsed).error()};
      sink_.reject({scope_.x.last_error_pos(), std::move(parsed).error().message});
      return ok();
    }
    sum_.add(batch_.back());
    if (batch_.size() < kEntryBatch) return ok();
    BANKREC_TRY(sink_.add_entries(batch_));
    batch_.clear();
    return ok();
  }

  StatementScope scope_;
  StatementSink& sink_;
  domain::Statement header_;
  std::vector<domain::Balance> balances_;
  std::vector<domain::Entry> batch_;
  EntryScratch scratch_;
  BookedSum sum_;
  std::string electronic_sequence_, legal_sequence_;
  bool begun_ = false;
};

}  // namespace

Result<void> parse_statement(XmlCursor& x, StatementSink& sink) {
  StatementReader reader(x, sink);
  return reader.run();
}

}  // namespace bankrec::formats::camt
