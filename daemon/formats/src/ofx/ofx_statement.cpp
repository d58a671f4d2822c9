// OFX statement responses → unified statements: bank (STMTRS), credit card (CCSTMTRS) and the cash
// side of investment statements (INVSTMTRS/INVTRANLIST/INVBANKTRAN). OFX 2.2 spec, chapters 11 and 13.
#include "ofx/ofx_statement.h"

#include <algorithm>

#include "bankrec/domain/iban.h"
#include "ofx/ofx_values.h"

namespace bankrec::formats::ofx {
namespace {

constexpr int kMaxExponent = 8;

bool is_statement(std::string_view name) {
  return name == "STMTRS" || name == "CCSTMTRS" || name == "INVSTMTRS";
}

std::optional<std::string> non_empty(std::string_view s) {
  if (s.empty()) return std::nullopt;
  return std::string(s);
}

/// German exporters put the BIC into BANKID, where OFX expects a routing number.
bool is_bic(std::string_view s) { return s.size() >= 8 && domain::is_valid_bic(s); }

/// Check numbers of all zeros ("0", "0000") mean "no check".
bool is_zeros(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

class Mapper {
 public:
  Mapper(std::string_view input, const Document& doc, const ParseOptions& options, StatementSink& sink)
      : in_(input), doc_(doc), options_(options), sink_(sink) {}

  Result<void> run();

 private:
  Unexpected error_at(std::uint32_t node, std::string message) const {
    return parse_error(options_, locate(in_, doc_.nodes[node].offset, doc_.path(node)), std::move(message));
  }
  /// The node of a leaf child (for error positions), or the parent when missing.
  std::uint32_t where(std::uint32_t parent, std::string_view name) const {
    for (auto c : doc_.children(parent, name)) return c;
    return parent;
  }
  Result<void> require_aggregate(std::uint32_t node) const {
    if (!doc_.nodes[node].leaf) return ok();
    return error_at(node, "<" + doc_.nodes[node].name + "> has no end tag (an aggregate needs </" +
                              doc_.nodes[node].name + ">)");
  }

  Result<void> statement(std::uint32_t rs);
  Result<domain::Currency> currency(std::uint32_t rs, domain::Statement& s);
  int exponent_needed(std::uint32_t rs, const std::vector<std::uint32_t>& trns) const;
  void account(std::uint32_t rs, domain::Account& a) const;
  Result<std::optional<domain::Balance>> balance(std::uint32_t rs, std::string_view name,
                                                 domain::Statement& s);
  Result<std::optional<domain::Date>> date(std::uint32_t parent, std::string_view name, domain::Statement& s);
  Result<domain::Entry> entry(std::uint32_t trn, domain::Statement& s);
  Result<void> foreign_amount(std::uint32_t trn, const Decimal& amount, domain::Entry& e);
  std::vector<std::uint32_t> transactions(std::uint32_t rs, domain::Statement& s) const;

  std::string_view in_;
  const Document& doc_;
  const ParseOptions& options_;
  StatementSink& sink_;
  domain::Currency currency_{};
  std::optional<std::string> created_at_;
};

Result<domain::Currency> Mapper::currency(std::uint32_t rs, domain::Statement& s) {
  const std::string_view curdef = doc_.value(rs, "CURDEF");
  if (!curdef.empty()) {
    const auto c = domain::Currency::find(curdef);
    if (!c) return error_at(where(rs, "CURDEF"), "unknown currency '" + std::string(curdef) + "' in CURDEF");
    return *c;
  }
  // No CURDEF: the transactions' own currency symbols, when they agree.
  std::string symbol;
  bool agree = true;
  domain::Statement scratch;  // transactions() notes skipped investment records; statement() does that
  for (auto trn : transactions(rs, scratch)) {
    for (std::string_view agg : {"CURRENCY", "ORIGCURRENCY"})
      for (auto c : doc_.children(trn, agg)) {
        const std::string_view sym = doc_.value(c, "CURSYM");
        if (sym.empty()) continue;
        agree = agree && (symbol.empty() || symbol == sym);
        symbol = std::string(sym);
      }
  }
  if (agree && !symbol.empty())
    if (const auto c = domain::Currency::find(symbol)) {
      s.warnings.push_back("CURDEF is empty; currency " + symbol + " taken from the transactions' CURSYM");
      return *c;
    }
  s.warnings.push_back("the statement names no currency (CURDEF is empty); amounts are given as XXX");
  return domain::Currency{{'X', 'X', 'X'}, 2};
}

/// Amounts with more decimals than the currency has (sub-cent cash in brokerage accounts) are kept
/// exactly: the statement's exponent grows to the largest number of significant decimals.
int Mapper::exponent_needed(std::uint32_t rs, const std::vector<std::uint32_t>& trns) const {
  int needed = 0;
  auto note = [&](std::string_view text) {
    if (const auto d = parse_decimal(text)) needed = std::max(needed, d->significant_scale());
  };
  for (auto t : trns) note(doc_.value(t, "TRNAMT"));
  for (std::string_view bal : {"LEDGERBAL", "AVAILBAL"})
    if (const Node* b = doc_.child(rs, bal); b != nullptr && !b->leaf)
      note(doc_.value(static_cast<std::uint32_t>(b - doc_.nodes.data()), "BALAMT"));
  return std::min(needed, kMaxExponent);
}

void Mapper::account(std::uint32_t rs, domain::Account& a) const {
  for (std::string_view agg : {"BANKACCTFROM", "CCACCTFROM", "INVACCTFROM"}) {
    const Node* n = doc_.child(rs, agg);
    if (n == nullptr) continue;
    const auto id = static_cast<std::uint32_t>(n - doc_.nodes.data());
    const std::string_view acct = doc_.value(id, "ACCTID");
    if (!acct.empty() && domain::is_valid_iban(acct))
      a.iban = domain::Iban::parse(acct)->electronic();
    else
      a.number = non_empty(acct);
    const std::string_view bank =
        agg == "INVACCTFROM" ? doc_.value(id, "BROKERID") : doc_.value(id, "BANKID");
    if (is_bic(bank))
      a.bic = std::string(bank);
    else
      a.bank_code = non_empty(bank);
    return;
  }
}

Result<std::optional<domain::Date>> Mapper::date(std::uint32_t parent, std::string_view name,
                                                 domain::Statement& s) {
  const std::string_view text = doc_.value(parent, name);
  if (text.empty()) return std::optional<domain::Date>();
  std::string why;
  const auto dt = parse_datetime(text, why);
  if (!dt)
    return error_at(where(parent, name),
                    "invalid " + std::string(name) + " '" + std::string(text) + "' (" + why + ")");
  if (dt->clamped)
    s.warnings.push_back(std::string(name) + " '" + std::string(text) + "' is not a calendar date; read as " +
                         dt->date.iso());
  return std::optional<domain::Date>(dt->date);
}

Result<std::optional<domain::Balance>> Mapper::balance(std::uint32_t rs, std::string_view name,
                                                       domain::Statement& s) {
  const Node* n = doc_.child(rs, name);
  if (n == nullptr) return std::optional<domain::Balance>();
  const auto id = static_cast<std::uint32_t>(n - doc_.nodes.data());
  BANKREC_TRY(require_aggregate(id));
  const std::string_view text = doc_.value(id, "BALAMT");
  if (text.empty()) return std::optional<domain::Balance>();
  const auto d = parse_decimal(text);
  const auto minor = d ? to_minor(*d, currency_.exponent) : std::nullopt;
  if (!minor) return error_at(where(id, "BALAMT"), "invalid BALAMT '" + std::string(text) + "'");
  domain::Balance b{domain::Money(*minor, currency_), BANKREC_TRY(date(id, "DTASOF", s)), std::string(name)};
  return std::optional<domain::Balance>(std::move(b));
}

/// STMTTRN elements in file order; for investment statements those inside INVBANKTRAN (the other
/// investment transactions move securities, not money on an account, and are counted in a warning).
std::vector<std::uint32_t> Mapper::transactions(std::uint32_t rs, domain::Statement& s) const {
  std::vector<std::uint32_t> out;
  if (const Node* list = doc_.child(rs, "BANKTRANLIST")) {
    out = doc_.children(static_cast<std::uint32_t>(list - doc_.nodes.data()), "STMTTRN");
    return out;
  }
  const Node* inv = doc_.child(rs, "INVTRANLIST");
  if (inv == nullptr) return out;
  std::size_t skipped = 0;
  for (std::uint32_t c = inv->first_child; c != kNoNode; c = doc_.nodes[c].next_sibling) {
    const std::string& name = doc_.nodes[c].name;
    if (name == "INVBANKTRAN") {
      for (auto t : doc_.children(c, "STMTTRN")) out.push_back(t);
    } else if (!doc_.nodes[c].leaf) {
      ++skipped;
    }
  }
  if (skipped > 0)
    s.warnings.push_back(
        std::to_string(skipped) +
        " investment transactions (buys, sells, income, ...) are not account entries and were skipped");
  return out;
}

/// <CURRENCY>: TRNAMT is in CURSYM and CURRATE converts it to CURDEF. <ORIGCURRENCY>: TRNAMT is
/// in CURDEF already and the original is TRNAMT / CURRATE (OFX 2.2 spec, 5.2).
Result<void> Mapper::foreign_amount(std::uint32_t trn, const Decimal& amount, domain::Entry& e) {
  for (std::string_view agg : {"CURRENCY", "ORIGCURRENCY"}) {
    const Node* n = doc_.child(trn, agg);
    if (n == nullptr || n->leaf) continue;
    const auto id = static_cast<std::uint32_t>(n - doc_.nodes.data());
    const std::string_view sym = doc_.value(id, "CURSYM");
    if (sym.empty() || sym == currency_.str()) continue;
    const auto foreign = domain::Currency::find(sym);
    if (!foreign) return error_at(where(id, "CURSYM"), "unknown currency '" + std::string(sym) + "'");
    const auto rate = parse_decimal(doc_.value(id, "CURRATE"));
    if (!rate || rate->mantissa <= 0)
      return error_at(where(id, "CURRATE"),
                      "invalid CURRATE '" + std::string(doc_.value(id, "CURRATE")) + "'");
    const bool in_foreign = agg == "CURRENCY";
    const auto original =
        in_foreign ? to_minor(amount, foreign->exponent) : divide_to_minor(amount, *rate, foreign->exponent);
    const auto converted = in_foreign ? multiply_to_minor(amount, *rate, currency_.exponent)
                                      : to_minor(amount, currency_.exponent);
    if (!original || !converted)
      return error_at(where(trn, "TRNAMT"), "TRNAMT cannot be converted with CURRATE");
    e.original_amount = domain::Money(*original, *foreign);
    e.amount = domain::Money(*converted, currency_);
  }
  return ok();
}

Result<domain::Entry> Mapper::entry(std::uint32_t trn, domain::Statement& s) {
  BANKREC_TRY(require_aggregate(trn));
  domain::Entry e;
  const std::string_view amount_text = doc_.value(trn, "TRNAMT");
  if (doc_.child(trn, "TRNAMT") == nullptr) return error_at(trn, "STMTTRN without TRNAMT");
  const auto amount = parse_decimal(amount_text);
  const auto minor = amount ? to_minor(*amount, currency_.exponent) : std::nullopt;
  if (!minor) return error_at(where(trn, "TRNAMT"), "invalid TRNAMT '" + std::string(amount_text) + "'");
  e.amount = domain::Money(*minor, currency_);
  BANKREC_TRY(foreign_amount(trn, *amount, e));
  e.booking_date = BANKREC_TRY(date(trn, "DTPOSTED", s));
  e.value_date = BANKREC_TRY(date(trn, "DTAVAIL", s));
  e.bank_reference = non_empty(doc_.value(trn, "FITID"));
  const std::string_view check = doc_.value(trn, "CHECKNUM");
  e.customer_reference =
      !check.empty() && !is_zeros(check) ? non_empty(check) : non_empty(doc_.value(trn, "REFNUM"));
  e.transaction_code.proprietary = non_empty(doc_.value(trn, "TRNTYPE"));
  e.counterparty.name = non_empty(doc_.value(trn, "NAME"));
  if (const Node* payee = doc_.child(trn, "PAYEE"); payee != nullptr && !e.counterparty.name)
    e.counterparty.name =
        non_empty(doc_.value(static_cast<std::uint32_t>(payee - doc_.nodes.data()), "NAME"));
  e.remittance = non_empty(doc_.value(trn, "MEMO"));
  for (std::string_view agg : {"BANKACCTTO", "CCACCTTO"}) {
    const Node* to = doc_.child(trn, agg);
    if (to == nullptr) continue;
    const auto id = static_cast<std::uint32_t>(to - doc_.nodes.data());
    const std::string_view acct = doc_.value(id, "ACCTID");
    if (domain::is_valid_iban(acct))
      e.counterparty.iban = domain::Iban::parse(acct)->electronic();
    else
      e.counterparty.account = non_empty(acct);
    const std::string_view bank = doc_.value(id, "BANKID");
    if (is_bic(bank))
      e.counterparty.bic = std::string(bank);
    else
      e.counterparty.bank_code = non_empty(bank);
  }
  return e;
}

Result<void> Mapper::statement(std::uint32_t rs) {
  BANKREC_TRY(require_aggregate(rs));
  domain::Statement s;
  s.warnings = doc_.warnings;
  s.created_at = created_at_;
  currency_ = BANKREC_TRY(currency(rs, s));
  account(rs, s.account);
  s.account.currency = std::string(currency_.str());
  if (const Node* ofx = doc_.child(0, "OFX"))
    if (const Node* signon =
            doc_.child(static_cast<std::uint32_t>(ofx - doc_.nodes.data()), "SIGNONMSGSRSV1"))
      if (const Node* sonrs = doc_.child(static_cast<std::uint32_t>(signon - doc_.nodes.data()), "SONRS"))
        if (const Node* fi = doc_.child(static_cast<std::uint32_t>(sonrs - doc_.nodes.data()), "FI"))
          s.account.servicer =
              non_empty(doc_.value(static_cast<std::uint32_t>(fi - doc_.nodes.data()), "ORG"));

  const std::vector<std::uint32_t> trns = transactions(rs, s);
  const int needed = exponent_needed(rs, trns);
  if (needed > currency_.exponent) {
    s.warnings.push_back("amounts carry up to " + std::to_string(needed) + " decimals, more than " +
                         std::string(currency_.str()) + "'s " + std::to_string(currency_.exponent) +
                         "; kept exactly");
    currency_.exponent = static_cast<std::uint8_t>(needed);
  }
  const std::string_view list_name =
      doc_.child(rs, "BANKTRANLIST") != nullptr ? "BANKTRANLIST" : "INVTRANLIST";
  if (const Node* list = doc_.child(rs, list_name)) {
    const auto id = static_cast<std::uint32_t>(list - doc_.nodes.data());
    BANKREC_TRY(require_aggregate(id));
    s.from_date = BANKREC_TRY(date(id, "DTSTART", s));
    s.to_date = BANKREC_TRY(date(id, "DTEND", s));
  }
  s.closing_balance = BANKREC_TRY(balance(rs, "LEDGERBAL", s));
  if (auto avail = BANKREC_TRY(balance(rs, "AVAILBAL", s))) s.other_balances.push_back(std::move(*avail));
  BANKREC_TRY(sink_.begin_statement(s));

  std::vector<domain::Entry> batch;
  std::size_t undated = 0;
  for (auto trn : trns) {
    auto e = entry(trn, s);
    if (!e) {
      if (!options_.lenient) return Unexpected{e.error()};
      sink_.reject(ParseIssue{locate(in_, doc_.nodes[trn].offset, doc_.path(trn)), e.error().message});
      continue;
    }
    if (!e->booking_date) ++undated;
    batch.push_back(std::move(*e));
    if (batch.size() >= kEntryBatch) {
      BANKREC_TRY(sink_.add_entries(batch));
      batch.clear();
    }
  }
  if (!batch.empty()) BANKREC_TRY(sink_.add_entries(batch));
  if (undated > 0)
    s.warnings.push_back(std::to_string(undated) + " transactions have no DTPOSTED (no booking date)");
  return sink_.end_statement(s);
}

Result<void> Mapper::run() {
  if (const Node* ofx = doc_.child(0, "OFX"))
    if (const Node* signon =
            doc_.child(static_cast<std::uint32_t>(ofx - doc_.nodes.data()), "SIGNONMSGSRSV1"))
      if (const Node* sonrs = doc_.child(static_cast<std::uint32_t>(signon - doc_.nodes.data()), "SONRS")) {
        std::string why;
        const std::string_view server =
            doc_.value(static_cast<std::uint32_t>(sonrs - doc_.nodes.data()), "DTSERVER");
        if (const auto dt = parse_datetime(server, why); dt && dt->time_ok && !dt->clamped)
          created_at_ = dt->iso;
      }
  // Depth-first over the tree, statements in file order.
  std::vector<std::uint32_t> todo{0};
  std::size_t statements = 0;
  std::optional<std::uint32_t> failed_status;  // the first STATUS with SEVERITY ERROR
  while (!todo.empty()) {
    const std::uint32_t n = todo.back();
    todo.pop_back();
    if (is_statement(doc_.nodes[n].name)) {
      BANKREC_TRY(statement(n));
      ++statements;
      continue;
    }
    if (doc_.nodes[n].name == "STATUS" && !failed_status && doc_.value(n, "SEVERITY") == "ERROR")
      failed_status = n;
    std::vector<std::uint32_t> kids;
    for (std::uint32_t c = doc_.nodes[n].first_child; c != kNoNode; c = doc_.nodes[c].next_sibling)
      kids.push_back(c);
    todo.insert(todo.end(), kids.rbegin(), kids.rend());
  }
  // A response that carries no statement because the server refused it (signon failure, unknown
  // account) is an error, not an empty file (OFX 2.2 spec, 3.1.4 status codes).
  if (statements == 0 && failed_status) {
    const std::string message(doc_.value(*failed_status, "MESSAGE"));
    return error_at(*failed_status,
                    "the OFX server reported error " + std::string(doc_.value(*failed_status, "CODE")) +
                        (message.empty() ? "" : " (" + message + ")") + " and sent no statement");
  }
  return ok();
}

}  // namespace

std::string format_name(const Document& doc) {
  const std::string& v = doc.version;
  if (v.size() != 3 || v.find_first_not_of("0123456789") != std::string::npos) return "ofx";
  std::string minor = v.substr(1);
  if (minor[1] == '0') minor.pop_back();  // "220" → 2.2, "200" → 2.0, "102" → 1.02
  return "ofx-" + v.substr(0, 1) + "." + minor;
}

Result<void> emit_statements(std::string_view input, const Document& doc, const ParseOptions& options,
                             StatementSink& sink) {
  BANKREC_TRY(sink.set_format(format_name(doc)));
  Mapper mapper(input, doc, options, sink);
  return mapper.run();
}

}  // namespace bankrec::formats::ofx
